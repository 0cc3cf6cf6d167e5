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

import ipywidgets as W
from IPython.display import display
from matplotlib.figure import Figure
from traitlets import validate

from ..checks import check_bool, check_float, check_int
from ..teaching.plot import figure_png
from .html_parts import STATIC_FOOTER, STATIC_NOTE, message_html, picture_only

__all__ = [
    'BookWidget',
    'BoundedIntText',
    'FloatLogSlider',
    'IntSlider',
    'check_control_value',
    'control_limits',
    'control_options',
    'control_range',
    'control_values',
    'fit_narrow_screens',
    'guarded',
    'image_view',
    'labelled',
    'name_controls',
    'new_figure',
    'png_of',
]


def new_figure(width, height):
    """A figure no pyplot manager knows about, so the inline backend never shows a copy."""
    return Figure(figsize=(width, height), layout='constrained')


def png_of(fig, dpi=100):
    """The PNG bytes of ``fig`` (what the widget's Image shows)."""
    return figure_png(fig, dpi=dpi)


def labelled(widget, width='auto'):
    """Give a control a description column wide enough for its whole label."""
    widget.style.description_width = 'initial'
    widget.layout.width = width
    return widget


class BookWidget(W.VBox):
    """A ``VBox`` that also carries a kernel-free view of itself.

    A live front end (Jupyter, JupyterLab, VS Code, Colab) renders the widget
    view and ignores the rest of the bundle; the rendered book ranks the
    ``text/html`` view first: what ``static_html`` returns, which works in the browser
    (a page without the book's script shows the picture and a note instead). Each
    widget builds its own view from the parts in ``html_parts``. ``static_png`` is the widget's
    figure when it is displayed: its initial state, or whatever a page did
    with it first (the dashboard's first runs). The same bundle is produced under
    ipywidgets 7 (which displays through ``_ipython_display_``) and 8 (which
    uses ``_repr_mimebundle_``).
    """

    static_note = None
    message = None  # an HTML line each widget puts under its figure
    _figure_view = None
    _holds = 0  # how many ``hold`` blocks are open: redraws wait until the last one closes

    @property
    def holding(self):
        """True while controls are being changed together (inside ``hold``)."""
        return self._holds > 0

    @contextlib.contextmanager
    def hold(self):
        """Change several controls with a single redraw at the end.

        The one batching mechanism of every widget: observers that redraw call
        ``_changed``, which waits while a hold is open; the outermost ``hold``
        redraws once when it closes (nested ones, such as a preset filling the
        kernel grid inside ``set_values``, do not). Changes made inside a hold are
        a page's or a test's, not the reader's touch, so the note for static pages stays.
        """
        self._holds += 1
        try:
            yield
        finally:
            self._holds -= 1
        if not self._holds:
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

    def _changed(self, change=None):
        if not self.holding:
            self.redraw()

    def add_static_note(self, figure_view, controls=(), buttons=()):
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
        if not self.holding:  # set_values is a page or a test, not the reader
            self.static_note.value = ''

    def static_html(self, note):
        """This widget's kernel-free ``text/html`` view (None: the saved picture will do).

        Widgets that work in the browser override it and build their view from
        ``html_parts``; ``note`` is the line a page without the book's script shows.
        """
        return None

    def _repr_mimebundle_(self, **kwargs):
        """The widget view for live front ends, and for pages without a kernel the static
        view of ``static_html`` (working controls in the browser), a picture, and text."""
        data = {
            'text/plain': f'{type(self).__name__}: {STATIC_NOTE}.',
            'application/vnd.jupyter.widget-view+json': {
                'version_major': 2,
                'version_minor': 0,
                'model_id': self.model_id,
            },
        }
        if self.static_png:
            data['image/png'] = base64.b64encode(self.static_png).decode('ascii')
        view = self.static_html(f'{STATIC_NOTE}.')
        if view is not None:
            data['text/html'] = view
        elif self.static_png:
            data['text/html'] = picture_only(self.static_png, f'{STATIC_NOTE}.')
        return data

    def _ipython_display_(self, **kwargs):
        display(self._repr_mimebundle_(), raw=True)
        if hasattr(self, '_handle_displayed'):  # ipywidgets 7: fire on_displayed callbacks
            self._handle_displayed(**kwargs)


def control_range(control):
    """``(low, high)`` a numeric control accepts, or None for one without bounds.

    A log slider's ``min``/``max`` are exponents: its values run from base**min to base**max.
    """
    if isinstance(control, W.FloatLogSlider):
        return control.base**control.min, control.base**control.max
    if hasattr(control, 'min') and hasattr(control, 'max'):
        return control.min, control.max
    return None


def control_values(controls):
    """``{name: value}`` of a widget's ``controls`` dict (the state its view embeds)."""
    return {name: control.value for name, control in controls.items()}


def control_limits(controls):
    """``{name: [min, max]}`` of every bounded control, as the live widget allows them."""
    return {
        name: [c.min, c.max]
        for name, c in controls.items()
        if hasattr(c, 'min') and hasattr(c, 'max')
    }


def control_options(controls):
    """``{name: [values]}`` of every menu (dropdowns, toggle buttons)."""
    return {
        name: list(c._options_values)
        for name, c in controls.items()
        if getattr(c, '_options_values', None) is not None
    }


def check_control_value(control, value, name):
    """Refuse what ``control`` would clamp, round or reject with a traitlets error.

    ipywidgets clamps a bounded value into range (``k_h=50`` becomes 11) and truncates
    a float in an int box; both would draw something other than what was asked for.
    Returns the value; raises TypeError (wrong type) or ValueError (off the menu or range).
    """
    menu = getattr(control, '_options_values', None)  # dropdowns, toggle buttons
    if menu is not None:
        if value not in menu:
            raise ValueError(
                f'{name}={value!r} is not on the menu; choose one of {", ".join(map(repr, menu))}.'
            )
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


class _RefusesOutOfRange:
    """A bounded control that refuses a value outside its range instead of clamping it.

    ipywidgets clamps ``slider.value = 1000`` to the slider's maximum without a word, so
    code that sets a control directly (``dashboard.lr_slider.value = 1000``) would train at
    another learning rate than it asked for. The reader's own touch stays in range.
    ``setting`` names the control in the error (the key of the widget's ``controls``).
    """

    setting = None

    @validate('value')
    def _validate_value(self, proposal):
        check_control_value(self, proposal['value'], self.setting or self.description or 'value')
        return super()._validate_value(proposal)


class IntSlider(_RefusesOutOfRange, W.IntSlider):
    """``ipywidgets.IntSlider`` that refuses, rather than clamps, a value out of range."""


class FloatLogSlider(_RefusesOutOfRange, W.FloatLogSlider):
    """``ipywidgets.FloatLogSlider`` that refuses, rather than clamps, a value out of range."""


class BoundedIntText(_RefusesOutOfRange, W.BoundedIntText):
    """``ipywidgets.BoundedIntText`` that refuses, rather than clamps, a value out of range."""


def name_controls(controls):
    """Tell each control its key in ``controls``, for the sentences that refuse a value."""
    for name, control in controls.items():
        if isinstance(control, _RefusesOutOfRange):
            control.setting = name
    return controls


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
        except Exception as err:  # a bug: say so in the widget rather than crash the callback
            show_message(f'Unexpected {type(err).__name__}: {err} (please report this).', 'error')
        return None

    return run
