"""The geometry of one convolution: padding, windows, coverage, cost (section 7.3-7.4).

Pure functions of a ``ConvSettings``; the shape explorer draws what they
return. The output size itself always comes from ``book_utils.conv_output_shape``,
the one formula the package shares, and ``torch_output_shape`` checks it against
a real ``nn.Conv2d`` forward pass.
"""

import dataclasses
import warnings

import torch
from torch import nn

from ..checks import check_choice, check_int, check_pair
from ..teaching.ops import conv_output_shape

PADDING_MODES = ('zeros', 'reflect', 'replicate', 'circular')
DIMS = ('height', 'width')


@dataclasses.dataclass(frozen=True)
class ConvSettings:
    """One ``nn.Conv2d`` applied to one (in_channels, height, width) input.

    Sizes are (height, width) pairs; ``padding`` is a pair of ints, ``'same'``
    or ``'valid'``. Construction checks everything that needs no arithmetic.
    """

    in_size: tuple = (7, 7)
    kernel_size: tuple = (3, 3)
    padding: object = (1, 1)
    padding_mode: str = 'zeros'
    stride: tuple = (1, 1)
    dilation: tuple = (1, 1)
    in_channels: int = 1
    out_channels: int = 1
    groups: int = 1

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen)
        for name in ('in_size', 'kernel_size', 'stride', 'dilation'):
            set_(name, check_pair(getattr(self, name), name, low=1))
        if isinstance(self.padding, str):
            check_choice(self.padding, 'padding', ('same', 'valid'))
        else:
            set_('padding', check_pair(self.padding, 'padding', low=0))
        check_choice(self.padding_mode, 'padding_mode', PADDING_MODES)
        for name in ('in_channels', 'out_channels', 'groups'):
            check_int(getattr(self, name), name, low=1)
        for name in ('in_channels', 'out_channels'):
            if getattr(self, name) % self.groups:
                raise ValueError(
                    f'{name} = {getattr(self, name)} is not divisible by groups = '
                    f'{self.groups}: each group needs the same number of input and '
                    f'of output channels. Pick groups that divide both.'
                )


def settings_from_controls(v):
    """``ConvSettings`` from the shape explorer's control values (``in_h``, ``k_w``, ...,
    ``padding`` 'numbers' | 'same' | 'valid'), the names the browser version uses too."""
    kind = v['padding']
    return ConvSettings(
        in_size=(v['in_h'], v['in_w']),
        kernel_size=(v['k_h'], v['k_w']),
        padding=(v['pad_h'], v['pad_w']) if kind == 'numbers' else kind,
        padding_mode=v['padding_mode'],
        stride=(v['s_h'], v['s_w']),
        dilation=(v['d_h'], v['d_w']),
        in_channels=v['c_in'],
        out_channels=v['c_out'],
        groups=v['groups'],
    )


