"""Pictures of the small matrices that chapter 7 works out by hand, and of networks.

D2L draws its cross-correlation, padding, stride, channel and pooling figures
by hand. Here they are drawn from the very tensors the text computes, so a
figure can never disagree with the numbers printed beside it; likewise the
layer stacks of chapter 8 are read off the models themselves.
"""

import copy
import dataclasses

import numpy as np
import torch
from matplotlib import patches
from matplotlib import pyplot as plt
from torch import nn

from ..checks import check_pair
from ..lazy_layers import has_lazy_parameters, materialise

__all__ = [
    'Grid',
    'show_grids',
    'show_pipeline',
    'layer_label',
    'draw_stack',
    'dilation_taps',
    'show_dilation',
    'show_kernel_tensor',
    'show_pixel_mixing',
    'draw_inception',
    'layer_rows',
    'draw_layer_row',
    'shared_statistics',
    'draw_normalization_axes',
    'residual_path',
    'draw_residual_path',
    'draw_residual_blocks',
]

# One colour a window: the i-th window of every panel shares colour i, so the
# output cell and the input window that produced it read as one pair.
WINDOW_COLOURS = ('#9ecae1', '#fdae6b', '#a1d99b', '#bcbddc')
PAD_COLOUR = '#e5e5e5'


@dataclasses.dataclass
class Grid:
    """One matrix to draw: its values, a title, shaded windows and a padded border.

    ``windows`` is a list of ``(row, col, height, width)`` rectangles, shaded in
    the order of ``WINDOW_COLOURS``; ``pad`` (an int or a (rows, cols) pair)
    says how many border rows and columns of ``values`` are padding, drawn grey.
    """

    values: object
    title: str = ''
    windows: tuple = ()
    pad: object = 0

    def matrix(self):
        values = self.values
        if isinstance(values, torch.Tensor):
            values = values.detach().cpu().numpy()
        values = np.asarray(values, dtype=float)
        if values.ndim != 2:
            raise ValueError(
                f'A Grid draws one matrix (rows, cols); got an array of shape '
                f'{values.shape}. Draw each channel as its own Grid.'
            )
        if values.size == 0:
            raise ValueError(
                f'A Grid needs at least one value to draw; got an empty matrix of '
                f'shape {values.shape}.'
            )
        return values

    def pad_pair(self):
        """``pad`` as (rows, cols), checked against the matrix: padding is a border, so at
        most half of each side."""
        rows, cols = self.matrix().shape
        pr, pc = check_pair(self.pad, 'pad', low=0)
        if 2 * pr > rows or 2 * pc > cols:
            raise ValueError(
                f'pad must be at most half the matrix on each side (a border of '
                f'{rows // 2} rows and {cols // 2} columns for shape {(rows, cols)}), '
                f'got {self.pad!r}.'
            )
        return pr, pc

    def checked_windows(self):
        """``windows`` as (row, col, height, width) rectangles of positive size inside the matrix."""
        rows, cols = self.matrix().shape
        for w in self.windows:
            if not (
                isinstance(w, (tuple, list))
                and len(w) == 4
                and all(isinstance(v, int) and not isinstance(v, bool) for v in w)
            ):
                raise TypeError(
                    f'windows must hold (row, col, height, width) tuples of ints, got {w!r}.'
                )
            r, c, h, wd = w
            if h < 1 or wd < 1 or r < 0 or c < 0 or r + h > rows or c + wd > cols:
                raise ValueError(
                    f'window {tuple(w)} (row, col, height, width) must lie inside '
                    f'the {rows}x{cols} matrix with height and width >= 1.'
                )
        return list(self.windows)


def _format(v):
    """Integers without a decimal point, other numbers with at most two decimals."""
    if np.isneginf(v):
        return '-∞'
    return f'{int(round(v))}' if abs(v - round(v)) < 1e-6 else f'{v:.2f}'.rstrip('0')


