"""quiet_fit: quiet, repeatable, capped by the profile, and it really trains (on Fashion-MNIST)."""

import math

import pytest
import torch
from torch import nn

import book_utils as d2l
from book_utils.engine.profiles import SMOKE_BATCHES


def small_net():
    """A tiny CNN that learns Fashion-MNIST in a few dozen steps."""
    return nn.Sequential(
        nn.LazyConv2d(8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(4), nn.Flatten(), nn.LazyLinear(10)
    )


@pytest.fixture(scope='module')
def fashion():
    data = d2l.load_fashion_mnist()
    images = lambda key, n: data[key][:n].unsqueeze(1).float() / 255
    return (
        (images('train_images', 4000), data['train_labels'][:4000]),
        (images('val_images', 1000), data['val_labels'][:1000]),
    )


def test_steps_smoke_caps_steps_and_batch(fashion, profile):
    profile('smoke')
    train, val = fashion
    run = d2l.quiet_fit(small_net, train, steps=200, lr=0.1, batch_size=128, val=val)
    caps = d2l.active_profile()
    assert run.steps == len(run.losses) == caps.max_train_batches
    assert 0 <= run.val_acc <= 1


def test_steps_same_seed_same_numbers_other_seed_other(fashion, profile):
    profile('cpu')
    train, val = fashion
    first = d2l.quiet_fit(small_net, train, steps=20, lr=0.1, val=val, seed=3)
    again = d2l.quiet_fit(small_net, train, steps=20, lr=0.1, val=val, seed=3)
    other = d2l.quiet_fit(small_net, train, steps=20, lr=0.1, val=val, seed=4)
    assert first.losses == again.losses and first.val_acc == again.val_acc
    assert first.losses != other.losses


def test_steps_train_loss_falls_and_beats_chance(fashion, profile):
    profile('cpu')
    train, val = fashion
    run = d2l.quiet_fit(
        small_net, train, steps=150, lr=0.1, batch_size=64, val=val, init=d2l.init_cnn
    )
    first, last = sum(run.losses[:10]) / 10, sum(run.losses[-10:]) / 10
    assert run.stop_reason is None
    assert last < 0.6 * first, (first, last)
    assert run.val_acc > 0.6  # chance is 0.1


def test_steps_divergence_is_reported_not_hidden(fashion, profile):
    profile('cpu')
    train, val = fashion
    run = d2l.quiet_fit(small_net, train, steps=50, lr=1e6, val=val)
    assert run.stop_reason == 'diverged' and run.steps < 50
    assert not math.isfinite(run.losses[-1]) or run.losses[-1] > 10 * max(run.losses[0], 1)
    assert math.isnan(run.val_acc) or run.val_acc < 0.3


def test_epochs_returns_trainer_with_history_and_trains(profile):
    profile('cpu')
    data = d2l.FashionMNIST(batch_size=64, num_train=2048, num_val=512)
    trainer = d2l.quiet_fit(lambda: d2l.LeNet(lr=0.9), data, epochs=2, init=d2l.init_cnn)
    assert isinstance(trainer, d2l.Trainer) and [h['epoch'] for h in trainer.history] == [1, 2]
    assert trainer.history[1]['train_loss'] < trainer.history[0]['train_loss']
    assert trainer.model.board.display is False


def test_epochs_same_seed_same_history_and_smoke_caps(profile):
    profile('smoke')
    make = lambda: d2l.LeNet(lr=0.1)
    data = d2l.FashionMNIST(batch_size=64, num_train=512, num_val=128)
    first = d2l.quiet_fit(make, data, epochs=5, seed=1)
    again = d2l.quiet_fit(make, data, epochs=5, seed=1)
    assert len(first.history) == 1 and first.num_train_batches == SMOKE_BATCHES  # smoke: 1 epoch
    keys = ('train_loss', 'val_loss', 'val_acc')
    assert [first.history[0][k] for k in keys] == [again.history[0][k] for k in keys]


def test_a_model_passed_in_keeps_its_weights_without_init(fashion, profile):
    profile('smoke')
    net = small_net()
    net(fashion[0][0][:2])
    before = [p.detach().clone() for p in net.parameters()]
    d2l.quiet_fit(net, fashion[0], steps=1, lr=0.0)
    assert all(torch.equal(a, b.cpu()) for a, b in zip(before, net.parameters()))


@pytest.mark.parametrize(
    'call, error, words',
    [
        (lambda t: d2l.quiet_fit(small_net(), t), ValueError, ['exactly one of epochs', 'steps']),
        (lambda t: d2l.quiet_fit(small_net(), t, epochs=1, steps=1), ValueError, ['exactly one']),
        (lambda t: d2l.quiet_fit(small_net(), t, steps=5), ValueError, ['lr=']),
        (
            lambda t: d2l.quiet_fit(small_net(), t, steps=0, lr=0.1),
            ValueError,
            ['steps', 'at least 1'],
        ),
        (lambda t: d2l.quiet_fit(small_net(), t[0], steps=5, lr=0.1), TypeError, ['data', 'pair']),
        (
            lambda t: d2l.quiet_fit(small_net(), (t[0], t[1][:3]), steps=5, lr=0.1),
            ValueError,
            ['as many labels'],
        ),
        (lambda t: d2l.quiet_fit(d2l.LeNet(), t, epochs=1), TypeError, ['DataModule', 'steps=']),
        (
            lambda t: d2l.quiet_fit(small_net(), d2l.FashionMNIST(num_train=64), epochs=1),
            TypeError,
            ['d2l Module'],
        ),
        (
            lambda t: d2l.quiet_fit(d2l.LeNet(), d2l.FashionMNIST(num_train=64), epochs=1, lr=0.1),
            ValueError,
            ['lr=', 'd2l.LeNet(lr=0.1)'],
        ),
        (lambda t: d2l.quiet_fit('lenet', t, steps=1, lr=0.1), TypeError, ['model']),
    ],
)
def test_bad_input_is_refused_in_one_sentence(call, error, words):
    tensors = (torch.zeros(8, 1, 28, 28), torch.zeros(8, dtype=torch.long))
    with pytest.raises(error) as caught:
        call(tensors)
    assert all(w in str(caught.value) for w in words), str(caught.value)


def test_glue_writes_what_myst_nb_writes_also_without_myst_nb(monkeypatch):
    """d2l.glue is myst_nb.glue where MyST-NB is installed; elsewhere (Colab) the same bundle."""
    import builtins
    import importlib

    import myst_nb.ext.glue as myst_glue

    ours = importlib.import_module('book_utils.teaching.glue')

    shown = []
    monkeypatch.setattr(myst_glue, 'ipy_display', lambda *a, **k: shown.append((a, k)))
    monkeypatch.setattr(ours, '_display', lambda *a, **k: shown.append((a, k)))
    d2l.glue('acc', 0.8125, display=False)  # through myst_nb
    real_import = builtins.__import__

    def no_myst(name, *args, **kwargs):
        if name.startswith('myst_nb'):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', no_myst)
    d2l.glue('acc', 0.8125, display=False)  # as on Colab
    assert len(shown) == 2 and shown[0] == shown[1]
    bundle = shown[1][0][0]
    assert bundle == {'application/papermill.record/text/plain': '0.8125'}
    with pytest.raises(TypeError, match='name'):
        d2l.glue('', 1)
