"""Answers as students write them, right and wrong, for the check_answer and grading tests.

Written here, not taken from the book's answers: the right ones are deliberately written in
other ways (loops, unfold, torch.nn modules) than a reference would be.
"""

import torch
from torch import nn
from torch.nn import functional as F


# ---------- right answers, keyed by exercise id ----------
def conv1x1_as_mlp(X, W):
    c_i, h, w = X.shape
    return (X.reshape(c_i, -1).T @ W.T).T.reshape(-1, h, w)


def corr1d(x, k):
    return torch.stack([(x[i : i + len(k)] * k).sum() for i in range(len(x) - len(k) + 1)])


def edge_kernel(v1, v2):
    # the directional derivative along v: v1 * d/dx + v2 * d/dy, by forward differences
    return torch.tensor([[-v1 - v2, v1], [v2, 0.0]])


def second_derivative_kernel():
    return torch.tensor([[1.0, -2.0, 1.0]])


def blur_kernel(k):
    return torch.ones(k, k) / k**2


def min_kernel_size(d):
    return d + 1


def corr2d_matmul(X, K):
    kh, kw = K.shape
    cols = X.unfold(0, kh, 1).unfold(1, kw, 1)  # (oh, ow, kh, kw)
    return (
        cols.reshape(-1, kh * kw) @ K.reshape(-1)
        if False
        else (cols.reshape(cols.shape[0], cols.shape[1], -1) @ K.reshape(-1))
    )


def conv_output_shape(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
    return ((n_h - k_h + 2 * p_h) // s_h + 1, (n_w - k_w + 2 * p_w) // s_w + 1)


def mirror_pad(X, p):
    rows = torch.cat([X[..., 1 : p + 1, :].flip(-2), X, X[..., -p - 1 : -1, :].flip(-2)], dim=-2)
    return torch.cat([rows[..., 1 : p + 1].flip(-1), rows, rows[..., -p - 1 : -1].flip(-1)], dim=-1)


def compose_kernels(K1, K2):
    # corr(corr(X, K1), K2) = corr(X, K) with K the full convolution of K1 with K2 read
    # as a correlation: place K1 at every offset of K2 and sum
    K = torch.zeros(K1.shape[0] + K2.shape[0] - 1, K1.shape[1] + K2.shape[1] - 1)
    for a in range(K2.shape[0]):
        for b in range(K2.shape[1]):
            K[a : a + K1.shape[0], b : b + K1.shape[1]] += K2[a, b] * K1
    return K


def composed_kernel_size(k1, k2):
    return k1 + k2 - 1


def conv_forward_cost(c_i, h, w, c_o, k_h, k_w, p_h, p_w, s_h, s_w):
    h_o = (h + 2 * p_h - k_h) // s_h + 1
    w_o = (w + 2 * p_w - k_w) // s_w + 1
    m = c_o * h_o * w_o * c_i * k_h * k_w
    return m, m - c_o * h_o * w_o


def conv_forward_memory(c_i, h, w, c_o, k_h, k_w, p_h, p_w, s_h, s_w):
    h_o = (h + 2 * p_h - k_h) // s_h + 1
    w_o = (w + 2 * p_w - k_w) // s_w + 1
    return c_i * h * w + c_o * c_i * k_h * k_w + c_o * h_o * w_o


def conv2d_matmul(X, K):
    c_o, c_i, k_h, k_w = K.shape
    cols = F.unfold(X[None], (k_h, k_w))[0]  # (c_i k_h k_w, L)
    h_o, w_o = X.shape[1] - k_h + 1, X.shape[2] - k_w + 1
    return (K.reshape(c_o, -1) @ cols).reshape(c_o, h_o, w_o)


def block_diagonal_speedup(c, b):
    return b


def avg_pool_by_conv(X, pool_size, stride):
    c = X.shape[1]
    weight = torch.full((c, 1, pool_size, pool_size), 1.0 / pool_size**2)
    return F.conv2d(X, weight, stride=stride, groups=c)


def relu_max(a, b):
    return (a + b + F.relu(a - b) + F.relu(b - a)) / 2


class MaxPoolByConv(nn.Module):
    """max over a k x k window as a tree of pairwise maxima, each max(a, b) = b + ReLU(a - b),
    with the shifts done by fixed one-hot convolutions."""

    def __init__(self, pool_size):
        super().__init__()
        self.k = pool_size

    @staticmethod
    def _shift(X, di, dj, k):
        weight = torch.zeros(X.shape[1], 1, k, k)
        weight[:, 0, di, dj] = 1
        return F.conv2d(X, weight, groups=X.shape[1])

    def forward(self, X):
        k = self.k
        best = self._shift(X, 0, 0, k)
        for di in range(k):
            for dj in range(k):
                other = self._shift(X, di, dj, k)
                best = other + F.relu(best - other)
        return best


def pool_cost(c, h, w, p_h, p_w, pad_h, pad_w, s_h, s_w):
    h_o = (h + 2 * pad_h - p_h) // s_h + 1
    w_o = (w + 2 * pad_w - p_w) // s_w + 1
    return c * h_o * w_o * p_h * p_w


def min_pool2d(X, pool_size, stride):
    return -F.max_pool2d(-X, pool_size, stride)


def _lenet(pool, act):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        act(),
        pool(2, 2),
        nn.Conv2d(6, 16, 5),
        act(),
        pool(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120),
        act(),
        nn.Linear(120, 84),
        act(),
        nn.Linear(84, 10),
    )


def lenet_max_pooling():
    return _lenet(nn.MaxPool2d, nn.Sigmoid)


def lenet_relu():
    return _lenet(nn.AvgPool2d, nn.ReLU)


def _conv_out(n, k, p, s):
    return (n + 2 * p - k) // s + 1


def alexnet_params(num_classes):
    convs = [(1, 96, 11), (96, 256, 5), (256, 384, 3), (384, 384, 3), (384, 256, 3)]
    conv = sum(o * i * k * k + o for i, o, k in convs)
    fc = (6400 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * num_classes + num_classes)
    return conv, fc


def alexnet_flops(image_size):
    # (c_in, c_out, k, stride, pad) and where a 3 x 3 stride-2 max pooling follows
    layers = [
        (1, 96, 11, 4, 1, True),
        (96, 256, 5, 1, 2, True),
        (256, 384, 3, 1, 1, False),
        (384, 384, 3, 1, 1, False),
        (384, 256, 3, 1, 1, True),
    ]
    n, conv = image_size, 0
    for c_in, c_out, k, s, p, pool in layers:
        n = _conv_out(n, k, p, s)
        conv += 2 * c_in * c_out * k * k * n * n
        if pool:
            n = _conv_out(n, 3, 0, 2)
    fc = 2 * (256 * n * n * 4096 + 4096 * 4096 + 4096 * 10)
    return conv, fc


def vgg_params(arch, num_classes):
    total, c_in = 0, 1
    for num_convs, c_out in arch:
        for _ in range(num_convs):
            total += c_in * c_out * 9 + c_out
            c_in = c_out
    return (
        total
        + (c_in * 49 * 4096 + 4096)
        + (4096 * 4096 + 4096)
        + (4096 * num_classes + num_classes)
    )


def vgg_flops(arch):
    conv, c_in, n = 0, 1, 224
    for num_convs, c_out in arch:
        for _ in range(num_convs):
            conv += 2 * 9 * c_in * c_out * n * n
            c_in = c_out
        n //= 2
    return conv, 2 * (c_in * n * n * 4096 + 4096 * 4096 + 4096 * 10)


def vgg_arch(depth):
    convs = {11: [1, 1, 2, 2, 2], 13: [2] * 5, 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]}[depth]
    return tuple(zip(convs, [64, 128, 256, 512, 512]))


