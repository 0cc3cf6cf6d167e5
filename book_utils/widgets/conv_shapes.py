"""The convolution shape explorer: padding, stride, dilation and groups, drawn (7.3-7.4).

Height and width are set separately, so non-square kernels and strides are as
easy to try as square ones. Nothing is refused silently: a stride that does not
divide is drawn, with the rows and columns no window reads shaded; settings
with no output get a sentence saying why. Every change is checked against a real
``nn.Conv2d`` forward pass.
"""

import html

import ipywidgets as W
import numpy as np
from matplotlib.patches import Rectangle

from ..checks import check_int, check_pair
from . import conv_geometry
from .base import (
    BookWidget,
    BoundedIntText,
    control_limits,
    control_options,
    control_values,
    guarded,
    image_view,
    name_controls,
    new_figure,
    png_of,
)
from .html_parts import widget_root

# D2L 7.3's "more complicated example": 8x8 input, 3x5 kernel, padding (0, 1), stride (3, 4).
DEFAULTS = dict(in_size=(8, 8), kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))
_TEXT_UP_TO = 16  # label the cells of grids up to this many cells a side
_PAD_COLOUR = {'zeros': (0.86, 0.86, 0.86), 'copy': (1.0, 0.86, 0.66)}
_UNREAD = np.array([1.0, 0.78, 0.78])
# What the number boxes offer: an argument outside these is refused, never clamped.
RANGES = {
    'in_size': (1, 32),
    'kernel_size': (1, 11),
    'padding': (0, 10),
    'stride': (1, 8),
    'dilation': (1, 5),
    'in_channels': (1, 512),
    'out_channels': (1, 512),
    'groups': (1, 512),
}


def check_settings(settings):
    """``ConvSettings`` from the explorer's keyword arguments, each within its box's range."""
    unknown = sorted(set(settings) - set(conv_geometry.ConvSettings.__dataclass_fields__))
    if unknown:
        raise TypeError(
            f'Unknown setting(s) {unknown}; known: '
            f'{sorted(conv_geometry.ConvSettings.__dataclass_fields__)}.'
        )
    s = conv_geometry.ConvSettings(**{**DEFAULTS, **settings})  # types, and what nn.Conv2d needs
    for name, (low, high) in RANGES.items():
        value = getattr(s, name)
        if isinstance(value, tuple):
            check_pair(value, name, low, high)
        elif not isinstance(value, str):
            check_int(value, name, low, high)
    return s


def _cell_grid(ax, H, W, rgb, labels=None, fontsize=7):
    ax.imshow(rgb, extent=(-0.5, W - 0.5, H - 0.5, -0.5), interpolation='nearest')
    ax.set_xticks(np.arange(-0.5, W, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, H, 1), minor=True)
    ax.grid(which='minor', color='white' if H * W > 900 else '#999', linewidth=0.5)
    ax.tick_params(which='both', length=0, labelbottom=False, labelleft=False)
    if labels is not None and max(H, W) <= _TEXT_UP_TO:
        for (i, j), text in np.ndenumerate(labels):
            if text:
                ax.text(j, i, text, ha='center', va='center', fontsize=fontsize)


def _draw_input(ax, s, r):
    rows, cols = r['sources']
    (top, _), (left, _) = r['pads']
    h, w = s.in_size
    H, Wd = len(rows), len(cols)
    rgb, labels = np.ones((H, Wd, 3)), np.empty((H, Wd), dtype=object)
    for i, si in enumerate(rows):
        for j, sj in enumerate(cols):
            real = top <= i < top + h and left <= j < left + w
            zero = si is None or sj is None
            labels[i, j] = '0' if zero else str(si * w + sj + 1)
            if not real:
                rgb[i, j] = _PAD_COLOUR['zeros' if zero else 'copy']
    _cell_grid(ax, H, Wd, rgb, labels)
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), w, h, fill=False, lw=2, ec='black'))
    starts_h, starts_w = conv_geometry.window_starts(s)
    (k_h, k_w), (d_h, d_w) = s.kernel_size, s.dilation
    span_h, span_w = r['receptive_field']
    windows = [(starts_h[0], starts_w[0], '-')]
    if len(starts_w) > 1:
        windows.append((starts_h[0], starts_w[1], '--'))
    elif len(starts_h) > 1:
        windows.append((starts_h[1], starts_w[0], '--'))
    for y0, x0, style in windows:
        ax.add_patch(
            Rectangle(
                (x0 - 0.5, y0 - 0.5), span_w, span_h, fill=False, lw=2, ec='tab:blue', ls=style
            )
        )
    for a in range(k_h):  # tint the cells the first window's taps read
        for b in range(k_w):
            ax.add_patch(
                Rectangle(
                    (starts_w[0] + b * d_w - 0.5, starts_h[0] + a * d_h - 0.5),
                    1,
                    1,
                    color='tab:blue',
                    alpha=0.3,
                    lw=0,
                )
            )
    ax.set_title(
        f'input {h}×{w} + padding ({s.padding_mode})\nblue: the first window '
        f'(tinted: its taps), dashed: the next',
        fontsize=9,
    )


