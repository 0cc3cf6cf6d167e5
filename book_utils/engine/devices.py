"""Devices and seeds: D2L's ``cpu``/``gpu``/``try_gpu``, the device a Trainer
trains on, and the speed settings that depend on it.

A course that runs on Colab GPUs, Apple laptops and CI machines needs one place
that decides where tensors live. D2L only knows CUDA; here ``best_device`` also
tries Apple's MPS before falling back to the CPU.
"""

import contextlib
import random

import numpy as np
import torch
from torch import nn

from ..checks import check_int


def cpu():
    """The CPU device."""
    return torch.device('cpu')


def gpu(i=0):
    """The i-th CUDA device (it need not exist; see ``try_gpu``)."""
    return torch.device(f'cuda:{i}')


def num_gpus():
    """How many CUDA GPUs this machine has."""
    return torch.cuda.device_count()


def try_gpu(i=0):
    """``gpu(i)`` if it exists, otherwise ``cpu()``."""
    if num_gpus() >= i + 1:
        return gpu(i)
    return cpu()


def try_all_gpus():
    """All CUDA GPUs, or ``[cpu()]`` when there are none."""
    return [gpu(i) for i in range(num_gpus())] or [cpu()]


def mps_available():
    return getattr(torch.backends, 'mps', None) is not None and torch.backends.mps.is_available()


def best_device():
    """CUDA if present, then Apple's MPS, then the CPU."""
    if num_gpus():
        return gpu(0)
    if mps_available():
        return torch.device('mps')
    return cpu()


def available_devices():
    """'cpu', 'cuda:0', ..., 'mps': what ``device=`` may name on this machine."""
    return ['cpu'] + [f'cuda:{i}' for i in range(num_gpus())] + (['mps'] if mps_available() else [])


def checked_device(device):
    """``device`` as a ``torch.device``, refused (naming what exists) when this machine lacks it."""
    try:
        found = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f'device={device!r} is not a device name ({err}); use one of '
            f'{", ".join(available_devices())}.'
        ) from None
    if found.type == 'meta':
        raise ValueError(
            f'device={device!r} holds shapes but no numbers: moving a model there '
            'throws its weights away. Use one of '
            f'{", ".join(available_devices())}.'
        )
    missing = (found.type == 'cuda' and (found.index or 0) >= num_gpus()) or (
        found.type == 'mps' and not mps_available()
    )
    if missing:
        raise ValueError(
            f'device={device!r}, but this machine has no such device; it has '
            f'{", ".join(available_devices())}. Use one of those: d2l.try_gpu() '
            'gives a GPU where there is one and the CPU otherwise (a Trainer: '
            'leave device out and pass num_gpus=1).'
        )
    return found


def training_device(num_gpus_asked=0, device=None):
    """(device, notice): where a Trainer trains, and a sentence for the reader or None.

    ``device`` wins over ``num_gpus``; ``num_gpus >= 1`` takes the best device
    there is (CUDA, then MPS), falling back to the CPU with a notice, as D2L's
    code does silently.
    """
    check_int(num_gpus_asked, 'num_gpus', low=0)
    if device is not None:
        return checked_device(device), None
    if not num_gpus_asked:
        return cpu(), None
    found = best_device()
    if found.type == 'cpu':
        return found, (
            f'Trainer: num_gpus={num_gpus_asked} but no GPU is available; training on the CPU.'
        )
    if num_gpus_asked > 1 and found.type == 'cuda' and num_gpus() < num_gpus_asked:
        return found, (
            f'Trainer: asked for {num_gpus_asked} GPUs, this machine has '
            f'{num_gpus()}; using {found}.'
        )
    return found, None


def _is_norm_layer(module):
    # nn.BatchNorm*/LayerNorm/GroupNorm and a student's own ``BatchNorm`` class alike
    return 'Norm' in type(module).__name__


def channels_last_helps(model, device):
    """What ``channels_last='auto'`` picks: channels-last memory on CUDA always; on
    the CPU for convolutional networks without normalisation layers.

    Measured on two CPU cores (``benchmarks/README.md``): channels-last trains
    LeNet about 1.2x and GoogLeNet 1.17x faster, AlexNet, VGG and NiN about the
    same, but BN-LeNet 2x slower (the CPU batch-norm kernels are slow in
    channels-last for a handful of channels), so layers with "Norm" in their
    class name switch it off on the CPU.
    """
    device = torch.device(device)
    if device.type == 'cuda':
        return True
    if device.type != 'cpu':
        return False
    modules = list(model.modules())
    return any(isinstance(m, nn.Conv2d) for m in modules) and not any(
        _is_norm_layer(m) for m in modules
    )


def autocast(device, amp='auto'):
    """The mixed-precision context for ``amp`` ('auto': bf16 on CUDA only; True/False)."""
    device = torch.device(device)
    if not (device.type == 'cuda' if amp == 'auto' else amp):
        return contextlib.nullcontext()
    bf16 = device.type != 'cuda' or torch.cuda.is_bf16_supported()
    return torch.autocast(device.type, dtype=torch.bfloat16 if bf16 else torch.float16)


def seed_everything(seed=0):
    """Seed Python, NumPy and torch (all devices) so a run can be repeated exactly.

    String hashing (``PYTHONHASHSEED``) is fixed when Python starts, so no
    function can change it for the running process; set the variable before
    starting Python if set iteration order matters (nothing in this book does).
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return seed
