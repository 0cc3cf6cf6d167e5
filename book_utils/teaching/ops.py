"""The operations chapter 7 derives: cross-correlation, channels, pooling, shapes.

Each function keeps D2L 1.0.3's name, signature and result, but is written with
tensor views instead of Python loops (so it is fast enough to use on real
images) and checks its input, so a wrong rank or an oversized kernel gets a
sentence that says what was received and what was expected instead of an
index error from deep inside a loop.
"""

import torch
from torch.nn import functional as F

from ..checks import check_choice, check_pair

__all__ = [
    'corr2d',
    'corr2d_multi_in',
    'corr2d_multi_in_out',
    'corr2d_multi_in_out_1x1',
    'pool2d',
    'comp_conv2d',
    'conv_output_shape',
]


def _check_tensor(x, name, ndim, layout):
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f'{name} must be a torch.Tensor of shape {layout}, got {type(x).__name__}. '
            f'Wrap it with torch.tensor(...) first.'
        )
    if x.dim() != ndim:
        raise ValueError(
            f'{name} must have {ndim} dimensions {layout}, '
            f'got shape {tuple(x.shape)} ({x.dim()} dimensions).'
        )


def _check_not_empty(x, name, what):
    """A zero-sized axis would give an empty sum (zeros) or an empty stack, never an error."""
    if 0 in x.shape:
        raise ValueError(
            f'{name} is empty (shape {tuple(x.shape)}): {what} needs at least one '
            f'element along every axis.'
        )


def _float(x):
    return x if x.is_floating_point() else x.float()


# elements of the window-times-kernel products made at once (16 MB of float32): D2L's
# loop needs a few megabytes, and one product over every window of a 2000x2000 image
# and a 31x31 kernel would need 14.9 GB
_PRODUCT_BUDGET = 2**22


