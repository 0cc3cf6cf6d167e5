"""The models of chapters 7 and 8, one family a module (D2L 1.0.3 names and signatures)."""
from .lenet import LeNet
from .alexnet import AlexNet
from .vgg import VGG, VGG_ARCHS, vgg_block
from .nin import NiN, nin_block

__all__ = ['LeNet', 'AlexNet', 'VGG', 'VGG_ARCHS', 'vgg_block', 'NiN', 'nin_block']
