"""What the training dashboard needs besides the Trainer: a watched data set, a
reader's model made trainable, and the numbers it reports.

The dashboard does not change the training loop. It hands the Trainer a data
module whose loaders look at a stop flag before every batch and report each
finished batch: a Stop becomes the ``KeyboardInterrupt`` the Trainer already
turns into a clean stop that keeps the model and its history.
"""
import math
import time

import torch
from torch import nn

from ..module import Classifier, Module


class WatchedLoader:
    """A loader that checks ``should_stop()`` before each batch and calls
    ``on_batch(n_examples)`` once the Trainer has finished with a batch (that is,
    when it asks for the next one), so a batch the Trainer never trains on
    (the smoke profile's cap stops early) is never counted.
    """

    def __init__(self, loader, should_stop, on_batch=None):
        self.loader, self.should_stop, self.on_batch = loader, should_stop, on_batch

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            if self.should_stop():
                raise KeyboardInterrupt('stopped from the dashboard')
            yield batch
            if self.on_batch is not None:
                self.on_batch(len(batch[0]))

    def __getattr__(self, name):   # to(device), set_epoch, device, ... of the real loader
        return getattr(self.loader, name)


class WatchedData:
    """A data module whose loaders are ``WatchedLoader``s (only the training one reports)."""

    def __init__(self, data, should_stop, on_batch):
        self.data, self.should_stop, self.on_batch = data, should_stop, on_batch

    def train_dataloader(self):
        return WatchedLoader(self.data.train_dataloader(), self.should_stop, self.on_batch)

    def val_dataloader(self):
        loader = self.data.val_dataloader()
        return None if loader is None else WatchedLoader(loader, self.should_stop)

    def __getattr__(self, name):
        return getattr(self.data, name)


class ReaderModel(Classifier):
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
        return ReaderModel(model, lr)
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
        raise ValueError(f'y_true and y_pred must have the same length, got {len(y_true)} '
                         f'and {len(y_pred)}.')
    if len(y_true) and (min(y_true.min(), y_pred.min()) < 0 or
                        max(y_true.max(), y_pred.max()) >= num_classes):
        raise ValueError(f'Labels must lie in 0..{num_classes - 1}.')
    flat = y_true.long().cpu() * num_classes + y_pred.long().cpu()
    return torch.bincount(flat, minlength=num_classes ** 2).reshape(num_classes, num_classes)


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