def _draw_grid(ax, grid, left, top, fontsize):
    values = grid.matrix()
    rows, cols = values.shape
    pr, pc = grid.pad_pair()
    windows = grid.checked_windows()
    longest = max(len(_format(v)) for v in values.flat)
    cell_font = fontsize * min(1.0, 2.6 / longest)  # long numbers still fit their cell
    for i in range(rows):
        for j in range(cols):
            padded = i < pr or i >= rows - pr or j < pc or j >= cols - pc
            colour = PAD_COLOUR if padded else 'white'
            for k, (r, c, h, w) in enumerate(windows):
                if r <= i < r + h and c <= j < c + w:
                    colour = WINDOW_COLOURS[k % len(WINDOW_COLOURS)]
            ax.add_patch(
                patches.Rectangle(
                    (left + j, top - i - 1), 1, 1, facecolor=colour, edgecolor='black', linewidth=1
                )
            )
            ax.text(
                left + j + 0.5,
                top - i - 0.5,
                _format(values[i, j]),
                ha='center',
                va='center',
                fontsize=cell_font,
            )
    for k, (r, c, h, w) in enumerate(windows):  # a darker outline around each window
        ax.add_patch(
            patches.Rectangle(
                (left + c, top - r - h),
                w,
                h,
                fill=False,
                edgecolor='#08519c' if k == 0 else '#a63603',
                linewidth=2,
            )
        )
    if grid.title:
        ax.text(
            left + cols / 2, top + 0.35, grid.title, ha='center', va='bottom', fontsize=fontsize
        )


def show_grids(grids, between=(), cell=0.45, fontsize=11):
    """Draw matrices side by side with symbols between them, e.g. ``X ⋆ K = Y``.

    ``grids`` is a list of ``Grid`` (or plain matrices); ``between`` holds the
    len(grids) - 1 symbols written between neighbours. Matrices are centred
    vertically. Returns the figure.
    """
    grids = [g if isinstance(g, Grid) else Grid(g) for g in grids]
    if not grids:
        raise ValueError('show_grids needs at least one matrix (a Grid or a 2-D tensor), got none.')
    between = list(between)
    if between and len(between) != len(grids) - 1:
        raise ValueError(
            f'between needs one symbol for each gap, {len(grids) - 1} for '
            f'{len(grids)} grids; got {len(between)}: {between!r}.'
        )
    shapes = [g.matrix().shape for g in grids]
    for g in grids:  # every refusal before a figure is made
        g.pad_pair(), g.checked_windows()
    height = max(r for r, _ in shapes)
    gap = 1.6
    width = sum(c for _, c in shapes) + gap * (len(grids) - 1)
    fig, ax = plt.subplots(figsize=(max(width * cell, 1.5), (height + 1) * cell))
    left = 0.0
    for k, (grid, (rows, cols)) in enumerate(zip(grids, shapes)):
        top = height / 2 + rows / 2
        _draw_grid(ax, grid, left, top, fontsize)
        left += cols
        if k < len(grids) - 1:
            if between:
                ax.text(
                    left + gap / 2,
                    height / 2,
                    between[k],
                    ha='center',
                    va='center',
                    fontsize=fontsize + 6,
                )
            left += gap
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(-0.1, height + 0.9)
    ax.set_aspect('equal')
    ax.axis('off')
    return fig


def show_pipeline(stages, box_width=1.7, fontsize=9):
    """Draw a network as a row of boxes joined by arrows.

    ``stages`` is a list of ``(name, detail)`` string pairs, e.g.
    ``('conv 5x5, pad 2', '6 x 28 x 28')``; the detail line is what the
    stage outputs. Returns the figure.
    """
    if not stages:
        raise ValueError('show_pipeline needs at least one (name, detail) stage, got none.')
    step = box_width + 0.5
    fig, ax = plt.subplots(figsize=(len(stages) * step * 0.75, 1.3))
    for k, (name, detail) in enumerate(stages):
        x = k * step
        ax.add_patch(
            patches.FancyBboxPatch(
                (x, 0),
                box_width,
                1,
                boxstyle='round,pad=0.05',
                facecolor=WINDOW_COLOURS[k % 2],
                edgecolor='black',
            )
        )
        ax.text(x + box_width / 2, 0.66, name, ha='center', va='center', fontsize=fontsize)
        ax.text(
            x + box_width / 2,
            0.3,
            detail,
            ha='center',
            va='center',
            fontsize=fontsize,
            family='monospace',
        )
        if k < len(stages) - 1:
            ax.annotate(
                '',
                xy=(x + step - 0.05, 0.5),
                xytext=(x + box_width + 0.1, 0.5),
                arrowprops=dict(arrowstyle='->', linewidth=1.2),
            )
    ax.set_xlim(-0.1, len(stages) * step - 0.4)
    ax.set_ylim(-0.15, 1.15)
    ax.axis('off')
    return fig


