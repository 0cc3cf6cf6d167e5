"""``quiet_fit``: the one helper behind the exercises' side experiments.

An exercise often trains several small variants and prints a table. Its hidden
cell should not draw a live plot or a progress bar per variant, must repeat
exactly with the same seed, and must shrink under ``BOOK_PROFILE=smoke`` like
every other fit, so that the test suite runs every exercise in seconds. Two ways
to train cover what the chapters need:

* ``quiet_fit(model, data, epochs=2)``: the ``Trainer`` on a ``DataModule``
  (the profile caps epochs and batches as it does for any fit); returns the
  ``Trainer``, whose ``history`` holds one record per epoch.
* ``quiet_fit(net, (X, y), steps=150, lr=0.1, val=(X_val, y_val))``: plain SGD
  on random minibatches of in-memory tensors, for comparisons that need a fixed
  step budget (the losses step by step, the validation accuracy at the end);
  ``smoke`` caps the steps at its batch cap and the batch at its batch size.
"""

import dataclasses
import math
import time

import torch
from torch import nn
from torch.nn import functional as F

from .checks import check_int
from .engine.devices import seed_everything, training_device
from .engine.profiles import active_profile
from .engine.train import Trainer

__all__ = ['quiet_fit', 'StepRun']

_EVAL_CHUNK = 512  # validation images per forward pass: bounded memory at any size
_DIVERGED = 10.0  # a loss this many times the first one (or 1) stops the run, as in the Trainer


@dataclasses.dataclass
class StepRun:
    """What a step-budget run measured.

    ``losses``: the training loss of every step taken; ``val_acc``: accuracy on
    ``val`` after the last step taken (None without ``val``, nan where the
    network's outputs are no longer finite); ``stop_reason``: None, or
    'diverged' when a loss was not finite or above ten times the first (or 1),
    the Trainer's rule: the run stops there rather than train on garbage.
    """

    model: nn.Module
    losses: list
    val_acc: float | None
    steps: int
    seconds: float
    stop_reason: str | None = None


def quiet_fit(
    model, data, *, epochs=None, steps=None, lr=None, batch_size=None, val=None, seed=0, init=None
):
    """Train ``model`` without live output; same ``seed``, same numbers.

    ``model`` may be a network or a function of no arguments that builds one
    (it is then built after seeding, so its initial weights repeat too).
    ``init`` (e.g. ``d2l.init_cnn``) is applied once the lazy layers know their
    shapes; None keeps the weights the model has (PyTorch's defaults for a new one).

    With ``epochs``: ``data`` is a ``DataModule``, the learning rate is the
    model's own, and the ``Trainer`` is returned. With ``steps``: ``data`` is a
    pair ``(X, y)`` of tensors, ``lr`` and ``batch_size`` (default 128) are
    required for plain SGD, ``val=(X_val, y_val)`` is scored at the end, and a
    ``StepRun`` is returned.
    """
    if (epochs is None) == (steps is None):
        raise ValueError(
            'quiet_fit needs exactly one of epochs= (a DataModule and the Trainer) '
            'or steps= (tensors (X, y) and plain SGD); got '
            f'epochs={epochs!r}, steps={steps!r}.'
        )
    check_int(seed, 'seed', low=0)
    if epochs is not None:
        check_int(epochs, 'epochs', low=1)
        _refuse_step_options(lr=lr, batch_size=batch_size, val=val)
        if not hasattr(data, 'train_dataloader'):
            raise TypeError(
                f'With epochs=, data must be a DataModule such as d2l.FashionMNIST(...), '
                f'got {type(data).__name__}; for tensors (X, y) use steps= instead.'
            )
        seed_everything(seed)
        return _fit_epochs(_built(model), data, epochs, init)
    check_int(steps, 'steps', low=1)
    if lr is None:
        raise ValueError('With steps=, give the SGD learning rate, e.g. lr=0.1.')
    batch_size = 128 if batch_size is None else check_int(batch_size, 'batch_size', low=1)
    X, y = _tensor_pair(data, 'data')
    val = _tensor_pair(val, 'val') if val is not None else None
    seed_everything(seed)
    return _fit_steps(_built(model), X, y, steps, float(lr), batch_size, val, init, seed)


