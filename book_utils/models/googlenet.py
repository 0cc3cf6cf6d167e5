"""GoogLeNet as D2L 8.4 builds it: a stem, nine Inception blocks, a pooling head.

An Inception block runs four branches side by side (1x1; 1x1 then 3x3; 1x1 then
5x5; 3x3 max-pool then 1x1) and stacks their outputs along the channels, so
the network need not choose one kernel size. The 1x1 convolutions in front of
the large kernels shrink the channels first, which keeps the block cheap
(Szegedy et al., 2015). As in D2L, the paper's auxiliary classifiers are left
out: better initialisation and optimisers made them unnecessary.
"""

import torch
from torch import nn
from torch.nn import functional as F

from ..checks import check_int
from ..engine.module import Classifier, InputSpec, init_cnn

__all__ = ['Inception', 'GoogleNet']


def _channel_pair(value, name):
    """A (reduce, out) pair of positive channel counts, e.g. ``(96, 128)``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(
            f'Inception {name} must be a (reduce, out) pair of channel counts, '
            f'e.g. (96, 128); got {value!r}.'
        )
    return (
        check_int(value[0], f'{name}[0] (reduce)', low=1),
        check_int(value[1], f'{name}[1] (out)', low=1),
    )


class Inception(nn.Module):
    """Four parallel branches whose outputs are concatenated along the channels.

    ``c1`` and ``c4`` are the output channels of the 1x1 branches; ``c2`` and
    ``c3`` are (reduced, output) channel pairs of the 3x3 and 5x5 branches.
    Every branch keeps height and width, so the block outputs
    ``c1 + c2[1] + c3[1] + c4`` channels at the input's size.
    """

    def __init__(self, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        check_int(c1, 'c1', low=1), check_int(c4, 'c4', low=1)
        c2, c3 = _channel_pair(c2, 'c2'), _channel_pair(c3, 'c3')
        # Branch 1: a 1x1 convolution.
        self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
        # Branch 2: 1x1 to reduce the channels, then 3x3.
        self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        # Branch 3: 1x1 to reduce the channels, then 5x5.
        self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        # Branch 4: 3x3 max-pool (stride 1 keeps the size), then 1x1.
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.b1_1(x))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
        b4 = F.relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


class GoogleNet(Classifier):
    """GoogLeNet for single-channel images (D2L trains it on 96x96 Fashion-MNIST).

    ``b1``..``b5`` build the five modules of D2L's figure; ``net`` chains them
    and a linear layer.
    """

    # Every convolution and pooling layer is padded, and each of the five
    # stride-2 layers (one 7x7 conv, four 3x3 max-pools) maps n to ceil(n / 2),
    # so no input is too small to pass: a 1x1 image gives 1x1 maps throughout.
    # What a small input costs is information, not a crash (see the chapter).
    input_spec = InputSpec(channels=1, min_size=1, example=(1, 1, 96, 96))

    def b1(self):
        """The base: a 64-channel 7x7 convolution with stride 2, then a max-pool."""
        return nn.Sequential(
            nn.LazyConv2d(64, kernel_size=7, stride=2, padding=3),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )

    def b2(self):
        """1x1 then 3x3 convolutions up to 192 channels, then a max-pool."""
        return nn.Sequential(
            nn.LazyConv2d(64, kernel_size=1),
            nn.ReLU(),
            nn.LazyConv2d(192, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )

    def b3(self):
        """Two Inception blocks (256 and 480 output channels), then a max-pool."""
        return nn.Sequential(
            Inception(64, (96, 128), (16, 32), 32),
            Inception(128, (128, 192), (32, 96), 64),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )

    def b4(self):
        """Five Inception blocks (512, 512, 512, 528, 832 channels), then a max-pool."""
        return nn.Sequential(
            Inception(192, (96, 208), (16, 48), 64),
            Inception(160, (112, 224), (24, 64), 64),
            Inception(128, (128, 256), (24, 64), 64),
            Inception(112, (144, 288), (32, 64), 64),
            Inception(256, (160, 320), (32, 128), 128),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )

    def b5(self):
        """Two Inception blocks (832 and 1024 channels), then global average pooling."""
        return nn.Sequential(
            Inception(256, (160, 320), (32, 128), 128),
            Inception(384, (192, 384), (48, 128), 128),
            nn.AdaptiveAvgPool2d((1, 1)),
            nn.Flatten(),
        )

    def __init__(self, lr=0.1, num_classes=10):
        super().__init__()
        check_int(num_classes, 'num_classes', low=1)
        self.save_hyperparameters()
        self.net = nn.Sequential(
            self.b1(), self.b2(), self.b3(), self.b4(), self.b5(), nn.LazyLinear(num_classes)
        )
        self.net.apply(init_cnn)
