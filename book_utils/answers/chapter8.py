"""Checks for the exercises of D2L 8.1-8.6: parameter and FLOP counts against the course's own
networks measured by PyTorch (``FlopCounterMode``, on the meta device, so no memory or time is
spent on weights), architecture tables, and residual blocks tested by their defining properties."""

import contextlib
import io

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from .core import Wrong, compare_number, compare_tensor, register


def _build(make, shape):
    """Build ``make()`` on the meta device, run one input of ``shape`` through it; return
    (conv params, dense params, all params, weight-only params, conv FLOPs, dense FLOPs)."""
    from .. import models  # the course's networks, by D2L's names

    with contextlib.redirect_stdout(io.StringIO()), torch.device('meta'):
        model = make(models)
        with FlopCounterMode(display=False) as counter:
            model(torch.zeros(*shape))
    counts = {str(op): n for op, n in counter.get_flop_counts()['Global'].items()}

    def params(kind):
        return sum(
            p.numel() for m in model.modules() if isinstance(m, kind) for p in m.parameters()
        )

    def weights(kind):
        return sum(m.weight.numel() for m in model.modules() if isinstance(m, kind))

    return dict(
        conv=params(nn.Conv2d),
        fc=params(nn.Linear),
        total=sum(p.numel() for p in model.parameters()),
        weights=weights((nn.Conv2d, nn.Linear)),
        conv_weights=weights(nn.Conv2d),
        fc_weights=weights(nn.Linear),
        conv_flops=counts.get('aten.convolution', 0),
        fc_flops=counts.get('aten.addmm', 0) + counts.get('aten.mm', 0),
    )


def _count(got, expected, call, weights_only=None):
    """Compare a count without revealing it; say so when only the biases are missing."""
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if weights_only is not None and got == weights_only != expected:
        raise Wrong(
            f'your {call} returned {got:g}: that counts the weights but forgets the biases.'
        )
    compare_number(got, expected, call, reveal=False)


