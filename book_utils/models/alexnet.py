"""AlexNet as D2L 8.1 builds it: LeNet's plan, made deeper, wider and ReLU-activated.

One stream instead of the paper's two GPUs, no local response normalisation,
and 10 outputs for Fashion-MNIST; otherwise the layer sizes of Krizhevsky et
al. (2012). ``self.net.apply(init_cnn)`` gives every layer Xavier weights: with
``book_utils.init_cnn`` that now reaches the lazy layers too, which D2L's
version silently skipped.
"""

from torch import nn

from ..checks import check_int
from ..engine.module import Classifier, InputSpec, init_cnn

__all__ = ['AlexNet']


class AlexNet(Classifier):
    """AlexNet for single-channel images of at least 65x65 pixels (D2L uses 224x224)."""

    # Three 3x3/stride-2 max-pools after an 11x11/stride-4 convolution need at
    # least 65 pixels: 65 -> 15 -> 7 -> 3 -> 1 (64 would leave a 2x2 map for the
    # last 3x3 pool, an error deep inside the network).
    input_spec = InputSpec(channels=1, min_size=65, example=(1, 1, 224, 224))

    def __init__(self, lr=0.1, num_classes=10):
        super().__init__()
        check_int(num_classes, 'num_classes', low=1)
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.LazyConv2d(96, kernel_size=11, stride=4, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.LazyConv2d(256, kernel_size=5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.LazyConv2d(384, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.LazyConv2d(384, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.LazyConv2d(256, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Flatten(),
            nn.LazyLinear(4096),
            nn.ReLU(),
            nn.Dropout(p=0.5),
            nn.LazyLinear(4096),
            nn.ReLU(),
            nn.Dropout(p=0.5),
            nn.LazyLinear(num_classes),
        )
        self.net.apply(init_cnn)
