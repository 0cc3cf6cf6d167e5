"""The pooling explorer: max or average pooling on a small matrix and on an image (7.5).

On the matrix every value is written out, and each output's colour marks the
input that won its max, so overlapping windows, padding (which never wins) and
``ceil_mode`` (a last window that hangs over the edge) can be seen rather than
described. Every change is checked against ``nn.MaxPool2d`` / ``nn.AvgPool2d``.
"""

import ipywidgets as W
import numpy as np
from matplotlib.patches import Rectangle

from ..checks import check_choice, check_int, check_pair
from ..data import TEXT_LABELS
from . import pooling_maths
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
from .html_parts import json_script, uint8_image, widget_root
from .image_kernels import fashion_image
from .pooling_maths import sample_matrix

_PAD_GREY = (0.86, 0.86, 0.86)
_UNREAD = (1.0, 0.78, 0.78)
# What the number boxes offer: an argument outside these is refused, never clamped.
RANGES = {
    'kernel_size': (1, 6),
    'stride': (1, 6),
    'padding': (0, 3),
    'matrix_size': (1, 10),
    'seed': (0, 10_000),
}


def _light(colour, amount=0.55):
    return tuple(c + (1 - c) * amount for c in colour[:3])


def _grid_axes(ax, top, left, bottom, right):
    ax.set_xlim(left - 0.5, right - 0.5)
    ax.set_ylim(bottom - 0.5, top - 0.5)
    ax.set_aspect('equal')
    ax.set_xticks([])
    ax.set_yticks([])


def _draw_matrix(ax, X, s, Y, winners):
    H, Wd = X.shape
    out_h, out_w = Y.shape
    (p_h, p_w) = s.padding
    # how far the windows reach (ceil_mode may hang past the padding)
    starts = pooling_maths.window
    reach_b = max(
        max(starts(i, 0, X.shape, s)[0][0] + s.kernel_size[0] for i in range(out_h)), H + p_h
    )
    reach_r = max(
        max(starts(0, j, X.shape, s)[0][2] + s.kernel_size[1] for j in range(out_w)), Wd + p_w
    )
    read = np.zeros((H, Wd), dtype=bool)
    for i in range(out_h):
        for j in range(out_w):
            _, (t, b, l, r), _ = pooling_maths.window(i, j, X.shape, s)
            read[t:b, l:r] = True
    pad_text = '−∞' if s.mode == 'max' else '0'
    for r in range(-p_h, reach_b):
        for c in range(-p_w, reach_r):
            real = 0 <= r < H and 0 <= c < Wd
            inside_pad = r < H + p_h and c < Wd + p_w
            if real:
                face, text = ((1, 1, 1) if read[r, c] else _UNREAD), f'{X[r, c]:g}'
            elif inside_pad:
                face, text = _PAD_GREY, pad_text
            else:
                face, text = (1, 1, 1), ''
            ax.add_patch(
                Rectangle(
                    (c - 0.5, r - 0.5),
                    1,
                    1,
                    fc=face,
                    ec='#aaa',
                    lw=0.5,
                    ls='-' if inside_pad else ':',
                )
            )
            if text:
                ax.text(
                    c,
                    r,
                    text,
                    ha='center',
                    va='center',
                    fontsize=9,
                    color='black' if real else '#666',
                )
    ax.add_patch(Rectangle((-0.5, -0.5), Wd, H, fill=False, ec='black', lw=1.5))
    if s.mode == 'max':  # a frame in the output's colour round each winner, nested if it won twice
        wins = {}
        for i in range(out_h):
            for j in range(out_w):
                rc = winners[i][j]
                inset = 0.08 * wins.get(rc, 0)
                wins[rc] = wins.get(rc, 0) + 1
                ax.add_patch(
                    Rectangle(
                        (rc[1] - 0.45 + inset, rc[0] - 0.45 + inset),
                        0.9 - 2 * inset,
                        0.9 - 2 * inset,
                        fill=False,
                        lw=2.2,
                        ec=pooling_maths.output_colour(i, j, out_w),
                    )
                )
    for (i, j), style in (((0, 0), '-'), ((out_h - 1, out_w - 1), '--')):
        (t, _, l, _), _, _ = pooling_maths.window(i, j, X.shape, s)
        ax.add_patch(
            Rectangle(
                (l - 0.44, t - 0.44),
                s.kernel_size[1] - 0.12,  # inset: all four
                s.kernel_size[0] - 0.12,
                fill=False,
                lw=1.5,
                ls=style,  # sides show
                ec=pooling_maths.output_colour(i, j, out_w),
            )
        )
    _grid_axes(ax, -p_h, -p_w, reach_b, reach_r)
    what = 'frames: the winner of each max' if s.mode == 'max' else 'average of each window'
    ax.set_title(f'input {H}×{Wd} (padding shows {pad_text})\n{what}; red: never read', fontsize=9)