def _flops(got, expected, call):
    """FLOPs as PyTorch counts them (a multiply-add is two); multiply-adds are accepted too."""
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    compare_number(
        got,
        expected,
        call + ' (FLOPs, a multiply-add counting two)',
        also=(expected // 2,),
        reveal=False,
    )


def _pair(got, call, what):
    try:
        a, b = got
    except (TypeError, ValueError):
        raise Wrong(f'your {call} returned {got!r}; expected a pair ({what}).') from None
    return a, b


# 8.1 ------------------------------------------------------------------------------------------
@register(
    '8.1.1.1',
    'alexnet_params',
    '''
def alexnet_params(num_classes):
    """Return (convolutional, fully connected) parameter counts, biases included, of the
    section's AlexNet (1 x 224 x 224 images) with num_classes outputs."""
    ...

d2l.check_answer('8.1.1.1', alexnet_params)''',
    'AlexNet parameter counts',
)
def _alexnet_params(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        k = rng.int(2, 1000)
        ref = _build(lambda d2l: d2l.AlexNet(num_classes=k), (1, 1, 224, 224))
        call = f'alexnet_params({k})'
        conv, fc = _pair(answer(k), call, 'convolutional, fully connected')
        _count(conv, ref['conv'], call + '[0] (convolutional)', weights_only=ref['conv_weights'])
        _count(fc, ref['fc'], call + '[1] (fully connected)', weights_only=ref['fc_weights'])
    return 'both counts right for random class counts; the dense layers dominate.'


@register(
    '8.1.1.2',
    'alexnet_flops',
    '''
def alexnet_flops(image_size):
    """Return (convolutional, fully connected) FLOPs of one forward pass of the section's
    AlexNet (10 classes) on one 1 x image_size x image_size image (a multiply-add is 2
    FLOPs; biases and activations are not counted)."""
    ...

d2l.check_answer('8.1.1.2', alexnet_flops)''',
    'AlexNet FLOPs',
)
def _alexnet_flops(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        s = rng.int(128, 256)
        ref = _build(lambda d2l: d2l.AlexNet(), (1, 1, s, s))
        call = f'alexnet_flops({s})'
        conv, fc = _pair(answer(s), call, 'convolutional, fully connected')
        _flops(conv, ref['conv_flops'], call + '[0]')
        _flops(fc, ref['fc_flops'], call + '[1]')
    return 'both counts agree with torch.utils.flop_counter for random image sizes; the convolutions dominate.'


# 8.2 ------------------------------------------------------------------------------------------
def _random_arch(rng):
    return tuple((rng.int(1, 3), rng.choice((8, 16, 32, 64))) for _ in range(5))


@register(
    '8.2.1.1',
    'vgg_params',
    '''
def vgg_params(arch, num_classes):
    """Return the number of parameters (biases included) of the section's VGG(arch,
    num_classes) on 1 x 224 x 224 images; arch = ((num_convs, out_channels), ...),
    five blocks."""
    ...

d2l.check_answer('8.2.1.1', vgg_params)''',
    'VGG parameter count',
)
def _vgg_params(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        arch, k = _random_arch(rng), rng.int(2, 100)
        ref = _build(lambda d2l: d2l.VGG(arch, num_classes=k), (1, 1, 224, 224))
        _count(
            answer(arch, k), ref['total'], f'vgg_params({arch}, {k})', weights_only=ref['weights']
        )
    return 'right for random architectures and class counts.'


@register(
    '8.2.1.2',
    'vgg_flops',
    '''
def vgg_flops(arch):
    """Return (convolutional, fully connected) FLOPs of one forward pass of the section's
    VGG(arch) (10 classes) on one 1 x 224 x 224 image; a multiply-add is 2 FLOPs."""
    ...

d2l.check_answer('8.2.1.2', vgg_flops)''',
    'VGG FLOPs',
)
def _vgg_flops(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        arch = _random_arch(rng)
        ref = _build(lambda d2l: d2l.VGG(arch), (1, 1, 224, 224))
        call = f'vgg_flops({arch})'
        conv, fc = _pair(answer(arch), call, 'convolutional, fully connected')
        _flops(conv, ref['conv_flops'], call + '[0]')
        _flops(fc, ref['fc_flops'], call + '[1]')
    return 'both counts agree with torch.utils.flop_counter for random architectures.'


# Table 1 of Simonyan and Zisserman (2014): the convolutions of configurations A, B, D and E.
_VGG_TABLE = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_VGG_WIDTHS = (64, 128, 256, 512, 512)


def _check_table(answer, name, table, widths, dense):
    for depth, convs in table.items():
        call = f'{name}({depth})'
        got = answer(depth)
        try:
            got = tuple((int(n), int(c)) for n, c in got)
        except (TypeError, ValueError):
            raise Wrong(
                f'your {call} returned {got!r}; expected ((number, channels), ...) per block.'
            ) from None
        layers = sum(n for n, _ in got) * (2 if name == 'resnet_arch' else 1) + dense
        if layers != depth:
            raise Wrong(
                f'your {call} gives a network with {layers} weight layers; expected {depth}.'
            )
        if len(got) != len(convs) or any(n != m for (n, _), m in zip(got, convs)):
            raise Wrong(
                f'your {call} has the right depth, but its blocks are not split as in Table 1 '
                'of the paper.'
            )
        if tuple(c for _, c in got) != widths:
            raise Wrong(
                f'your {call} has the right blocks, but their channel counts differ from Table 1.'
            )


@register(
    '8.2.3',
    'vgg_arch',
    '''
def vgg_arch(depth):
    """Return the arch of VGG-depth (depth in 11, 13, 16, 19) from Table 1 of the VGG
    paper, as the section's VGG takes it: ((num_convs, out_channels), ...)."""
    ...

d2l.check_answer('8.2.3', vgg_arch)''',
    'VGG-11/13/16/19 tables',
)
def _vgg_arch(answer, rng, hidden):
    _check_table(answer, 'vgg_arch', _VGG_TABLE, _VGG_WIDTHS, dense=3)
    return 'VGG-11, 13, 16 and 19 as in Table 1 of the paper.'


# 8.3 ------------------------------------------------------------------------------------------
@register(
    '8.3.4.1',
    'nin_params',
    '''
def nin_params(num_classes):
    """Return the number of parameters (biases included) of the section's NiN with
    num_classes outputs."""
    ...

d2l.check_answer('8.3.4.1', nin_params)''',
    'NiN parameter count',
)
def _nin_params(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        k = rng.int(2, 1000)
        ref = _build(lambda d2l: d2l.NiN(num_classes=k), (1, 1, 224, 224))
        _count(answer(k), ref['total'], f'nin_params({k})', weights_only=ref['weights'])
    return 'right for random class counts.'


@register(
    '8.3.4.2',
    'nin_flops',
    '''
def nin_flops(image_size):
    """Return the FLOPs of one forward pass of the section's NiN (10 classes) on one
    1 x image_size x image_size image (a multiply-add is 2 FLOPs)."""
    ...

d2l.check_answer('8.3.4.2', nin_flops)''',
    'NiN FLOPs',
)
def _nin_flops(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        s = rng.int(96, 256)
        ref = _build(lambda d2l: d2l.NiN(), (1, 1, s, s))
        _flops(answer(s), ref['conv_flops'] + ref['fc_flops'], f'nin_flops({s})')
    return 'agrees with torch.utils.flop_counter for random image sizes.'


# 8.4 ------------------------------------------------------------------------------------------
@register(
    '8.4.4',
    'googlenet_params',
    '''
def googlenet_params(num_classes):
    """Return the number of parameters (biases included) of the section's GoogleNet with
    num_classes outputs."""
    ...

d2l.check_answer('8.4.4', googlenet_params)''',
    'GoogLeNet parameter count',
)
def _googlenet_params(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        k = rng.int(2, 1000)
        ref = _build(lambda d2l: d2l.GoogleNet(num_classes=k), (1, 1, 96, 96))
        _count(answer(k), ref['total'], f'googlenet_params({k})', weights_only=ref['weights'])
    return 'right for random class counts.'


@register(
    '8.4.5',
    'googlenet_flops',
    '''
def googlenet_flops(image_size):
    """Return the FLOPs of one forward pass of the section's GoogleNet (10 classes) on
    one 1 x image_size x image_size image (a multiply-add is 2 FLOPs)."""
    ...

d2l.check_answer('8.4.5', googlenet_flops)''',
    'GoogLeNet FLOPs',
)
def _googlenet_flops(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        s = rng.int(64, 256)
        ref = _build(lambda d2l: d2l.GoogleNet(), (1, 1, s, s))
        _flops(answer(s), ref['conv_flops'] + ref['fc_flops'], f'googlenet_flops({s})')
    return 'agrees with torch.utils.flop_counter for random image sizes.'


# 8.5 ------------------------------------------------------------------------------------------
@register(
    '8.5.4',
    'lite_batch_norm',
    '''
def lite_batch_norm(X, remove, eps=1e-5):
    """Training-mode batch normalization of X ((n, d) or (n, c, h, w)) that removes only
    the mean (remove='mean') or only the variance (remove='variance'), per feature or
    channel, with no gamma or beta."""
    ...

d2l.check_answer('8.5.4', lite_batch_norm)''',
    '"lite" batch normalization',
)
def _lite_bn(answer, rng, hidden):
    for _ in range(_n(hidden)):
        X = (
            rng.randn(rng.int(2, 6), rng.int(1, 4)) * 3 + 2
            if rng.int(0, 1)
            else rng.randn(rng.int(2, 4), rng.int(1, 3), rng.int(1, 5), rng.int(1, 5)) * 3 + 2
        )
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        mean, var = X.mean(dims, keepdim=True), X.var(dims, unbiased=False, keepdim=True)
        full = F.batch_norm(X, None, None, training=True, eps=1e-5)  # both removed, for reference
        compare_tensor(
            answer(X.clone(), 'mean'),
            X - mean,
            f"lite_batch_norm(X of shape {tuple(X.shape)}, 'mean')",
        )
        got = answer(X.clone(), 'variance')
        keep_mean = full + mean
        if (
            isinstance(got, torch.Tensor)
            and got.shape == X.shape
            and torch.allclose(got, keep_mean, atol=1e-4)
        ):
            continue
        compare_tensor(
            got,
            X / torch.sqrt(var + 1e-5),
            f"lite_batch_norm(X of shape {tuple(X.shape)}, 'variance') (X / std, or "
            f'(X - mean) / std + mean)',
        )
    return 'removes the mean alone and the variance alone on random batches.'


def _n(hidden):
    return 12 if hidden else 4


# 8.6 ------------------------------------------------------------------------------------------
_RESNET_TABLE = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}


@register(
    '8.6.2',
    'resnet_arch',
    '''
def resnet_arch(depth):
    """Return the arch of ResNet-depth (depth 18 or 34) from Table 1 of the ResNet paper,
    as the section's ResNet takes it: ((num_residuals, num_channels), ...)."""
    ...

d2l.check_answer('8.6.2', resnet_arch)''',
    'ResNet-18/34 tables',
)
def _resnet_arch(answer, rng, hidden):
    _check_table(answer, 'resnet_arch', _RESNET_TABLE, (64, 128, 256, 512), dense=2)
    return 'ResNet-18 and ResNet-34 as in Table 1 of the paper.'


def _zero_convs(block):
    for m in block.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.zeros_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def _block_case(answer, rng, name, args):
    """Build the block, materialise its lazy layers, and return (block, X, Y)."""
    block = answer(*args)
    if not isinstance(block, nn.Module):
        raise Wrong(f'your {name}{args} is a {type(block).__name__}; expected an nn.Module.')
    X = rng.randn(rng.int(1, 3), args[0], 2 * rng.int(2, 5), 2 * rng.int(2, 5))
    block.train()
    return block, X, block(X)


@register(
    '8.6.3',
    'Bottleneck',
    '''
from torch import nn

class Bottleneck(nn.Module):
    """The bottleneck residual block: 1 x 1 down to bottleneck_channels, 3 x 3, 1 x 1 up to
    num_channels, each with batch norm; input (n, c, h, w) -> (n, num_channels, h/s, w/s)."""
    def __init__(self, num_channels, bottleneck_channels, use_1x1conv=False, strides=1):
        ...

    def forward(self, X):
        ...

d2l.check_answer('8.6.3', Bottleneck)''',
    'bottleneck block',
)
def _bottleneck(answer, rng, hidden):
    from .. import models

    for _ in range(3 if hidden else 2):
        c, s = rng.choice((8, 16, 32)), rng.int(1, 2)
        args = (c, c // 4, True, s)
        block, X, Y = _block_case(answer, rng, 'Bottleneck', args)
        want = (X.shape[0], c, (X.shape[2] - 1) // s + 1, (X.shape[3] - 1) // s + 1)
        if not isinstance(Y, torch.Tensor) or tuple(Y.shape) != want:
            raise Wrong(
                f'your Bottleneck{args} maps X of shape {tuple(X.shape)} to '
                f'{tuple(getattr(Y, "shape", ()))}; expected {want}.'
            )
        kernels = [m.kernel_size for m in block.modules() if isinstance(m, nn.Conv2d)]
        if kernels.count((3, 3)) != 1 or kernels.count((1, 1)) < 2:
            raise Wrong(
                f'your Bottleneck{args} has convolutions of sizes {kernels}; a bottleneck has '
                'one 3 x 3 between 1 x 1 convolutions.'
            )
        with contextlib.redirect_stdout(io.StringIO()):
            basic = models.Residual(c, use_1x1conv=True, strides=s)
            basic(X)
        ours = sum(p.numel() for p in block.parameters())
        theirs = sum(p.numel() for p in basic.parameters())
        if ours >= theirs:
            raise Wrong(
                f'your Bottleneck{args} has {ours} parameters, no fewer than the basic residual '
                f'block of the same width ({theirs}).'
            )
        args = (c, c // 4, False, 1)
        block, X, _ = _block_case(answer, rng, 'Bottleneck', args)
        _zero_convs(block)
        compare_tensor(
            block(X),
            F.relu(X),
            f'Bottleneck{args} with all convolutions set to zero '
            '(only the shortcut is left, so it should return ReLU(X))',
        )
    return 'right shapes, fewer parameters than the basic block, and a working shortcut.'


@register(
    '8.6.4',
    'PreActResidual',
    '''
from torch import nn

class PreActResidual(nn.Module):
    """The residual block reordered as batch norm, ReLU, convolution (twice), with nothing
    after the addition; input (n, c, h, w) -> (n, num_channels, h/s, w/s)."""
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        ...

    def forward(self, X):
        ...

d2l.check_answer('8.6.4', PreActResidual)''',
    'pre-activation residual block',
)
def _preact(answer, rng, hidden):
    for _ in range(3 if hidden else 2):
        c, s = rng.choice((4, 8, 16)), rng.int(1, 2)
        args = (c, True, s)
        block, X, Y = _block_case(answer, rng, 'PreActResidual', args)
        want = (X.shape[0], c, (X.shape[2] - 1) // s + 1, (X.shape[3] - 1) // s + 1)
        if not isinstance(Y, torch.Tensor) or tuple(Y.shape) != want:
            raise Wrong(
                f'your PreActResidual{args} maps X of shape {tuple(X.shape)} to '
                f'{tuple(getattr(Y, "shape", ()))}; expected {want}.'
            )
        order = []
        hooks = [
            m.register_forward_pre_hook(lambda m, i: order.append(type(m).__name__))
            for m in block.modules()
            if not list(m.children())
        ]
        args = (c, False, 1)
        try:
            block, X, _ = _block_case(answer, rng, 'PreActResidual', args)
            hooks += [
                m.register_forward_pre_hook(lambda m, i: order.append(type(m).__name__))
                for m in block.modules()
                if not list(m.children())
            ]
            order.clear()
            block(X)
        finally:
            for h in hooks:
                h.remove()
        first = next((t for t in order if 'Conv' in t or 'BatchNorm' in t), None)
        if first is not None and 'Conv' in first:
            raise Wrong(
                f'your PreActResidual{args} applies a convolution before batch normalization.'
            )
        _zero_convs(block)
        compare_tensor(
            block(X),
            X,
            f'PreActResidual{args} with all convolutions set to zero (the '
            'identity shortcut alone, with no ReLU after the addition, returns X)',
        )
    return 'right shapes, batch norm first, and an identity shortcut with nothing after the sum.'