def layer_label(layer):
    """One line of text for a layer with weights or a pooling layer; None for the rest."""
    if isinstance(layer, nn.Conv2d):
        k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        return (
            f'{k}x{k} conv, {layer.out_channels} ch'
            + (f', stride {s}' if s > 1 else '')
            + (f', pad {p}' if p else '')
        )
    if isinstance(layer, (nn.MaxPool2d, nn.AvgPool2d)):
        kind = 'max' if isinstance(layer, nn.MaxPool2d) else 'avg'
        return f'{layer.kernel_size}x{layer.kernel_size} {kind}-pool, stride {layer.stride}'
    if isinstance(layer, nn.AdaptiveAvgPool2d):
        return 'global avg-pool'
    if isinstance(layer, nn.Linear):
        return f'dense, {layer.out_features}'
    return None


def draw_stack(ax, title, model, X_shape, color, height=13):
    """Draw ``model.net`` on ``ax`` as boxes from the input (bottom) to the output (top).

    Layers with weights are filled with ``color``; a dashed frame surrounds each
    block (an ``nn.Sequential`` of several such layers), so AlexNet, VGG and NiN
    can be compared side by side. ``height`` (in boxes) lines up several stacks.
    The caller's model is not changed: lazy layers are materialised on a copy.
    """
    if not (
        isinstance(X_shape, (tuple, list, torch.Size))
        and len(X_shape) == 4
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in X_shape)
    ):
        raise ValueError(
            f'X_shape must be (batch, channels, height, width) with positive ints, '
            f'e.g. (1, 1, 224, 224); got {X_shape!r}.'
        )
    if not isinstance(getattr(model, 'net', None), nn.Sequential):
        raise TypeError(
            f"model must have a .net that is an nn.Sequential (as the book's "
            f'models do), got {type(model).__name__}.'
        )
    if has_lazy_parameters(model):
        model = copy.deepcopy(model)  # materialise the lazy layers on a copy, not the caller's
        materialise(model, lambda: model(torch.zeros(X_shape)))
    labels, groups = [f'image {X_shape[-2]}x{X_shape[-1]}'], []
    for child in model.net:
        inner = [label for label in map(layer_label, child.modules()) if label is not None]
        if isinstance(child, nn.Sequential) and len(inner) > 1:
            groups.append((len(labels), len(labels) + len(inner)))
        labels += inner
    for i, label in enumerate(labels):
        fc = '#eeeeee' if i == 0 else (color if 'conv' in label or 'dense' in label else 'white')
        ax.add_patch(
            patches.FancyBboxPatch(
                (0.1, i), 0.8, 0.62, boxstyle='round,pad=0.03', fc=fc, ec='#444444'
            )
        )
        ax.text(0.5, i + 0.31, label, ha='center', va='center', fontsize=7.5)
        if i:
            ax.annotate('', (0.5, i - 0.04), (0.5, i - 0.34), arrowprops=dict(arrowstyle='->'))
    for start, end in groups:
        ax.add_patch(
            patches.Rectangle(
                (0.02, start - 0.15), 0.96, end - start - 0.05, fill=False, ls='--', ec='#777777'
            )
        )
    ax.set_xlim(0, 1), ax.set_ylim(-0.3, max(height, len(labels)))
    ax.set_title(title, fontsize=10), ax.axis('off')


# -- chapter 7.3 and 7.4: dilation, the four-axis kernel, 1x1 channel mixing -------------------
TAP_COLOUR = '#fdae6b'


