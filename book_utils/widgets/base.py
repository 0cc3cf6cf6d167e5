"""What every widget of the book shares: a figure shown as an image, a message
line, and a static picture for pages that are read without a kernel.

Figures are drawn with ``matplotlib.figure.Figure`` (not pyplot) and sent to an
``ipywidgets.Image`` as PNG bytes. Setting an image's value replaces the picture
in place, so nothing flickers, nothing else in the cell is wiped, a background
thread may do it, and a test can read exactly what the reader sees. ``Image``,
``HTML`` and the boxes exist unchanged in ipywidgets 7.7 (Colab) and 8.x.
"""
import base64
import contextlib
import html

import ipywidgets as W
from IPython.display import display
from matplotlib.figure import Figure

from ..checks import check_bool, check_float, check_int
from ..teaching.plot import figure_png
from . import static_view

STATIC_NOTE = 'Launch this page on Colab to interact'
STATIC_FOOTER = ('<span style="color:#777;font-size:85%">A page read without a running kernel '
                 f'shows the state this widget was saved in. {STATIC_NOTE}.</span>')

_MESSAGE_STYLE = {
    'ok': 'color:#1b5e20',
    'info': 'color:#444',
    'warning': 'color:#8a4b00;background:#fff4e0;padding:2px 6px;border-radius:3px',
    'error': 'color:#8b0000;background:#fdecea;padding:2px 6px;border-radius:3px',
}


def new_figure(width, height):
    """A figure no pyplot manager knows about, so the inline backend never shows a copy."""
    return Figure(figsize=(width, height), layout='constrained')


def png_of(fig, dpi=100):
    """The PNG bytes of ``fig`` (what the widget's Image shows)."""
    return figure_png(fig, dpi=dpi)


def message_html(text, kind='info'):
    """One line of text, escaped, coloured by ``kind`` (ok, info, warning, error)."""
    if kind not in _MESSAGE_STYLE:
        raise ValueError(f'kind must be one of {sorted(_MESSAGE_STYLE)}, got {kind!r}.')
    return f'<span style="{_MESSAGE_STYLE[kind]}">{html.escape(str(text))}</span>'


def labelled(widget, width='auto'):
    """Give a control a description column wide enough for its whole label."""
    widget.style.description_width = 'initial'
    widget.layout.width = width
    return widget


