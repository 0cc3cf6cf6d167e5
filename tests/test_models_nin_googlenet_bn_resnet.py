"""googlenet.py, batchnorm.py and resnet.py against D2L 1.0.3 and torch.nn.

The oracle package ``d2l.torch`` holds only some of chapter 8's classes
(``Residual``, ``ResNeXtBlock``): those are compared given the same weights. For
the others the references are D2L's ``layer_summary`` output and parameter counts
(``d2l_reference.py``, checked against D2L's own code by the opt-in
``test_d2l_chapter_code.py``) and PyTorch's own batch norm.
"""

import pytest
import torch
from d2l_reference import PARAMETER_COUNTS, RESNET34_STAGES, SUMMARIES, summary_rows
from torch import nn
from torch.nn import functional as F

import book_utils as d2l


def count(model):
    return sum(p.numel() for p in model.parameters())


def materialise(model, shape):
    """Run one eval-mode forward so lazy layers take their shapes; return the parameter count."""
    model.eval()
    with torch.no_grad():
        model.net(torch.zeros(shape))
    return count(model)


# -- GoogLeNet ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    'name, make',
    [
        ('GoogleNet', d2l.GoogleNet),
        ('BNLeNetScratch', d2l.BNLeNetScratch),
        ('BNLeNet', d2l.BNLeNet),
        ('ResNet18', d2l.ResNet18),
        ('ResNet-34', lambda: d2l.ResNet('resnet34')),
    ],
)
def test_layer_summary_and_parameters_are_d2ls(name, make):
    _, shape, _, rows = SUMMARIES[name]
    model = make()
    assert summary_rows(model, shape) == rows
    assert count(model) == PARAMETER_COUNTS[name]  # layer_summary gave every lazy layer its shape


def test_inception_channels_add_up_and_size_is_kept():
    block = d2l.Inception(64, (96, 128), (16, 32), 32)
    Y = block(torch.randn(2, 192, 7, 5))
    assert Y.shape == (2, 64 + 128 + 32 + 32, 7, 5)
    assert block.b2_1.weight.shape == (96, 192, 1, 1) and block.b3_2.weight.shape == (32, 16, 5, 5)


def test_inception_rejects_bad_channel_arguments():
    with pytest.raises(TypeError, match=r'Inception c2 must be a \(reduce, out\) pair.*got 96'):
        d2l.Inception(64, 96, (16, 32), 32)
    with pytest.raises(ValueError, match=r'c3\[1\] \(out\) must be at least 1, got 0'):
        d2l.Inception(64, (96, 128), (16, 0), 32)
    with pytest.raises(TypeError, match=r'c1 must be an int, got 64.0'):
        d2l.Inception(64.0, (96, 128), (16, 32), 32)


def test_googlenet_constructor_init_reaches_lazy_convs():
    model = d2l.GoogleNet()
    materialise(model, (1, 1, 96, 96))
    w = model.net[0][0].weight  # 64 x 1 x 7 x 7
    xavier = (6 / (1 * 49 + 64 * 49)) ** 0.5  # PyTorch's default bound would be 1/7
    assert w.abs().max() <= xavier and w.abs().max() > 0.9 * xavier


# -- batch norm -----------------------------------------------------------------------------


@pytest.mark.parametrize('shape', [(8, 3, 5, 5), (16, 3)])
def test_batch_norm_function_matches_torch_in_training(shape):
    X = torch.randn(shape) * 2 + 1
    param = (1, 3, 1, 1) if len(shape) == 4 else (1, 3)
    gamma, beta = torch.rand(param) + 0.5, torch.randn(param)
    mm, mv = torch.zeros(param), torch.ones(param)
    Y, m, v = d2l.batch_norm(X, gamma, beta, mm, mv, eps=1e-5, momentum=0.1, training=True)
    running_mean, running_var = torch.zeros(3), torch.ones(3)
    Y_ref = F.batch_norm(
        X,
        running_mean,
        running_var,
        gamma.flatten(),
        beta.flatten(),
        training=True,
        momentum=0.1,
        eps=1e-5,
    )
    torch.testing.assert_close(Y, Y_ref)
    # The running averages use the unbiased batch variance, as PyTorch's do (D2L's use
    # the biased one).
    torch.testing.assert_close(m.flatten(), running_mean)
    torch.testing.assert_close(v.flatten(), running_var)


def test_batch_norm_function_default_mode_is_d2ls_rule():
    X, g, b = torch.randn(4, 6), torch.ones(1, 6), torch.zeros(1, 6)
    mm, mv = torch.full((1, 6), 3.0), torch.full((1, 6), 4.0)
    with torch.no_grad():
        Y, m, _ = d2l.batch_norm(X, g, b, mm, mv, 1e-5, 0.1)
    torch.testing.assert_close(Y, (X - 3) / (4 + 1e-5) ** 0.5)
    assert torch.equal(m, mm)


