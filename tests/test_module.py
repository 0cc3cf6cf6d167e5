"""module.py and hparams.py against D2L 1.0.3."""

import inspect

import pytest
import torch
from d2l_reference import summary_lines
from torch import nn

import book_utils as d2l


def test_save_hyperparameters_and_add_to_class():
    class A(d2l.HyperParameters):
        def __init__(self, a, b, _private=1, c=3):
            self.save_hyperparameters(ignore=['c'])

    obj = A(1, 2)
    assert (obj.a, obj.b, obj.hparams) == (1, 2, {'a': 1, 'b': 2})
    assert not hasattr(obj, 'c')

    @d2l.add_to_class(A)
    def total(self):
        return self.a + self.b

    assert obj.total() == 3


def test_classifier_accuracy_and_loss_match_oracle(oracle):
    Y_hat, Y = torch.randn(32, 10), torch.randint(0, 10, (32,))
    ours, ref = d2l.Classifier(), oracle.Classifier()
    torch.testing.assert_close(ours.accuracy(Y_hat, Y), ref.accuracy(Y_hat, Y))
    torch.testing.assert_close(
        ours.accuracy(Y_hat, Y, averaged=False), ref.accuracy(Y_hat, Y, averaged=False)
    )
    torch.testing.assert_close(ours.loss(Y_hat, Y), ref.loss(Y_hat, Y))
    torch.testing.assert_close(
        ours.loss(Y_hat, Y, averaged=False), ref.loss(Y_hat, Y, averaged=False)
    )


def test_lenet_layer_summary_matches_oracle(oracle):
    ours, ref = (
        summary_lines(d2l.LeNet(), (1, 1, 28, 28)),
        summary_lines(oracle.LeNet(), (1, 1, 28, 28)),
    )
    assert ours == ref and len(ours) == 12


def test_layer_summary_builds_input_on_model_device():
    model = d2l.LeNet()
    model(torch.zeros(1, 1, 28, 28))
    seen = []
    model.net[0].register_forward_pre_hook(lambda mod, args: seen.append(args[0].device))
    summary_lines(model, (1, 1, 28, 28))
    assert seen == [next(model.parameters()).device]


def test_init_cnn_same_as_oracle_on_built_layers(oracle):
    """After apply_init (D2L's LeNet flow) both initialise exactly alike from one seed."""
    X = torch.randn(2, 1, 28, 28)
    torch.manual_seed(3)
    ours = d2l.LeNet()
    ours.apply_init([X], d2l.init_cnn)
    torch.manual_seed(3)
    ref = oracle.LeNet()
    ref.apply_init([X], oracle.init_cnn)
    for (name, p), (_, q) in zip(ours.state_dict().items(), ref.state_dict().items()):
        assert torch.equal(p, q), name


def test_init_cnn_reaches_lazy_layers_in_constructor(oracle):
    """D2L's defect: net.apply(init_cnn) before the first forward leaves lazy layers untouched."""

    def build(init):
        torch.manual_seed(0)
        net = nn.Sequential(nn.LazyConv2d(64, 3), nn.Flatten(), nn.LazyLinear(10))
        net.apply(init)
        net(torch.zeros(1, 1, 8, 8))
        return net

    ours, ref = build(d2l.init_cnn), build(oracle.init_cnn)
    w_ours, w_ref = ours[0].weight, ref[0].weight
    xavier = (6 / (1 * 9 + 64 * 9)) ** 0.5
    kaiming = 1 / 9**0.5
    assert w_ours.abs().max() <= xavier < kaiming
    assert w_ref.abs().max() > xavier  # D2L kept PyTorch's default (kaiming-uniform) init
    assert 0.9 * xavier < w_ours.abs().max()


def test_init_cnn_does_not_clobber_loaded_weights():
    torch.manual_seed(0)
    src = nn.Sequential(nn.LazyLinear(4))
    src(torch.zeros(1, 3))
    dst = nn.Sequential(nn.LazyLinear(4))
    dst.apply(d2l.init_cnn)
    dst.load_state_dict(src.state_dict())
    dst(torch.zeros(1, 3))
    assert torch.equal(dst[0].weight, src[0].weight)


def test_input_spec_names_expected_shape():
    spec = d2l.InputSpec(channels=1, min_size=63, example=(1, 1, 224, 224))
    with pytest.raises(ValueError, match=r'63x63.*\(1, 1, 224, 224\)'):
        spec.check(torch.zeros(2, 1, 28, 28), 'AlexNet')
    with pytest.raises(ValueError, match='1-channel'):
        spec.check(torch.zeros(2, 3, 224, 224), 'AlexNet')
    with pytest.raises(ValueError, match='unsqueeze'):
        spec.check(torch.zeros(1, 224, 224), 'AlexNet')


def test_input_spec_checks_its_own_arguments_and_builds_example_batches():
    spec = d2l.InputSpec(channels=1, min_size=12, example=(1, 1, 28, 28))
    assert spec.example_batch(3).shape == (3, 1, 28, 28)
    assert d2l.InputSpec(channels=3, min_size=5).example_batch(2).shape == (2, 3, 5, 5)
    with pytest.raises(ValueError, match=r'min_size must be at least 1, got 0'):
        d2l.InputSpec(min_size=0)
    with pytest.raises(
        ValueError, match=r'example \(1, 3, 28, 28\) has 3 channels, but channels is 1'
    ):
        d2l.InputSpec(channels=1, example=(1, 3, 28, 28))
    with pytest.raises(ValueError, match=r'smaller than min_size=32'):
        d2l.InputSpec(channels=1, min_size=32, example=(1, 1, 28, 28))
    with pytest.raises(ValueError, match=r'batch_size must be at least 1, got 0'):
        spec.example_batch(0)


def test_forward_without_a_network_says_what_is_missing():
    """D2L asserts 'Neural network is defined' exactly when it is not."""

    class NoNet(d2l.Classifier):
        pass

    with pytest.raises(NotImplementedError, match=r'NoNet has no network to run: set self.net'):
        NoNet()(torch.zeros(1, 1, 28, 28))


def test_layer_summary_checks_the_input_before_binding_lazy_layers():
    """A refused shape must not leave lazy layers bound to it (3 channels, a tiny image)."""
    model = d2l.LeNet()
    for bad, words in [
        ((1, 3, 28, 28), '1-channel'),
        ((1, 1, 8, 8), 'at least 12x12'),
        ((1, 28, 28), 'unsqueeze'),
    ]:
        with pytest.raises(ValueError, match=words):
            model.layer_summary(bad)
        assert any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters())
    with pytest.raises(TypeError, match=r'X_shape must be a shape such as'):
        model.layer_summary(28)
    assert len(summary_lines(model, (1, 1, 28, 28))) == 12
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_save_hyperparameters_ignore_defaults_to_a_fresh_empty_choice():
    class A(d2l.HyperParameters):
        def __init__(self, a, b=2):
            self.save_hyperparameters()

    default = inspect.signature(d2l.HyperParameters.save_hyperparameters).parameters['ignore']
    assert default.default is None
    assert A(1).hparams == {'a': 1, 'b': 2} and A(3, 4).hparams == {'a': 3, 'b': 4}
