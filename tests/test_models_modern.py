"""googlenet.py, batchnorm.py and resnet.py against D2L 1.0.3 and torch.nn.

The oracle package ``d2l.torch`` holds only some of chapter 8's classes
(``Residual``, ``ResNeXtBlock``); the others come from D2L 1.0.3's own code for
sections 8.4-8.6 (``tests/d2l_code``), run on the oracle's ``Classifier`` and
``init_cnn``.
"""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import book_utils as d2l
from d2l_reference import d2l_definitions, summary_lines


@pytest.fixture
def ref(oracle):
    """D2L 1.0.3's Inception, GoogleNet, batch_norm, BatchNorm, BN-LeNets, ResNet and
    ResNet18, from its own code for sections 8.4-8.6 (tests/d2l_code), on the oracle."""
    classes = {}
    for section in ('8.4', '8.5', '8.6'):
        classes.update(d2l_definitions(section, oracle))
    return classes


def count(model):
    return sum(p.numel() for p in model.parameters())


def materialise(model, shape):
    """Run one eval-mode forward so lazy layers take their shapes; return the parameter count."""
    model.eval()
    with torch.no_grad():
        model.net(torch.zeros(shape))
    return count(model)


def same_function(ours, theirs, shape, train=False):
    """Give ``theirs`` our weights and check that both compute the same outputs."""
    materialise(ours, shape), materialise(theirs, shape)
    theirs.load_state_dict(ours.state_dict())
    X = torch.randn(shape)
    ours.train(train), theirs.train(train)
    torch.testing.assert_close(ours(X), theirs(X))


# -- GoogLeNet ------------------------------------------------------------------------------

def test_googlenet_layer_summary_and_parameters_match_d2l(ref):
    ours, theirs = d2l.GoogleNet(), ref['GoogleNet']()
    lines = summary_lines(ours, (1, 1, 96, 96))
    assert lines == summary_lines(theirs, (1, 1, 96, 96)) and len(lines) == 6
    assert '[1, 480, 6, 6]' in lines[2] and '[1, 1024]' in lines[4]
    assert count(ours) == count(theirs)   # layer_summary has given every lazy layer its shape


def test_googlenet_computes_d2l_function(ref):
    same_function(d2l.GoogleNet(), ref['GoogleNet'](), (2, 1, 32, 32))


def test_inception_channels_add_up_and_size_is_kept():
    block = d2l.Inception(64, (96, 128), (16, 32), 32)
    Y = block(torch.randn(2, 192, 7, 5))
    assert Y.shape == (2, 64 + 128 + 32 + 32, 7, 5)
    assert block.b2_1.weight.shape == (96, 192, 1, 1) and block.b3_2.weight.shape == (32, 16, 5, 5)


def test_inception_rejects_bad_channel_arguments():
    with pytest.raises(ValueError, match=r'c2=96'):
        d2l.Inception(64, 96, (16, 32), 32)


def test_googlenet_constructor_init_reaches_lazy_convs():
    model = d2l.GoogleNet()
    materialise(model, (1, 1, 96, 96))
    w = model.net[0][0].weight                   # 64 x 1 x 7 x 7
    xavier = (6 / (1 * 49 + 64 * 49)) ** 0.5    # PyTorch's default bound would be 1/7
    assert w.abs().max() <= xavier and w.abs().max() > 0.9 * xavier


# -- batch norm -----------------------------------------------------------------------------

def test_batch_norm_function_matches_d2l_in_training(ref):
    X = torch.randn(8, 3, 5, 5) * 2 + 1
    gamma, beta = torch.rand(1, 3, 1, 1) + 0.5, torch.randn(1, 3, 1, 1)
    mm, mv = torch.zeros(1, 3, 1, 1), torch.ones(1, 3, 1, 1)
    Y, m, v = d2l.batch_norm(X, gamma, beta, mm, mv, eps=1e-5, momentum=0.1, training=True)
    Y_ref, m_ref, v_ref = ref['batch_norm'](X, gamma, beta, mm, mv, eps=1e-5, momentum=0.1)
    torch.testing.assert_close(Y, Y_ref)
    torch.testing.assert_close(m, m_ref)
    # D2L averages the biased batch variance; PyTorch (and we) the unbiased one.
    n = 8 * 5 * 5
    torch.testing.assert_close(v - 0.9 * mv, (v_ref - 0.9 * mv) * n / (n - 1))