def dilation_taps(in_size, kernel_size, dilation, out_pixel=(0, 0)):
    """The input pixels that output ``out_pixel`` of a dilated convolution reads, as PyTorch
    computes it: the nonzero gradient of that output with respect to the input."""
    X = torch.zeros(1, 1, in_size, in_size, requires_grad=True)
    weight = torch.ones(1, 1, kernel_size, kernel_size)
    Y = nn.functional.conv2d(X, weight, dilation=dilation)
    Y[0, 0][out_pixel].backward()
    return [tuple(int(v) for v in ij) for ij in (X.grad[0, 0] != 0).nonzero()]


def show_dilation(in_size=7, kernel_size=3, dilations=(1, 2, 3), cell=0.3, fontsize=9):
    """One panel per dilation: the taps that the top-left output reads on an ``in_size``
    square input (shaded), the span they cover (outlined) and the output size."""
    if not dilations:
        raise ValueError('show_dilation needs at least one dilation, e.g. dilations=(1, 2).')
    for d in dilations:
        span = d * (kernel_size - 1) + 1
        if not (isinstance(d, int) and d >= 1) or span > in_size:
            raise ValueError(
                f'each dilation must be an int >= 1 whose span d*(k-1)+1 fits the '
                f'{in_size}x{in_size} input; got {d!r} (span {span}). Use a larger '
                f'in_size or smaller dilations.'
            )
    gap = 1.5
    width = len(dilations) * (in_size + gap) - gap
    fig, ax = plt.subplots(figsize=(width * cell, (in_size + 2.2) * cell))
    for n, d in enumerate(dilations):
        left, span = n * (in_size + gap), d * (kernel_size - 1) + 1
        taps = set(dilation_taps(in_size, kernel_size, d))
        for i in range(in_size):
            for j in range(in_size):
                ax.add_patch(
                    patches.Rectangle(
                        (left + j, in_size - i - 1),
                        1,
                        1,
                        facecolor=TAP_COLOUR if (i, j) in taps else 'white',
                        edgecolor='#888888',
                        linewidth=0.8,
                    )
                )
        ax.add_patch(
            patches.Rectangle(
                (left, in_size - span), span, span, fill=False, edgecolor='#08519c', linewidth=2
            )
        )
        out = in_size - span + 1
        ax.text(
            left + in_size / 2,
            in_size + 0.3,
            f'dilation {d}: span {span}x{span}',
            ha='center',
            va='bottom',
            fontsize=fontsize,
        )
        ax.text(
            left + in_size / 2,
            -0.4,
            f'output {out}x{out}',
            ha='center',
            va='top',
            fontsize=fontsize,
        )
    ax.set_xlim(-0.1, width + 0.1), ax.set_ylim(-1.4, in_size + 1.3)
    ax.set_aspect('equal'), ax.axis('off')
    return fig


def _small_matrix(ax, values, left, top, size, colour, fontsize):
    """A k_h x k_w block of cells of side ``size`` with its numbers (one kernel slice)."""
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            ax.add_patch(
                patches.Rectangle(
                    (left + j * size, top - (i + 1) * size),
                    size,
                    size,
                    facecolor=colour,
                    edgecolor='black',
                    linewidth=0.6,
                )
            )
            ax.text(
                left + (j + 0.5) * size,
                top - (i + 0.5) * size,
                _format(values[i, j]),
                ha='center',
                va='center',
                fontsize=fontsize,
            )