def _nin_blocks(num_classes):
    return [(1, 96, 11, 4, 0), (96, 256, 5, 1, 2), (256, 384, 3, 1, 1), (384, num_classes, 3, 1, 1)]


def nin_params(num_classes):
    total = 0
    for c_in, c_out, k, _, _ in _nin_blocks(num_classes):
        total += (c_in * c_out * k * k + c_out) + 2 * (c_out * c_out + c_out)
    return total


def nin_flops(image_size):
    n, total = image_size, 0
    for i, (c_in, c_out, k, s, p) in enumerate(_nin_blocks(10)):
        n = _conv_out(n, k, p, s)
        total += 2 * n * n * (c_in * c_out * k * k + 2 * c_out * c_out)
        if i < 3:
            n = _conv_out(n, 3, 0, 2)
    return total


def _googlenet_layers(image_size, num_classes):
    """(c_in, c_out, k, output size) of every convolution, and the dense layer."""

    def out(n, k, s, p):
        return (n + 2 * p - k) // s + 1

    convs, n = [], out(image_size, 7, 2, 3)
    convs.append((1, 64, 7, n))
    n = out(n, 3, 2, 1)
    convs += [(64, 64, 1, n), (64, 192, 3, n)]
    n = out(n, 3, 2, 1)
    c_in = 192
    stages = [
        [(64, (96, 128), (16, 32), 32), (128, (128, 192), (32, 96), 64)],
        [
            (192, (96, 208), (16, 48), 64),
            (160, (112, 224), (24, 64), 64),
            (128, (128, 256), (24, 64), 64),
            (112, (144, 288), (32, 64), 64),
            (256, (160, 320), (32, 128), 128),
        ],
        [(256, (160, 320), (32, 128), 128), (384, (192, 384), (48, 128), 128)],
    ]
    for i, stage in enumerate(stages):
        for c1, c2, c3, c4 in stage:
            convs += [
                (c_in, c1, 1, n),
                (c_in, c2[0], 1, n),
                (c2[0], c2[1], 3, n),
                (c_in, c3[0], 1, n),
                (c3[0], c3[1], 5, n),
                (c_in, c4, 1, n),
            ]
            c_in = c1 + c2[1] + c3[1] + c4
        if i < 2:
            n = out(n, 3, 2, 1)
    return convs, (c_in, num_classes)


