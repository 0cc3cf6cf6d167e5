"""Pooling, one window at a time, with the winner of each max (section 7.5).

``pool`` is written as the definition reads: for every output position, take
the window, clip it to the input, and reduce. It is slow next to
``nn.MaxPool2d`` and meant for small matrices, where the point is to see which
input won each max and which cells each window covers. The output size comes
from ``book_utils.conv_output_shape`` (with ``ceil_mode``), like every size in
the package.
"""

import colorsys
import dataclasses

import torch

from ..checks import check_bool, check_choice, check_pair
from ..teaching.ops import conv_output_shape

MODES = ('max', 'avg')


@dataclasses.dataclass(frozen=True)
class PoolSettings:
    """What ``nn.MaxPool2d`` / ``nn.AvgPool2d`` take; ``stride=None`` means the window size."""

    kernel_size: tuple = (2, 2)
    stride: tuple = None
    padding: tuple = (0, 0)
    mode: str = 'max'
    ceil_mode: bool = False
    count_include_pad: bool = True

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        check_choice(self.mode, 'mode', MODES)
        set_('kernel_size', check_pair(self.kernel_size, 'kernel_size', low=1))
        set_(
            'stride',
            self.kernel_size if self.stride is None else check_pair(self.stride, 'stride', low=1),
        )
        set_('padding', check_pair(self.padding, 'padding', low=0))
        check_bool(self.ceil_mode, 'ceil_mode')
        check_bool(self.count_include_pad, 'count_include_pad')
        for p, k in zip(self.padding, self.kernel_size):
            if 2 * p > k:  # PyTorch's rule: padding beyond half a window would pool only padding
                raise ValueError(
                    f'Padding {self.padding} is more than half the window '
                    f'{self.kernel_size}: a window could then hold padding only. '
                    f'PyTorch requires padding <= kernel_size / 2.'
                )

    def layer_call(self):
        """The ``nn.MaxPool2d(...)`` / ``nn.AvgPool2d(...)`` line for these settings."""

        def pair(v):
            return str(v[0]) if v[0] == v[1] else str(tuple(v))

        parts = [f'kernel_size={pair(self.kernel_size)}', f'stride={pair(self.stride)}']
        if self.padding != (0, 0):
            parts.append(f'padding={pair(self.padding)}')
        if self.ceil_mode:
            parts.append('ceil_mode=True')
        if self.mode == 'avg' and not self.count_include_pad:
            parts.append('count_include_pad=False')
        return f'nn.{"MaxPool2d" if self.mode == "max" else "AvgPool2d"}({", ".join(parts)})'

    def torch_layer(self):
        cls = torch.nn.MaxPool2d if self.mode == 'max' else torch.nn.AvgPool2d
        extra = {'count_include_pad': self.count_include_pad} if self.mode == 'avg' else {}
        return cls(self.kernel_size, self.stride, self.padding, ceil_mode=self.ceil_mode, **extra)


def settings_from_controls(v):
    """``PoolSettings`` from the pooling explorer's control values (``k_h``, ``s_w``, ``p_h``,
    ``mode``, ...), the names the browser version uses too."""
    return PoolSettings(
        (v['k_h'], v['k_w']),
        (v['s_h'], v['s_w']),
        (v['p_h'], v['p_w']),
        v['mode'],
        v['ceil_mode'],
        v['count_include_pad'],
    )


def sample_matrix(rows, cols, seed):
    """The explorer's matrix: small integers 0-9, so ties happen and every value fits in a cell."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 10, (rows, cols), generator=gen).float()


def output_colour(i, j, out_w):
    """The colour (r, g, b in [0, 1]) of output (i, j) and of the input that won it:
    golden-ratio steps in hue keep neighbouring outputs far apart."""
    hue = ((i * out_w + j) * 0.618034) % 1.0
    return colorsys.hsv_to_rgb(hue, 0.8, 0.85)


def output_size(in_size, s):
    """(height, width) after pooling; a ValueError names the dimension if it is empty."""
    return conv_output_shape(
        tuple(in_size), s.kernel_size, s.padding, s.stride, ceil_mode=s.ceil_mode
    )


def window(i, j, in_size, s):
    """Output (i, j)'s window in input coordinates, before and after clipping to the input.

    Returns ``(top, bottom, left, right)`` half-open bounds as PyTorch uses them
    (a window may reach into the padding, never past it), the clipped bounds,
    and the number of cells the average divides by.
    """
    H, W = in_size
    (k_h, k_w), (s_h, s_w), (p_h, p_w) = s.kernel_size, s.stride, s.padding
    top, left = i * s_h - p_h, j * s_w - p_w
    bottom, right = min(top + k_h, H + p_h), min(left + k_w, W + p_w)
    padded_cells = (bottom - top) * (right - left)
    clipped = (max(top, 0), min(bottom, H), max(left, 0), min(right, W))
    real_cells = (clipped[1] - clipped[0]) * (clipped[3] - clipped[2])
    return (top, bottom, left, right), clipped, padded_cells if s.count_include_pad else real_cells


def pool(X, s):
    """Pool the matrix ``X`` (h, w). Returns ``(Y, winners)``.

    ``winners[i][j]`` is the (row, column) of the input value that won output
    (i, j) under max pooling (the first one in reading order when there are
    ties, as ``nn.MaxPool2d`` reports), and None under average pooling. Padded
    cells never win a max (PyTorch pads with -inf) and count as zeros in an
    average when ``count_include_pad``.
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f'X must be a torch.Tensor matrix (height, width), got {type(X).__name__}.')
    if X.dim() != 2 or 0 in X.shape:
        raise ValueError(
            f'X must be a non-empty matrix (height, width), got shape {tuple(X.shape)}.'
        )
    X = X.float()
    out_h, out_w = output_size(X.shape, s)
    Y = torch.empty(out_h, out_w)
    winners = [[None] * out_w for _ in range(out_h)]
    for i in range(out_h):
        for j in range(out_w):
            _, (t, b, l, r), divisor = window(i, j, X.shape, s)
            cells = X[t:b, l:r]
            if s.mode == 'max':
                flat = int(torch.argmax(cells))  # the first maximum in reading order
                Y[i, j] = cells.flatten()[flat]
                winners[i][j] = (t + flat // (r - l), l + flat % (r - l))
            else:
                Y[i, j] = cells.sum() / divisor
    return Y, winners


def torch_pool(X, s):
    """The same pooling by ``nn.MaxPool2d``/``nn.AvgPool2d``, for the widget's check."""
    return s.torch_layer()(X.float()[None, None])[0, 0]
