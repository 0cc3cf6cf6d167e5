"""ResNet and ResNeXt as D2L 8.6 builds them: blocks that learn a residual f(x) - x.

A residual block adds its input to the output of two 3x3 convolutions, so a
block that learns nothing passes its input on unchanged; stacking more blocks
can then only enlarge the class of functions the network can represent
(He et al., 2016). ResNeXt (Xie et al., 2017) replaces the middle of a
bottleneck block by a grouped convolution: ``groups`` independent
convolutions, each over ``bot_channels / groups`` channels.

One change from D2L 1.0.3: D2L's ``ResNeXtBlock`` passes
``groups=bot_channels // groups`` to the convolution, so its ``groups``
argument is really the number of channels per group, contrary to its text.
Here ``groups`` is the number of groups.
"""

from torch import nn
from torch.nn import functional as F

from ..checks import check_bool, check_float, check_int
from ..engine.module import Classifier, InputSpec, init_cnn
from .arch import resolve_arch

__all__ = ['Residual', 'ResNeXtBlock', 'ResNet', 'ResNet18', 'RESNET_ARCHS']

#: Residual stages of the ResNets built from basic (two 3x3 convolution) blocks:
#: (number of residual blocks, channels), one pair per stage (He et al., 2016, Table 1).
RESNET_ARCHS = {
    'resnet18': ((2, 64), (2, 128), (2, 256), (2, 512)),
    'resnet34': ((3, 64), (4, 128), (6, 256), (3, 512)),
}


class Residual(nn.Module):
    """Two 3x3 convolutions with batch norm, plus a shortcut: ReLU(F(X) + X).

    With ``strides=2`` the block halves height and width; the shortcut then
    needs ``use_1x1conv=True``, a strided 1x1 convolution that gives X the
    output's shape and channels.
    """

    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        check_int(num_channels, 'num_channels', low=1)
        check_bool(use_1x1conv, 'use_1x1conv')
        check_int(strides, 'strides', low=1)
        self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
        self.conv3 = (
            nn.LazyConv2d(num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        )
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        elif X.shape != Y.shape:
            raise ValueError(
                f'Residual block: the input {tuple(X.shape)} cannot be added to the '
                f'output {tuple(Y.shape)}; build the block with use_1x1conv=True '
                f'when it changes the channels or the stride.'
            )
        Y += X
        return F.relu(Y)


class ResNeXtBlock(nn.Module):
    """A ResNeXt bottleneck block: 1x1 down to ``num_channels * bot_mul`` channels,
    a 3x3 convolution in ``groups`` groups, 1x1 back up, plus the shortcut.

    A grouped convolution connects each output channel only to the input
    channels of its own group, so it has ``groups`` times fewer weights than a
    dense one over the same channels.
    """

    def __init__(self, num_channels, groups, bot_mul, use_1x1conv=False, strides=1):
        super().__init__()
        check_int(num_channels, 'num_channels', low=1)
        check_int(groups, 'groups', low=1)
        check_float(bot_mul, 'bot_mul', low=0, low_open=True)
        check_bool(use_1x1conv, 'use_1x1conv')
        check_int(strides, 'strides', low=1)
        bot_channels = int(round(num_channels * bot_mul))
        if bot_channels < 1 or bot_channels % groups:
            raise ValueError(
                f'ResNeXtBlock: the {bot_channels} bottleneck channels '
                f'(num_channels={num_channels!r} * bot_mul={bot_mul!r}) must split '
                f'evenly into groups={groups!r} groups; choose groups among the '
                f'divisors of {bot_channels}.'
            )
        self.conv1 = nn.LazyConv2d(bot_channels, kernel_size=1, stride=1)
        self.conv2 = nn.LazyConv2d(
            bot_channels, kernel_size=3, stride=strides, padding=1, groups=groups
        )
        self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=1)
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()
        self.bn3 = nn.LazyBatchNorm2d()
        if use_1x1conv:
            self.conv4 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides)
            self.bn4 = nn.LazyBatchNorm2d()
        else:
            self.conv4 = None

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = F.relu(self.bn2(self.conv2(Y)))
        Y = self.bn3(self.conv3(Y))
        if self.conv4 is not None:
            X = self.bn4(self.conv4(X))
        elif X.shape != Y.shape:
            raise ValueError(
                f'ResNeXtBlock: the input {tuple(X.shape)} cannot be added to the '
                f'output {tuple(Y.shape)}; build the block with use_1x1conv=True '
                f'when it changes the channels or the stride.'
            )
        return F.relu(Y + X)


def _as_arch(arch):
    return resolve_arch(arch, RESNET_ARCHS, 'ResNet', ('num_residuals', 'num_channels'))


class ResNet(Classifier):
    """A ResNet: GoogLeNet's stem with batch norm, residual stages given by ``arch``,
    then global average pooling and a linear layer."""

    # Every layer is padded and each stride-2 layer maps n to ceil(n / 2), so any
    # image size passes (training still needs more than one value per channel
    # for batch norm, i.e. a batch of at least two at the smallest sizes).
    input_spec = InputSpec(channels=1, min_size=1, example=(1, 1, 96, 96))

    def b1(self):
        """The stem: a 64-channel 7x7 convolution with stride 2, batch norm, ReLU, max-pool."""
        return nn.Sequential(
            nn.LazyConv2d(64, kernel_size=7, stride=2, padding=3),
            nn.LazyBatchNorm2d(),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )

    def block(self, num_residuals, num_channels, first_block=False):
        """One stage: ``num_residuals`` blocks; all but the first stage start by halving the size."""
        blk = []
        for i in range(num_residuals):
            if i == 0 and not first_block:
                blk.append(Residual(num_channels, use_1x1conv=True, strides=2))
            else:
                blk.append(Residual(num_channels))
        return nn.Sequential(*blk)

    def __init__(self, arch, lr=0.1, num_classes=10):
        super().__init__()
        check_int(num_classes, 'num_classes', low=1)
        self.save_hyperparameters()
        self.net = nn.Sequential(self.b1())
        for i, b in enumerate(_as_arch(arch)):
            self.net.add_module(f'b{i + 2}', self.block(*b, first_block=(i == 0)))
        self.net.add_module(
            'last',
            nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(num_classes)),
        )
        self.net.apply(init_cnn)


class ResNet18(ResNet):
    """ResNet-18: four stages of two residual blocks (64, 128, 256, 512 channels)."""

    def __init__(self, lr=0.1, num_classes=10):
        super().__init__(RESNET_ARCHS['resnet18'], lr, num_classes)