def show_kernel_tensor(weight, fontsize=8):
    """A convolution kernel of shape (c_o, c_i, k_h, k_w) as a table of its slices: row o holds
    the c_i slices that output channel o applies, one per input channel, and sums."""
    if not (isinstance(weight, torch.Tensor) and weight.dim() == 4 and weight.numel()):
        raise ValueError(
            'weight must be a 4-D tensor (c_o, c_i, k_h, k_w), such as '
            'nn.Conv2d(...).weight; got '
            f'{getattr(weight, "shape", type(weight).__name__)}.'
        )
    values = weight.detach().cpu().numpy()
    c_o, c_i, k_h, k_w = values.shape
    step_x, step_y = k_w + 1.6, k_h + 1.0
    fig, ax = plt.subplots(figsize=((c_i * step_x + 3.2) * 0.42, (c_o * step_y + 1.2) * 0.42))
    for o in range(c_o):
        top = (c_o - o) * step_y
        for i in range(c_i):
            left = 2.4 + i * step_x
            _small_matrix(
                ax, values[o, i], left, top, 1.0, WINDOW_COLOURS[i % len(WINDOW_COLOURS)], fontsize
            )
            if i < c_i - 1:
                ax.text(
                    left + k_w + 0.8,
                    top - k_h / 2,
                    '+',
                    ha='center',
                    va='center',
                    fontsize=fontsize + 4,
                )
        ax.text(
            2.0, top - k_h / 2, f'output\nchannel {o}', ha='right', va='center', fontsize=fontsize
        )
    for i in range(c_i):
        ax.text(
            2.4 + i * step_x + k_w / 2,
            c_o * step_y + 0.3,
            f'input channel {i}',
            ha='center',
            va='bottom',
            fontsize=fontsize,
        )
    ax.set_title(
        f'kernel {c_o} x {c_i} x {k_h} x {k_w}: {c_o} output channels, {c_i} slices of '
        f'{k_h} x {k_w} each',
        fontsize=fontsize + 1,
    )
    ax.set_xlim(-1.6, 2.4 + c_i * step_x), ax.set_ylim(0.2, c_o * step_y + 1.2)
    ax.set_aspect('equal'), ax.axis('off')
    return fig


def show_pixel_mixing(X, weight, pixel=(0, 0), fontsize=8):
    """A 1x1 convolution as one matrix applied at every pixel: the input maps (c_i, h, w), the
    c_o x c_i matrix, and the output maps PyTorch computes, with ``pixel`` shaded in both and
    its channel vectors written beside the matrix: y = W x, pixel by pixel."""
    if not (isinstance(X, torch.Tensor) and X.dim() == 3):
        raise ValueError(f'X must be a (c_i, h, w) tensor, got {getattr(X, "shape", X)!r}.')
    if not (
        isinstance(weight, torch.Tensor) and weight.dim() == 2 and weight.shape[1] == X.shape[0]
    ):
        raise ValueError(
            f'weight must be a (c_o, c_i) matrix with c_i = {X.shape[0]} (the '
            f'channels of X), got {getattr(weight, "shape", weight)!r}.'
        )
    c_i, h, w = X.shape
    if not (0 <= pixel[0] < h and 0 <= pixel[1] < w):
        raise ValueError(f'pixel must lie in the {h}x{w} map, got {pixel!r}.')
    Y = nn.functional.conv2d(X[None], weight[:, :, None, None])[0].detach()
    c_o = Y.shape[0]
    panels = (
        [Grid(X[c], f'in {c}', windows=[(pixel[0], pixel[1], 1, 1)]) for c in range(c_i)]
        + [
            Grid(weight, 'W'),
            Grid(X[:, pixel[0], pixel[1]][:, None], 'x'),
            Grid(Y[:, pixel[0], pixel[1]][:, None], 'y'),
        ]
        + [Grid(Y[c], f'out {c}', windows=[(pixel[0], pixel[1], 1, 1)]) for c in range(c_o)]
    )
    between = [''] * (c_i - 1) + ['→', '×', '='] + ['→'] + [''] * (c_o - 1)
    return show_grids(panels, between=between, cell=0.42, fontsize=fontsize)


# --- Chapter 8.4-8.6: Inception, normalization axes, residual blocks --------------------------
# Each picture is read off the layers (or, for the normalization axes, off PyTorch's own
# functions), so the labels cannot drift from the code the chapter runs.


def _box(ax, x, y, w, h, text, colour, fontsize=8):
    ax.add_patch(
        patches.FancyBboxPatch(
            (x, y), w, h, boxstyle='round,pad=0.03', facecolor=colour, edgecolor='black'
        )
    )
    ax.text(x + w / 2, y + h / 2, text, ha='center', va='center', fontsize=fontsize)


def _arrow(ax, x0, y0, x1, y1, colour='black'):
    ax.annotate(
        '', xy=(x1, y1), xytext=(x0, y0), arrowprops=dict(arrowstyle='->', lw=1, color=colour)
    )


def _conv_text(layer):
    k = layer.kernel_size
    groups = f', {layer.groups} groups' if layer.groups > 1 else ''
    stride = f', stride {layer.stride[0]}' if layer.stride[0] > 1 else ''
    return f'{k[0]}x{k[1]} conv{stride}\n{layer.in_channels} -> {layer.out_channels}{groups}'