def test_batch_norm_function_default_mode_is_d2ls_rule(ref):
    X, g, b = torch.randn(4, 6), torch.ones(1, 6), torch.zeros(1, 6)
    mm, mv = torch.full((1, 6), 3.0), torch.full((1, 6), 4.0)
    with torch.no_grad():
        Y, m, _ = d2l.batch_norm(X, g, b, mm, mv, 1e-5, 0.1)
    torch.testing.assert_close(Y, (X - 3) / (4 + 1e-5) ** 0.5)
    assert torch.equal(m, mm)


@pytest.mark.parametrize('num_dims, shape, reference', [
    (4, (16, 5, 6, 6), nn.BatchNorm2d),
    (2, (16, 7), nn.BatchNorm1d),
])
@pytest.mark.parametrize('momentum', [0.1, 0.3])
def test_batchnorm_matches_torch_in_both_modes(num_dims, shape, reference, momentum):
    ours = d2l.BatchNorm(shape[1], num_dims, momentum=momentum)
    torch_bn = reference(shape[1], momentum=momentum)
    with torch.no_grad():
        gamma, beta = torch.rand(shape[1]) + 0.5, torch.randn(shape[1])
        ours.gamma.copy_(gamma.reshape(ours.gamma.shape)), ours.beta.copy_(beta.reshape(ours.beta.shape))
        torch_bn.weight.copy_(gamma), torch_bn.bias.copy_(beta)
    for step in range(5):   # several training steps: outputs and running statistics agree
        X = torch.randn(shape) * (step + 1) + step
        torch.testing.assert_close(ours(X), torch_bn(X))
        torch.testing.assert_close(ours.moving_mean.flatten(), torch_bn.running_mean)
        torch.testing.assert_close(ours.moving_var.flatten(), torch_bn.running_var)
    ours.eval(), torch_bn.eval()
    X = torch.randn(shape)
    torch.testing.assert_close(ours(X), torch_bn(X))


def test_batchnorm_gradients_match_torch():
    ours, torch_bn = d2l.BatchNorm(4, 4), nn.BatchNorm2d(4)
    X = torch.randn(6, 4, 3, 3, requires_grad=True)
    X2 = X.detach().clone().requires_grad_()
    (ours(X) ** 3).sum().backward()
    (torch_bn(X2) ** 3).sum().backward()
    torch.testing.assert_close(X.grad, X2.grad)
    torch.testing.assert_close(ours.gamma.grad.flatten(), torch_bn.weight.grad)


def test_batchnorm_statistics_are_buffers_saved_in_state_dict():
    bn = d2l.BatchNorm(3, 4)
    assert [name for name, _ in bn.named_buffers()] == ['moving_mean', 'moving_var']
    assert [name for name, _ in bn.named_parameters()] == ['gamma', 'beta']
    bn(torch.randn(4, 3, 5, 5) + 2)
    state = bn.state_dict()
    assert set(state) == {'gamma', 'beta', 'moving_mean', 'moving_var'}
    fresh = d2l.BatchNorm(3, 4)
    fresh.load_state_dict(state)
    bn.eval(), fresh.eval()
    X = torch.randn(2, 3, 5, 5)
    assert torch.equal(fresh(X), bn(X)) and fresh.moving_mean.abs().sum() > 0


def test_d2l_batchnorm_loses_its_statistics_on_save(ref):
    """The defect fixed above, shown on D2L's layer: nothing but gamma and beta is saved."""
    assert set(ref['BatchNorm'](3, 4).state_dict()) == {'gamma', 'beta'}


def test_batchnorm_buffers_follow_to():
    bn = d2l.BatchNorm(3, 4).to(torch.float64)
    assert bn.moving_mean.dtype == torch.float64 and bn.moving_var.dtype == torch.float64
    bn = d2l.BatchNorm(3, 4).to('meta')
    assert bn.moving_mean.device.type == 'meta' and bn.moving_var.device.type == 'meta'


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
def test_batchnorm_buffers_move_to_gpu_and_stay_there():
    model = d2l.BNLeNetScratch().to('cuda')
    model(torch.randn(4, 1, 28, 28, device='cuda'))
    bns = [m for m in model.modules() if isinstance(m, d2l.BatchNorm)]
    assert all(b.moving_mean.is_cuda and b.moving_var.is_cuda for b in bns)
    assert all(v.is_cuda for v in model.state_dict().values())


