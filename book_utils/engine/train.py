"""The Trainer: D2L's ``fit(model, data)`` loop, made fast, observable and safe.

D2L's shape is kept (``fit``, ``fit_epoch``, ``prepare_*``, ``clip_gradients``,
``observe``, the counters ``Module.plot`` reads). All state exists once
``__init__`` returns, so any hook may be overridden or called alone. Around the
loop: ``placement`` (device, amp, layout), ``report`` (what is said and recorded),
``checkpoint`` (save and resume). A run stops early through one channel,
``request_stop(reason)``, read before every step; ``stop_reason`` says why.
"""

import math
import os
import time
from typing import Literal

import torch
from torch import nn

from ..checks import check_bool, check_float, check_int
from ..hparams import HyperParameters
from .checkpoint import Checkpointer, describe_run
from .devices import training_device
from .module import check_trainable
from .placement import DeviceSteps, capped
from .profiles import active_profile
from .report import EpochMeter, Event, Reporter, choose_reporter, divergence_advice

__all__ = ['Trainer']


class Trainer(HyperParameters):
    """Train a ``Module`` on a ``DataModule``: ``Trainer(max_epochs).fit(model, data)``.

    Keyword extras: ``device`` (wins over ``num_gpus``), ``checkpoint_dir`` (save
    every epoch; a later ``fit`` resumes), ``amp``/``channels_last`` ('auto', True,
    False), ``log_every`` (steps between loss read-backs), ``divergence_factor``
    (stop once the loss exceeds this many times its first value), ``progress``,
    ``verbose``, ``reporter`` (hears every ``Event``; default: notebook or console).
    """

    def __init__(
        self,
        max_epochs: int,
        num_gpus: int = 0,
        gradient_clip_val: float = 0,
        *,
        device: str | torch.device | None = None,
        checkpoint_dir: str | os.PathLike | None = None,
        amp: bool | Literal['auto'] = 'auto',
        channels_last: bool | Literal['auto'] = 'auto',
        log_every: int = 50,
        divergence_factor: float = 10.0,
        progress: bool = True,
        verbose: bool = True,
        reporter: Reporter | None = None,
    ) -> None:
        if gradient_clip_val is None:
            raise TypeError(
                'gradient_clip_val must be a number, got None; use 0 to train '
                'without clipping (as D2L does).'
            )
        check_int(max_epochs, 'max_epochs', low=0), check_int(log_every, 'log_every', low=1)
        check_float(gradient_clip_val, 'gradient_clip_val', low=0)
        check_float(divergence_factor, 'divergence_factor', low=1)
        check_bool(progress, 'progress'), check_bool(verbose, 'verbose')
        if reporter is not None and not callable(reporter):
            raise TypeError(
                f'reporter must be called as reporter(trainer, event); got {reporter!r}.'
            )
        self.save_hyperparameters(ignore=['reporter'])
        self.reporter = reporter if reporter is not None else choose_reporter(progress, verbose)
        self._per_batch = getattr(self.reporter, 'per_batch', False)
        self.profile = active_profile()
        if self.profile.max_epochs is not None:
            self.max_epochs = min(max_epochs, self.profile.max_epochs)
        self.checkpointer = Checkpointer(checkpoint_dir) if checkpoint_dir is not None else None
        self.events, self.history, self.stop_reason, self.meter = [], [], None, EpochMeter()
        self.model = self.optim = self.train_dataloader = self.val_dataloader = self._first_loss = (
            None
        )
        self.epoch = self.train_batch_idx = self.val_batch_idx = 0
        self.num_train_batches = self.num_val_batches = 0
        self.device, notice = training_device(num_gpus, device)
        self.gpus = [self.device] if self.device.type != 'cpu' else []
        self.steps = DeviceSteps(
            self.device,
            amp,
            channels_last,  # checks amp, channels_last
            lambda message, key: self.emit('notice', message, once=key),
        )
        if notice:
            self.emit('notice', notice, once='device')

    # -- events and stops ----------------------------------------------------
    def emit(self, kind, message='', **data):
        """Hand an ``Event`` to the reporter; keep it in ``events`` unless it is a progress tick."""
        event = Event(kind, message, data)
        if kind not in ('batch', 'log', 'val'):
            self.events.append(event)
        self.reporter(self, event)

    def request_stop(self, reason, message=''):
        """End the run before its next step ('diverged', 'interrupted', ...); the first reason
        wins. The epoch in progress is not recorded; the model keeps its weights."""
        if self.stop_reason is None:
            self.stop_reason = reason
            self.emit('stop', message, reason=reason)

    # -- D2L's hooks ----------------------------------------------------------
    def prepare_data(self, data):
        self.train_dataloader = self.steps.hold(
            capped(data.train_dataloader(), self.profile.max_train_batches)
        )
        self.val_dataloader = self.steps.hold(
            capped(data.val_dataloader(), self.profile.max_val_batches)
        )
        self.num_train_batches = len(self.train_dataloader)
        self.num_val_batches = len(self.val_dataloader) if self.val_dataloader is not None else 0
        if not self.num_train_batches:
            raise ValueError(
                f'The training data of {type(data).__name__} has no batches; give it '
                'at least one example (num_train >= 1).'
            )

    def prepare_model(self, model):
        model.trainer, model.board.xlim, self.model = self, [0, self.max_epochs], model
        self.steps.place(model, lambda: self.prepare_batch(next(iter(self.train_dataloader))))

    def prepare_batch(self, batch):
        batch = self.steps.batch(batch)
        if self.model is not None and self.model.training:  # count training examples
            self.meter.examples += len(batch[0])
        return batch

    def clip_gradients(self, grad_clip_val, model):
        """Rescale all gradients so their joint norm is at most ``grad_clip_val``."""
        params = [p for p in model.parameters() if p.requires_grad and p.grad is not None]
        nn.utils.clip_grad_norm_(params, grad_clip_val)

    def observe(self, label, value):
        """Called by ``Module.plot``: adds to the epoch's sum of ``label`` (on the device)."""
        self.meter.observe(label, value)

    # -- the loop -------------------------------------------------------------
    def fit(self, model, data):
        check_trainable(
            model, data
        )  # a class, no super().__init__(), no net or lr: before any work
        self.prepare_data(data)
        self.prepare_model(model)
        getattr(model.board, 'clear', lambda: None)()  # a D2L model brings its own board
        self.optim = model.configure_optimizers()
        self.epoch = self.train_batch_idx = self.val_batch_idx = 0
        self.history, self.stop_reason, self._first_loss, run = [], None, None, None
        try:
            run = describe_run(self, model, data) if self.checkpointer is not None else None
            first = self.checkpointer.resume(self, run) if run is not None else 0  # or refuse
            steps = max(self.max_epochs - first, 0) * (
                self.num_train_batches + self.num_val_batches
            )
            self.emit(
                'start',
                f'Training on {self.device} ({self.profile.name} profile): '
                f'{self.max_epochs} epochs of {self.num_train_batches} batches.',
                total=steps,
                once=('start', str(self.device), self.profile.name),
            )
            for self.epoch in range(first, self.max_epochs):
                if self.stop_reason is not None:
                    break
                for loader in (self.train_dataloader, self.val_dataloader):
                    if hasattr(loader, 'set_epoch'):  # epoch e shuffles alike, resumed or not
                        loader.set_epoch(self.epoch)
                self.meter.reset()
                self.fit_epoch()  # D2L's returns None: stops come through request_stop
                if self.stop_reason is None:  # an epoch cut short is not recorded
                    self.history.append(self.meter.record(self.epoch + 1))
                    self.emit('epoch', record=self.history[-1])
                    if run is not None:
                        self.checkpointer.save(self, run)
        except KeyboardInterrupt:
            self.request_stop(
                'interrupted',
                f'Trainer: interrupted in epoch {self.epoch + 1}; the '
                f'model keeps its weights, trainer.history its {len(self.history)} '
                'finished epochs.' + (' Call fit again to resume.' * bool(run)),
            )
        except torch.cuda.OutOfMemoryError as err:
            raise torch.cuda.OutOfMemoryError(
                f'The GPU ran out of memory with batch size {getattr(data, "batch_size", "?")}. '
                'Use a smaller batch_size (or resize), restart the runtime to free memory, '
                'or run with BOOK_PROFILE=cpu or smoke.'
            ) from err
        finally:
            if self.checkpointer is not None:
                self.checkpointer.close()
            self.emit('end')

    def fit_epoch(self):
        """One pass over the training data, then one over the validation data."""
        if self.optim is None:  # called alone, after prepare_data and prepare_model
            self.optim = self.model.configure_optimizers()
        start, ticked, meter = time.perf_counter(), 0, self.meter
        self.model.train()
        for i, batch in enumerate(self.train_dataloader):
            if self.stop_reason is not None:
                break
            loss = self.steps.run(
                self.model.training_step,
                self.prepare_batch(batch),
                self.model,
                first=self._first_loss is None,
            )
            self.optim.zero_grad()  # torch >= 2 sets grads to None; a student optimiser takes no args
            loss.backward()
            with torch.no_grad():  # as D2L: a scratch optimiser's param -= lr * grad needs it
                if self.gradient_clip_val > 0:
                    self.clip_gradients(self.gradient_clip_val, self.model)
                self.optim.step()
            self.train_batch_idx += 1
            meter.add_loss(loss)
            if self._first_loss is None:  # one read-back at the very start: the reference
                self._first_loss = float(loss.detach())
            if (i + 1) % self.log_every == 0 or i + 1 == self.num_train_batches:
                value = float(loss.detach())  # the one read-back every log_every steps
                self._check_divergence(value, ticked)
                self.emit('log', steps=i + 1 - ticked, loss=value)
                ticked = i + 1
            if self._per_batch:
                self.emit('batch', examples=len(batch[0]))
        meter.train_seconds = time.perf_counter() - start
        self.model.eval()
        with torch.no_grad():
            for batch in self.val_dataloader or ():
                if self.stop_reason is not None:
                    break
                self.steps.run(self.model.validation_step, self.prepare_batch(batch), self.model)
                self.val_batch_idx += 1
        self.emit('val', steps=self.num_val_batches)

    def _check_divergence(self, loss_value, since):
        """Advice and a stop once the loss is not finite or far above the first loss."""
        limit = self.divergence_factor * max(abs(self._first_loss), 1.0)
        recent, self.meter.recent = self.meter.recent, []  # the losses since the last check
        if math.isfinite(loss_value) and loss_value <= limit:
            return
        self.emit(
            'advice',
            divergence_advice(
                self.epoch + 1,
                since,
                recent or [loss_value],
                limit,
                self._first_loss,
                self.optim,
                self.model,
            ),
            reason='diverged',
        )
        self.request_stop('diverged')
