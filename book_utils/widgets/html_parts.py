"""The pieces of a widget's kernel-free view: HTML that a page read without a kernel can use.

A leaf module: it knows HTML, JSON and images, and nothing of any widget or of
ipywidgets. Each widget class assembles its own view from these parts in its
``static_html`` method (see ``base.BookWidget``).

A widget that runs in the browser has a root element

    <div class="book-widget" data-book-widget="KIND"> ... </div>

holding its settings as JSON (``<script type="application/json" data-role="config">``),
the data the browser cannot compute (Fashion-MNIST images, preset kernels, random
matrices) and, for a page without the book's script, the saved picture and a
one-line note (``data-role="fallback"``). ``static/book_widgets.js`` (built from
the sources in ``widgets_js/``) turns the root into working controls.
"""

import base64
import html
import json

import torch

STATIC_NOTE = 'Launch this page on Colab to interact'
STATIC_FOOTER = (
    '<span style="color:#777;font-size:85%">A page read without a running kernel '
    f'shows the state this widget was saved in. {STATIC_NOTE}.</span>'
)

MESSAGE_STYLE = {
    'ok': 'color:#1b5e20',
    'info': 'color:#444',
    'warning': 'color:#8a4b00;background:#fff4e0;padding:2px 6px;border-radius:3px',
    'error': 'color:#8b0000;background:#fdecea;padding:2px 6px;border-radius:3px',
}


def message_html(text, kind='info'):
    """One line of text, escaped, coloured by ``kind`` (ok, info, warning, error)."""
    if kind not in MESSAGE_STYLE:
        raise ValueError(f'kind must be one of {sorted(MESSAGE_STYLE)}, got {kind!r}.')
    return f'<span style="{MESSAGE_STYLE[kind]}">{html.escape(str(text))}</span>'


def b64(data):
    """Bytes as base64 text (PNG pictures, uint8 images)."""
    return base64.b64encode(bytes(data)).decode('ascii')


def png_img(png, alt):
    """An ``<img>`` of PNG bytes scaled to the column, or '' when there is no picture."""
    return (
        f'<img src="data:image/png;base64,{b64(png)}" alt="{alt}" style="max-width:100%"/>'
        if png
        else ''
    )


def json_script(role, value):
    """A JSON island; '</' is escaped so the data can never close the script element."""
    text = json.dumps(value, separators=(',', ':')).replace('</', '<\\/')
    return f'<script type="application/json" data-role="{role}">{text}</script>'


def fallback(png, note):
    """What a page without book_widgets.js shows: the saved picture and a note."""
    return (
        f'<div data-role="fallback">{png_img(png, "the widget as it was saved")}'
        f'<p><em>{html.escape(note)}</em></p></div>'
    )


def widget_root(kind, config, png, note, extra=''):
    """The root element that ``book_widgets.js`` brings to life (``kind`` picks the script)."""
    return (
        f'<div class="book-widget" data-book-widget="{kind}">'
        f'{json_script("config", config)}{extra}{fallback(png, note)}</div>'
    )


def picture_only(png, note):
    """The view of a widget that has no browser version: its saved picture and a note."""
    return (
        f'<img src="data:image/png;base64,{b64(png)}" alt="initial state of the widget" '
        f'style="max-width:100%"/><p><em>{note}</em></p>'
    )


def uint8_image(X):
    """A [0, 1] image as base64 uint8 bytes (Fashion-MNIST images are stored that way)."""
    values = torch.round(X * 255).to(torch.uint8)
    return {'h': X.shape[0], 'w': X.shape[1], 'b64': b64(values.flatten().numpy().tobytes())}


def disabled_control(label, value):
    """A setting shown as a greyed-out text box (the dashboard's view: nothing to run)."""
    return (
        f'<label class="book-widget-control">{html.escape(label)} '
        f'<input type="text" value="{html.escape(str(value))}" disabled '
        f'aria-disabled="true" size="{max(4, len(str(value)))}"/></label>'
    )


def disabled_buttons(names):
    return ''.join(
        f'<button type="button" disabled aria-disabled="true">{b}</button>' for b in names
    )
