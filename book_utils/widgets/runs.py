"""What the training dashboard needs besides the Trainer: a reporter that hears
the run, a reader's model made trainable, and the numbers it reports.

The dashboard does not change the training loop. It gives the Trainer a
``RunReporter``: it hears every finished batch (for the progress bar and the
live curves), keeps the Trainer's advice (divergence) as text for the widget,
and passes a pressed Stop on through ``trainer.request_stop``, the one channel
every early stop takes.
"""

import math
import time

import torch
from torch import nn

from ..engine.module import Classifier, Module
from ..engine.report import Reporter


class RunReporter(Reporter):
    """The dashboard's reporter: prints nothing; ``on_batch(n_examples)`` after each
    training step, ``advice`` keeps what the Trainer advised, and once
    ``should_stop()`` is true the run is asked to stop before its next step."""

    per_batch = True

    def __init__(self, should_stop, on_batch=None):
        self.should_stop, self.batch_done, self.advice = should_stop, on_batch, []

    def on_start(self, trainer, event):
        if self.should_stop():  # Stop pressed while the run was being set up
            trainer.request_stop('interrupted')

    def on_batch(self, trainer, event):
        if self.batch_done is not None:
            self.batch_done(event.data['examples'])
        if self.should_stop():
            trainer.request_stop('interrupted')

    def on_advice(self, trainer, event):
        self.advice.append(event.message)


class WrappedClassifier(Classifier):
    """A plain ``nn.Module`` given to the dashboard, with D2L's loss, accuracy and plots."""

    def __init__(self, net, lr=0.1):
        super().__init__()
        self.save_hyperparameters(ignore=['net'])
        self.net = net


def as_trainable(model, lr):
    """A ``book_utils.Module`` the Trainer can fit: D2L models as they are, a plain
    ``nn.Module`` wrapped as a classifier (cross-entropy loss, accuracy)."""
    if isinstance(model, Module):
        model.lr = lr
        return model
    if isinstance(model, nn.Module):
        return WrappedClassifier(model, lr)
    raise TypeError(f'The model function must return an nn.Module, got {type(model).__name__}.')


OPTIMIZERS = {
    'SGD': lambda params, lr: torch.optim.SGD(params, lr=lr),
    'SGD + momentum 0.9': lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    'Adam': lambda params, lr: torch.optim.Adam(params, lr=lr),
}


def make_optimizer(name, params, lr):
    if name not in OPTIMIZERS:
        raise ValueError(f'Unknown optimizer {name!r}; choose one of {", ".join(OPTIMIZERS)}.')
    return OPTIMIZERS[name](params, lr)


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts ``C[i, j]`` of examples of class i predicted as class j."""
    y_true, y_pred = torch.as_tensor(y_true).reshape(-1), torch.as_tensor(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f'y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}.'
        )
    if len(y_true) and (
        min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= num_classes
    ):
        raise ValueError(f'Labels must lie in 0..{num_classes - 1}.')
    flat = y_true.long().cpu() * num_classes + y_pred.long().cpu()
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


@torch.no_grad()
def predict(model, loader, prepare_batch, max_batches=None):
    """True and predicted labels of ``model`` over ``loader`` (at most ``max_batches``)."""
    was_training = model.training
    model.eval()
    trues, preds = [], []
    for i, batch in enumerate(loader):
        if max_batches is not None and i >= max_batches:
            break
        batch = prepare_batch(batch)
        preds.append(model(*batch[:-1]).reshape(len(batch[-1]), -1).argmax(dim=1).cpu())
        trues.append(batch[-1].reshape(-1).cpu())
    model.train(was_training)
    if not trues:
        return torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long)
    return torch.cat(trues), torch.cat(preds)


class Speedometer:
    """Examples per second and time left, from batches done so far."""

    def __init__(self, total_batches):
        self.total_batches = total_batches
        self.batches = self.examples = 0
        self.start = time.perf_counter()

    def update(self, examples):
        self.batches += 1
        self.examples += examples

    @property
    def elapsed(self):
        return time.perf_counter() - self.start

    @property
    def examples_per_sec(self):
        return self.examples / max(self.elapsed, 1e-9)

    @property
    def eta(self):
        """Seconds left at the average pace so far (None before the first batch)."""
        if not self.batches:
            return None
        return self.elapsed / self.batches * max(self.total_batches - self.batches, 0)


def format_seconds(seconds):
    """``75 -> '1 min 15 s'``; None or a non-finite value -> '?'."""
    if seconds is None or not math.isfinite(seconds):
        return '?'
    seconds = int(round(seconds))
    if seconds < 60:
        return f'{seconds} s'
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f'{minutes} min {seconds:02d} s'
    hours, minutes = divmod(minutes, 60)
    return f'{hours} h {minutes:02d} min'
