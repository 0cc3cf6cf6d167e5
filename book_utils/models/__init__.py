"""The models of chapters 7 and 8, one family a module (D2L 1.0.3 names and signatures)."""
from .lenet import LeNet

__all__ = ['LeNet']
