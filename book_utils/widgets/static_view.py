"""The kernel-free view of each widget: HTML that a page read without a kernel can still use.

A widget's display bundle carries, beside the ipywidgets view that Jupyter,
JupyterLab, VS Code and Colab render, this ``text/html`` view. The rendered book
prefers it (``nb_mime_priority_overrides`` in _config.yml), and
``static/book_widgets.js`` (served by the book) turns its root element into
working controls that recompute in the browser. The view is a root element

    <div class="book-widget" data-book-widget="KIND"> ... </div>

holding the widget's settings as JSON (``<script type="application/json">``),
the data the browser cannot compute (Fashion-MNIST images, preset kernels, the
pooling explorer's random matrices, all made here by the Python functions the
live widget uses) and, for a page without the script, the widget's saved
picture and a one-line note.

The training dashboards cannot train in a browser: their view is the saved
figure and runs table, the settings as disabled controls, and a notice saying
how to open the page on Colab.
"""
import base64
import html
import json

import torch

from ..data import TEXT_LABELS
from . import kernels

STATIC_IMAGES_PER_CLASS = 3   # Fashion-MNIST validation images per class embedded in the page
NO_KERNEL = 'Training needs a running Python kernel, which this page does not have.'
HOW_TO_LAUNCH = ('the launch button (the rocket) at the top of the page opens it there; run its '
                 'cells, then use the controls.')


def _b64(data):
    return base64.b64encode(bytes(data)).decode('ascii')


def _json_script(role, value):
    """A JSON island; '</' is escaped so the data can never close the script element."""
    text = json.dumps(value, separators=(',', ':')).replace('</', '<\\/')
    return f'<script type="application/json" data-role="{role}">{text}</script>'


def _fallback(png, note):
    """What a page without book_widgets.js shows: the saved picture and a note."""
    picture = (f'<img src="data:image/png;base64,{_b64(png)}" alt="the widget as it was saved" '
               f'style="max-width:100%"/>' if png else '')
    return f'<div data-role="fallback">{picture}<p><em>{html.escape(note)}</em></p></div>'


def _root(kind, config, png, note, extra=''):
    return (f'<div class="book-widget" data-book-widget="{kind}">'
            f'{_json_script("config", config)}{extra}{_fallback(png, note)}</div>')


def _int_limits(controls):
    """(min, max) of every bounded number box, as the live widget allows them."""
    return {name: [c.min, c.max] for name, c in controls.items()
            if hasattr(c, 'min') and hasattr(c, 'max')}


def _options(controls):
    return {name: list(c._options_values) for name, c in controls.items()
            if getattr(c, '_options_values', None) is not None}


def _uint8_image(X):
    """A [0, 1] image as base64 uint8 bytes (Fashion-MNIST images are stored that way)."""
    values = torch.round(X * 255).to(torch.uint8)
    return {'h': X.shape[0], 'w': X.shape[1], 'b64': _b64(values.flatten().numpy().tobytes())}


def conv_shape_html(widget, note):
    c = widget.controls
    config = {'values': {name: control.value for name, control in c.items()},
              'limits': _int_limits(c), 'options': _options(c)}
    return _root('conv-shape-explorer', config, widget.static_png, note)


def pooling_html(widget, note):
    from .pooling import sample_matrix
    c = widget.controls
    values = {name: control.value for name, control in c.items()}
    rows_max, cols_max = c['rows'].max, c['cols'].max
    # sample_matrix(rows, cols, seed) differs for every shape: embed each one the reader can pick
    matrices = {f'{r}x{k}': sample_matrix(r, k, values['seed']).int().flatten().tolist()
                for r in range(1, rows_max + 1) for k in range(1, cols_max + 1)}
    images = {label: _uint8_image(kernels.fashion_image(label)) for label in TEXT_LABELS}
    config = {'values': values, 'limits': _int_limits(c), 'options': _options(c),
              'labels': list(TEXT_LABELS)}
    extra = _json_script('matrices', matrices) + _json_script('images', images)
    return _root('pooling-explorer', config, widget.static_png, note, extra)


def kernel_designer_html(widget, note):
    from .kernel_designer import CUSTOM, SOURCES
    size = widget.size
    label, index = widget.class_picker.value, widget.index_slider.value
    presets = {name: {str(k): kernels.preset(name, k).tolist() for k in kernels.SIZES}
               for name in kernels.PRESETS}
    images = {}
    for name in TEXT_LABELS:
        count = max(STATIC_IMAGES_PER_CLASS, index + 1 if name == label else 0)
        images[name] = [_uint8_image(kernels.fashion_image(name, i)) for i in range(count)]
    config = {'values': {'preset': widget.preset_picker.value, 'size': size,
                         'normalise': widget.normalise_box.value,
                         'source': widget.source_picker.value, 'label': label, 'index': index},
              'weights': widget.kernel().tolist(), 'custom': CUSTOM, 'sources': list(SOURCES),
              'labels': list(TEXT_LABELS), 'sizes': list(kernels.SIZES)}
    extra = (_json_script('presets', presets) + _json_script('images', images) +
             _json_script('edge', kernels.edge_image().tolist()))
    return _root('kernel-designer', config, widget.static_png, note, extra)


def _disabled_control(label, value):
    return (f'<label class="book-widget-control">{html.escape(label)} '
            f'<input type="text" value="{html.escape(str(value))}" disabled '
            f'aria-disabled="true" size="{max(4, len(str(value)))}"/></label>')


def dashboard_html(widget, note):
    """The saved runs as a picture, the settings shown disabled, and how to train on Colab."""
    png = widget.static_png
    picture = (f'<img src="data:image/png;base64,{_b64(png)}" alt="the runs saved with this page" '
               f'style="max-width:100%"/>' if png else '')
    shown = {'model': widget.model_picker.value, 'learning rate': f'{widget.lr_slider.value:.3g}',
             'epochs': widget.epochs_slider.value, 'optimizer': widget.optimizer_picker.value,
             'batch size': widget.batch_picker.value, 'seed': widget.seed_box.value,
             'Xavier init': 'yes' if widget.init_box.value else 'no'}
    controls = ''.join(_disabled_control(k, v) for k, v in shown.items())
    buttons = ''.join(f'<button type="button" disabled aria-disabled="true">{b}</button>'
                      for b in ('Run', 'Stop', 'Clear'))
    count = len(widget.runs)
    runs = (f'{count} run{"s" if count != 1 else ""} saved with this page'
            if count else 'No runs were saved with this page')
    return (f'<div class="book-widget book-widget-static" data-book-widget="training-dashboard">'
            f'<p class="book-widget-notice" role="note"><strong>{html.escape(runs)}.</strong> '
            f'{html.escape(NO_KERNEL)} {html.escape(note.rstrip("."))}: '
            f'{html.escape(HOW_TO_LAUNCH)}</p>'
            f'<div class="book-widget-controls">{controls}{buttons}</div>'
            f'{picture}{widget.table.value}</div>')


BUILDERS = {
    'ConvShapeExplorer': conv_shape_html,
    'PoolingExplorer': pooling_html,
    'KernelDesigner': kernel_designer_html,
    'TrainingDashboard': dashboard_html,
}


def html_view(widget, note):
    """The ``text/html`` view of ``widget`` (None for a widget without one)."""
    builder = BUILDERS.get(type(widget).__name__)
    return builder(widget, note) if builder is not None else None