def draw_inception(block, in_channels):
    """The four branches of an Inception block (``b1_1`` ... ``b4_2``), sized from its layers.

    The block's lazy layers must have run once, so that their channel counts are known.
    """
    if not isinstance(in_channels, int) or isinstance(in_channels, bool) or in_channels < 1:
        raise ValueError(
            f'in_channels must be a positive int (the channels the block '
            f'receives), got {in_channels!r}.'
        )
    names = [['b1_1'], ['b2_1', 'b2_2'], ['b3_1', 'b3_2'], ['b4_1', 'b4_2']]
    if not all(hasattr(block, n) for branch in names for n in branch):
        raise TypeError(
            f'block must be an Inception block with layers b1_1 ... b4_2, '
            f'got {type(block).__name__}.'
        )
    branches = [[getattr(block, n) for n in branch] for branch in names]
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in block.parameters()):
        raise ValueError(
            'the block has lazy layers that have not run yet: call it once on '
            'an input, e.g. block(torch.zeros(1, in_channels, 12, 12)), first.'
        )
    fig, ax = plt.subplots(figsize=(7, 3.6))
    _box(ax, 0.2, 0, 7.2, 0.7, f'input: {in_channels} channels', '#eeeeee')
    out = sum(branch[-1].out_channels for branch in branches)
    _box(ax, 0.2, 3.6, 7.2, 0.7, f'concatenate along channels: {out} channels', '#eeeeee')
    for i, branch in enumerate(branches):
        x = 0.2 + i * 1.9
        y0 = 1.2 if len(branch) == 2 else 1.9
        _arrow(ax, x + 0.7, 0.7, x + 0.7, y0)
        for j, layer in enumerate(branch):
            if isinstance(layer, nn.MaxPool2d):
                text, colour = f'{layer.kernel_size}x{layer.kernel_size} max-pool', '#c7e9c0'
            else:
                text = _conv_text(layer)
                colour = '#9ecae1' if layer.kernel_size == (1, 1) else '#fdae6b'
            _box(ax, x, y0 + j * 1.2, 1.4, 0.7, text, colour)
            if j:
                _arrow(ax, x + 0.7, y0 + 0.7, x + 0.7, y0 + 1.2)
        _arrow(ax, x + 0.7, y0 + 0.7 + 1.2 * (len(branch) - 1), x + 0.7, 3.6)
    ax.set_xlim(0, 7.6), ax.set_ylim(-0.1, 4.4), ax.axis('off')
    ax.set_title(
        'Inception block: blue 1x1 convolutions, orange larger kernels, green pooling', fontsize=9
    )
    return fig


def layer_rows(model, X):
    """(kind, output shape) of every layer of ``model.net`` for the input ``X``."""
    kinds = {'Conv2d': 'conv', 'Linear': 'dense', 'AvgPool2d': 'pool', 'MaxPool2d': 'pool'}
    rows = []
    with torch.no_grad():
        for layer in model.net:
            X = layer(X)
            name = type(layer).__name__
            rows.append((kinds.get(name, name), 'x'.join(map(str, X.shape[1:]))))
    return rows


def draw_layer_row(rows, colours, title):
    """A network as a row of boxes, one per ``(kind, shape)`` row, coloured by kind."""
    if not rows:
        raise ValueError('draw_layer_row needs at least one (kind, shape) row, got none.')
    fig, ax = plt.subplots(figsize=(7.5, 1.9))
    for i, (name, shape) in enumerate(rows):
        ax.add_patch(
            patches.FancyBboxPatch(
                (i * 1.0, 0),
                0.86,
                1.1,
                boxstyle='round,pad=0.02',
                facecolor=colours.get(name, '#eeeeee'),
                edgecolor='black',
            )
        )
        ax.text(i * 1.0 + 0.43, 0.55, name, rotation=90, ha='center', va='center', fontsize=8)
        ax.text(
            i * 1.0 + 0.43,
            -0.18,
            shape,
            rotation=90,
            ha='center',
            va='top',
            fontsize=7,
            family='monospace',
        )
    ax.set_xlim(-0.1, len(rows)), ax.set_ylim(-1.3, 1.2), ax.axis('off')
    ax.set_title(title, fontsize=10)
    return fig


