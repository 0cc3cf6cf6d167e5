"""LeNet-5 as D2L 7.6 builds it: sigmoid activations and average pooling."""

from torch import nn

from ..checks import check_int
from ..engine.module import Classifier, InputSpec

__all__ = ['LeNet']


class LeNet(Classifier):
    """The LeNet-5 model (LeCun et al., 1998) for 28x28 single-channel images."""

    # The padded 5x5 convolution keeps n, the 2x2 pools halve it and the second 5x5
    # convolution takes 4 away: n -> n//2 - 4 -> (n//2 - 4)//2, which is >= 1 from
    # n = 12. A (1, 28, 28) image without its batch axis would otherwise run as a
    # batch of 16 rows and return 16 predictions.
    input_spec = InputSpec(channels=1, min_size=12, example=(1, 1, 28, 28))

    def __init__(self, lr=0.1, num_classes=10):
        super().__init__()
        check_int(num_classes, 'num_classes', low=1)
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5, padding=2),
            nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.LazyConv2d(16, kernel_size=5),
            nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.LazyLinear(120),
            nn.Sigmoid(),
            nn.LazyLinear(84),
            nn.Sigmoid(),
            nn.LazyLinear(num_classes),
        )