def test_batchnorm_mode_follows_train_and_eval_not_grad(ref):
    X = torch.randn(8, 3, 4, 4) * 3 + 5
    ours, theirs = d2l.BatchNorm(3, 4), ref['BatchNorm'](3, 4)
    ours.eval(), theirs.eval()
    Y = ours(X)                      # eval with gradients on: running statistics, no update
    assert torch.equal(ours.moving_mean, torch.zeros(1, 3, 1, 1))
    torch.testing.assert_close(Y, X / (1 + 1e-5) ** 0.5)
    theirs(X)                        # D2L's layer still trains its statistics here
    assert not torch.equal(theirs.moving_mean, torch.zeros(1, 3, 1, 1))
    ours.train()
    torch_bn = nn.BatchNorm2d(3)
    with torch.no_grad():            # train mode without gradients: batch statistics, update
        torch.testing.assert_close(ours(X), torch_bn(X))
    torch.testing.assert_close(ours.moving_mean.flatten(), torch_bn.running_mean)


def test_batchnorm_rejects_bad_input():
    with pytest.raises(ValueError, match=r'num_dims must be 2.*got 3'):
        d2l.BatchNorm(6, 3)
    with pytest.raises(ValueError, match=r'\(batch, 6, height, width\), got \(2, 5, 4, 4\)'):
        d2l.BatchNorm(6, 4)(torch.randn(2, 5, 4, 4))
    with pytest.raises(ValueError, match=r'more than one value per channel.*\(1, 6\)'):
        d2l.BatchNorm(6, 2)(torch.randn(1, 6))
    with pytest.raises(ValueError, match=r'got \(2, 3, 4\)'):
        d2l.batch_norm(torch.randn(2, 3, 4), 1, 0, 0, 1, 1e-5, 0.1)


@pytest.mark.parametrize('name', ['BNLeNetScratch', 'BNLeNet'])
def test_bn_lenet_summary_and_parameters_match_d2l(ref, name):
    ours, theirs = getattr(d2l, name)(), ref[name]()
    lines = summary_lines(ours, (2, 1, 28, 28))
    assert lines == summary_lines(theirs, (2, 1, 28, 28)) and len(lines) == 16
    assert count(ours) == count(theirs) == 44_426 + 2 * (6 + 16 + 120 + 84)


def test_bn_lenet_scratch_and_concise_compute_the_same_function():
    scratch, concise = d2l.BNLeNetScratch(), d2l.BNLeNet()
    materialise(scratch, (2, 1, 28, 28)), materialise(concise, (2, 1, 28, 28))
    target = concise.state_dict()
    renamed = {}
    for k, v in scratch.state_dict().items():
        k = k.replace('gamma', 'weight').replace('beta', 'bias')
        k = k.replace('moving_mean', 'running_mean').replace('moving_var', 'running_var')
        renamed[k] = v.reshape(target[k].shape)
    missing, unexpected = concise.load_state_dict(renamed, strict=False)
    assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing)
    X = torch.randn(8, 1, 28, 28)
    for train in (True, True, False):
        scratch.train(train), concise.train(train)
        torch.testing.assert_close(scratch(X), concise(X))


# -- ResNet and ResNeXt ---------------------------------------------------------------------

@pytest.mark.parametrize('args, in_shape, out_shape', [
    ((3,), (4, 3, 6, 6), (4, 3, 6, 6)),
    ((6, True, 2), (4, 3, 6, 6), (4, 6, 3, 3)),
])
def test_residual_matches_oracle(oracle, args, in_shape, out_shape):
    ours, theirs = d2l.Residual(*args), oracle.Residual(*args)
    X = torch.randn(in_shape)
    assert ours(X).shape == theirs(X).shape == out_shape
    theirs.load_state_dict(ours.state_dict())
    for train in (True, False):
        ours.train(train), theirs.train(train)
        torch.testing.assert_close(ours(X), theirs(X))


def test_residual_refuses_a_shortcut_of_the_wrong_shape(oracle):
    X = torch.randn(2, 1, 6, 6)
    assert oracle.Residual(8)(X).shape == (2, 8, 6, 6)   # D2L broadcasts the 1 channel silently
    with pytest.raises(ValueError, match=r'use_1x1conv=True'):
        d2l.Residual(8)(X)


def test_resnet18_summary_parameters_and_function_match_d2l(ref):
    ours, theirs = d2l.ResNet18(), ref['ResNet18']()
    lines = summary_lines(ours, (1, 1, 96, 96))
    assert lines == summary_lines(theirs, (1, 1, 96, 96)) and len(lines) == 6
    assert '[1, 512, 3, 3]' in lines[4]
    assert count(ours) == count(theirs)
    same_function(ours, theirs, (2, 1, 32, 32))


