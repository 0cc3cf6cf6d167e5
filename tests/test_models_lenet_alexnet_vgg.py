"""AlexNet, VGG and NiN (sections 8.1-8.3) against D2L 1.0.3's facts and torchvision.

``d2l.torch`` does not ship these three models (they live only in the book's
text), so the references are D2L's published ``layer_summary`` output and the
parameter counts in ``d2l_reference.py`` (checked against D2L's own code by the
opt-in ``test_d2l_chapter_code.py``), and torchvision's VGG, which given our
weights must compute the same function. Big networks are built on the meta
device: shapes and parameter counts without allocating the weights.
"""

import pytest
import torch
from d2l_reference import PARAMETER_COUNTS, SUMMARIES, summary_rows
from torch import nn

import book_utils as d2l

MODELS = {  # fact name in d2l_reference: our model
    'AlexNet': d2l.AlexNet,
    'VGG-11': lambda: d2l.VGG('vgg11'),
    'VGG-11/4': lambda: d2l.VGG(d2l.VGG11_QUARTER),
    'NiN': d2l.NiN,
}


def layer_shapes(model, shape, device='meta'):
    """(layer name, output shape) for each top-level layer, on ``device``."""
    X, shapes = torch.empty(*shape, device=device), []
    for layer in model.net:
        X = layer(X)
        shapes.append((type(layer).__name__, tuple(X.shape)))
    return shapes


def num_params(model):
    return sum(p.numel() for p in model.parameters())


# -- architecture: shapes and parameters --------------------------------------------


@pytest.mark.parametrize('name', list(MODELS))
def test_layer_summary_and_parameters_are_d2ls(name):
    _, shape, _, rows = SUMMARIES[name]
    with torch.device('meta'):
        model = MODELS[name]()
        assert summary_rows(model, shape) == rows
    assert num_params(model) == PARAMETER_COUNTS[name]


def torchvision_vgg(name):
    """torchvision's VGG with one input channel and ten classes."""
    torchvision = pytest.importorskip('torchvision')
    tv = getattr(torchvision.models, name)()
    tv.features[0] = nn.Conv2d(1, 64, kernel_size=3, padding=1)
    tv.classifier[-1] = nn.Linear(4096, 10)
    return tv


def test_vgg11_computes_torchvisions_function_given_the_same_weights():
    """Same layers in the same order: our weights, copied in order, give the same scores
    at 224x224 (where torchvision's adaptive pooling to 7x7 does nothing)."""
    ours, tv = d2l.VGG('vgg11'), torchvision_vgg('vgg11')
    X = torch.rand(2, 1, 224, 224)
    ours.eval(), tv.eval()
    with torch.no_grad():
        ours(X)
        for theirs, mine in zip(tv.parameters(), ours.parameters(), strict=True):
            theirs.copy_(mine)
        torch.testing.assert_close(ours(X), tv(X))


@pytest.mark.parametrize('name', ['vgg16', 'vgg19'])
def test_vgg16_and_vgg19_shapes_and_parameters(name):
    """Deeper rows of the table change the blocks' contents, not VGG-11's shapes."""
    shape = (1, 1, 224, 224)
    with torch.device('meta'):
        mine = d2l.VGG(name)
        assert layer_shapes(mine, shape) == SUMMARIES['VGG-11'][3]
    convs = sum(isinstance(m, nn.Conv2d) for m in mine.modules())
    linears = sum(isinstance(m, nn.Linear) for m in mine.modules())
    assert convs + linears == int(name[3:])  # VGG-n has n weight layers


@pytest.mark.parametrize('name', ['vgg11', 'vgg13', 'vgg16', 'vgg19'])
def test_vgg_table_matches_torchvision(name):
    """torchvision's VGG, given one input channel and ten classes, has our parameters."""
    with torch.device('meta'):
        tv = torchvision_vgg(name)
        mine = d2l.VGG(name)
        mine(torch.empty(1, 1, 224, 224))
    assert num_params(mine) == num_params(tv)


