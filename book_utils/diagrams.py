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
from torch import nn
from matplotlib import patches
from matplotlib import pyplot as plt

from .checks import check_pair

__all__ = ['Grid', 'show_grids', 'show_pipeline', 'layer_label', 'draw_stack']

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
            raise ValueError(f'A Grid draws one matrix (rows, cols); got an array of shape '
                             f'{values.shape}. Draw each channel as its own Grid.')
        if values.size == 0:
            raise ValueError(f'A Grid needs at least one value to draw; got an empty matrix of '
                             f'shape {values.shape}.')
        return values

    def pad_pair(self):
        """``pad`` as (rows, cols), checked against the matrix: padding is a border, so at
        most half of each side."""
        rows, cols = self.matrix().shape
        pr, pc = check_pair(self.pad, 'pad', low=0)
        if 2 * pr > rows or 2 * pc > cols:
            raise ValueError(f'pad must be at most half the matrix on each side (a border of '
                             f'{rows // 2} rows and {cols // 2} columns for shape {(rows, cols)}), '
                             f'got {self.pad!r}.')
        return pr, pc

    def checked_windows(self):
        """``windows`` as (row, col, height, width) rectangles of positive size inside the matrix."""
        rows, cols = self.matrix().shape
        for w in self.windows:
            if not (isinstance(w, (tuple, list)) and len(w) == 4 and
                    all(isinstance(v, int) and not isinstance(v, bool) for v in w)):
                raise TypeError(f'windows must hold (row, col, height, width) tuples of ints, '
                                f'got {w!r}.')
            r, c, h, wd = w
            if h < 1 or wd < 1 or r < 0 or c < 0 or r + h > rows or c + wd > cols:
                raise ValueError(f'window {tuple(w)} (row, col, height, width) must lie inside '
                                 f'the {rows}x{cols} matrix with height and width >= 1.')
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
    cell_font = fontsize * min(1.0, 2.6 / longest)       # long numbers still fit their cell
    for i in range(rows):
        for j in range(cols):
            padded = i < pr or i >= rows - pr or j < pc or j >= cols - pc
            colour = PAD_COLOUR if padded else 'white'
            for k, (r, c, h, w) in enumerate(windows):
                if r <= i < r + h and c <= j < c + w:
                    colour = WINDOW_COLOURS[k % len(WINDOW_COLOURS)]
            ax.add_patch(patches.Rectangle((left + j, top - i - 1), 1, 1, facecolor=colour,
                                           edgecolor='black', linewidth=1))
            ax.text(left + j + 0.5, top - i - 0.5, _format(values[i, j]), ha='center',
                    va='center', fontsize=cell_font)
    for k, (r, c, h, w) in enumerate(windows):   # a darker outline around each window
        ax.add_patch(patches.Rectangle((left + c, top - r - h), w, h, fill=False,
                                       edgecolor='#08519c' if k == 0 else '#a63603', linewidth=2))
    if grid.title:
        ax.text(left + cols / 2, top + 0.35, grid.title, ha='center', va='bottom',
                fontsize=fontsize)


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
        raise ValueError(f'between needs one symbol for each gap, {len(grids) - 1} for '
                         f'{len(grids)} grids; got {len(between)}: {between!r}.')
    shapes = [g.matrix().shape for g in grids]
    for g in grids:   # every refusal before a figure is made
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
                ax.text(left + gap / 2, height / 2, between[k], ha='center', va='center',
                        fontsize=fontsize + 6)
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
        ax.add_patch(patches.FancyBboxPatch((x, 0), box_width, 1, boxstyle='round,pad=0.05',
                                            facecolor=WINDOW_COLOURS[k % 2], edgecolor='black'))
        ax.text(x + box_width / 2, 0.66, name, ha='center', va='center', fontsize=fontsize)
        ax.text(x + box_width / 2, 0.3, detail, ha='center', va='center', fontsize=fontsize,
                family='monospace')
        if k < len(stages) - 1:
            ax.annotate('', xy=(x + step - 0.05, 0.5), xytext=(x + box_width + 0.1, 0.5),
                        arrowprops=dict(arrowstyle='->', linewidth=1.2))
    ax.set_xlim(-0.1, len(stages) * step - 0.4)
    ax.set_ylim(-0.15, 1.15)
    ax.axis('off')
    return fig


