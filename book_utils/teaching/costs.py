"""What a network costs: parameters, and floating-point operations layer by layer.

Section 8.1 derives the count: each of a convolution's c_o x h_o x w_o outputs
takes (c_i / groups) x k_h x k_w multiply-adds, two FLOPs each, and a dense
layer takes 2 x n_in x n_out. The chapter's exercises check these formulas
against PyTorch's own ``FlopCounterMode`` and use them to compare AlexNet, VGG
and NiN.
"""
from torch import nn

__all__ = ['num_params', 'layer_flops']


def num_params(model):
    """The number of weights and biases of ``model`` (its lazy layers must have run)."""
    return sum(p.numel() for p in model.parameters())


def layer_flops(layer, Y):
    """FLOPs of one ``nn.Conv2d`` or ``nn.Linear`` for one example, given its output ``Y``."""
    if isinstance(layer, nn.Conv2d):
        k_h, k_w = layer.kernel_size
        return (2 * (layer.in_channels // layer.groups) * layer.out_channels * k_h * k_w
                * Y.shape[-2] * Y.shape[-1])
    if isinstance(layer, nn.Linear):
        return 2 * layer.in_features * layer.out_features
    raise TypeError(f'layer_flops counts nn.Conv2d and nn.Linear layers, got {type(layer).__name__}.')
