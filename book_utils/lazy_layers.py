"""Lazy layers (``nn.LazyConv2d``, ``nn.LazyLinear``) learn their shapes from a first forward
pass; this is the one place that runs it, for the engine, D2L's function API, the cost
counter and the diagrams."""

from collections.abc import Callable

import torch
from torch import nn

__all__ = ['has_lazy_parameters', 'materialise']


def has_lazy_parameters(module: nn.Module) -> bool:
    """Whether ``module`` still holds a parameter whose shape is not yet known."""
    return any(isinstance(p, nn.parameter.UninitializedParameter) for p in module.parameters())


def materialise(module: nn.Module, forward_once: Callable[[], object]) -> nn.Module:
    """Give ``module``'s lazy layers their shapes by calling ``forward_once()`` (which runs
    ``module`` on one batch), in eval mode and without gradients, so no running statistic or
    graph is touched; the module's train/eval mode is restored. Nothing runs if ``module``
    has no lazy parameter. Returns ``module``."""
    if not has_lazy_parameters(module):
        return module
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            forward_once()
    finally:
        module.train(was_training)
    return module