@pytest.mark.parametrize(
    'num_dims, shape, reference',
    [
        (4, (16, 5, 6, 6), nn.BatchNorm2d),
        (2, (16, 7), nn.BatchNorm1d),
    ],
)
@pytest.mark.parametrize('momentum', [0.1, 0.3])
def test_batchnorm_matches_torch_in_both_modes(num_dims, shape, reference, momentum):
    ours = d2l.BatchNorm(shape[1], num_dims, momentum=momentum)
    torch_bn = reference(shape[1], momentum=momentum)
    with torch.no_grad():
        gamma, beta = torch.rand(shape[1]) + 0.5, torch.randn(shape[1])
        (
            ours.gamma.copy_(gamma.reshape(ours.gamma.shape)),
            ours.beta.copy_(beta.reshape(ours.beta.shape)),
        )
        torch_bn.weight.copy_(gamma), torch_bn.bias.copy_(beta)
    for step in range(5):  # several training steps: outputs and running statistics agree
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
    # float32 sums of cubes: agree to float32 precision relative to their size (~10)
    torch.testing.assert_close(
        ours.gamma.grad.flatten(), torch_bn.weight.grad, rtol=1e-5, atol=1e-4
    )


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


def test_batchnorm_mode_follows_train_and_eval_not_grad():
    """D2L's layer picks its mode from autograd, so in eval mode with gradients on it
    still trains its statistics; this one follows train()/eval(), as nn.BatchNorm2d does."""
    X = torch.randn(8, 3, 4, 4) * 3 + 5
    ours = d2l.BatchNorm(3, 4)
    ours.eval()
    Y = ours(X)  # eval with gradients on: running statistics, no update
    assert torch.is_grad_enabled()
    assert torch.equal(ours.moving_mean, torch.zeros(1, 3, 1, 1))
    torch.testing.assert_close(Y, X / (1 + 1e-5) ** 0.5)
    ours.train()
    torch_bn = nn.BatchNorm2d(3)
    with torch.no_grad():  # train mode without gradients: batch statistics, update
        torch.testing.assert_close(ours(X), torch_bn(X))
    torch.testing.assert_close(ours.moving_mean.flatten(), torch_bn.running_mean)


def test_batchnorm_rejects_bad_input():
    with pytest.raises(
        ValueError,
        match=r'num_dims \(2 after a dense layer, 4 after a '
        r'convolution\) must be one of 2, 4; got 3',
    ):
        d2l.BatchNorm(6, 3)
    with pytest.raises(ValueError, match=r'momentum must be between 0 and 1, got 1.5'):
        d2l.BatchNorm(6, 4, momentum=1.5)
    with pytest.raises(TypeError, match=r'num_features must be an int'):
        d2l.BatchNorm(6.0, 4)
    with pytest.raises(ValueError, match=r'\(batch, 6, height, width\), got \(2, 5, 4, 4\)'):
        d2l.BatchNorm(6, 4)(torch.randn(2, 5, 4, 4))
    with pytest.raises(ValueError, match=r'more than one value per channel.*\(1, 6\)'):
        d2l.BatchNorm(6, 2)(torch.randn(1, 6))
    with pytest.raises(ValueError, match=r'got \(2, 3, 4\)'):
        d2l.batch_norm(torch.randn(2, 3, 4), 1, 0, 0, 1, 1e-5, 0.1)


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


@pytest.mark.parametrize(
    'args, in_shape, out_shape',
    [
        ((3,), (4, 3, 6, 6), (4, 3, 6, 6)),
        ((6, True, 2), (4, 3, 6, 6), (4, 6, 3, 3)),
    ],
)
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
    assert oracle.Residual(8)(X).shape == (2, 8, 6, 6)  # D2L broadcasts the 1 channel silently
    with pytest.raises(ValueError, match=r'use_1x1conv=True'):
        d2l.Residual(8)(X)


def test_resnet_arch_names_and_tables():
    by_name = materialise(d2l.ResNet('resnet34'), (1, 1, 32, 32))
    assert by_name == materialise(d2l.ResNet(RESNET34_STAGES), (1, 1, 32, 32))
    assert by_name == PARAMETER_COUNTS['ResNet-34']
    with pytest.raises(
        ValueError, match=r"arch must be one of 'resnet18', 'resnet34'; got 'resnet50'"
    ):
        d2l.ResNet('resnet50')
    with pytest.raises(
        ValueError, match=r'arch\[0\] must be a \(num_residuals, num_channels\) pair'
    ):
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
        if n > 1:  # one pixel less empties a feature map in the raw network
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