def _draw_output(ax, Y, s):
    out_h, out_w = Y.shape
    for i in range(out_h):
        for j in range(out_w):
            ax.add_patch(
                Rectangle(
                    (j - 0.5, i - 0.5),
                    1,
                    1,
                    ec='#888',
                    lw=0.5,
                    fc=_light(pooling_maths.output_colour(i, j, out_w)),
                )
            )
            ax.text(j, i, f'{float(Y[i, j]):.3g}', ha='center', va='center', fontsize=9)
    _grid_axes(ax, 0, 0, out_h, out_w)
    ax.set_title(f'{s.mode} pooled {out_h}×{out_w}', fontsize=9)


def _draw_image(ax, img, title):
    ax.imshow(img.numpy(), cmap='gray', vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def draw_pooling(X, Y, winners, img, img_out, s, label):
    """Matrix in and out, then the image in and out, in one row."""
    fig = new_figure(9.0, 3.0)
    axes = fig.subplots(1, 4, width_ratios=[1.3, 1.0, 0.8, 0.8])
    _draw_matrix(axes[0], X, s, Y, winners)
    _draw_output(axes[1], Y, s)
    _draw_image(axes[2], img, f'{label} 28×28')
    _draw_image(axes[3], img_out, f'pooled {img_out.shape[0]}×{img_out.shape[1]}')
    return fig


def _int_box(value, low, high, description=''):
    return BoundedIntText(
        value=value,
        min=low,
        max=high,
        description=description,
        style={'description_width': 'initial'},
        layout=W.Layout(width='auto' if description else '64px'),
    )


class PoolingExplorer(BookWidget):
    """The widget: pooling settings, a matrix with a seed, an image class, and the drawing."""

    def __init__(
        self,
        mode='max',
        kernel_size=(2, 2),
        stride=None,
        padding=(0, 0),
        ceil_mode=False,
        count_include_pad=True,
        matrix_size=(5, 5),
        seed=0,
        label='sneaker',
    ):
        s = pooling_maths.PoolSettings(
            kernel_size, stride, padding, mode, ceil_mode, count_include_pad
        )
        for name in ('kernel_size', 'stride', 'padding'):
            check_pair(getattr(s, name), name, *RANGES[name])
        rows, cols = check_pair(matrix_size, 'matrix_size', *RANGES['matrix_size'])
        check_int(seed, 'seed', *RANGES['seed'])
        check_choice(label, 'label', TEXT_LABELS)
        fashion_image(label)  # the data are there
        self.result = None
        c = self.controls = name_controls(
            {
                'mode': W.ToggleButtons(
                    options=pooling_maths.MODES, value=s.mode, style={'button_width': '60px'}
                ),
                'k_h': _int_box(s.kernel_size[0], *RANGES['kernel_size']),
                'k_w': _int_box(s.kernel_size[1], *RANGES['kernel_size']),
                's_h': _int_box(s.stride[0], *RANGES['stride']),
                's_w': _int_box(s.stride[1], *RANGES['stride']),
                'p_h': _int_box(s.padding[0], *RANGES['padding']),
                'p_w': _int_box(s.padding[1], *RANGES['padding']),
                'ceil_mode': W.Checkbox(
                    value=s.ceil_mode,
                    description='ceil_mode',
                    indent=False,
                    layout=W.Layout(width='110px'),
                ),
                'count_include_pad': W.Checkbox(
                    value=s.count_include_pad,
                    indent=False,
                    description='count_include_pad (avg)',
                    layout=W.Layout(width='200px'),
                ),
                'rows': _int_box(rows, *RANGES['matrix_size'], 'matrix rows'),
                'cols': _int_box(cols, *RANGES['matrix_size'], 'cols'),
                'seed': _int_box(seed, *RANGES['seed'], 'seed'),
                'label': W.Dropdown(
                    options=TEXT_LABELS,
                    value=label,
                    description='image',
                    style={'description_width': 'initial'},
                    layout=W.Layout(width='190px'),
                ),
            }
        )
        table = W.GridBox(
            [
                W.HTML(''),
                W.HTML('<b>height</b>'),
                W.HTML('<b>width</b>'),
                W.HTML('window'),
                c['k_h'],
                c['k_w'],
                W.HTML('stride'),
                c['s_h'],
                c['s_w'],
                W.HTML('padding'),
                c['p_h'],
                c['p_w'],
            ],
            layout=W.Layout(grid_template_columns='60px 72px 72px', grid_gap='2px 4px'),
        )
        options = W.VBox(
            [
                c['mode'],
                W.HBox([c['ceil_mode'], c['count_include_pad']]),
                W.HBox([c['rows'], c['cols'], c['seed']]),
                c['label'],
            ]
        )
        self.figure_view = image_view()
        self.info = W.HTML()
        self.message = W.HTML()
        super().__init__(
            children=[W.HBox([table, options]), self.figure_view, self.info, self.message]
        )
        self.redraw = guarded(self._redraw, self.show_message)
        for control in c.values():
            control.observe(self._changed, names='value')
        self.redraw()
        self.add_static_note(self.figure_view, c.values())

    def settings(self):
        v = control_values(self.controls)
        self.controls['count_include_pad'].disabled = v['mode'] != 'avg'
        return pooling_maths.settings_from_controls(v)

    def static_html(self, note):
        """Settings, and what the browser cannot make: the seed's random matrix of every
        size the boxes allow (``sample_matrix`` differs for every shape) and one image a class."""
        c = self.controls
        values = control_values(c)
        matrices = {
            f'{r}x{k}': sample_matrix(r, k, values['seed']).int().flatten().tolist()
            for r in range(1, c['rows'].max + 1)
            for k in range(1, c['cols'].max + 1)
        }
        images = {label: uint8_image(fashion_image(label)) for label in TEXT_LABELS}
        config = {
            'values': values,
            'limits': control_limits(c),
            'options': control_options(c),
            'labels': list(TEXT_LABELS),
        }
        extra = json_script('matrices', matrices) + json_script('images', images)
        return widget_root('pooling-explorer', config, self.static_png, note, extra)

    def show_message(self, text, kind='info'):
        super().show_message(text, kind)
        if kind == 'error':
            self.result = None
            self.info.value = ''

    def _redraw(self):
        self.show_message('')
        s = self.settings()
        v = control_values(self.controls)
        X = sample_matrix(v['rows'], v['cols'], v['seed'])
        Y, winners = pooling_maths.pool(X, s)
        img = fashion_image(v['label'])
        img_out, _ = pooling_maths.pool(img, s)
        reference = pooling_maths.torch_pool(X, s)
        difference = max(
            float((Y - reference).abs().max()),
            float((img_out - pooling_maths.torch_pool(img, s)).abs().max()),
        )
        fig = draw_pooling(X, Y, winners, img, img_out, s, v['label'])
        self.figure_view.value = png_of(fig)
        self.result = {
            'settings': s,
            'X': X,
            'Y': Y,
            'winners': winners,
            'image_out': img_out,
            'torch_Y': reference,
            'difference': difference,
        }
        (H, Wd), (out_h, out_w) = X.shape, Y.shape
        rounding = '⌈…⌉ (ceil_mode, a last window may overhang)' if s.ceil_mode else '⌊…⌋'
        verdict = (
            'match' if difference < 1e-5 else 'DO NOT match'
        ) + f' <code>{s.layer_call()}</code> (largest difference {difference:.1e})'
        self.info.value = (
            f'Output {out_h}×{out_w} from a {H}×{Wd} matrix: (n + 2p − k) / s + 1 rounded with '
            f'{rounding}. The image: 28×28 → {img_out.shape[0]}×{img_out.shape[1]}. '
            f'Both {verdict}.'
        )


def pooling_explorer(
    mode='max',
    kernel_size=(2, 2),
    stride=None,
    padding=(0, 0),
    ceil_mode=False,
    count_include_pad=True,
    matrix_size=(5, 5),
    seed=0,
    label='sneaker',
):
    """An interactive pooling explorer (section 7.5); returns the widget.

    Arguments are those of ``nn.MaxPool2d``/``nn.AvgPool2d`` (``stride=None`` means
    the window size), plus the small matrix's size and random seed and the
    Fashion-MNIST class of the image.
    """
    return PoolingExplorer(
        mode, kernel_size, stride, padding, ceil_mode, count_include_pad, matrix_size, seed, label
    )
