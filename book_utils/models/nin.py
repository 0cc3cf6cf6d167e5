"""Network in Network as D2L 8.3 builds it: 1x1 convolutions instead of dense layers.

Each NiN block is an ordinary convolution followed by two 1x1 convolutions,
which act as a small fully connected network applied at every pixel. The last
block has one channel per class, and global average pooling turns each channel
into a score, so the model has no large dense layers at all (Lin et al., 2013).
"""

from torch import nn

from ..checks import check_int, check_pair
from ..engine.module import Classifier, InputSpec, init_cnn

__all__ = ['nin_block', 'NiN']


def nin_block(out_channels, kernel_size, strides, padding):
    """A convolution, then two 1x1 convolutions, each followed by a ReLU."""
    check_int(out_channels, 'out_channels', low=1)
    check_pair(kernel_size, 'kernel_size', low=1)
    check_pair(strides, 'strides', low=1)
    check_pair(padding, 'padding', low=0)
    return nn.Sequential(
        nn.LazyConv2d(out_channels, kernel_size, strides, padding),
        nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1),
        nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1),
        nn.ReLU(),
    )


class NiN(Classifier):
    """NiN for single-channel images of at least 67x67 pixels (D2L uses 224x224)."""

    # An 11x11/stride-4 block without padding and three 3x3/stride-2 max-pools:
    # 67 -> 15 -> 7 -> 3 -> 1. Anything smaller empties a feature map.
    input_spec = InputSpec(channels=1, min_size=67, example=(1, 1, 224, 224))

    def __init__(self, lr=0.1, num_classes=10):
        super().__init__()
        check_int(num_classes, 'num_classes', low=1)
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nin_block(96, kernel_size=11, strides=4, padding=0),
            nn.MaxPool2d(3, stride=2),
            nin_block(256, kernel_size=5, strides=1, padding=2),
            nn.MaxPool2d(3, stride=2),
            nin_block(384, kernel_size=3, strides=1, padding=1),
            nn.MaxPool2d(3, stride=2),
            nn.Dropout(0.5),
            nin_block(num_classes, kernel_size=3, strides=1, padding=1),
            nn.AdaptiveAvgPool2d((1, 1)),
            nn.Flatten(),
        )
        self.net.apply(init_cnn)