NORMALIZATIONS = ('batch', 'layer', 'instance', 'group')


def shared_statistics(kind, batch=4, channels=6, groups=2):
    """Which (example, channel) maps share one mean and variance with map (0, 0).

    Found by asking PyTorch, not by a rule written here: perturb example 0, channel 0 of a
    random input, normalize it with ``F.batch_norm``, ``F.layer_norm``, ``F.instance_norm``
    or ``F.group_norm``, and see which outputs move. Returns a (batch, channels) bool tensor.
    """
    if kind not in NORMALIZATIONS:
        raise ValueError(f'kind must be one of {", ".join(NORMALIZATIONS)}, got {kind!r}.')
    if kind == 'group' and channels % groups:
        raise ValueError(f'groups must divide channels ({channels}), got groups={groups}.')
    F = nn.functional
    norm = {
        'batch': lambda X: F.batch_norm(X, None, None, training=True),
        'layer': lambda X: F.layer_norm(X, X.shape[1:]),
        'instance': F.instance_norm,
        'group': lambda X: F.group_norm(X, groups),
    }[kind]
    X = torch.randn(batch, channels, 3, 3, generator=torch.Generator().manual_seed(0))
    moved = X.clone()
    moved[0, 0] += torch.arange(9.0).reshape(3, 3)  # changes the mean and the variance
    return (norm(moved) - norm(X)).abs().amax(dim=(2, 3))[:, :] > 1e-6


def draw_normalization_axes(batch=4, channels=6, groups=2):
    """Four panels: the maps over which batch, layer, instance and group norm average.

    Each square is one channel of one example (all its height x width positions). The shaded
    squares are those that share their statistics with the top-left one.
    """
    fig, axes = plt.subplots(1, 4, figsize=(9, 2.4))
    for ax, kind in zip(axes, NORMALIZATIONS):
        shared = shared_statistics(kind, batch, channels, groups)
        for n in range(batch):
            for c in range(channels):
                ax.add_patch(
                    patches.Rectangle(
                        (c, batch - 1 - n),
                        0.92,
                        0.92,
                        facecolor='#6baed6' if shared[n, c] else '#f0f0f0',
                        edgecolor='#777777',
                    )
                )
        ax.set_xlim(-0.2, channels + 0.1), ax.set_ylim(-0.9, batch + 0.1)
        ax.set_aspect('equal'), ax.axis('off')
        ax.text(channels / 2, -0.5, 'channels C ->', ha='center', fontsize=8)
        ax.text(-0.3, batch / 2, '<- examples N', rotation=90, ha='right', va='center', fontsize=8)
        extra = f' ({groups} groups)' if kind == 'group' else ''
        ax.set_title(f'{kind} norm{extra}', fontsize=9)
    fig.suptitle('Shaded: the maps (each H x W) that share one mean and variance', fontsize=9)
    return fig


def residual_path(block):
    """The main path of a ``Residual`` or ``ResNeXtBlock`` as text boxes, and its shortcut."""
    if not all(hasattr(block, n) for n in ('conv1', 'conv2', 'bn1', 'bn2')):
        raise TypeError(f'block must be a Residual or ResNeXtBlock, got {type(block).__name__}.')
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in block.parameters()):
        raise ValueError(
            'the block has lazy layers that have not run yet: call it once on an input first.'
        )
    convs = [block.conv1, block.conv2] + ([block.conv3] if hasattr(block, 'bn3') else [])
    path = []
    for k, conv in enumerate(convs):
        path.append(_conv_text(conv))
        path.append('BN, ReLU' if k < len(convs) - 1 else 'BN')
    side = block.conv4 if hasattr(block, 'bn3') else block.conv3
    shortcut = 'identity' if side is None else _conv_text(side).replace('\n', ', ')
    return path, shortcut


