"""costs.py: the FLOP formula of section 8.1 against PyTorch's own count."""
import random

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import book_utils as d2l
from book_utils.teaching.costs import layer_flops, num_params


def _measured(layer, X):
    with FlopCounterMode(display=False) as counter:
        Y = layer(X)
    return Y, counter.get_total_flops()


def test_conv_formula_matches_flop_counter_over_random_settings():
    rng = random.Random(0)
    for _ in range(25):
        groups = rng.choice([1, 2, 4])
        c_i, c_o = groups * rng.randint(1, 4), groups * rng.randint(1, 4)
        k, s, p = (rng.randint(1, 5), rng.randint(1, 5)), (rng.randint(1, 3), rng.randint(1, 3)), \
            (rng.randint(0, 2), rng.randint(0, 2))
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
    assert num_params(net) == 61_706   # D2L's LeNet: 6*25+6 + 16*6*25+16 + 400*120+120 + ...


def test_other_layers_are_refused_by_name():
    with pytest.raises(TypeError, match='got MaxPool2d'):
        layer_flops(nn.MaxPool2d(2), torch.zeros(1, 1, 2, 2))
