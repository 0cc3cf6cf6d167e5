"""Classic image kernels (3x3 and 5x5), and the two images section 7.2 applies them to.

Most presets are built from a rule rather than typed out, so their 3x3 and 5x5
versions are the same idea at two sizes: smoothing weights are binomial
coefficients (rows of Pascal's triangle), derivatives are antisymmetric rows, and
Sobel is "smooth along one axis, differentiate along the other".
"""

import math

import torch
from torch.nn import functional as F

from ..checks import check_int
from ..data import TEXT_LABELS, shared_tensors
from ..teaching.ops import corr2d

SIZES = (3, 5)


def _binomial(k):
    """Row k-1 of Pascal's triangle: [1, 2, 1] or [1, 4, 6, 4, 1], a discrete Gaussian."""
    return torch.tensor([math.comb(k - 1, i) for i in range(k)], dtype=torch.float32)


def _derivative(k):
    """An antisymmetric row: [-1, 0, 1] or [-1, -2, 0, 2, 1] (a smoothed central difference)."""
    return torch.tensor({3: [-1.0, 0, 1], 5: [-1.0, -2, 0, 2, 1]}[k])


def _delta(k):
    K = torch.zeros(k, k)
    K[k // 2, k // 2] = 1
    return K


def _identity(k):
    return _delta(k)


def _box(k):
    return torch.full((k, k), 1.0 / k**2)


def _gaussian(k):
    g = _binomial(k)
    return torch.outer(g, g) / g.sum() ** 2


def _sharpen(k):
    if k == 3:  # the textbook 3x3: the pixel plus the difference from its four neighbours
        return _delta(3) - _laplacian(3)
    return 2 * _delta(k) - _gaussian(k)  # unsharp masking: the image plus (image - blur)


def _sobel_x(k):
    return torch.outer(_binomial(k), _derivative(k))  # smooth down the rows, differentiate across


def _sobel_y(k):
    return _sobel_x(k).T


def _laplacian(k):
    if k == 3:
        return torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])
    return torch.tensor(
        [[0.0, 0, 1, 0, 0], [0, 1, 2, 1, 0], [1, 2, -16, 2, 1], [0, 1, 2, 1, 0], [0, 0, 1, 0, 0]]
    )


def _horizontal_edge(k):
    """Top rows +1, bottom rows -1: responds to a change down the image (a horizontal edge)."""
    r = k // 2
    profile = torch.tensor([1.0 if i < r else -1.0 if i > r else 0.0 for i in range(k)])
    return profile[:, None].expand(k, k).clone()


def _vertical_edge(k):
    """Left columns +1, right -1: D2L's [1, -1] kernel grown to k x k (a vertical edge)."""
    return _horizontal_edge(k).T.clone()


def _diagonal_edge(k):
    i = torch.arange(k, dtype=torch.float32)
    return torch.sign(i[None, :] - i[:, None])  # +1 above the diagonal, -1 below


def _emboss(k):
    i = torch.arange(k, dtype=torch.float32)
    ramp = (i[:, None] + i[None, :] - (k - 1)) / (k // 2)
    return ramp + _delta(k)  # light from the top left: a relief that keeps the image


PRESETS = {
    'identity': _identity,
    'box blur': _box,
    'Gaussian blur': _gaussian,
    'sharpen': _sharpen,
    'Sobel x': _sobel_x,
    'Sobel y': _sobel_y,
    'Laplacian': _laplacian,
    'horizontal edge': _horizontal_edge,
    'vertical edge': _vertical_edge,
    'diagonal edge': _diagonal_edge,
    'emboss': _emboss,
}


def preset(name, size=3):
    """The ``size`` x ``size`` kernel called ``name`` (a key of ``PRESETS``)."""
    if name not in PRESETS:
        raise ValueError(f'Unknown kernel preset {name!r}; choose one of: {", ".join(PRESETS)}.')
    if size not in SIZES:
        raise ValueError(f'Kernel presets come in sizes {SIZES}, got {size!r}.')
    return PRESETS[name](size).float()


def normalise(K):
    """Scale a kernel so its response stays on the image's scale.

    A smoothing kernel is divided by its sum, so a flat region keeps its value.
    A kernel summing to zero (an edge detector) has no such scale; it is divided
    by the sum of its positive weights, so a full black-to-white step gives 1.
    Returns the kernel and the divisor used.
    """
    total = float(K.sum())
    if abs(total) > 1e-6:
        return K / total, total
    positive = float(K.clamp(min=0).sum())
    return (K / positive, positive) if positive > 0 else (K, 1.0)


def resize(K, size):
    """A square kernel grown or cut to ``size`` x ``size`` around its centre: a 3x3 padded
    with zeros to 5x5, or a 5x5's middle 3x3 (the designer keeps a custom kernel so)."""
    old = K.shape[0]
    m, o = min(old, size), abs(old - size) // 2
    if size <= old:
        return K[o : o + m, o : o + m].clone()
    grown = torch.zeros(size, size)
    grown[o : o + m, o : o + m] = K
    return grown


def apply_kernel(X, K):
    """Cross-correlate image ``X`` (h, w) with kernel ``K`` using ``F.conv2d`` (no padding).

    This is exactly ``corr2d(X, K)`` of section 7.2; the widget computes both and
    shows that they agree.
    """
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(
            f'The {K.shape[0]}x{K.shape[1]} kernel does not fit in the '
            f'{X.shape[0]}x{X.shape[1]} image: a valid cross-correlation needs '
            f'a kernel no larger than the image.'
        )
    return F.conv2d(X[None, None].float(), K[None, None].float())[0, 0]


def apply_and_check(X, K):
    """``apply_kernel`` and the largest difference from ``corr2d`` (should be ~1e-7)."""
    Y = apply_kernel(X, K)
    return Y, float((Y - corr2d(X, K)).abs().max())


def edge_image():
    """D2L's 6x8 image: white (1) with a black (0) band in columns 2-5 (section 7.2.3)."""
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    return X


def fashion_image(label, index=0):
    """The ``index``-th validation image of class ``label`` (an int or a name), in [0, 1]."""
    if isinstance(label, str):
        if label not in TEXT_LABELS:
            raise ValueError(f'Unknown class {label!r}; classes: {", ".join(TEXT_LABELS)}.')
        label = TEXT_LABELS.index(label)
    else:
        label = check_int(label, 'label', 0, len(TEXT_LABELS) - 1)
    index = check_int(index, 'index', low=0)
    tensors = shared_tensors()  # read only: the image below is a fresh float copy
    positions = (tensors['val_labels'] == label).nonzero().flatten()
    if not 0 <= index < len(positions):
        raise ValueError(
            f'Class {TEXT_LABELS[label]!r} has {len(positions)} validation images; '
            f'index must be 0 to {len(positions) - 1}, got {index}.'
        )
    return tensors['val_images'][positions[index]].float() / 255