def test_vgg_accepts_a_name_or_pairs_and_rejects_bad_arch():
    assert d2l.VGG('vgg16').hparams['arch'] == 'vgg16'
    with torch.device('meta'):
        by_name, by_pairs = d2l.VGG('vgg13'), d2l.VGG(list(map(list, d2l.VGG_ARCHS['vgg13'])))
        X = torch.empty(1, 1, 32, 32)
        by_name(X), by_pairs(X)
    assert num_params(by_name) == num_params(by_pairs)
    for bad, error, words in [
        ('vgg17', ValueError, "arch must be one of 'vgg11'.*'vgg17'"),
        ((), ValueError, r'at least one \(num_convs, out_channels\)'),
        (((1, 64), (2,)), ValueError, r'arch\[1\] must be a.*\(2,\)'),
        (
            ((0, 64),),
            ValueError,
            r'arch\[0\]\[0\] \(num_convs\) must be at '
            r'least 1, got 0',
        ),
        (64, TypeError, r"'vgg11'.*or a sequence.*got 64"),
        (
            ((1.5, 64),),
            TypeError,
            r'arch\[0\]\[0\] \(num_convs\) must be an '
            r'int, got 1.5',
        ),
    ]:
        with pytest.raises(error, match=words):
            d2l.VGG(bad)
    with pytest.raises(ValueError, match='num_convs must be at least 1, got 0'):
        d2l.vgg_block(0, 64)


def test_nin_block_is_a_conv_then_two_1x1_convs():
    block = d2l.nin_block(8, kernel_size=5, strides=2, padding=1)
    Y = block(torch.rand(2, 3, 17, 17))
    convs = [m for m in block if isinstance(m, nn.Conv2d)]
    assert [c.kernel_size for c in convs] == [(5, 5), (1, 1), (1, 1)]
    assert Y.shape == (2, 8, 8, 8) and (Y >= 0).all()  # ends with a ReLU
    assert convs[0].stride == (2, 2) and convs[0].padding == (1, 1)


# -- initialisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    'make',
    [d2l.AlexNet, lambda: d2l.VGG(d2l.VGG11_QUARTER), d2l.NiN],
    ids=['alexnet', 'vgg', 'nin'],
)
def test_constructor_init_reaches_lazy_layers(make):
    """Every conv/linear weight is Xavier-uniform once shapes are known (D2L's stays default)."""
    model = make()
    model(torch.rand(1, 1, 96, 96))
    for layer in model.modules():
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(layer.weight)
            bound = (6 / (fan_in + fan_out)) ** 0.5
            w = layer.weight.detach()
            assert w.abs().max() <= bound
            if w.numel() >= 1000:  # enough samples for the std of U(-a, a) = a / sqrt(3)
                assert abs(w.std().item() / (bound / 3**0.5) - 1) < 0.1


# -- input checks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    'make,min_size',
    [
        (d2l.AlexNet, 65),
        (d2l.NiN, 67),
        (lambda: d2l.VGG(d2l.VGG11_QUARTER), 32),
        (lambda: d2l.VGG(((1, 8), (1, 8), (1, 8))), 8),
    ],
    ids=['alexnet', 'nin', 'vgg5', 'vgg3'],
)
def test_min_size_is_the_true_smallest_input(make, min_size):
    model = make()
    assert model.input_spec.min_size == min_size
    model.eval()
    with torch.no_grad():
        assert model(torch.rand(1, 1, min_size, min_size)).shape == (1, 10)
        with pytest.raises(ValueError, match=f'at least {min_size}x{min_size}'):
            model(torch.rand(1, 1, min_size - 1, min_size - 1))
        unchecked = make()
        unchecked.input_spec = None  # without the check, torch fails later and less clearly
        with pytest.raises(RuntimeError):
            unchecked(torch.rand(1, 1, min_size - 1, min_size - 1))


def test_alexnet_on_28x28_names_the_expected_shape():
    with pytest.raises(ValueError) as err:
        d2l.AlexNet()(torch.rand(8, 1, 28, 28))
    message = str(err.value)
    assert 'AlexNet' in message and '(1, 1, 224, 224)' in message
    assert '(8, 1, 28, 28)' in message and 'resize' in message


@pytest.mark.parametrize(
    'make', [d2l.AlexNet, lambda: d2l.VGG('vgg11'), d2l.NiN], ids=['alexnet', 'vgg', 'nin']
)
def test_wrong_channels_or_rank_are_clear_errors(make):
    model = make()
    with pytest.raises(ValueError, match='1-channel'):
        model(torch.rand(2, 3, 224, 224))
    with pytest.raises(ValueError, match='unsqueeze'):
        model(torch.rand(1, 224, 224))
    with pytest.raises(TypeError, match='list'):
        model([[0.0]])
