"""The models of chapters 7 and 8, one family a module (D2L 1.0.3 names and signatures).

Every ``Classifier`` here meets one contract, tested by ``tests/test_model_contract.py``:
an ``input_spec`` (checked before the first layer runs, with ``example`` the shape
D2L feeds it), a ``num_classes`` argument (a positive int), and a forward pass
that maps ``input_spec.example_batch(n)`` to ``(n, num_classes)`` scores.
"""

from .alexnet import AlexNet
from .batchnorm import BatchNorm, BNLeNet, BNLeNetScratch, batch_norm
from .googlenet import GoogleNet, Inception
from .lenet import LeNet
from .nin import NiN, nin_block
from .resnet import RESNET_ARCHS, Residual, ResNet, ResNet18, ResNeXtBlock
from .vgg import VGG, VGG11_QUARTER, VGG_ARCHS, vgg_block

__all__ = [
    'LeNet',
    'AlexNet',
    'VGG',
    'VGG_ARCHS',
    'VGG11_QUARTER',
    'vgg_block',
    'NiN',
    'nin_block',
    'Inception',
    'GoogleNet',
    'batch_norm',
    'BatchNorm',
    'BNLeNetScratch',
    'BNLeNet',
    'Residual',
    'ResNeXtBlock',
    'ResNet',
    'ResNet18',
    'RESNET_ARCHS',
]