def pad_amounts(s):
    """Padding before and after, per dimension: ((top, bottom), (left, right)).

    ``'same'`` needs ``d(k - 1)`` padded pixels in all; when that is odd PyTorch
    puts the extra one after (bottom/right), which is why the picture can be lopsided.
    """
    if s.padding == 'valid':
        return (0, 0), (0, 0)
    if s.padding == 'same':
        totals = [d * (k - 1) for k, d in zip(s.kernel_size, s.dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in s.padding)


def output_size(s):
    """(height, width) of the output, from the shared formula (a ValueError says why if empty)."""
    return conv_output_shape(s.in_size, s.kernel_size, s.padding, s.stride, s.dilation)


def receptive_field(s):
    """Pixels one output value sees along each dimension: d(k - 1) + 1."""
    return tuple(d * (k - 1) + 1 for k, d in zip(s.kernel_size, s.dilation))


def padding_source(n, before, after, mode):
    """For each of the ``before + n + after`` padded positions along one dimension,
    the index of the real pixel it holds, or None for a zero.

    reflect mirrors without repeating the edge (a b c -> c b | a b c | b a),
    replicate repeats the edge, circular wraps around, zeros is None.
    """
    if mode == 'reflect' and max(before, after) >= n:
        raise ValueError(
            f"padding_mode='reflect' needs padding smaller than the input: padding "
            f'{max(before, after)} on an input of {n} has nothing left to mirror.'
        )
    if mode == 'circular' and max(before, after) > n:
        raise ValueError(
            f"padding_mode='circular' can wrap around at most once: padding "
            f'{max(before, after)} is more than the input size {n}.'
        )
    sources = []
    for i in range(-before, n + after):
        if 0 <= i < n:
            sources.append(i)
        elif mode == 'zeros':
            sources.append(None)
        elif mode == 'reflect':
            sources.append(-i if i < 0 else 2 * (n - 1) - i)
        elif mode == 'replicate':
            sources.append(min(max(i, 0), n - 1))
        else:  # circular
            sources.append(i % n)
    return sources


def padding_sources(s):
    """``padding_source`` for rows and for columns of the input."""
    return tuple(
        padding_source(n, b, a, s.padding_mode) for n, (b, a) in zip(s.in_size, pad_amounts(s))
    )


def window_starts(s):
    """Where each window starts along each dimension, in padded coordinates."""
    return tuple([i * st for i in range(o)] for o, st in zip(output_size(s), s.stride))


def coverage(s):
    """How many kernel taps read each cell of the padded input, as a (H + P, W + P) tensor.

    Windows form a grid, so the count is a product of a row count and a column
    count. Cells with 0 are never read: the gaps a large stride or dilation
    leaves, and the rows/columns the floor in the size formula drops.
    """
    counts = []
    for n, (b, a), starts, k, d in zip(
        s.in_size, pad_amounts(s), window_starts(s), s.kernel_size, s.dilation
    ):
        c = torch.zeros(b + n + a, dtype=torch.long)
        for start in starts:
            c[start : start + d * (k - 1) + 1 : d] += 1
        counts.append(c)
    return torch.outer(counts[0], counts[1])


def param_count(s, bias=True):
    """Weights (and biases): c_out x (c_in / groups) x k_h x k_w (+ c_out)."""
    k_h, k_w = s.kernel_size
    weights = s.out_channels * (s.in_channels // s.groups) * k_h * k_w
    return weights + (s.out_channels if bias else 0)


def mult_adds(s):
    """Multiply-adds of one forward pass on one input: (c_in/groups) k_h k_w per output value."""
    h, w = output_size(s)
    k_h, k_w = s.kernel_size
    return h * w * s.out_channels * (s.in_channels // s.groups) * k_h * k_w


def formula(s):
    """The size formula with this setting's numbers, one line per dimension."""
    lines = []
    for dim, n, (b, a), k, st, d, out in zip(
        DIMS, s.in_size, pad_amounts(s), s.kernel_size, s.stride, s.dilation, output_size(s)
    ):
        pad = f'2·{b}' if a == b else f'{b} + {a}'
        inner = n + b + a - d * (k - 1) - 1
        lost = inner % st  # the last `lost` padded rows/columns lie beyond the last window
        cells = 'rows' if dim == 'height' else 'columns'
        lines.append(
            f'{dim}: ⌊({n} + {pad} − {d}·({k} − 1) − 1) / {st}⌋ + 1 = '
            f'⌊{inner} / {st}⌋ + 1 = {out}'
            + (
                f'  (remainder {lost} dropped: the last {lost} {cells} are never read)'
                if lost
                else ''
            )
        )
    return lines


def conv2d_call(s):
    """The ``nn.Conv2d(...)`` line that builds this layer."""

    def pair(v):
        return str(v[0]) if v[0] == v[1] else str(tuple(v))

    padding = repr(s.padding) if isinstance(s.padding, str) else pair(s.padding)
    parts = [str(s.in_channels), str(s.out_channels), f'kernel_size={pair(s.kernel_size)}']
    if s.stride != (1, 1):
        parts.append(f'stride={pair(s.stride)}')
    parts.append(f'padding={padding}')
    if s.dilation != (1, 1):
        parts.append(f'dilation={pair(s.dilation)}')
    if s.groups != 1:
        parts.append(f'groups={s.groups}')
    if s.padding_mode != 'zeros':
        parts.append(f'padding_mode={s.padding_mode!r}')
    return f'nn.Conv2d({", ".join(parts)})'


def torch_output_shape(s):
    """(out_channels, height, width) from a real ``nn.Conv2d`` forward pass on zeros.

    PyTorch's own refusal (a RuntimeError) becomes a ValueError that quotes it.
    """
    try:
        layer = nn.Conv2d(
            s.in_channels,
            s.out_channels,
            s.kernel_size,
            stride=s.stride,
            padding=s.padding,
            dilation=s.dilation,
            groups=s.groups,
            padding_mode=s.padding_mode,
            bias=False,
        )
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter('ignore')  # 'same' with an even kernel warns about a copy
            Y = layer(torch.zeros(1, s.in_channels, *s.in_size))
    except (RuntimeError, ValueError) as err:
        raise ValueError(f'nn.Conv2d refuses these settings: {err}') from None
    return tuple(Y.shape[1:])


def check(s):
    """Everything the explorer shows, checked: raises ValueError with the reason if impossible.

    Returns a dict with the output size, pads, padding sources, coverage, receptive
    field, costs, the formula and the ``nn.Conv2d`` line, and the torch result.
    """
    out = output_size(s)
    sources = padding_sources(s)
    torch_shape = torch_output_shape(s)
    if torch_shape != (s.out_channels, *out):
        raise ValueError(
            f'conv_output_shape says {out} but nn.Conv2d gives {torch_shape[1:]}: '
            'this is a bug in book_utils, please report it.'
        )
    return {
        'out_size': out,
        'pads': pad_amounts(s),
        'sources': sources,
        'coverage': coverage(s),
        'receptive_field': receptive_field(s),
        'params': param_count(s),
        'mult_adds': mult_adds(s),
        'formula': formula(s),
        'call': conv2d_call(s),
        'torch_shape': torch_shape,
    }
