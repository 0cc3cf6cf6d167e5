"""classic*.py: D2L's function-style API and chapter 3-4 classes, each against the oracle.

Each name is run beside d2l 1.0.3's own on the same inputs and seeds; the
old-style LeNet program (load_data_fashion_mnist + train_ch6) runs on real
Fashion-MNIST under the smoke profile.
"""

import copy
import re
import sys

import pytest
import torch
from torch import nn

import book_utils as d2l
from book_utils import data as data_mod
from book_utils.classic import tools as classic_tools
from book_utils.engine import notices
from book_utils.engine.profiles import SMOKE_BATCHES


def lenet():
    """LeNet as chapter-6 homework writes it (explicit sizes, sigmoid, average pooling)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        nn.Sigmoid(),
        nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.Sigmoid(),
        nn.AvgPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def real_batches(n_batches, batch_size=16, split='train'):
    """The first real Fashion-MNIST images as a fixed list of (X, y) batches."""
    tensors = data_mod.load_fashion_mnist()
    images, labels = tensors[f'{split}_images'], tensors[f'{split}_labels']
    n = n_batches * batch_size
    X = data_mod.to_float_images(images[:n])
    return [(X[i : i + batch_size], labels[i : i + batch_size]) for i in range(0, n, batch_size)]


def printed_numbers(text):
    """The numbers of train_ch6's final two lines (D2L's text may carry terminal codes)."""
    text = text.replace('\x1b[2K', '').replace('\r', '\n')
    loss = re.findall(r'^loss (\S+), train acc (\S+), test acc (\S+)$', text, re.M)
    speed = re.findall(r'^([\d.]+) examples/sec on (\S+)$', text, re.M)
    assert len(loss) == len(speed) == 1, text
    return [float(v) for v in loss[0]], float(speed[0][0]), speed[0][1]


# -- small tools -------------------------------------------------------------
def test_accuracy_matches_oracle(oracle):
    y = torch.randint(0, 10, (64,))
    for y_hat in (torch.randn(64, 10), torch.randint(0, 10, (64,))):
        assert d2l.accuracy(y_hat, y) == oracle.accuracy(y_hat, y)
        assert isinstance(d2l.accuracy(y_hat, y), float)


def test_accuracy_refuses_labels_that_would_broadcast():
    y_hat, y = torch.randn(8, 10), torch.randint(0, 10, (8, 1))
    with pytest.raises(ValueError, match=r'labels of shape \(8, 1\).*y.reshape\(-1\)'):
        d2l.accuracy(y_hat, y)


def test_accumulator_matches_oracle(oracle):
    ours, ref = d2l.Accumulator(3), oracle.Accumulator(3)
    for args in [(1.5, torch.tensor(2.0), 3), (torch.tensor(0.25), 7, 1)]:
        ours.add(*args)
        ref.add(*args)
    assert ours.data == ref.data and [ours[i] for i in range(3)] == [ref[i] for i in range(3)]
    ours.reset(), ref.reset()
    assert ours.data == ref.data == [0.0] * 3


def test_accumulator_refuses_the_wrong_number_of_values():
    with pytest.raises(ValueError, match='sums 3 values, got 2'):
        d2l.Accumulator(3).add(1, 2)
    with pytest.raises(ValueError, match='n must be at least 1'):
        d2l.Accumulator(0)


def test_timer_statistics_match_oracle(oracle):
    ours, ref = d2l.Timer(), oracle.Timer()
    assert ours.stop() >= 0
    ours.times = ref.times = [0.5, 0.25, 2.0]
    assert ours.sum() == ref.sum() and ours.avg() == ref.avg()
    assert ours.cumsum() == pytest.approx(ref.cumsum())
    with pytest.raises(ValueError, match='call stop'):
        empty = d2l.Timer()
        empty.avg()  # nothing stopped yet (D2L: ZeroDivisionError)


def test_check_shape_and_len_pass_and_fail_like_oracle(oracle):
    x = torch.zeros(2, 3)
    for lib in (d2l, oracle):
        lib.check_shape(x, (2, 3))
        lib.check_len([1, 2], 2)
        with pytest.raises(AssertionError):
            lib.check_shape(x, (3, 2))
        with pytest.raises(AssertionError):
            lib.check_len([1], 2)


def test_fashion_mnist_labels_and_workers_match_oracle(oracle):
    labels = torch.tensor([9, 0, 3, 7])
    assert d2l.get_fashion_mnist_labels(labels) == oracle.get_fashion_mnist_labels(labels)
    assert d2l.get_fashion_mnist_labels(range(10)) == oracle.get_fashion_mnist_labels(range(10))
    assert d2l.get_dataloader_workers() == oracle.get_dataloader_workers()
    with pytest.raises(ValueError, match='between 0 and 9, got -1'):
        d2l.get_fashion_mnist_labels([-1])  # D2L answers 'ankle boot'


def test_try_all_gpus(oracle):
    if torch.cuda.device_count():
        assert d2l.try_all_gpus() == oracle.try_all_gpus()
    else:  # D2L's docstring promises [cpu()]; its code returns []
        assert oracle.try_all_gpus() == [] and d2l.try_all_gpus() == [torch.device('cpu')]


# -- evaluation ----------------------------------------------------------------
def test_evaluate_accuracy_gpu_matches_oracle(oracle):
    net = lenet()
    batches = real_batches(4, split='val')
    net.train()
    ours = d2l.evaluate_accuracy_gpu(net, batches)
    assert not net.training
    assert ours == oracle.evaluate_accuracy_gpu(net, batches)
    assert ours == d2l.evaluate_accuracy_gpu(net, batches, torch.device('cpu'))


def test_evaluate_loss_matches_oracle(oracle):
    net = nn.Linear(3, 1)
    X = torch.randn(40, 3)
    batches = d2l.load_array((X, torch.randn(40)), 16, is_train=False)
    loss = nn.MSELoss(reduction='none')
    with torch.no_grad():  # D2L's own reads a loss that requires grad, with a warning
        ref = oracle.evaluate_loss(net, batches, loss)
    assert d2l.evaluate_loss(net, batches, loss) == pytest.approx(ref, rel=1e-6)


# -- regression, function style ----------------------------------------------
def test_synthetic_data_matches_oracle_seed_for_seed(oracle):
    w, b = torch.tensor([2, -3.4]), 4.2
    torch.manual_seed(3)
    X, y = d2l.synthetic_data(w, b, 1000)
    torch.manual_seed(3)
    X_ref, y_ref = oracle.synthetic_data(w, b, 1000)
    assert X.shape == (1000, 2) and y.shape == (1000, 1)
    assert torch.equal(X, X_ref) and torch.equal(y, y_ref)
    noise = y.reshape(-1) - (X @ w + b)
    assert abs(float(noise.std()) - 0.01) < 0.002
    with pytest.raises(ValueError, match='num_examples must be at least 1'):
        d2l.synthetic_data(w, b, 0)


def test_linreg_squared_loss_and_sgd_match_oracle(oracle):
    X, y = torch.randn(10, 3), torch.randn(10)
    params = {}
    for name, lib in (('ours', d2l), ('ref', oracle)):
        torch.manual_seed(1)
        w = torch.normal(0, 0.01, (3, 1), requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        l = lib.squared_loss(lib.linreg(X, w, b), y)
        assert l.shape == (10, 1)
        l.sum().backward()
        lib.sgd([w, b], 0.03, 10)
        params[name] = (w.detach(), b.detach(), l.detach(), w.grad.clone())
    for ours, ref in zip(params['ours'], params['ref']):
        assert torch.equal(ours, ref)
    with pytest.raises(ValueError, match='no gradient'):
        d2l.sgd([torch.zeros(2, requires_grad=True)], 0.1, 1)


def test_load_array_serves_the_same_examples_as_oracle(oracle):
    X, y = torch.randn(50, 2), torch.arange(50)
    ours = list(d2l.load_array((X, y), 16, is_train=False))
    ref = list(oracle.load_array((X, y), 16, is_train=False))
    assert len(ours) == len(ref) == 4
    for (a, b), (c, d) in zip(ours, ref):
        assert torch.equal(a, c) and torch.equal(b, d)
    shuffled = d2l.load_array((X, y), 16)
    labels = torch.cat([b for _, b in shuffled])
    assert sorted(labels.tolist()) == list(range(50)) and not torch.equal(labels, y)
    assert [len(b) for _, b in shuffled] == [len(b) for _, b in oracle.load_array((X, y), 16)]
    assert len(shuffled.dataset) == 50 and torch.equal(shuffled.dataset[3][0], X[3])
    with pytest.raises(ValueError, match=r'first dimensions differ: \[50, 49\]'):
        d2l.load_array((X, y[:49]), 16)
    with pytest.raises(TypeError, match='tuple of tensors'):
        d2l.load_array(([1, 2], [3, 4]), 1)


# -- regression, class style -------------------------------------------------
def test_synthetic_regression_data_matches_oracle(oracle):
    w, b = torch.tensor([2, -3.4]), 4.2
    torch.manual_seed(0)
    ours = d2l.SyntheticRegressionData(w, b, num_train=100, num_val=50, batch_size=8)
    torch.manual_seed(0)
    ref = oracle.SyntheticRegressionData(w, b, num_train=100, num_val=50, batch_size=8)
    assert torch.equal(ours.X, ref.X) and torch.equal(ours.y, ref.y)
    val = [torch.cat(t) for t in zip(*ours.val_dataloader())]
    val_ref = [torch.cat(t) for t in zip(*ref.val_dataloader())]
    assert all(torch.equal(a, c) for a, c in zip(val, val_ref))
    assert len(ours.train_dataloader()) == len(ref.train_dataloader()) == 13


def test_linear_regression_scratch_and_sgd_match_oracle(oracle):
    X, y = torch.randn(8, 2), torch.randn(8, 1)
    results = []
    for lib in (d2l, oracle):
        torch.manual_seed(0)
        model = lib.LinearRegressionScratch(2, lr=0.03)
        l = model.loss(model(X), y)
        optim = model.configure_optimizers()
        optim.zero_grad()
        l.backward()
        with torch.no_grad():  # as D2L's Trainer calls it
            optim.step()
        results.append((l.detach(), model.w.detach().clone(), model.b.detach().clone()))
    for ours, ref in zip(*results):
        assert torch.equal(ours, ref)


def test_linear_and_softmax_regression_match_oracle_with_the_same_weights(oracle):
    X, y = torch.randn(6, 4), torch.randn(6, 1)
    ours, ref = d2l.LinearRegression(lr=0.03), oracle.LinearRegression(lr=0.03)
    ours(X), ref(X)
    ours.load_state_dict(ref.state_dict())
    assert torch.equal(ours(X), ref(X))
    assert torch.equal(ours.loss(ours(X), y), ref.loss(ref(X), y))
    assert all(torch.equal(a, c) for a, c in zip(ours.get_w_b(), ref.get_w_b()))
    assert type(ours.configure_optimizers()) is type(ref.configure_optimizers())

    images, labels = torch.rand(6, 1, 28, 28), torch.randint(0, 10, (6,))
    ours, ref = d2l.SoftmaxRegression(10, lr=0.1), oracle.SoftmaxRegression(10, lr=0.1)
    ours(images), ref(images)
    ours.load_state_dict(ref.state_dict())
    assert torch.equal(ours(images), ref(images))
    assert torch.equal(ours.loss(ours(images), labels), ref.loss(ref(images), labels))
    assert torch.equal(ours.accuracy(ours(images), labels), ref.accuracy(ref(images), labels))


def test_linear_regression_starts_from_the_init_d2ls_text_describes():
    model = d2l.LinearRegression(lr=0.03)
    model(torch.randn(2, 2000))  # the lazy layer learns its size here
    w, b = model.get_w_b()
    assert abs(float(w.std()) - 0.01) < 0.001 and torch.equal(b, torch.zeros(1))


def test_trainer_fits_linear_regression_scratch(profile):
    profile('cpu')
    torch.manual_seed(0)
    w, b = torch.tensor([2, -3.4]), 4.2
    data = d2l.SyntheticRegressionData(w, b)
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    d2l.Trainer(max_epochs=10, progress=False, verbose=False).fit(model, data)
    assert (model.w.detach().reshape(-1) - w).abs().max() < 0.05
    assert abs(float(model.b.detach()) - b) < 0.05


# -- resnet18 ------------------------------------------------------------------
@pytest.mark.parametrize('in_channels', [1, 3])
def test_resnet18_matches_oracle(oracle, in_channels):
    ours, ref = d2l.resnet18(10, in_channels), oracle.resnet18(10, in_channels)
    X = torch.randn(2, in_channels, 32, 32)
    ours(X), ref(X)  # lazy layers learn their shapes
    shapes = {k: v.shape for k, v in ours.state_dict().items()}
    assert shapes == {k: v.shape for k, v in ref.state_dict().items()}
    count = sum(p.numel() for p in ours.parameters())
    assert count == sum(p.numel() for p in ref.parameters())
    ours.load_state_dict(ref.state_dict())
    ours.eval(), ref.eval()
    assert torch.allclose(ours(X), ref(X), atol=1e-5)
    with pytest.raises(ValueError, match='num_classes must be at least 1'):
        d2l.resnet18(0)


# -- Animator ------------------------------------------------------------------
def test_animator_keeps_d2ls_points_and_logs_a_line_in_a_script(oracle, capsys):
    ours = d2l.Animator(xlabel='epoch', legend=['train loss', 'test acc'])
    ref = oracle.Animator(xlabel='epoch', legend=['train loss', 'test acc'])
    for x, y in [(0.5, (2.3, None)), (1, (1.9, 0.41)), (2, [1.2, 0.6])]:
        ours.add(x, y)
        ref.add(x, y)
    assert ours.X == ref.X and ours.Y == ref.Y
    out = capsys.readouterr().out
    assert 'epoch 0.5: train loss 2.300\n' in out
    assert 'epoch 2: train loss 1.200, test acc 0.600\n' in out
    import matplotlib.pyplot as plt

    plt.close('all')
    with pytest.raises(ValueError, match='draws 2 curves, got 3'):
        ours.add(3, (1, 2, 3))


def test_animator_updates_one_image_in_place_in_a_notebook(monkeypatch):
    import IPython.display

    calls = []

    class Handle:
        def update(self, image):
            calls.append('update')

    def display(image, display_id=False):
        calls.append('display')
        return Handle()

    monkeypatch.setattr(IPython.display, 'display', display)
    for module in (classic_tools, sys.modules['book_utils.teaching.plot']):
        monkeypatch.setattr(module, 'in_notebook', lambda: True)
    animator = d2l.Animator(legend=['a'])
    for x in range(3):
        animator.add(x, x * x)
    assert calls == ['display', 'update', 'update']
    assert animator.axes[0].lines[0].get_ydata().tolist() == [0, 1, 4]


# -- data ----------------------------------------------------------------------
def test_load_data_fashion_mnist_gives_d2ls_batches(oracle, tmp_path, monkeypatch):
    data_mod.export_for_torchvision(tmp_path / 'data')
    (tmp_path / 'work').mkdir()
    monkeypatch.chdir(tmp_path / 'work')  # D2L reads ../data
    monkeypatch.setattr(oracle, 'get_dataloader_workers', lambda: 0)  # no worker processes
    for resize in (None, 32):
        train_iter, test_iter = d2l.load_data_fashion_mnist(256, resize)
        _, ref_test = oracle.load_data_fashion_mnist(256, resize)
        X, y = next(iter(test_iter))
        X_ref, y_ref = next(iter(ref_test))
        n = len(y)  # the smoke profile serves batches of 16
        assert n == 16 and torch.equal(y, y_ref[:n])
        assert X.shape == X_ref[:n].shape and X.dtype == X_ref.dtype
        assert (X - X_ref[:n]).abs().max() <= (0 if resize is None else 1.5 / 255)
        assert len(train_iter) == SMOKE_BATCHES and len(train_iter.dataset) == 60_000
        assert len(test_iter.dataset) == len(ref_test.dataset) == 10_000


def test_load_data_fashion_mnist_checks_its_arguments():
    with pytest.raises(ValueError, match='batch_size'):
        d2l.load_data_fashion_mnist(0)
    with pytest.raises(TypeError, match='resize must be an int or a'):
        d2l.load_data_fashion_mnist(16, resize=(28,))
    with pytest.raises(ValueError, match='resize must be at least 1'):
        d2l.load_data_fashion_mnist(16, resize=-5)


# -- train_ch6 -------------------------------------------------------------------
def test_train_ch6_gives_d2ls_results_on_the_same_batches(oracle, profile, capsys):
    profile('cpu')  # no caps: both see every batch
    train, test = real_batches(6), real_batches(2, split='val')
    net = lenet()
    nets = {'ours': net, 'ref': copy.deepcopy(net)}
    torch.manual_seed(7)
    d2l.train_ch6(nets['ours'], train, test, 2, 0.9, 'cpu')
    ours = capsys.readouterr().out
    torch.manual_seed(7)
    oracle.train_ch6(nets['ref'], train, test, 2, 0.9, torch.device('cpu'))
    ref = capsys.readouterr().out
    import matplotlib.pyplot as plt

    plt.close('all')
    assert ours.splitlines()[0] == ref.splitlines()[0] == 'training on cpu'
    numbers, speed, device = printed_numbers(ours)
    numbers_ref, _, device_ref = printed_numbers(ref)
    assert numbers == pytest.approx(numbers_ref, abs=2e-3) and device == device_ref
    assert speed > 0
    for a, c in zip(nets['ours'].state_dict().values(), nets['ref'].state_dict().values()):
        assert torch.allclose(a, c, atol=1e-4)


def test_old_style_lenet_homework_runs_under_smoke(profile, capsys, monkeypatch):
    profile('smoke')
    monkeypatch.setattr(notices, '_said', set())  # as in a fresh process
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=256)
    net = lenet()
    before = copy.deepcopy(net.state_dict())
    d2l.train_ch6(net, train_iter, test_iter, 10, 0.9, d2l.try_gpu())
    out = capsys.readouterr().out
    assert "profile 'smoke'" in out and 'train_ch6' in out
    numbers, speed, _ = printed_numbers(out)
    assert all(0 <= v for v in numbers) and speed > 0
    assert not torch.equal(before['0.weight'], net.state_dict()['0.weight'])
    assert sum(1 for _ in train_iter) == SMOKE_BATCHES
    d2l.train_ch6(net, train_iter, test_iter, 10, 0.9, 'cpu')
    assert 'profile' not in capsys.readouterr().out  # notices once per process


def test_train_ch6_initialises_lazy_layers_and_survives_view(profile, capsys):
    profile('smoke')

    class ViewNet(nn.Module):  # the PyTorch-tutorial style: .view on activations
        def __init__(self):
            super().__init__()
            self.conv = nn.LazyConv2d(4, kernel_size=3)
            self.fc = nn.LazyLinear(10)

        def forward(self, X):
            X = torch.sigmoid(self.conv(X))
            return self.fc(X.view(X.shape[0], -1))

    train = real_batches(3)
    net = ViewNet()
    d2l.train_ch6(net, train, train, 1, 0.1, 'cpu')
    printed_numbers(capsys.readouterr().out)
    assert net.fc.weight.shape == (10, 4 * 26 * 26)


def test_train_ch6_refuses_bad_arguments():
    batches = real_batches(1)
    with pytest.raises(ValueError, match='num_epochs must be at least 1, got 0'):
        d2l.train_ch6(lenet(), batches, batches, 0, 0.9, 'cpu')
    with pytest.raises(ValueError, match='lr must be greater than 0'):
        d2l.train_ch6(lenet(), batches, batches, 1, -0.1, 'cpu')
    with pytest.raises(ValueError, match=r'has no such device.*try_gpu'):
        d2l.train_ch6(lenet(), batches, batches, 1, 0.1, f'cuda:{torch.cuda.device_count()}')
    with pytest.raises(ValueError, match='no batches'):
        d2l.train_ch6(lenet(), [], batches, 1, 0.1, 'cpu')


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')
def test_train_ch6_keeps_the_data_on_the_gpu(profile, capsys):
    profile('smoke')
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    d2l.train_ch6(lenet(), train_iter, test_iter, 1, 0.9, d2l.try_gpu())
    assert next(iter(train_iter))[0].device.type == 'cuda'
    assert printed_numbers(capsys.readouterr().out)[2] == 'cuda:0'