def test_resnet_arch_names_and_tables(ref):
    arch34 = ((3, 64), (4, 128), (6, 256), (3, 512))
    count = materialise(d2l.ResNet('resnet34'), (1, 1, 32, 32))
    assert count == materialise(ref['ResNet'](arch34), (1, 1, 32, 32))
    assert count == materialise(d2l.ResNet(arch34), (1, 1, 32, 32))
    with pytest.raises(ValueError, match=r"resnet50"):
        d2l.ResNet('resnet50')
    with pytest.raises(ValueError, match=r'\(num_residuals, num_channels\) pairs'):
        d2l.ResNet([(2, 64, 1)])


def test_resnext_groups_is_the_number_of_groups(oracle):
    ours = d2l.ResNeXtBlock(32, 16, 1)
    theirs = oracle.ResNeXtBlock(32, 16, 1)
    X = torch.randn(4, 32, 6, 6)
    assert ours(X).shape == theirs(X).shape == (4, 32, 6, 6)
    assert ours.conv2.groups == 16 and theirs.conv2.groups == 32 // 16
    # Ours with g groups is D2L's block called with bot_channels // g.
    ours = d2l.ResNeXtBlock(32, 4, 1, use_1x1conv=True, strides=2)
    theirs = oracle.ResNeXtBlock(32, 32 // 4, 1, use_1x1conv=True, strides=2)
    X = torch.randn(4, 96, 6, 6)
    assert ours(X).shape == theirs(X).shape == (4, 32, 3, 3)
    theirs.load_state_dict(ours.state_dict())
    for train in (True, False):
        ours.train(train), theirs.train(train)
        torch.testing.assert_close(ours(X), theirs(X))


@pytest.mark.parametrize('num_channels, bot_mul', [(64, 1), (64, 0.5), (96, 0.25)])
def test_resnext_channel_arithmetic_and_parameters_fall_by_g(num_channels, bot_mul):
    bot = int(round(num_channels * bot_mul))
    dense = None
    for g in [g for g in (1, 2, 4, 8, 16, 32) if bot % g == 0]:
        block = d2l.ResNeXtBlock(num_channels, g, bot_mul, use_1x1conv=True, strides=2)
        Y = block(torch.randn(2, 48, 8, 8))
        assert Y.shape == (2, num_channels, 4, 4)
        assert block.conv1.weight.shape == (bot, 48, 1, 1)
        assert block.conv2.weight.shape == (bot, bot // g, 3, 3)
        assert block.conv3.weight.shape == (num_channels, bot, 1, 1)
        weights = block.conv2.weight.numel()
        dense = dense or weights
        assert weights * g == dense == bot * bot * 9


def test_resnext_rejects_groups_that_do_not_divide():
    with pytest.raises(ValueError, match=r'32 bottleneck channels.*groups=3'):
        d2l.ResNeXtBlock(32, 3, 1)


# -- input checks ---------------------------------------------------------------------------

@pytest.mark.parametrize('name', ['GoogleNet', 'BNLeNetScratch', 'BNLeNet', 'ResNet18'])
def test_input_spec_is_the_true_smallest_size(name):
    model = getattr(d2l, name)()
    spec = type(model).input_spec
    n = spec.min_size
    model.eval()
    with torch.no_grad():
        assert model(torch.randn(1, 1, n, n)).shape == (1, 10)
        if n > 1:   # one pixel less empties a feature map in the raw network
            with pytest.raises(RuntimeError):
                model.net(torch.randn(1, 1, n - 1, n - 1))
    with pytest.raises(ValueError, match=rf'at least {n}x{n}'):
        model(torch.randn(1, 1, n - 1, n - 1))
    with pytest.raises(ValueError, match=r'1-channel images.*got 3 channels'):
        model(torch.randn(1, 3, 96, 96))


def test_small_inputs_shrink_googlenet_to_one_pixel():
    """Why 28x28 is a poor fit for GoogLeNet although it runs: b4 already sees 1x1 maps."""
    model = d2l.GoogleNet().eval()
    X = torch.randn(1, 1, 28, 28)
    sizes = []
    for block in model.net[:4]:
        X = block(X)
        sizes.append(X.shape[-1])
    assert sizes == [7, 4, 2, 1]