def layer_label(layer):
    """One line of text for a layer with weights or a pooling layer; None for the rest."""
    if isinstance(layer, nn.Conv2d):
        k, s, p = layer.kernel_size[0], layer.stride[0], layer.padding[0]
        return f'{k}x{k} conv, {layer.out_channels} ch' + (f', stride {s}' if s > 1 else '') \
            + (f', pad {p}' if p else '')
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
    if not (isinstance(X_shape, (tuple, list, torch.Size)) and len(X_shape) == 4 and
            all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in X_shape)):
        raise ValueError(f'X_shape must be (batch, channels, height, width) with positive ints, '
                         f'e.g. (1, 1, 224, 224); got {X_shape!r}.')
    if not isinstance(getattr(model, 'net', None), nn.Sequential):
        raise TypeError(f'model must have a .net that is an nn.Sequential (as the book\'s '
                        f'models do), got {type(model).__name__}.')
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters()):
        model = copy.deepcopy(model)   # materialise the lazy layers on a copy, not the caller's
        with torch.no_grad():
            model.eval()(torch.zeros(X_shape))
    labels, groups = [f'image {X_shape[-2]}x{X_shape[-1]}'], []
    for child in model.net:
        inner = [label for label in map(layer_label, child.modules()) if label is not None]
        if isinstance(child, nn.Sequential) and len(inner) > 1:
            groups.append((len(labels), len(labels) + len(inner)))
        labels += inner
    for i, label in enumerate(labels):
        fc = '#eeeeee' if i == 0 else (color if 'conv' in label or 'dense' in label else 'white')
        ax.add_patch(patches.FancyBboxPatch((0.1, i), 0.8, 0.62, boxstyle='round,pad=0.03',
                                            fc=fc, ec='#444444'))
        ax.text(0.5, i + 0.31, label, ha='center', va='center', fontsize=7.5)
        if i:
            ax.annotate('', (0.5, i - 0.04), (0.5, i - 0.34), arrowprops=dict(arrowstyle='->'))
    for start, end in groups:
        ax.add_patch(patches.Rectangle((0.02, start - 0.15), 0.96, end - start - 0.05,
                                       fill=False, ls='--', ec='#777777'))
    ax.set_xlim(0, 1), ax.set_ylim(-0.3, max(height, len(labels)))
    ax.set_title(title, fontsize=10), ax.axis('off')


def show_kernel_responses(image, title, kernels, maps, names=None):
    """One image beside the kernels of a first layer, each above its feature map.

    A kernel is drawn red where it adds the pixels under it and blue where it
    subtracts them, on a scale symmetric about zero, so that one colour means
    one sign in every panel; 8.1 reads the trained AlexNet's first layer this way.
    ``kernels`` is (n, k_h, k_w), ``maps`` (n, h, w), ``names`` n column titles.
    """
    kernels, maps = (torch.as_tensor(t).detach().cpu().numpy() for t in (kernels, maps))
    if kernels.ndim != 3 or maps.ndim != 3 or len(kernels) != len(maps) or len(kernels) == 0:
        raise ValueError('kernels and maps must be (n, height, width) stacks of the same n >= 1; '
                         f'got shapes {tuple(kernels.shape)} and {tuple(maps.shape)}.')
    names = [f'kernel {i}' for i in range(len(kernels))] if names is None else list(names)
    if len(names) != len(kernels):
        raise ValueError(f'names must give one title per kernel ({len(kernels)}), got {len(names)}.')
    fig, axes = plt.subplots(2, len(kernels) + 1, figsize=(1.05 * (len(kernels) + 1), 2.6),
                             squeeze=False)
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
