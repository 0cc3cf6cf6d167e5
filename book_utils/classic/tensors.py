"""D2L's framework-neutral tensor aliases (the block at the end of ``d2l/torch.py``).

D2L's chapter code calls ``d2l.reshape(x, ...)``, ``d2l.reduce_sum(x)`` and so on
so that one text serves several frameworks. They are thin names for torch
functions and methods; they live here so that such code runs unchanged.
"""

import torch
from torch import nn

__all__ = [
    'nn_Module',
    'ones_like',
    'ones',
    'zeros_like',
    'zeros',
    'tensor',
    'arange',
    'meshgrid',
    'sin',
    'sinh',
    'cos',
    'cosh',
    'tanh',
    'linspace',
    'exp',
    'log',
    'normal',
    'rand',
    'randn',
    'matmul',
    'int32',
    'int64',
    'float32',
    'concat',
    'stack',
    'abs',
    'eye',
    'sigmoid',
    'batch_matmul',
    'numpy',
    'size',
    'reshape',
    'to',
    'reduce_sum',
    'argmax',
    'astype',
    'transpose',
    'reduce_mean',
    'expand_dims',
    'swapaxes',
    'repeat',
]

nn_Module = nn.Module

ones_like = torch.ones_like
ones = torch.ones
zeros_like = torch.zeros_like
zeros = torch.zeros
tensor = torch.tensor
arange = torch.arange
meshgrid = torch.meshgrid
sin = torch.sin
sinh = torch.sinh
cos = torch.cos
cosh = torch.cosh
tanh = torch.tanh
linspace = torch.linspace
exp = torch.exp
log = torch.log
normal = torch.normal
rand = torch.rand
randn = torch.randn
matmul = torch.matmul
int32 = torch.int32
int64 = torch.int64
float32 = torch.float32
concat = torch.cat
stack = torch.stack
abs = torch.abs
eye = torch.eye
sigmoid = torch.sigmoid
batch_matmul = torch.bmm


def numpy(x, *args, **kwargs):
    return x.detach().numpy(*args, **kwargs)


def size(x, *args, **kwargs):
    return x.numel(*args, **kwargs)


def reshape(x, *args, **kwargs):
    return x.reshape(*args, **kwargs)


def to(x, *args, **kwargs):
    return x.to(*args, **kwargs)


def reduce_sum(x, *args, **kwargs):
    return x.sum(*args, **kwargs)


def argmax(x, *args, **kwargs):
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    return x.type(*args, **kwargs)


def transpose(x, *args, **kwargs):
    return x.t(*args, **kwargs)


def reduce_mean(x, *args, **kwargs):
    return x.mean(*args, **kwargs)


def expand_dims(x, *args, **kwargs):
    return x.unsqueeze(*args, **kwargs)


def swapaxes(x, *args, **kwargs):
    return x.swapaxes(*args, **kwargs)


def repeat(x, *args, **kwargs):
    return x.repeat(*args, **kwargs)