class BookWidget(W.VBox):
    """A ``VBox`` that also carries a kernel-free view of itself.

    A live front end (Jupyter, JupyterLab, VS Code, Colab) renders the widget
    view and ignores the rest of the bundle; the rendered book ranks the
    ``text/html`` view of ``static_view`` first, which works in the browser
    (a page without the book's script shows the picture and a note instead). ``static_png`` is the widget's
    figure when it is displayed: its initial state, or whatever a page did
    with it first (the dashboard's first runs). The same bundle is produced under
    ipywidgets 7 (which displays through ``_ipython_display_``) and 8 (which
    uses ``_repr_mimebundle_``).
    """

    static_note = None
    message = None     # an HTML line each widget puts under its figure
    _figure_view = None
    _holding = False   # True while set_values changes several controls

    @contextlib.contextmanager
    def hold(self):
        """Change several controls with a single redraw at the end.

        Subclasses with a ``controls`` dict and a ``redraw`` method observe their
        controls with ``_changed``; this and ``set_values`` then serve them all.
        """
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        self.redraw()

    def set_values(self, **values):
        """Set controls by name (keys of ``controls``) and redraw once.

        Everything is checked before anything changes. Values set this way, by a page
        or a test, are not the reader's touch, so the note for static pages stays.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f'Unknown setting(s) {unknown}; known: {sorted(self.controls)}.')
        for name, value in values.items():
            check_control_value(self.controls[name], value, name)
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value

    def show_message(self, text, kind='info'):
        """The line under the figure (``self.message``, an ``HTML``); empty text clears it."""
        self.message.value = message_html(text, kind) if text else ''

    def _changed(self):
        if not self._holding:
            self.redraw()


    def finish(self, figure_view, controls=(), buttons=()):
        """Record the initial picture and add a one-line note for static pages.

        A saved notebook keeps each widget's state, so the book shows the initial
        picture and controls that do nothing; the note says so. In a live session
        it disappears the first time the reader touches a control.
        """
        self._figure_view = figure_view
        fit_narrow_screens(self)
        self.static_note = W.HTML(STATIC_FOOTER)
        self.children = tuple(self.children) + (self.static_note,)
        for control in controls:
            control.observe(self._interacted, names='value')
        for button in buttons:
            button.on_click(lambda _: self._interacted())

    @property
    def static_png(self):
        return bytes(self._figure_view.value) if self._figure_view is not None else None

    def _interacted(self, change=None):
        if not self._holding:   # set_values is a page or a test, not the reader
            self.static_note.value = ''

    def _repr_mimebundle_(self, **kwargs):
        """The widget view for live front ends, and for pages without a kernel the static
        view of ``static_view`` (working controls in the browser), a picture, and text."""
        data = {'text/plain': f'{type(self).__name__}: {STATIC_NOTE}.',
                'application/vnd.jupyter.widget-view+json': {
                    'version_major': 2, 'version_minor': 0, 'model_id': self.model_id}}
        if self.static_png:
            data['image/png'] = base64.b64encode(self.static_png).decode('ascii')
        view = static_view.html_view(self, f'{STATIC_NOTE}.')
        if view is not None:
            data['text/html'] = view
        elif self.static_png:
            data['text/html'] = (f'<img src="data:image/png;base64,{data["image/png"]}" '
                                 f'alt="initial state of the widget" style="max-width:100%"/>'
                                 f'<p><em>{STATIC_NOTE}.</em></p>')
        return data

    def _ipython_display_(self, **kwargs):
        display(self._repr_mimebundle_(), raw=True)
        if hasattr(self, '_handle_displayed'):   # ipywidgets 7: fire on_displayed callbacks
            self._handle_displayed(**kwargs)


def control_range(control):
    """``(low, high)`` a numeric control accepts, or None for one without bounds.

    A log slider's ``min``/``max`` are exponents: its values run from base**min to base**max.
    """
    if isinstance(control, W.FloatLogSlider):
        return control.base ** control.min, control.base ** control.max
    if hasattr(control, 'min') and hasattr(control, 'max'):
        return control.min, control.max
    return None


def check_control_value(control, value, name):
    """Refuse what ``control`` would clamp, round or reject with a traitlets error.

    ipywidgets clamps a bounded value into range (``k_h=50`` becomes 11) and truncates
    a float in an int box; both would draw something other than what was asked for.
    Returns the value; raises TypeError (wrong type) or ValueError (off the menu or range).
    """
    menu = getattr(control, '_options_values', None)   # dropdowns, toggle buttons
    if menu is not None:
        if value not in menu:
            raise ValueError(f'{name}={value!r} is not on the menu; choose one of '
                             f'{", ".join(map(repr, menu))}.')
        return value
    bounds = control_range(control) or (None, None)
    if isinstance(control, W.Checkbox):
        return check_bool(value, name)
    if isinstance(control.value, bool):
        return check_bool(value, name)
    if isinstance(control.value, int):
        return check_int(value, name, *bounds)
    if isinstance(control.value, float):
        return check_float(value, name, *bounds)
    return value


def fit_narrow_screens(widget):
    """Let every row of ``widget`` wrap and no control grow wider than the screen.

    Rows (``HBox``) wrap onto the next line instead of squashing sliders to a dot or
    pushing buttons off a 390 px phone; a fixed-width control is capped at 100 % of its
    row. Grids keep their columns (the kernel grid sets its own width).
    """
    for child in getattr(widget, 'children', ()):
        if isinstance(child, W.HBox) and not child.layout.flex_flow:
            child.layout.flex_flow = 'row wrap'
        if child.layout.width not in (None, '', 'auto') and not child.layout.max_width:
            child.layout.max_width = '100%'
        fit_narrow_screens(child)


def image_view(width='100%'):
    """An empty Image widget for a figure; its value is replaced on every redraw."""
    return W.Image(value=b'', format='png', layout=W.Layout(max_width=width, height='auto'))


def guarded(update, show_message):
    """Wrap ``update`` so any exception becomes a message in the widget, never a traceback.

    Impossible settings raise ``ValueError`` with a sentence for the reader;
    anything else is a bug, reported as such so it can be filed.
    """
    def run(*args, **kwargs):
        try:
            return update(*args, **kwargs)
        except ValueError as err:
            show_message(str(err), 'error')
        except Exception as err:   # a bug: say so in the widget rather than crash the callback
            show_message(f'Unexpected {type(err).__name__}: {err} (please report this).', 'error')
        return None
    return run