def _draw_coverage(ax, s, r):
    counts = r['coverage'].numpy()
    H, Wd = counts.shape
    top, left = r['pads'][0][0], r['pads'][1][0]
    peak = max(int(counts.max()), 1)
    rgb = np.array(
        [[(1 - 0.75 * c / peak, 1 - 0.45 * c / peak, 1.0) for c in row] for row in counts]
    )
    rgb[counts == 0] = _UNREAD
    labels = np.where(counts > 0, counts.astype(str), '')
    _cell_grid(ax, H, Wd, rgb, labels)
    ax.add_patch(
        Rectangle((left - 0.5, top - 0.5), s.in_size[1], s.in_size[0], fill=False, lw=2, ec='black')
    )
    unread = int((counts[top : top + s.in_size[0], left : left + s.in_size[1]] == 0).sum())
    ax.set_title(
        f'coverage: taps reading each cell\nred: never read '
        f'({unread} of {s.in_size[0] * s.in_size[1]} input pixels)',
        fontsize=9,
    )


def _draw_output(ax, s, r):
    oh, ow = r['out_size']
    rgb = np.full((oh, ow, 3), 0.93)
    rgb[0, 0] = (0.55, 0.75, 0.95)
    if ow > 1:
        rgb[0, 1] = (0.78, 0.87, 0.97)
    elif oh > 1:
        rgb[1, 0] = (0.78, 0.87, 0.97)
    _cell_grid(ax, oh, ow, rgb)
    ax.set_title(f'output {s.out_channels}×{oh}×{ow}\n(from the two blue windows)', fontsize=9)


def draw_geometry(s, r):
    """Input with padding and windows, coverage map, and output grid, side by side."""
    H = sum(r['pads'][0]) + s.in_size[0]
    Wd = sum(r['pads'][1]) + s.in_size[1]
    oh, ow = r['out_size']
    fig = new_figure(8.5, 3.5)
    axes = fig.subplots(1, 3, width_ratios=[Wd / H, Wd / H, 0.6 * max(ow / oh, 0.5)])
    _draw_input(axes[0], s, r)
    _draw_coverage(axes[1], s, r)
    _draw_output(axes[2], s, r)
    return fig


def _placeholder(text):
    fig = new_figure(8.5, 1.0)
    ax = fig.add_subplot()
    ax.axis('off')
    ax.text(0.5, 0.5, text, ha='center', va='center', fontsize=11, color='#8b0000', wrap=True)
    return fig


def _int_box(value, low, high):
    return BoundedIntText(value=value, min=low, max=high, layout=W.Layout(width='72px'))


