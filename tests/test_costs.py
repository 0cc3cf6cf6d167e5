"""costs.py: the FLOP formula of section 8.1 against PyTorch's own count."""

import random

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import book_utils as d2l
from book_utils.teaching.costs import layer_flops, network_costs, num_params, pytorch_flops


def _measured(layer, X):
    with FlopCounterMode(display=False) as counter:
        Y = layer(X)
    return Y, counter.get_total_flops()


def test_conv_formula_matches_flop_counter_over_random_settings():
    rng = random.Random(0)
    for _ in range(25):
        groups = rng.choice([1, 2, 4])
        c_i, c_o = groups * rng.randint(1, 4), groups * rng.randint(1, 4)
        k, s, p = (
            (rng.randint(1, 5), rng.randint(1, 5)),
            (rng.randint(1, 3), rng.randint(1, 3)),
            (rng.randint(0, 2), rng.randint(0, 2)),
        )
        layer = nn.Conv2d(c_i, c_o, k, stride=s, padding=p, groups=groups, bias=False)
        Y, flops = _measured(layer, torch.zeros(1, c_i, rng.randint(6, 20), rng.randint(6, 20)))
        assert layer_flops(layer, Y) == flops, layer


def test_dense_formula_and_parameter_count():
    layer = nn.Linear(300, 17)
    Y, flops = _measured(layer, torch.zeros(1, 300))
    assert layer_flops(layer, Y) == flops == 2 * 300 * 17
    assert num_params(layer) == 300 * 17 + 17
    net = d2l.LeNet()
    net(torch.zeros(1, 1, 28, 28))
    assert num_params(net) == 61_706  # D2L's LeNet: 6*25+6 + 16*6*25+16 + 400*120+120 + ...


def test_other_layers_are_refused_by_name():
    with pytest.raises(TypeError, match='got MaxPool2d'):
        layer_flops(nn.MaxPool2d(2), torch.zeros(1, 1, 2, 2))


@pytest.mark.parametrize(
    'make, X_shape',
    [
        (d2l.AlexNet, (1, 1, 224, 224)),
        (d2l.NiN, (1, 1, 224, 224)),
        (d2l.GoogleNet, (1, 1, 96, 96)),
        (d2l.ResNet18, (1, 1, 96, 96)),
        (lambda: d2l.VGG(arch=d2l.VGG11_QUARTER), (1, 1, 224, 224)),
    ],
)
def test_network_costs_on_meta_agree_with_pytorchs_count_on_a_real_network(make, X_shape):
    """The meta-device count equals FlopCounterMode's on a real, materialised copy, layer by
    layer, and the parameters equal the real network's."""
    costs = network_costs(make, X_shape)
    torch.manual_seed(0)
    real = make()
    measured = pytorch_flops(real, X_shape)
    assert {name: 2 * macs for name, macs in costs.layers} == measured
    assert costs.flops == sum(measured.values())
    assert costs.parameters == num_params(real)


def test_network_costs_of_a_built_network_leave_it_as_it_was():
    net = d2l.LeNet()
    net.train()
    costs = network_costs(net, (1, 1, 28, 28))
    assert costs.parameters == 61_706 and net.training
    assert [name for name, _ in costs.layers] == ['net.0', 'net.3', 'net.7', 'net.9', 'net.11']
    assert costs.multiply_adds == (
        6 * 25 * 28 * 28 + 16 * 6 * 25 * 10 * 10 + 400 * 120 + 120 * 84 + 84 * 10
    )
    assert not any(hook for m in net.modules() for hook in m._forward_hooks.values())


def test_network_costs_refuses_a_shape_and_a_model_it_cannot_use():
    with pytest.raises(ValueError, match='X_shape must be an input shape'):
        network_costs(d2l.LeNet, (1, 1, 28.0, 28))
    with pytest.raises(TypeError, match='model must be an nn.Module or something that builds'):
        network_costs('lenet', (1, 1, 28, 28))
