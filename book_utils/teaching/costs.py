"""What a network costs: parameters, and multiply-adds (or FLOPs) layer by layer.

Section 8.1 derives the count: each of a convolution's c_o x h_o x w_o outputs
takes (c_i / groups) x k_h x k_w multiply-adds, two FLOPs each, and a dense
layer takes n_in x n_out. ``network_costs`` is the one counter the package and
the chapters use (7.4's and 8.1's cost tables, 8.4's and 8.6's comparisons, the
profile notes); ``pytorch_flops`` is PyTorch's own count, to check it against.
"""

import dataclasses
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from ..lazy_layers import materialise

__all__ = [
    'num_params',
    'layer_flops',
    'layer_multiply_adds',
    'Costs',
    'network_costs',
    'pytorch_flops',
]


def num_params(model):
    """The number of weights and biases of ``model`` (its lazy layers must have run)."""
    return sum(p.numel() for p in model.parameters())


def layer_multiply_adds(layer, Y):
    """Multiply-adds of one ``nn.Conv2d`` or ``nn.Linear`` for one example, given its output."""
    if isinstance(layer, nn.Conv2d):
        k_h, k_w = layer.kernel_size
        return (
            (layer.in_channels // layer.groups)
            * layer.out_channels
            * k_h
            * k_w
            * Y.shape[-2]
            * Y.shape[-1]
        )
    if isinstance(layer, nn.Linear):
        return layer.in_features * layer.out_features
    raise TypeError(
        f'layer_flops and layer_multiply_adds count nn.Conv2d and nn.Linear layers, '
        f'got {type(layer).__name__}.'
    )


def layer_flops(layer, Y):
    """FLOPs of one ``nn.Conv2d`` or ``nn.Linear`` for one example, given its output ``Y``."""
    return 2 * layer_multiply_adds(layer, Y)


@dataclasses.dataclass(frozen=True)
class Costs:
    """A network's size and work for one example of a given input shape."""

    parameters: int
    multiply_adds: int  # of its convolutions and dense layers, per example
    layers: tuple  # ((name in named_modules(), multiply-adds), ...) in the order they ran

    @property
    def flops(self):
        return 2 * self.multiply_adds


def network_costs(model: nn.Module | Callable[[], nn.Module], X_shape) -> Costs:
    """Parameters and multiply-adds of ``model`` for one input of ``X_shape``.

    ``model`` is a network, or something that builds one (a class such as ``d2l.GoogleNet``,
    or a ``lambda``); one that is built here is built on the meta device, so even VGG at
    224x224 costs no memory and no time. Lazy layers are given their shapes first. The
    multiply-adds are per example: divide by nothing, whatever the batch of ``X_shape``.
    """
    if not (
        isinstance(X_shape, (tuple, list, torch.Size))
        and len(X_shape) >= 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in X_shape)
    ):
        raise ValueError(
            f'X_shape must be an input shape with positive ints, e.g. '
            f'(1, 1, 224, 224); got {X_shape!r}.'
        )
    if not isinstance(model, nn.Module):
        if not callable(model):
            raise TypeError(
                f'model must be an nn.Module or something that builds one (a class, '
                f'a lambda), got {type(model).__name__}.'
            )
        with torch.device('meta'):
            return _count(model(), torch.zeros(X_shape))
    device = next(
        (
            p.device
            for p in model.parameters()
            if not isinstance(p, nn.parameter.UninitializedParameter)
        ),
        None,
    )
    return _count(model, torch.zeros(X_shape, device=device))


def _count(net, X):
    rows = []
    names = {layer: name for name, layer in net.named_modules()}

    def record(layer, inputs, Y):
        rows.append((names[layer], layer_multiply_adds(layer, Y)))

    materialise(net, lambda: net(X))
    hooks = [
        m.register_forward_hook(record)
        for m in net.modules()
        if isinstance(m, (nn.Conv2d, nn.Linear))
    ]
    was_training = net.training
    try:
        with torch.no_grad():
            net.eval()(X)
    finally:
        net.train(was_training)
        for hook in hooks:
            hook.remove()
    return Costs(
        parameters=num_params(net), multiply_adds=sum(m for _, m in rows), layers=tuple(rows)
    )


def pytorch_flops(model: nn.Module, X_shape) -> dict:
    """PyTorch's own count (``FlopCounterMode``) of one forward pass of ``model`` on zeros of
    ``X_shape``: ``{layer name: FLOPs}``, named as in ``model.named_modules()`` and summed over the batch, for
    the layers that did the work (convolutions, dense layers), so it lines up with
    ``network_costs(model, X_shape).layers``."""
    materialise(model, lambda: model(torch.zeros(X_shape)))
    leaves = {
        name for name, layer in model.named_modules() if isinstance(layer, (nn.Conv2d, nn.Linear))
    }
    was_training = model.training
    try:
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            model.eval()(torch.zeros(X_shape))
    finally:
        model.train(was_training)
    root = type(model).__name__
    found = {}
    for key, counts in counter.get_flop_counts().items():
        name = key[len(root) + 1 :] if key.startswith(root + '.') else None
        if name in leaves:
            found[name] = sum(counts.values())
    return found