def _refuse_step_options(**given):
    for name, value in given.items():
        if value is not None:
            where = {
                'lr': 'the model (e.g. d2l.LeNet(lr=0.1))',
                'batch_size': 'the DataModule (e.g. d2l.FashionMNIST(batch_size=64))',
                'val': "the DataModule's validation split",
            }[name]
            raise ValueError(
                f'{name}= is for steps= runs only; with epochs=, {name} comes from {where}.'
            )


def _built(model):
    if isinstance(model, nn.Module):
        return model
    if callable(model):
        built = model()
        if not isinstance(built, nn.Module):
            raise TypeError(
                f'model() must return a network (an nn.Module), got {type(built).__name__}.'
            )
        return built
    raise TypeError(f'model must be a network or a function that builds one, got {model!r}.')


def _tensor_pair(pair, name):
    if not (
        isinstance(pair, (tuple, list))
        and len(pair) == 2
        and all(isinstance(t, torch.Tensor) for t in pair)
    ):
        raise TypeError(
            f'{name} must be a pair of tensors (images, labels), got {type(pair).__name__}.'
        )
    X, y = pair
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f'{name} must hold as many labels as images (at least one); got '
            f'{len(X)} images and {len(y)} labels.'
        )
    return X, y


def _fit_epochs(model, data, epochs, init):
    if not hasattr(model, 'board'):
        raise TypeError(
            f'With epochs=, model must be a d2l Module (d2l.LeNet(), a d2l.Classifier), '
            f'got {type(model).__name__}; train a plain nn.Module with steps= instead.'
        )
    if init is not None:
        X = next(iter(data.get_dataloader(True)))[0]
        model.apply_init([X[:2]], init)
    model.board.display = False
    trainer = Trainer(max_epochs=epochs, num_gpus=1, progress=False, verbose=False)
    trainer.fit(model, data)
    return trainer


def _fit_steps(model, X, y, steps, lr, batch_size, val, init, seed):
    profile = active_profile()
    if profile.max_train_batches is not None:
        steps = min(steps, profile.max_train_batches)
    batch_size = min(profile.capped_batch_size(batch_size), len(X))
    device, _ = training_device(1)
    model.to(device)
    model.eval()
    with torch.no_grad():  # lazy layers learn their shapes; eval: BN statistics untouched
        model(X[:2].to(device))
    if init is not None:
        model.apply(init)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)
    order = torch.Generator().manual_seed(seed)
    losses, stop_reason, start = [], None, time.perf_counter()
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, len(X), (batch_size,), generator=order)
        loss = F.cross_entropy(model(X[idx].to(device)), y[idx].to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]) or losses[-1] > _DIVERGED * max(losses[0], 1.0):
            stop_reason = 'diverged'  # the Trainer's rule: stop, and say so
            break
    seconds = time.perf_counter() - start
    val_acc = None
    if val is not None:
        val_acc = _accuracy(model, *val, profile, device)
    return StepRun(model, losses, val_acc, len(losses), seconds, stop_reason)


def _accuracy(model, X, y, profile, device):
    if profile.max_val_batches is not None:
        keep = profile.max_val_batches * profile.capped_batch_size(_EVAL_CHUNK)
        X, y = X[:keep], y[:keep]
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(X), _EVAL_CHUNK):
            Y_hat = model(X[start : start + _EVAL_CHUNK].to(device))
            if not torch.isfinite(Y_hat).all():
                return math.nan
            correct += (Y_hat.argmax(1).cpu() == y[start : start + _EVAL_CHUNK].cpu()).sum().item()
    return correct / len(X)
