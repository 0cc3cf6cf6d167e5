"""Placement: where and how the Trainer's steps run (device, memory layout, precision).

Batches: the profile's cap on batches per pass (``CappedLoader``), the move to
the device and the channels-last layout. Steps: mixed precision, the fallback
to the default layout for a model whose forward ``.view``s a channels-last
activation, lazy layers given their shapes before the optimiser sees them, and,
on the first step, a loss that cannot compare the output with the labels
explained in those terms instead of torch's words.
"""

import torch

from ..checks import check_bool, check_choice
from ..lazy_layers import materialise
from .devices import autocast, channels_last_helps

__all__ = ['CappedLoader', 'capped', 'DeviceSteps']


class CappedLoader:
    """At most ``limit`` batches of ``loader`` per pass (the smoke profile's cap)."""

    def __init__(self, loader, limit):
        self.loader, self.limit = loader, limit

    def __len__(self):
        return min(len(self.loader), self.limit)

    def __iter__(self):
        for _, batch in zip(range(self.limit), self.loader):  # range first: no extra batch
            yield batch

    @property
    def base_loader(self):
        """The loader under every cap: the one whose seed and generator a checkpoint saves."""
        return getattr(self.loader, 'base_loader', self.loader)

    def __getattr__(self, name):
        if name.startswith('__') or name == 'loader':  # copy/pickle look these up before
            raise AttributeError(name)  # __init__ ran: no endless recursion
        return getattr(self.loader, name)


def capped(loader, limit):
    """``loader`` with at most ``limit`` batches a pass (None: no cap, or no loader)."""
    return CappedLoader(loader, limit) if loader is not None and limit else loader


def _silent(message, key):
    """The notice callback of a copied ``DeviceSteps``."""


class DeviceSteps:
    """Runs batches and steps on ``device`` with the Trainer's ``amp`` and
    ``channels_last`` options ('auto', True or False); ``notify(message, key)``
    hears the one notice (the layout fallback)."""

    def __init__(self, device, amp='auto', channels_last='auto', notify=None):
        for value, name in ((amp, 'amp'), (channels_last, 'channels_last')):
            # bool('off') is True: a string other than 'auto' is refused, not read as a switch
            check_choice(value, name, ('auto', True, False)) if isinstance(
                value, str
            ) else check_bool(value, name)
        self.device, self.amp, self.option = device, amp, channels_last
        self.channels_last = device.type == 'cuda' if channels_last == 'auto' else channels_last
        self.notify = notify if notify is not None else _silent

    def place(self, model, first_batch):
        """Move ``model`` to the device, settle the layout, and give lazy layers their shapes
        from ``first_batch()`` (a prepared batch) before an optimiser sees the parameters."""
        model.to(self.device)
        if self.option == 'auto':
            self.channels_last = channels_last_helps(model, self.device)
        materialise(model, lambda: self.run(lambda b: model(*b[:-1]), first_batch(), model))
        if self.channels_last:  # after lazy init, so new weights get the layout too
            model.to(memory_format=torch.channels_last)

    def __getstate__(self):
        """Pickled (``torch.save(model)``, ``copy.deepcopy``) without the notice callback,
        which may be a lambda; a copy says nothing."""
        state = dict(self.__dict__)
        state['notify'] = _silent
        return state

    def hold(self, loader):
        """Keep a loader's whole data set on a GPU, so batches never cross the bus."""
        if self.device.type != 'cpu' and hasattr(loader, 'to'):
            loader.to(self.device)
        return loader

    def batch(self, batch):
        batch = [
            a.to(self.device, non_blocking=True) if isinstance(a, torch.Tensor) else a
            for a in batch
        ]
        if self.channels_last and isinstance(batch[0], torch.Tensor) and batch[0].dim() == 4:
            batch[0] = batch[0].contiguous(memory_format=torch.channels_last)
        return batch

    def run(self, step, batch, model, first=False):
        """``step(batch)`` under autocast; after a ``.view`` that channels-last strides cannot
        satisfy, one retry in the default layout; with ``first``, a loss that cannot compare
        output and labels becomes a ValueError naming both shapes."""
        try:
            with autocast(self.device, self.amp):
                return step(batch)
        except (RuntimeError, ValueError, IndexError) as err:
            if not (self.channels_last and 'view size is not compatible' in str(err)):
                if first:
                    self._explain_shapes(err, batch, model)
                raise
        self.channels_last = False
        model.to(memory_format=torch.contiguous_format)
        self.notify(
            f'{type(model).__name__} calls .view on a channels-last tensor; training in the '
            'default memory layout instead (.reshape in place of .view would keep the '
            'faster layout).',
            ('view', type(model).__name__),
        )
        with autocast(self.device, self.amp):
            return step([a.contiguous() if isinstance(a, torch.Tensor) else a for a in batch])

    def _explain_shapes(self, err, batch, model):
        try:
            with torch.no_grad(), autocast(self.device, self.amp):
                out = model(*batch[:-1])
        except Exception:  # the model fails on its input: its own error says more
            return
        y = batch[-1]
        if not (isinstance(out, torch.Tensor) and isinstance(y, torch.Tensor)):
            return
        fits = (
            out.dim() == 2
            and y.dim() == 1
            and len(out) == len(y)
            and (y.dtype.is_floating_point or int(y.max()) < out.shape[1])
        )
        if not fits:
            raise ValueError(
                f'The model outputs shape {tuple(out.shape)} for labels of shape {tuple(y.shape)}, '
                f'and the loss cannot compare them ({type(err).__name__}: '
                f'{str(err).splitlines()[0][:120]}). A classifier must output (batch, num_classes) '
                'with num_classes above the largest label; check the last layer.'
            ) from err