class ConvShapeExplorer(BookWidget):
    """The widget: a height/width table of settings, channels, and the drawing."""

    def __init__(self, **settings):
        s = check_settings(settings)  # a clear error for bad arguments, before any drawing
        self.result = None
        pad = s.padding if isinstance(s.padding, tuple) else (0, 0)
        c = self.controls = name_controls(
            {
                'in_h': _int_box(s.in_size[0], *RANGES['in_size']),
                'in_w': _int_box(s.in_size[1], *RANGES['in_size']),
                'k_h': _int_box(s.kernel_size[0], *RANGES['kernel_size']),
                'k_w': _int_box(s.kernel_size[1], *RANGES['kernel_size']),
                'pad_h': _int_box(pad[0], *RANGES['padding']),
                'pad_w': _int_box(pad[1], *RANGES['padding']),
                's_h': _int_box(s.stride[0], *RANGES['stride']),
                's_w': _int_box(s.stride[1], *RANGES['stride']),
                'd_h': _int_box(s.dilation[0], *RANGES['dilation']),
                'd_w': _int_box(s.dilation[1], *RANGES['dilation']),
                'padding': W.Dropdown(
                    options=['numbers', 'same', 'valid'],
                    value=s.padding if isinstance(s.padding, str) else 'numbers',
                    layout=W.Layout(width='100px'),
                ),
                'padding_mode': W.Dropdown(
                    options=conv_geometry.PADDING_MODES,
                    value=s.padding_mode,
                    layout=W.Layout(width='100px'),
                ),
                'c_in': _int_box(s.in_channels, *RANGES['in_channels']),
                'c_out': _int_box(s.out_channels, *RANGES['out_channels']),
                'groups': _int_box(s.groups, *RANGES['groups']),
            }
        )
        self.depthwise_button = W.Button(
            description='depthwise',
            tooltip='groups = in = out channels',
            layout=W.Layout(width='90px'),
        )
        self.standard_button = W.Button(
            description='standard', tooltip='groups = 1', layout=W.Layout(width='90px')
        )
        head = [W.HTML(''), W.HTML('<b>height</b>'), W.HTML('<b>width</b>'), W.HTML('')]
        rows = [
            ('input', 'in_h', 'in_w', W.HTML('')),
            ('kernel', 'k_h', 'k_w', W.HTML('')),
            ('padding', 'pad_h', 'pad_w', W.HTML('')),
            ('stride', 's_h', 's_w', W.HTML('')),
            ('dilation', 'd_h', 'd_w', W.HTML('')),
        ]
        cells = head + [x for name, a, b, extra in rows for x in (W.HTML(name), c[a], c[b], extra)]
        table = W.GridBox(
            cells, layout=W.Layout(grid_template_columns='70px 80px 80px auto', grid_gap='2px 4px')
        )
        # beside the table, and below it on a phone: the padding kind and mode menus
        padding_menus = W.HBox(
            [W.HTML('padding&nbsp;'), c['padding'], W.HTML('&nbsp;mode&nbsp;'), c['padding_mode']]
        )
        channels = W.HBox(
            [
                W.HTML('channels:&nbsp;in&nbsp;'),
                c['c_in'],
                W.HTML('&nbsp;out&nbsp;'),
                c['c_out'],
                W.HTML('&nbsp;groups&nbsp;'),
                c['groups'],
                self.standard_button,
                self.depthwise_button,
            ]
        )
        self.figure_view = image_view()
        self.info = W.HTML()
        self.message = W.HTML()
        super().__init__(
            children=[
                W.HBox([table, padding_menus]),
                channels,
                self.figure_view,
                self.info,
                self.message,
            ]
        )
        self.redraw = guarded(self._redraw, self.show_message)
        for control in c.values():
            control.observe(self._changed, names='value')
        self.depthwise_button.on_click(
            lambda _: self.set_values(groups=c['c_in'].value, c_out=c['c_in'].value)
        )
        self.standard_button.on_click(lambda _: self.set_values(groups=1))
        self.redraw()
        self.add_static_note(
            self.figure_view, c.values(), [self.depthwise_button, self.standard_button]
        )

    # -- reading and setting the controls --------------------------------------
    def settings(self):
        """The ``ConvSettings`` the controls describe (raises ValueError if inconsistent)."""
        v = control_values(self.controls)
        self.controls['pad_h'].disabled = self.controls['pad_w'].disabled = (
            v['padding'] != 'numbers'
        )
        return conv_geometry.settings_from_controls(v)

    def static_html(self, note):
        """The settings, their limits and menus; the browser recomputes everything else."""
        config = {
            'values': control_values(self.controls),
            'limits': control_limits(self.controls),
            'options': control_options(self.controls),
        }
        return widget_root('conv-shape-explorer', config, self.static_png, note)

    # -- drawing -------------------------------------------------------------
    def show_message(self, text, kind='info'):
        super().show_message(text, kind)
        if kind == 'error':
            self.result = None
            self.info.value = ''
            self.figure_view.value = png_of(
                _placeholder('No output for these settings: see the message below.')
            )

    def _redraw(self):
        self.show_message('')
        s = self.settings()
        r = conv_geometry.check(s)
        self.figure_view.value = png_of(draw_geometry(s, r))
        self.result = {'settings': s, **r}
        standard = conv_geometry.ConvSettings(**{**vars(s), 'groups': 1})
        saving = ''
        if s.groups > 1:
            params, madds = conv_geometry.param_count(standard), conv_geometry.mult_adds(standard)
            saving = (
                f' (a standard convolution, groups = 1: {params:,} '
                f'parameters, {madds:,} multiply-adds; '
                f'{s.groups}× more)'
            )
        oh, ow = r['out_size']
        formula = '<br>'.join(html.escape(line) for line in r['formula'])
        self.info.value = (
            f'<div style="font-family:monospace;font-size:90%">{formula}</div>'
            f'Output shape <b>(1, {s.out_channels}, {oh}, {ow})</b> for an input '
            f'(1, {s.in_channels}, {s.in_size[0]}, {s.in_size[1]}); a real '
            f'<code>nn.Conv2d</code> forward pass gives {(1, *r["torch_shape"])} ✓<br>'
            f'Receptive field of one output value: {r["receptive_field"][0]}×'
            f'{r["receptive_field"][1]} input pixels. Parameters: {r["params"]:,}; '
            f'multiply-adds: {r["mult_adds"]:,}{saving}.<br>'
            f'<code>{html.escape(r["call"])}</code>'
        )


def conv_shape_explorer(**settings):
    """An interactive explorer of convolution shapes (sections 7.3 and 7.4); returns the widget.

    Keyword arguments are those of ``conv_geometry.ConvSettings`` (``in_size``,
    ``kernel_size``, ``padding``, ``padding_mode``, ``stride``, ``dilation``,
    ``in_channels``, ``out_channels``, ``groups``); the default is D2L 7.3's 8x8
    example with a 3x5 kernel, padding (0, 1) and stride (3, 4).
    """
    return ConvShapeExplorer(**settings)