def googlenet_params(num_classes):
    convs, (f_in, f_out) = _googlenet_layers(96, num_classes)
    return sum(i * o * k * k + o for i, o, k, _ in convs) + f_in * f_out + f_out


def googlenet_flops(image_size):
    convs, (f_in, f_out) = _googlenet_layers(image_size, 10)
    return sum(2 * i * o * k * k * n * n for i, o, k, n in convs) + 2 * f_in * f_out


def lite_batch_norm(X, remove, eps=1e-5):
    dims = [0] if X.dim() == 2 else [0, 2, 3]
    mean = X.mean(dim=dims, keepdim=True)
    if remove == 'mean':
        return X - mean
    return (X - mean) / torch.sqrt(((X - mean) ** 2).mean(dim=dims, keepdim=True) + eps) + mean


def resnet_arch(depth):
    return {
        18: ((2, 64), (2, 128), (2, 256), (2, 512)),
        34: ((3, 64), (4, 128), (6, 256), (3, 512)),
    }[depth]


class Bottleneck(nn.Module):
    def __init__(self, num_channels, bottleneck_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.LazyConv2d(bottleneck_channels, 1),
            nn.LazyBatchNorm2d(),
            nn.ReLU(),
            nn.LazyConv2d(bottleneck_channels, 3, padding=1, stride=strides),
            nn.LazyBatchNorm2d(),
            nn.ReLU(),
            nn.LazyConv2d(num_channels, 1),
            nn.LazyBatchNorm2d(),
        )
        self.shortcut = (
            nn.LazyConv2d(num_channels, 1, stride=strides) if use_1x1conv else nn.Identity()
        )

    def forward(self, X):
        return F.relu(self.body(X) + self.shortcut(X))


class PreActResidual(nn.Module):
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.bn1, self.bn2 = nn.LazyBatchNorm2d(), nn.LazyBatchNorm2d()
        self.conv1 = nn.LazyConv2d(num_channels, 3, padding=1, stride=strides)
        self.conv2 = nn.LazyConv2d(num_channels, 3, padding=1)
        self.conv3 = nn.LazyConv2d(num_channels, 1, stride=strides) if use_1x1conv else None

    def forward(self, X):
        Y = self.conv1(F.relu(self.bn1(X)))
        Y = self.conv2(F.relu(self.bn2(Y)))
        return Y + (self.conv3(X) if self.conv3 is not None else X)


RIGHT = {
    '7.1.1': conv1x1_as_mlp,
    '7.1.2.2': corr1d,
    '7.2.2.1': edge_kernel,
    '7.2.2.2': second_derivative_kernel,
    '7.2.2.3': blur_kernel,
    '7.2.2.4': min_kernel_size,
    '7.2.4': corr2d_matmul,
    '7.3.1': conv_output_shape,
    '7.3.3': mirror_pad,
    '7.4.1.1': compose_kernels,
    '7.4.1.2': composed_kernel_size,
    '7.4.2.1': conv_forward_cost,
    '7.4.2.2': conv_forward_memory,
    '7.4.5': conv2d_matmul,
    '7.4.7.1': block_diagonal_speedup,
    '7.5.1': avg_pool_by_conv,
    '7.5.3.1': relu_max,
    '7.5.3.2': MaxPoolByConv,
    '7.5.4': pool_cost,
    '7.5.6': min_pool2d,
    '7.6.1.1': lenet_max_pooling,
    '7.6.1.2': lenet_relu,
    '8.1.1.1': alexnet_params,
    '8.1.1.2': alexnet_flops,
    '8.2.1.1': vgg_params,
    '8.2.1.2': vgg_flops,
    '8.2.3': vgg_arch,
    '8.3.4.1': nin_params,
    '8.3.4.2': nin_flops,
    '8.4.4': googlenet_params,
    '8.4.5': googlenet_flops,
    '8.5.4': lite_batch_norm,
    '8.6.2': resnet_arch,
    '8.6.3': Bottleneck,
    '8.6.4': PreActResidual,
}