def corr2d(X, K):
    """2-D cross-correlation of a matrix ``X`` (h, w) with a kernel ``K`` (kh, kw).

    ``Y[i, j] = sum_{a, b} X[i + a, j + b] * K[a, b]``. The loop over output
    positions of the text becomes views: ``unfold`` lays every kh x kw window of
    ``X`` side by side (no copy), and a multiply-and-sum finishes a band of output
    rows at a time, so memory stays bounded for large images and kernels.
    Gradients flow to both ``X`` and ``K``, so a layer built on it can learn its kernel.

    As in D2L, products and sums are taken in the inputs' own type (integers
    exactly) and the result has the default float type (``torch.zeros``' float32).
    """
    _check_tensor(X, 'X', 2, '(height, width)')
    _check_tensor(K, 'K', 2, '(kernel height, kernel width)')
    _check_not_empty(X, 'X', 'the input')
    _check_not_empty(K, 'K', 'a kernel')
    h, w = K.shape
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(
            f'Kernel of shape {tuple(K.shape)} is larger than the input of shape '
            f'{tuple(X.shape)}: a valid cross-correlation needs kernel height <= '
            f'input height and kernel width <= input width. Pad the input or use a '
            f'smaller kernel.'
        )
    windows = X.unfold(0, h, 1).unfold(1, w, 1)  # (H - h + 1, W - w + 1, h, w), a view
    rows, cols = windows.shape[:2]
    band = max(1, _PRODUCT_BUDGET // (cols * h * w))  # output rows per product
    width = cols if band > 1 else max(1, _PRODUCT_BUDGET // (h * w))
    # D2L's Y: zeros of the default float type, filled in place (autograd follows the copies);
    # results kept in a list instead leave the allocator's heap fragmented, and the RSS grew
    # by gigabytes on two threads
    Y = torch.zeros((rows, cols), device=X.device)
    for r in range(0, rows, band):
        for c in range(0, cols, width):
            # each window summed as one flat row of h * w products, as D2L's per-window
            # (X[i:i + h, j:j + w] * K).sum() is: the same float32 numbers for small kernels,
            # within float32 rounding (a few 1e-6 relative) where torch splits long sums
            Y[r : r + band, c : c + width] = (
                (windows[r : r + band, c : c + width] * K).flatten(-2).sum(-1)
            )
    return Y


def corr2d_multi_in(X, K):
    """Cross-correlate each input channel with its own kernel slice, then add up.

    ``X`` is (c_i, h, w) and ``K`` is (c_i, kh, kw); the result is one (h', w') map.
    """
    _check_tensor(X, 'X', 3, '(channels, height, width)')
    _check_tensor(K, 'K', 3, '(channels, kernel height, kernel width)')
    _check_not_empty(X, 'X', 'the input (one matrix per channel)')
    if X.shape[0] != K.shape[0]:
        raise ValueError(
            f'X has {X.shape[0]} input channels but K has {K.shape[0]}: '
            f'the kernel needs one (kh, kw) slice per input channel '
            f'(X {tuple(X.shape)}, K {tuple(K.shape)}).'
        )
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K):
    """One multi-input cross-correlation per output channel, stacked: K is (c_o, c_i, kh, kw)."""
    _check_tensor(X, 'X', 3, '(channels, height, width)')
    _check_tensor(K, 'K', 4, '(output channels, input channels, kernel height, kernel width)')
    _check_not_empty(K, 'K', 'the kernel (one per output channel)')
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


def corr2d_multi_in_out_1x1(X, K):
    """A 1x1 convolution is a matrix product: (c_o, c_i) times (c_i, h * w)."""
    _check_tensor(X, 'X', 3, '(channels, height, width)')
    if (
        not isinstance(K, torch.Tensor)
        or K.dim() not in (2, 4)
        or (K.dim() == 4 and tuple(K.shape[2:]) != (1, 1))
    ):
        got = tuple(K.shape) if isinstance(K, torch.Tensor) else type(K).__name__
        raise ValueError(
            f'K must be a 1x1 kernel of shape (c_o, c_i, 1, 1) or (c_o, c_i), got {got}.'
        )
    _check_not_empty(X, 'X', 'the input')
    _check_not_empty(K, 'K', 'the kernel')
    c_i, h, w = X.shape
    c_o = K.shape[0]
    if K.shape[1] != c_i:
        raise ValueError(
            f'X has {c_i} input channels but K expects {K.shape[1]} '
            f'(X {tuple(X.shape)}, K {tuple(K.shape)}).'
        )
    Y = torch.matmul(_float(K).reshape((c_o, c_i)), _float(X).reshape((c_i, h * w)))
    return Y.reshape((c_o, h, w))


def pool2d(X, pool_size, mode='max', padding=0, stride=1):
    """Max or average pooling of a matrix ``X`` (h, w) over ``pool_size`` windows.

    D2L's version slides with stride 1 and no padding; ``padding`` and ``stride``
    (keyword extras) follow ``nn.MaxPool2d``: max pooling pads with -inf so a
    padded cell never wins, average pooling pads with zeros that are counted.
    Like the layers, it refuses padding above half the window, which would give
    windows made of padding alone (rows of -inf, or of zeros).
    """
    _check_tensor(X, 'X', 2, '(height, width)')
    _check_not_empty(X, 'X', 'pooling')
    check_choice(mode, 'mode', ('max', 'avg'))
    p_h, p_w = check_pair(pool_size, 'pool_size', low=1)
    pad_h, pad_w = check_pair(padding, 'padding', low=0)
    s_h, s_w = check_pair(stride, 'stride', low=1)
    if pad_h > p_h // 2 or pad_w > p_w // 2:
        raise ValueError(
            f'padding must be at most half the pooling window (as in nn.MaxPool2d '
            f'and nn.AvgPool2d): pool_size {(p_h, p_w)} allows padding up to '
            f'{(p_h // 2, p_w // 2)}, got {padding!r}. Use less padding or a larger '
            'window.'
        )
    if pad_h or pad_w:
        X = F.pad(
            _float(X), (pad_w, pad_w, pad_h, pad_h), value=float('-inf') if mode == 'max' else 0.0
        )
    if p_h > X.shape[0] or p_w > X.shape[1]:
        raise ValueError(
            f'Pooling window {(p_h, p_w)} is larger than the (padded) input of shape '
            f'{tuple(X.shape)}; use a smaller window or more padding.'
        )
    windows = _float(X).unfold(0, p_h, s_h).unfold(1, p_w, s_w)
    return windows.amax(dim=(-2, -1)) if mode == 'max' else windows.mean(dim=(-2, -1))


def comp_conv2d(conv2d, X):
    """Apply a conv layer to one (h, w) matrix: add batch and channel axes, then drop them."""
    if not callable(conv2d):
        raise TypeError(
            f'conv2d must be a layer such as nn.Conv2d(1, 1, kernel_size=3), got '
            f'{conv2d!r} ({type(conv2d).__name__}).'
        )
    _check_tensor(X, 'X', 2, '(height, width)')
    X = X.reshape((1, 1) + X.shape)
    Y = conv2d(X)
    return Y.reshape(Y.shape[2:])


def conv_output_shape(in_size, kernel_size, padding=0, stride=1, dilation=1, ceil_mode=False):
    """Output size of a convolution or pooling layer, by the formula of section 7.3.

    $\\lfloor (n + 2p - d(k - 1) - 1) / s \\rfloor + 1$ per dimension. Takes ints or
    (height, width) pairs and returns the same kind; ``padding`` may also be
    ``'valid'`` (no padding) or ``'same'`` (output = input, stride 1 only, as in
    ``nn.Conv2d``). An empty output is an error that names the dimension.
    ``ceil_mode=True`` rounds up as pooling layers may, keeping a last, partial
    window only if it starts inside the input or its left padding (as PyTorch does).
    """
    scalar = all(
        isinstance(v, int) or isinstance(v, str)
        for v in (in_size, kernel_size, padding, stride, dilation)
    )
    n = check_pair(in_size, 'in_size', low=1)
    k = check_pair(kernel_size, 'kernel_size', low=1)
    s = check_pair(stride, 'stride', low=1)
    d = check_pair(dilation, 'dilation', low=1)
    if padding == 'same':
        if s != (1, 1):
            raise ValueError(
                "padding='same' needs stride 1 (as in nn.Conv2d); "
                f'got stride {stride!r}. Give the padding as numbers instead.'
            )
        return in_size if scalar else tuple(n)
    if isinstance(padding, str) and padding != 'valid':
        raise ValueError(
            f"padding must be an int, a (height, width) pair of ints, 'same' or "
            f"'valid'; got {padding!r}."
        )
    p = (0, 0) if padding == 'valid' else check_pair(padding, 'padding', low=0)
    out = []
    for dim, n_, k_, p_, s_, d_ in zip(('height', 'width'), n, k, p, s, d):
        span = d_ * (k_ - 1) + 1
        room = n_ + 2 * p_ - span
        size = room // s_ + 1
        if ceil_mode:  # round up, but the last window must start on a real or left-pad pixel
            size = -(-room // s_) + 1
            size -= (size - 1) * s_ >= n_ + p_
        if size < 1:
            raise ValueError(
                f'Empty output along the {dim}: the kernel spans {span} pixels '
                f'(size {k_}, dilation {d_}) but the padded input has only {n_} + 2*{p_} = '
                f'{n_ + 2 * p_}. Add padding, shrink the kernel or dilation, or use a larger input.'
            )
        out.append(size)
    return out[0] if scalar else tuple(out)