def draw_residual_path(ax, title, path, shortcut, input_label='$\\mathbf{x}$'):
    """Draw one block bottom to top: ``path`` boxes, an addition, a final ReLU, the shortcut.

    ``shortcut`` is None for a block without one (a regular block), else its label.
    """
    step = 0.9
    y = 0.4
    ax.text(1, 0.0, input_label, ha='center', fontsize=9)
    boxes = list(path) + (['+'] if shortcut is not None else []) + ['ReLU']
    for k, text in enumerate(boxes):
        w = 0.5 if text == '+' else 2.0
        colour = '#9ecae1' if 'conv' in text or 'weight' in text else '#eeeeee'
        _box(ax, 1 - w / 2, y, w, 0.55, text, colour, fontsize=7.5)
        _arrow(ax, 1, y - step + 0.55 if k else 0.25, 1, y)
        if text == '+':
            plus_y = y + 0.27
        y += step
    _arrow(ax, 1, y - step + 0.55, 1, y - 0.05)
    if shortcut is not None:
        ax.plot([1, 2.5, 2.5], [0.3, 0.3, plus_y], color='crimson', lw=1.3)
        _arrow(ax, 2.5, plus_y, 1.25, plus_y, colour='crimson')
        ax.text(
            2.6,
            plus_y / 2,
            'shortcut:\n' + shortcut.replace(', ', '\n', 1),
            color='crimson',
            fontsize=7.5,
            va='center',
        )
    ax.set_xlim(-0.1, 4.0), ax.set_ylim(-0.2, y + 0.2), ax.axis('off')
    ax.set_title(title, fontsize=9)


def draw_residual_blocks(blocks):
    """Side by side, the main path and shortcut of each block in ``blocks`` (title -> block).

    The blocks must have run once, so that their lazy layers know their channel counts.
    """
    if not blocks:
        raise ValueError('draw_residual_blocks needs at least one block, got none.')
    paths = {title: residual_path(block) for title, block in blocks.items()}
    fig, axes = plt.subplots(1, len(blocks), figsize=(3.3 * len(blocks), 4.4), squeeze=False)
    for ax, (title, (path, shortcut)) in zip(axes[0], paths.items()):
        draw_residual_path(ax, title, path, shortcut)
    fig.tight_layout()
    return fig


def show_kernel_responses(image, title, kernels, maps, names=None):
    """One image beside the kernels of a first layer, each above its feature map.

    A kernel is drawn red where it adds the pixels under it and blue where it
    subtracts them, on a scale symmetric about zero, so that one colour means
    one sign in every panel; 8.1 reads the trained AlexNet's first layer this way.
    ``kernels`` is (n, k_h, k_w), ``maps`` (n, h, w), ``names`` n column titles.
    """
    kernels, maps = (torch.as_tensor(t).detach().cpu().numpy() for t in (kernels, maps))
    if kernels.ndim != 3 or maps.ndim != 3 or len(kernels) != len(maps) or len(kernels) == 0:
        raise ValueError(
            'kernels and maps must be (n, height, width) stacks of the same n >= 1; '
            f'got shapes {tuple(kernels.shape)} and {tuple(maps.shape)}.'
        )
    names = [f'kernel {i}' for i in range(len(kernels))] if names is None else list(names)
    if len(names) != len(kernels):
        raise ValueError(
            f'names must give one title per kernel ({len(kernels)}), got {len(names)}.'
        )
    fig, axes = plt.subplots(
        2, len(kernels) + 1, figsize=(1.05 * (len(kernels) + 1), 2.6), squeeze=False
    )
    axes[0, 0].imshow(torch.as_tensor(image).detach().cpu().numpy(), cmap='gray')
    axes[0, 0].set_title(title, fontsize=9)
    axes[1, 0].set_visible(False)
    for col, (kernel, fmap, name) in enumerate(zip(kernels, maps, names), start=1):
        limit = float(np.abs(kernel).max()) or 1.0
        axes[0, col].imshow(kernel, cmap='RdBu_r', vmin=-limit, vmax=limit)
        axes[0, col].set_title(name, fontsize=8)
        axes[1, col].imshow(fmap, cmap='gray')
    for ax in axes.flat:
        ax.set_xticks([]), ax.set_yticks([])
    axes[1, 1].set_ylabel('response', fontsize=8)
    return fig


__all__ += ['show_kernel_responses']
