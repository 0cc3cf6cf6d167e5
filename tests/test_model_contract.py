"""One contract for every model in ``book_utils.models`` (issue 18).

Each ``Classifier`` in ``models.__all__`` has an ``input_spec``, takes
``num_classes`` (a positive int), maps ``input_spec.example_batch(n)`` to
``(n, num_classes)`` scores, and refuses a wrong shape with a message that names
the shape it expected, before any layer runs. Every other public name must be a
known building block, so a new model cannot slip past this loop.
"""

import pytest
import torch
from torch import nn

import book_utils as d2l
from book_utils import models

#: Required constructor arguments, small where there is a choice.
ARGS = {'VGG': (d2l.VGG11_QUARTER,), 'ResNet': ('resnet18',)}

#: Public names that are not models: layers, blocks, functions and tables.
BUILDING_BLOCKS = {
    'VGG_ARCHS',
    'VGG11_QUARTER',
    'RESNET_ARCHS',
    'vgg_block',
    'nin_block',
    'Inception',
    'batch_norm',
    'BatchNorm',
    'Residual',
    'ResNeXtBlock',
}

MODEL_NAMES = [name for name in models.__all__ if name not in BUILDING_BLOCKS]


def make(name, **kwargs):
    return getattr(models, name)(*ARGS.get(name, ()), **kwargs)


def is_bound(model):
    return not any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters())


def test_every_public_name_is_a_model_or_a_known_building_block():
    for name in models.__all__:
        obj = getattr(models, name)
        is_model = isinstance(obj, type) and issubclass(obj, d2l.Classifier)
        assert is_model == (name not in BUILDING_BLOCKS), name
    assert len(MODEL_NAMES) == 9 and d2l.LeNet is models.LeNet


@pytest.mark.parametrize('name', MODEL_NAMES)
def test_spec_num_classes_and_forward_on_the_example_batch(name):
    model = make(name, num_classes=7)
    spec = model.input_spec
    assert isinstance(spec, d2l.InputSpec)
    assert spec.channels == 1 and spec.example[:2] == (1, 1)
    assert model.num_classes == 7 and model.hparams['num_classes'] == 7
    assert make(name).num_classes == 10  # D2L's default: Fashion-MNIST's ten classes
    model.eval()
    with torch.no_grad():
        assert model(spec.example_batch(2)).shape == (2, 7)


@pytest.mark.parametrize('name', MODEL_NAMES)
def test_a_wrong_shape_is_refused_before_any_layer_runs(name):
    model = make(name)
    example = model.input_spec.example
    shapes = [
        (example[1:], 'unsqueeze'),  # no batch axis
        ((2, 3) + example[2:], '1-channel images'),  # RGB
        ((2,) + example[1:] + (1,), 'batch of images'),
    ]  # a fifth axis
    if model.input_spec.min_size > 1:
        small = model.input_spec.min_size - 1
        shapes.append(((2, 1, small, small), f'at least {small + 1}x{small + 1}'))
    for shape, words in shapes:
        with pytest.raises(ValueError, match=words) as error:
            model(torch.rand(shape))
        assert str(example) in str(error.value) and name in str(error.value)
        assert not is_bound(model), 'the check must come before the first lazy layer'
    with pytest.raises(TypeError, match=r'expects a tensor'):
        model(example)


def test_lenet_without_a_batch_axis_is_refused_not_read_as_16_images():
    """Before the contract, LeNet()(torch.rand(1, 28, 28)) returned a (16, 10) tensor."""
    with pytest.raises(ValueError, match=r'\(1, 1, 28, 28\).*got shape \(1, 28, 28\).*unsqueeze'):
        d2l.LeNet()(torch.rand(1, 28, 28))


@pytest.mark.parametrize('name', MODEL_NAMES)
@pytest.mark.parametrize(
    'num_classes, error, words',
    [
        (0, ValueError, 'num_classes must be at least 1, got 0'),
        (-3, ValueError, 'num_classes must be at least 1, got -3'),
        (10.0, TypeError, r'num_classes must be an int, got 10.0'),
        (True, TypeError, r'num_classes must be an int, got True'),
    ],
)
def test_num_classes_is_checked_at_construction(name, num_classes, error, words):
    with pytest.raises(error, match=words):
        make(name, num_classes=num_classes)


@pytest.mark.parametrize('name', MODEL_NAMES)
def test_layer_summary_refuses_what_the_model_refuses_without_binding(name):
    model = make(name)
    example = model.input_spec.example
    with pytest.raises(ValueError, match='1-channel images'):
        model.layer_summary((1, 3) + example[2:])
    assert not is_bound(model)
