"""Devices and seeds: D2L's ``cpu``/``gpu``/``try_gpu`` plus a reproducible seed.

A course that runs on Colab GPUs, Apple laptops and CI machines needs one place
that decides where tensors live. D2L only knows CUDA; here ``best_device`` also
tries Apple's MPS before falling back to the CPU.
"""
import os
import random

import numpy as np
import torch


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


def seed_everything(seed=0):
    """Seed Python, NumPy and torch (all devices) so a run can be repeated exactly."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ['PYTHONHASHSEED'] = str(seed)
    return seed
