"""VGG as D2L 8.2 builds it: a network made of repeated blocks, described by data.

A VGG block is some 3x3 convolutions (padding 1, so the size is kept) with
ReLUs, then a 2x2 max-pool that halves height and width. A whole network is a
table of ``(num_convs, out_channels)`` pairs, one per block, followed by D2L's
three fully connected layers. So VGG-11, -13, -16 and -19 differ only in their
row of ``VGG_ARCHS`` (Table 1 of Simonyan and Zisserman, 2014), as in
torchvision's ``vgg.py``.
"""

from torch import nn

from ..checks import check_int
from ..engine.module import Classifier, InputSpec, init_cnn
from .arch import resolve_arch

__all__ = ['VGG_ARCHS', 'VGG11_QUARTER', 'vgg_block', 'VGG']

#: Convolutional blocks of the VGG family: (number of 3x3 convolutions, output channels).
VGG_ARCHS = {
    'vgg11': ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)),
    'vgg13': ((2, 64), (2, 128), (2, 256), (2, 512), (2, 512)),
    'vgg16': ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)),
    'vgg19': ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512)),
}

#: The network D2L 8.2 trains on Fashion-MNIST: VGG-11 with a quarter of the
#: channels in every block, to fit the training into its time budget.
VGG11_QUARTER = tuple((num_convs, channels // 4) for num_convs, channels in VGG_ARCHS['vgg11'])


def vgg_block(num_convs, out_channels):
    """``num_convs`` 3x3 convolutions with ReLU, then a 2x2 max-pool with stride 2."""
    check_int(num_convs, 'num_convs', low=1)
    check_int(out_channels, 'out_channels', low=1)
    layers = []
    for _ in range(num_convs):
        layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def _as_arch(arch):
    return resolve_arch(arch, VGG_ARCHS, 'VGG', ('num_convs', 'out_channels'))


class VGG(Classifier):
    """A VGG network: ``arch`` is a row of ``VGG_ARCHS`` (or its name), then 4096-4096-classes."""

    # Each block halves the size, so n blocks need at least 2**n pixels. This is
    # the default for five blocks; the constructor sets the value for ``arch``.
    input_spec = InputSpec(channels=1, min_size=2**5, example=(1, 1, 224, 224))

    def __init__(self, arch, lr=0.1, num_classes=10):
        super().__init__()
        check_int(num_classes, 'num_classes', low=1)
        self.save_hyperparameters()
        blocks = _as_arch(arch)
        size = max(224, 2 ** len(blocks))  # D2L's 224, or more for a table of 8+ blocks
        self.input_spec = InputSpec(
            channels=1, min_size=2 ** len(blocks), example=(1, 1, size, size)
        )
        conv_blks = [vgg_block(num_convs, out_channels) for num_convs, out_channels in blocks]
        self.net = nn.Sequential(
            *conv_blks,
            nn.Flatten(),
            nn.LazyLinear(4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.LazyLinear(4096),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.LazyLinear(num_classes),
        )
        self.net.apply(init_cnn)
