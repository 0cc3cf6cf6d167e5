"""Checks for the exercises of D2L 7.1-7.6, each against torch.nn.functional on random cases."""

import torch
from torch import nn
from torch.nn import functional as F

from .core import Wrong, compare_number, compare_tensor, fmt, forbidden, register


def _cases(rng, hidden, n=6):
    """How many random cases: the grader's hidden run draws more than the student's."""
    return n * 3 if hidden else n


def _corr(X, K):
    """2-D cross-correlation of one-channel X (h, w) with K (kh, kw), by PyTorch."""
    return F.conv2d(X[None, None], K[None, None])[0, 0]


# 7.1 ------------------------------------------------------------------------------------------
@register(
    '7.1.1',
    'conv1x1_as_mlp',
    '''
def conv1x1_as_mlp(X, W):
    """X: (c_i, h, w) image; W: (c_o, c_i) weights. Return the (c_o, h, w) output of a
    convolution with Delta = 0, computed as one dense layer applied at every pixel."""
    ...

d2l.check_answer('7.1.1', conv1x1_as_mlp)''',
    'a Delta = 0 convolution as a per-pixel MLP',
)
def _conv1x1_as_mlp(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        c_i, c_o, h, w = rng.int(1, 5), rng.int(1, 5), rng.int(1, 7), rng.int(1, 7)
        X, W = rng.randn(c_i, h, w), rng.randn(c_o, c_i)
        expected = F.conv2d(X[None], W[:, :, None, None])[0]
        with forbidden(
            'the exercise asks for a dense layer at each pixel, not a convolution.',
            (F, 'conv2d'),
            (torch, 'conv2d'),
        ):
            got = answer(X.clone(), W.clone())
        compare_tensor(
            got,
            expected,
            f'conv1x1_as_mlp(X of shape {tuple(X.shape)}, W of shape {tuple(W.shape)})',
        )
    return 'matches a 1 x 1 convolution on every random image and weight matrix.'


@register(
    '7.1.2.2',
    'corr1d',
    '''
def corr1d(x, k):
    """x: (n,) signal; k: (m,) kernel. Return the (n - m + 1,) cross-correlation
    y[i] = sum_a k[a] * x[i + a], the audio version of the 2-D operation."""
    ...

d2l.check_answer('7.1.2.2', corr1d)''',
    'the 1-D convolution for audio',
)
def _corr1d(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        m = rng.int(1, 5)
        n = rng.int(m, 20)
        x, k = rng.randn(n), rng.randn(m)
        expected = F.conv1d(x[None, None], k[None, None])[0, 0]
        got = answer(x.clone(), k.clone())
        compare_tensor(
            got,
            expected,
            f'corr1d(x={fmt(x) if n <= 6 else "a signal of length " + str(n)}, k={fmt(k)})',
        )
    return 'matches F.conv1d on every random signal and kernel.'


# 7.2 ------------------------------------------------------------------------------------------
def _ramp(h, w, g_x, g_y):
    """The image f(y, x) = g_x * x + g_y * y (x along the width, y along the height)."""
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing='ij'
    )
    return g_x * xs + g_y * ys


@register(
    '7.2.2.1',
    'edge_kernel',
    '''
def edge_kernel(v1, v2):
    """Return a 2-D kernel (tensor) that detects edges orthogonal to v = (v1, v2): on an
    image whose brightness grows along g it responds in proportion to v . g, so it is zero
    along the edge direction (v2, -v1). Coordinates: v1 along the width (columns, x),
    v2 along the height (rows, y)."""
    ...

d2l.check_answer('7.2.2.1', edge_kernel)''',
    'edge kernel for a direction',
)
def _edge_kernel(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        v1, v2 = rng.randn(2).tolist()
        K = answer(v1, v2)
        if not isinstance(K, torch.Tensor) or K.dim() != 2:
            raise Wrong(
                f'your edge_kernel({v1:.3g}, {v2:.3g}) returned {type(K).__name__}; expected a 2-D tensor.'
            )
        K = K.float()
        h, w = K.shape[0] + 3, K.shape[1] + 3
        along = _corr(_ramp(h, w, v2, -v1), K)  # brightness grows along the edge: no response
        across = _corr(_ramp(h, w, v1, v2), K)  # grows along v: the strongest response
        scale = across.abs().max().item()
        if scale < 1e-6:
            raise Wrong(
                f'your edge_kernel({v1:.3g}, {v2:.3g}) gives no response to an image that '
                f'brightens along v = ({v1:.3g}, {v2:.3g}).'
            )
        if along.abs().max().item() > 1e-4 * max(1.0, scale):
            raise Wrong(
                f'your edge_kernel({v1:.3g}, {v2:.3g}) responds with {along.abs().max().item():.3g} '
                f'to an image that brightens along the edge direction ({v2:.3g}, {-v1:.3g}); expected 0.'
            )
        g1, g2 = rng.randn(2).tolist()
        mixed = _corr(_ramp(h, w, g1, g2), K)
        norm2 = v1 * v1 + v2 * v2
        predicted = across * (v1 * g1 + v2 * g2) / norm2
        compare_tensor(
            mixed,
            predicted,
            f'edge_kernel({v1:.3g}, {v2:.3g}) on the ramp with gradient '
            f'({g1:.3g}, {g2:.3g}) (response not proportional to v . g)',
            atol=1e-3,
            rtol=1e-3,
        )
    return (
        'responds in proportion to v . g and not at all along the edge, for every random direction.'
    )


@register(
    '7.2.2.2',
    'second_derivative_kernel',
    '''
def second_derivative_kernel():
    """Return the smallest kernel (a 1 x k tensor, along the width) whose cross-correlation
    with an image gives the second derivative d2f/dx2 (unit pixel spacing)."""
    ...

d2l.check_answer('7.2.2.2', second_derivative_kernel)''',
    'second-derivative kernel',
)
def _second_derivative(answer, rng, hidden):
    K = answer()
    if not isinstance(K, torch.Tensor):
        raise Wrong(
            f'your second_derivative_kernel() returned {type(K).__name__}; expected a tensor.'
        )
    K = K.float().reshape(1, -1) if K.dim() == 1 else K.float()
    if K.shape[0] != 1:
        raise Wrong(
            f'your kernel has shape {tuple(K.shape)}; expected one row (1 x k) along the width.'
        )
    for _ in range(_cases(rng, hidden)):
        a, b, c = rng.randn(3).tolist()
        w = rng.int(K.shape[1] + 1, 12)
        xs = torch.arange(w, dtype=torch.float32)
        X = (a * xs**2 + b * xs + c).repeat(3, 1)
        got = _corr(X, K)
        compare_tensor(
            got,
            torch.full_like(got, 2 * a),
            f'kernel on f(x) = {a:.3g} x^2 + {b:.3g} x + {c:.3g} (the second derivative is constant)',
            atol=1e-3,
            rtol=1e-3,
        )
    if K.shape[1] > 3:
        raise Wrong(
            f'your 1 x {K.shape[1]} kernel computes the second derivative, but a smaller one exists.'
        )
    return "gives f'' of every random quadratic, and no smaller kernel exists."


@register(
    '7.2.2.3',
    'blur_kernel',
    '''
def blur_kernel(k):
    """Return a k x k blur kernel (tensor): it keeps a flat image's brightness and
    smooths noise."""
    ...

d2l.check_answer('7.2.2.3', blur_kernel)''',
    'blur kernel',
)
def _blur(answer, rng, hidden):
    for k in sorted({rng.int(2, 7) for _ in range(_cases(rng, hidden, 3))}):
        K = answer(k)
        if not isinstance(K, torch.Tensor) or tuple(K.shape) != (k, k):
            raise Wrong(
                f'your blur_kernel({k}) returned {shape_or_type(K)}; expected a {k} x {k} tensor.'
            )
        K = K.float()
        if (K < -1e-6).any():
            raise Wrong(
                f'your blur_kernel({k}) has a negative weight {K.min().item():.3g}; a blur averages, '
                'so a bright pixel would darken its neighbours.'
            )
        flat = torch.full((k + 4, k + 4), 0.7)
        compare_tensor(
            _corr(flat, K), torch.full((5, 5), 0.7), f'blur_kernel({k}) on a flat image of 0.7'
        )
        noise = rng.randn(40, 40)
        if _corr(noise, K).var().item() >= noise.var().item():
            raise Wrong(f'your blur_kernel({k}) does not reduce the variance of random noise.')
    return 'keeps flat images and smooths noise for every random size.'


def shape_or_type(x):
    return f'shape {tuple(x.shape)}' if isinstance(x, torch.Tensor) else type(x).__name__


@register(
    '7.2.2.4',
    'min_kernel_size',
    '''
def min_kernel_size(d):
    """Return the minimum width of a kernel that computes a derivative of order d."""
    ...

d2l.check_answer('7.2.2.4', min_kernel_size)''',
    'minimum kernel size for order d',
)
def _min_kernel_size(answer, rng, hidden):
    for d in sorted({rng.int(1, 12) for _ in range(_cases(rng, hidden))}):
        compare_number(answer(d), d + 1, f'min_kernel_size({d})')
    return 'right for every random order d.'


@register(
    '7.2.4',
    'corr2d_matmul',
    '''
def corr2d_matmul(X, K):
    """X: (h, w) image; K: (kh, kw) kernel. Return corr2d(X, K), of shape
    (h - kh + 1, w - kw + 1), computed with one matrix multiplication."""
    ...

d2l.check_answer('7.2.4', corr2d_matmul)''',
    'cross-correlation as a matrix product',
)
def _corr2d_matmul(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        kh, kw = rng.int(1, 4), rng.int(1, 4)
        h, w = rng.int(kh, 9), rng.int(kw, 9)
        X, K = rng.randn(h, w), rng.randn(kh, kw)
        with forbidden(
            'the exercise asks for a matrix multiplication, not a convolution.',
            (F, 'conv2d'),
            (torch, 'conv2d'),
        ):
            got = answer(X.clone(), K.clone())
        compare_tensor(
            got, _corr(X, K), f'corr2d_matmul(X of shape {(h, w)}, K of shape {(kh, kw)})'
        )
    return 'matches F.conv2d on every random image and kernel.'


# 7.3 ------------------------------------------------------------------------------------------
@register(
    '7.3.1',
    'conv_output_shape',
    '''
def conv_output_shape(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
    """Return (height, width) of a convolution's output for an n_h x n_w input, a k_h x k_w
    kernel, p_h rows and p_w columns of padding on EACH side (as nn.Conv2d's padding),
    and strides s_h, s_w."""
    ...

d2l.check_answer('7.3.1', conv_output_shape)''',
    'output shape',
)
def _conv_output_shape(answer, rng, hidden):
    for _ in range(_cases(rng, hidden, 12)):
        k_h, k_w, s_h, s_w = rng.int(1, 6), rng.int(1, 6), rng.int(1, 5), rng.int(1, 5)
        p_h, p_w = rng.int(0, k_h // 2), rng.int(0, k_w // 2)
        n_h, n_w = rng.int(max(1, k_h - 2 * p_h), 30), rng.int(max(1, k_w - 2 * p_w), 30)
        Y = F.conv2d(
            torch.zeros(1, 1, n_h, n_w),
            torch.zeros(1, 1, k_h, k_w),
            padding=(p_h, p_w),
            stride=(s_h, s_w),
        )
        got = answer(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w)
        call = f'conv_output_shape({n_h}, {n_w}, {k_h}, {k_w}, {p_h}, {p_w}, {s_h}, {s_w})'
        try:
            got = tuple(int(v) for v in got)
        except (TypeError, ValueError):
            raise Wrong(f'your {call} returned {got!r}; expected a pair (height, width).') from None
        if got != tuple(Y.shape[-2:]):
            raise Wrong(f'your {call} returned {got}; nn.Conv2d gives {tuple(Y.shape[-2:])}.')
    return 'agrees with nn.Conv2d on every random input, kernel, padding and stride.'


@register(
    '7.3.3',
    'mirror_pad',
    '''
def mirror_pad(X, p):
    """X: (..., h, w) tensor. Return X with p rows and columns added on every side,
    mirroring the values next to the border."""
    ...

d2l.check_answer('7.3.3', mirror_pad)''',
    'mirror padding',
)
def _mirror_pad(answer, rng, hidden):
    kinds = set()
    for _ in range(_cases(rng, hidden)):
        h, w = rng.int(3, 8), rng.int(3, 8)
        p = rng.int(1, min(h, w) - 1)
        X = rng.randn(*([rng.int(1, 2)] * rng.int(0, 2)), h, w)
        got = answer(X.clone(), p)
        call = f'mirror_pad(X of shape {tuple(X.shape)}, {p})'
        lead = X.reshape(-1, 1, h, w)
        reflect = F.pad(lead, (p, p, p, p), mode='reflect').reshape(
            *X.shape[:-2], h + 2 * p, w + 2 * p
        )
        # 'symmetric' mirroring repeats the border value itself: pad by reflection of a copy
        # that carries the border twice.
        sym = torch.cat([X[..., :p, :].flip(-2), X, X[..., -p:, :].flip(-2)], -2)
        sym = torch.cat([sym[..., :p].flip(-1), sym, sym[..., -p:].flip(-1)], -1)
        if (
            isinstance(got, torch.Tensor)
            and got.shape == reflect.shape
            and torch.allclose(got.float(), reflect)
        ):
            kinds.add('reflect')
            continue
        if (
            isinstance(got, torch.Tensor)
            and got.shape == sym.shape
            and torch.allclose(got.float(), sym)
        ):
            kinds.add('symmetric')
            continue
        compare_tensor(got, reflect, call + ' (compared with reflect padding, border not repeated)')
    if len(kinds) > 1:
        raise Wrong('your mirror_pad sometimes repeats the border value and sometimes not.')
    kind = kinds.pop()
    return (
        "matches F.pad(mode='reflect') on every random tensor."
        if kind == 'reflect'
        else 'mirrors with the border value repeated (numpy\'s "symmetric") on every random tensor.'
    )


# 7.4 ------------------------------------------------------------------------------------------
@register(
    '7.4.1.1',
    'compose_kernels',
    '''
def compose_kernels(K1, K2):
    """K1: (k1h, k1w), K2: (k2h, k2w). Return the single kernel K with
    corr2d(corr2d(X, K1), K2) == corr2d(X, K) for every image X."""
    ...

d2l.check_answer('7.4.1.1', compose_kernels)''',
    'two kernels as one',
)
def _compose(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        K1, K2 = rng.randn(rng.int(1, 4), rng.int(1, 4)), rng.randn(rng.int(1, 4), rng.int(1, 4))
        X = rng.randn(
            K1.shape[0] + K2.shape[0] + rng.int(0, 5), K1.shape[1] + K2.shape[1] + rng.int(0, 5)
        )
        K = answer(K1.clone(), K2.clone())
        call = f'compose_kernels(K1 of shape {tuple(K1.shape)}, K2 of shape {tuple(K2.shape)})'
        expected_shape = (K1.shape[0] + K2.shape[0] - 1, K1.shape[1] + K2.shape[1] - 1)
        if not isinstance(K, torch.Tensor) or tuple(K.shape) != expected_shape:
            raise Wrong(
                f'your {call} returned {shape_or_type(K)}; the composition has shape {expected_shape}.'
            )
        compare_tensor(
            _corr(X, K.float()),
            _corr(_corr(X, K1), K2),
            f'{call}, applied to a random image (vs. applying K1 then K2)',
            atol=1e-3,
        )
    return 'one kernel does what the two do, on every random pair and image.'


@register(
    '7.4.1.2',
    'composed_kernel_size',
    '''
def composed_kernel_size(k1, k2):
    """Return the width of the single kernel equivalent to a k1-wide kernel followed by
    a k2-wide one."""
    ...

d2l.check_answer('7.4.1.2', composed_kernel_size)''',
    'size of the composed kernel',
)
def _composed_size(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        k1, k2 = rng.int(1, 11), rng.int(1, 11)
        compare_number(answer(k1, k2), k1 + k2 - 1, f'composed_kernel_size({k1}, {k2})')
    return 'right for every random pair of sizes.'


def _conv_out(c_i, h, w, c_o, k_h, k_w, p_h, p_w, s_h, s_w):
    Y = F.conv2d(
        torch.zeros(1, c_i, h, w),
        torch.zeros(c_o, c_i, k_h, k_w),
        padding=(p_h, p_w),
        stride=(s_h, s_w),
    )
    return Y.shape[-2], Y.shape[-1]


def _conv_case(rng):
    k_h, k_w = rng.int(1, 5), rng.int(1, 5)
    p_h, p_w = rng.int(0, k_h // 2), rng.int(0, k_w // 2)
    return (
        rng.int(1, 8),
        rng.int(k_h, 20),
        rng.int(k_w, 20),
        rng.int(1, 8),
        k_h,
        k_w,
        p_h,
        p_w,
        rng.int(1, 3),
        rng.int(1, 3),
    )


@register(
    '7.4.2.1',
    'conv_forward_cost',
    '''
def conv_forward_cost(c_i, h, w, c_o, k_h, k_w, p_h, p_w, s_h, s_w):
    """Return (multiplications, additions) of one convolution's forward pass on one
    c_i x h x w input, c_o output channels, padding p on EACH side, stride s, no bias."""
    ...

d2l.check_answer('7.4.2.1', conv_forward_cost)''',
    'forward cost of a convolution',
)
def _forward_cost(answer, rng, hidden):
    for _ in range(_cases(rng, hidden, 10)):
        case = _conv_case(rng)
        c_i, h, w, c_o, k_h, k_w = case[:6]
        h_o, w_o = _conv_out(*case)
        mults = c_o * h_o * w_o * c_i * k_h * k_w
        got = answer(*case)
        call = f'conv_forward_cost{case}'
        try:
            got_m, got_a = got
        except (TypeError, ValueError):
            raise Wrong(
                f'your {call} returned {got!r}; expected a pair (multiplications, additions).'
            ) from None
        compare_number(got_m, mults, call + '[0] (multiplications)')
        # Summing c_i k_h k_w products takes one addition fewer; adding into an accumulator
        # that starts at 0 (or at the bias) takes as many: both are accepted.
        compare_number(got_a, mults - c_o * h_o * w_o, call + '[1] (additions)', also=(mults,))
    return 'right for every random layer.'


@register(
    '7.4.2.2',
    'conv_forward_memory',
    '''
def conv_forward_memory(c_i, h, w, c_o, k_h, k_w, p_h, p_w, s_h, s_w):
    """Return how many numbers the forward pass holds: the input, the kernel and the
    output (padding on EACH side, no bias)."""
    ...

d2l.check_answer('7.4.2.2', conv_forward_memory)''',
    'memory of a convolution',
)
def _forward_memory(answer, rng, hidden):
    for _ in range(_cases(rng, hidden, 10)):
        case = _conv_case(rng)
        c_i, h, w, c_o, k_h, k_w = case[:6]
        h_o, w_o = _conv_out(*case)
        X, K, Y = c_i * h * w, c_o * c_i * k_h * k_w, c_o * h_o * w_o
        _, p_h, p_w = None, case[6], case[7]
        padded = c_i * (h + 2 * p_h) * (w + 2 * p_w)
        compare_number(
            answer(*case), X + K + Y, f'conv_forward_memory{case}', also=(padded + K + Y,)
        )
    return 'right for every random layer (input, kernel and output).'


@register(
    '7.4.5',
    'conv2d_matmul',
    '''
def conv2d_matmul(X, K):
    """X: (c_i, h, w); K: (c_o, c_i, k_h, k_w). Return the (c_o, h - k_h + 1, w - k_w + 1)
    multi-channel cross-correlation computed as ONE matrix multiplication."""
    ...

d2l.check_answer('7.4.5', conv2d_matmul)''',
    'convolution as a matrix product',
)
def _conv2d_matmul(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        c_i, c_o, k_h, k_w = rng.int(1, 4), rng.int(1, 4), rng.int(1, 4), rng.int(1, 4)
        X, K = rng.randn(c_i, rng.int(k_h, 9), rng.int(k_w, 9)), rng.randn(c_o, c_i, k_h, k_w)
        with forbidden(
            'the exercise asks for a matrix multiplication, not a convolution.',
            (F, 'conv2d'),
            (torch, 'conv2d'),
        ):
            got = answer(X.clone(), K.clone())
        compare_tensor(
            got,
            F.conv2d(X[None], K)[0],
            f'conv2d_matmul(X of shape {tuple(X.shape)}, K of shape {tuple(K.shape)})',
            atol=1e-3,
        )
    return 'matches F.conv2d on every random input and kernel.'


@register(
    '7.4.7.1',
    'block_diagonal_speedup',
    '''
def block_diagonal_speedup(c, b):
    """Return how many times fewer multiplications a c x c block-diagonal matrix with b
    equal blocks needs than a dense c x c matrix, to multiply a vector."""
    ...

d2l.check_answer('7.4.7.1', block_diagonal_speedup)''',
    'block-diagonal speed-up',
)
def _block_diag(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        b = rng.int(1, 16)
        c = b * rng.int(1, 32)
        blocks = torch.block_diag(*[torch.ones(c // b, c // b)] * b)
        dense_mults, block_mults = c * c, int(blocks.count_nonzero())
        got = answer(c, b)
        compare_number(got, dense_mults / block_mults, f'block_diagonal_speedup({c}, {b})')
    return 'right for every random size and number of blocks.'


# 7.5 ------------------------------------------------------------------------------------------
@register(
    '7.5.1',
    'avg_pool_by_conv',
    '''
def avg_pool_by_conv(X, pool_size, stride):
    """X: (n, c, h, w). Return F.avg_pool2d(X, pool_size, stride) computed by a
    convolution (no pooling function)."""
    ...

d2l.check_answer('7.5.1', avg_pool_by_conv)''',
    'average pooling by convolution',
)
def _avg_pool(answer, rng, hidden):
    pools = (
        (F, 'avg_pool2d'),
        (torch, 'avg_pool2d'),
        (nn.AvgPool2d, 'forward'),
        (F, 'adaptive_avg_pool2d'),
    )
    for _ in range(_cases(rng, hidden)):
        k, s = rng.int(1, 4), rng.int(1, 3)
        X = rng.randn(rng.int(1, 3), rng.int(1, 4), rng.int(k, 10), rng.int(k, 10))
        with forbidden('the exercise asks for a convolution.', *pools):
            got = answer(X.clone(), k, s)
        compare_tensor(
            got, F.avg_pool2d(X, k, s), f'avg_pool_by_conv(X of shape {tuple(X.shape)}, {k}, {s})'
        )
    return 'matches F.avg_pool2d on every random input, window and stride.'


_MAXES = (
    (torch, 'max'),
    (torch, 'maximum'),
    (torch, 'amax'),
    (torch, 'fmax'),
    (torch.Tensor, 'max'),
    (torch.Tensor, 'amax'),
    (torch.Tensor, 'maximum'),
    (F, 'max_pool2d'),
    (torch, 'max_pool2d'),
    (nn.MaxPool2d, 'forward'),
    (torch, 'where'),
    (torch, 'clamp'),
    (torch.Tensor, 'clamp'),
)


@register(
    '7.5.3.1',
    'relu_max',
    '''
def relu_max(a, b):
    """Return max(a, b) elementwise for tensors a and b, using only ReLU (plus sums and
    scalings)."""
    ...

d2l.check_answer('7.5.3.1', relu_max)''',
    'max from ReLUs',
)
def _relu_max(answer, rng, hidden):
    n = 200 if hidden else 50
    a = torch.cat([torch.tensor([-1.0, 3.0, -2.5, 0.0]), (rng.randn(n) * 3).round(decimals=1)])
    b = torch.cat([torch.tensor([2.0, -4.0, -0.5, 0.0]), (rng.randn(n) * 3).round(decimals=1)])
    order = torch.randperm(len(a), generator=rng.torch)
    a, b = a[order], b[order]
    with forbidden('the exercise asks for ReLUs only.', *_MAXES):
        got = answer(a.clone(), b.clone())
    expected = torch.maximum(a, b)
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        raise Wrong(
            f'your relu_max on tensors of shape {tuple(a.shape)} returned {shape_or_type(got)}; '
            f'expected shape {tuple(a.shape)}.'
        )
    bad = ~torch.isclose(got.float(), expected, atol=1e-5)
    if bad.any():
        i = int(bad.nonzero()[0])
        raise Wrong(
            f'your max({a[i].item():.1f}, {b[i].item():.1f}) returned {_decimal(got[i].item())}; '
            f'expected {_decimal(expected[i].item())}.'
        )
    return f'right on {len(a)} random pairs, negative ones included.'


def _decimal(v):
    """2.0 as '2.0', 0.95 as '0.95': a float that reads as one."""
    text = f'{v:.4g}'
    return text if any(ch in text for ch in '.en') else text + '.0'


@register(
    '7.5.3.2',
    'MaxPoolByConv',
    '''
from torch import nn

class MaxPoolByConv(nn.Module):
    """Max pooling with a pool_size x pool_size window at every position (stride 1, as
    in this section's pool2d), built from convolutions and ReLUs only."""
    def __init__(self, pool_size):
        ...

    def forward(self, X):   # X: (n, c, h, w) -> (n, c, h - pool_size + 1, w - pool_size + 1)
        ...

d2l.check_answer('7.5.3.2', MaxPoolByConv)''',
    'max pooling from convolutions and ReLUs',
)
def _maxpool_conv(answer, rng, hidden):
    for k in [2, 3, rng.int(1, 4)] if not hidden else [2, 3, 1, 4, rng.int(2, 4)]:
        with forbidden('the exercise asks for convolutions and ReLUs only.', *_MAXES):
            module = answer(k)
        for _ in range(2 if not hidden else 4):
            X = rng.randn(rng.int(1, 3), rng.int(1, 3), rng.int(k, 8), rng.int(k, 8))
            with forbidden('the exercise asks for convolutions and ReLUs only.', *_MAXES):
                got = module(X.clone())
            expected, strided = F.max_pool2d(X, k, stride=1), F.max_pool2d(X, k)
            if isinstance(got, torch.Tensor) and got.shape == strided.shape != expected.shape:
                expected = strided  # a stride of pool_size, nn.MaxPool2d's default, is fine too
            if (
                isinstance(got, torch.Tensor)
                and got.dim() == 4
                and got.shape[0] == X.shape[0]
                and got.shape[1] != X.shape[1]
            ):
                raise Wrong(
                    f'your MaxPoolByConv({k}) turned an input of shape {tuple(X.shape)} into '
                    f'{tuple(got.shape)}: {got.shape[1]} channels for {X.shape[1]}; the '
                    "window's maximum should be one value per channel."
                )
            step = 1 if expected.shape == F.max_pool2d(X, k, stride=1).shape else k

            def window(where, X=X, k=k, step=step):
                n, c, i, j = where
                i, j = i * step, j * step
                return f'(the window X[{n}, {c}, {i}:{i + k}, {j}:{j + k}] is {fmt(X[n, c, i : i + k, j : j + k])})'

            compare_tensor(
                got, expected, f'MaxPoolByConv({k}) on X of shape {tuple(X.shape)}', context=window
            )
    return 'matches F.max_pool2d for 1 x 1 to 4 x 4 windows on random inputs.'


@register(
    '7.5.4',
    'pool_cost',
    '''
def pool_cost(c, h, w, p_h, p_w, pad_h, pad_w, s_h, s_w):
    """Return the number of elementary operations (additions for average pooling,
    comparisons for max pooling, one per window element) of a pooling layer with a
    p_h x p_w window, padding pad on EACH side and stride s on a c x h x w input."""
    ...

d2l.check_answer('7.5.4', pool_cost)''',
    'cost of pooling',
)
def _pool_cost(answer, rng, hidden):
    for _ in range(_cases(rng, hidden, 10)):
        p_h, p_w, s_h, s_w = rng.int(1, 4), rng.int(1, 4), rng.int(1, 3), rng.int(1, 3)
        pad_h, pad_w = rng.int(0, p_h), rng.int(0, p_w)
        c, h, w = rng.int(1, 8), rng.int(p_h, 20), rng.int(p_w, 20)
        out = F.conv2d(
            torch.zeros(1, 1, h, w),
            torch.zeros(1, 1, p_h, p_w),
            padding=(pad_h, pad_w),
            stride=(s_h, s_w),
        )
        windows = c * out.shape[-2] * out.shape[-1]
        case = (c, h, w, p_h, p_w, pad_h, pad_w, s_h, s_w)
        compare_number(
            answer(*case),
            windows * p_h * p_w,
            f'pool_cost{case}',
            also=(windows * (p_h * p_w - 1),),
        )
    return 'right for every random layer.'


@register(
    '7.5.6',
    'min_pool2d',
    '''
def min_pool2d(X, pool_size, stride):
    """X: (n, c, h, w). Return minimum pooling with a pool_size x pool_size window and
    the given stride, using an operation PyTorch already has."""
    ...

d2l.check_answer('7.5.6', min_pool2d)''',
    'minimum pooling',
)
def _min_pool(answer, rng, hidden):
    for _ in range(_cases(rng, hidden)):
        k, s = rng.int(1, 4), rng.int(1, 3)
        X = rng.randn(rng.int(1, 3), rng.int(1, 3), rng.int(k, 9), rng.int(k, 9))
        expected = X.unfold(2, k, s).unfold(3, k, s).amin(dim=(-2, -1))
        compare_tensor(
            answer(X.clone(), k, s), expected, f'min_pool2d(X of shape {tuple(X.shape)}, {k}, {s})'
        )
    return "gives each window's minimum on every random input, window and stride."


# 7.6 ------------------------------------------------------------------------------------------
def _check_lenet(answer, rng, name, want, refuse):
    model = answer()
    if not isinstance(model, nn.Module):
        raise Wrong(f'your {name}() returned {type(model).__name__}; expected an nn.Module.')
    X = rng.randn(rng.int(1, 4), 1, 28, 28)
    model.eval()
    used = []
    hooks = [m.register_forward_hook(lambda m, i, o: used.append(type(m))) for m in model.modules()]
    try:
        Y = model(X)
    finally:
        for h in hooks:
            h.remove()
    if not isinstance(Y, torch.Tensor) or tuple(Y.shape) != (X.shape[0], 10):
        raise Wrong(
            f'your {name}() maps a batch of shape {tuple(X.shape)} to {shape_or_type(Y)}; '
            f'expected {(X.shape[0], 10)}.'
        )
    if not any(issubclass(t, want) for t in used):
        raise Wrong(f'your {name}() never runs an nn.{want.__name__} layer.')
    left = sorted({t.__name__ for t in used if issubclass(t, refuse)})
    if left:
        raise Wrong(f'your {name}() still runs nn.{left[0]}.')


@register(
    '7.6.1.1',
    'lenet_max_pooling',
    '''
def lenet_max_pooling():
    """Return LeNet (an nn.Module: (n, 1, 28, 28) -> (n, 10)) with max pooling in place
    of average pooling."""
    ...

d2l.check_answer('7.6.1.1', lenet_max_pooling)''',
    'LeNet with max pooling',
)
def _lenet_max(answer, rng, hidden):
    _check_lenet(answer, rng, 'lenet_max_pooling', nn.MaxPool2d, nn.AvgPool2d)
    return 'a LeNet of the right shape that pools by maximum.'


@register(
    '7.6.1.2',
    'lenet_relu',
    '''
def lenet_relu():
    """Return LeNet (an nn.Module: (n, 1, 28, 28) -> (n, 10)) with ReLU in place of the
    sigmoid activations."""
    ...

d2l.check_answer('7.6.1.2', lenet_relu)''',
    'LeNet with ReLU',
)
def _lenet_relu(answer, rng, hidden):
    _check_lenet(answer, rng, 'lenet_relu', nn.ReLU, nn.Sigmoid)
    return 'a LeNet of the right shape that activates with ReLU.'
