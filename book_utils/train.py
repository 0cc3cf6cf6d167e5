"""The Trainer: D2L's ``fit(model, data)`` loop, made fast, observable and safe.

What it keeps from D2L: the names (``fit``, ``fit_epoch``, ``prepare_data``,
``prepare_model``, ``prepare_batch``, ``clip_gradients``), the counters the
model's ``plot`` reads, and that every step goes through
``model.training_step`` and ``model.validation_step``, so a student's override
still runs.

What it adds: the data set lives on the training device and is resized there;
losses stay on the device and are read back only every ``log_every`` steps; a
progress bar and a live plot; ``trainer.history``; bf16 autocast on CUDA;
channels-last memory on CUDA and, for conv nets without normalisation layers,
on the CPU (see ``channels_last_helps``); a stop with ``DivergenceWarning`` when the loss
explodes; Ctrl-C that keeps the model and history; checkpoints that let a
disconnected Colab session resume; and the ``BOOK_PROFILE`` caps.
"""
import contextlib
import math
import os
import random
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .devices import best_device, cpu, num_gpus
from .hparams import HyperParameters
from .plot import in_notebook
from .profiles import active_profile

__all__ = ['Trainer', 'DivergenceWarning', 'channels_last_helps']


class DivergenceWarning(RuntimeWarning):
    """The training loss became NaN/inf or exploded; the run was stopped."""


def _is_norm_layer(module):
    # nn.BatchNorm*/LayerNorm/GroupNorm and a student's own ``BatchNorm`` class alike
    return 'Norm' in type(module).__name__


def channels_last_helps(model, device):
    """What ``channels_last='auto'`` picks: channels-last memory on CUDA always; on
    the CPU for convolutional networks without normalisation layers.

    Measured on two CPU cores (``benchmarks/README.md``): channels-last trains
    LeNet about 1.2x and GoogLeNet 1.17x faster, AlexNet, VGG and NiN about the
    same, but BN-LeNet 2x slower (the CPU batch-norm kernels are slow in
    channels-last for a handful of channels), so layers with "Norm" in their
    class name switch it off on the CPU.
    """
    device = torch.device(device)
    if device.type == 'cuda':
        return True
    if device.type != 'cpu':
        return False
    modules = list(model.modules())
    return (any(isinstance(m, nn.Conv2d) for m in modules)
            and not any(_is_norm_layer(m) for m in modules))


def _is_layout_error(err):
    """A ``.view`` that channels-last strides cannot satisfy (``.reshape`` would)."""
    return isinstance(err, RuntimeError) and 'view size is not compatible' in str(err)


def _metrics_text(record):
    """'train_loss 0.512, val_loss 0.498, val_acc 0.823': an epoch's metrics, for people."""
    return ', '.join(f'{k} {v:.3f}' for k, v in record.items()
                     if k not in ('epoch', 'seconds', 'examples_per_sec'))


class CappedLoader:
    """At most ``limit`` batches of ``loader`` per pass (the smoke profile's cap)."""

    def __init__(self, loader, limit):
        self.loader, self.limit = loader, limit

    def __len__(self):
        return min(len(self.loader), self.limit)

    def __iter__(self):
        for i, batch in enumerate(self.loader):
            if i >= self.limit:
                break
            yield batch

    def __getattr__(self, name):
        return getattr(self.loader, name)


def _progress_bar(total, desc):
    if in_notebook():
        try:
            from tqdm.notebook import tqdm
            return tqdm(total=total, desc=desc, leave=False)
        except ImportError:   # ipywidgets missing: fall back to text
            pass
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, leave=False, mininterval=1.0)


def _rng_state():
    state = {'torch': torch.get_rng_state(), 'python': random.getstate(),
             'numpy': np.random.get_state()}
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state):
    torch.set_rng_state(state['torch'])
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


class Trainer(HyperParameters):
    """Train a ``Module`` on a ``DataModule``: ``Trainer(max_epochs).fit(model, data)``.

    Keyword extras (all optional): ``device`` (overrides ``num_gpus``),
    ``checkpoint_dir`` (save after every epoch; a later ``fit`` resumes),
    ``amp`` (``'auto'``: on for CUDA), ``channels_last`` (``'auto'``: see
    ``channels_last_helps``; a model whose forward calls ``.view`` on activations
    falls back to the default layout with a notice), ``log_every``
    (steps between read-backs of the loss), ``divergence_factor`` (stop when the
    loss exceeds this many times its first value), ``progress`` and ``verbose``.
    """

    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0, *, device=None,
                 checkpoint_dir=None, amp='auto', channels_last='auto', log_every=50,
                 divergence_factor=10.0, progress=True, verbose=True):
        if not isinstance(max_epochs, int) or isinstance(max_epochs, bool) or max_epochs < 0:
            raise ValueError(f'max_epochs must be a non-negative int, got {max_epochs!r}.')
        self.save_hyperparameters()
        profile = active_profile()
        self.profile = profile
        if profile.max_epochs is not None and max_epochs > profile.max_epochs:
            self.max_epochs = profile.max_epochs
        self.device = self._choose_device(num_gpus, device)
        self.gpus = [self.device] if self.device.type != 'cpu' else []
        self.history = []
        self.stop_reason = None

    # -- setup -------------------------------------------------------------
    def _say(self, message):
        if self.verbose:
            print(message)

    def _choose_device(self, num_gpus_asked, device):
        if device is not None:
            return torch.device(device)
        if not num_gpus_asked:
            return cpu()
        found = best_device()
        if num_gpus_asked > 1 and num_gpus() < num_gpus_asked and found.type == 'cuda':
            self._say(f'Trainer: asked for {num_gpus_asked} GPUs, this machine has {num_gpus()}; '
                      f'using {found}.')
        elif found.type == 'cpu':
            self._say(f'Trainer: num_gpus={num_gpus_asked} but no GPU is available; '
                      'training on the CPU.')
        return found

    def prepare_data(self, data):
        self.train_dataloader = data.train_dataloader()
        self.val_dataloader = data.val_dataloader()
        p = self.profile
        if p.max_train_batches:
            self.train_dataloader = CappedLoader(self.train_dataloader, p.max_train_batches)
        if p.max_val_batches and self.val_dataloader is not None:
            self.val_dataloader = CappedLoader(self.val_dataloader, p.max_val_batches)
        if self.device.type != 'cpu':   # keep the whole data set on the device
            for loader in (self.train_dataloader, self.val_dataloader):
                if loader is not None and hasattr(loader, 'to'):
                    loader.to(self.device)
        self.num_train_batches = len(self.train_dataloader)
        self.num_val_batches = (len(self.val_dataloader) if self.val_dataloader is not None else 0)

    def prepare_model(self, model):
        model.trainer = self
        model.board.xlim = [0, self.max_epochs]
        model.to(self.device)
        self.model = model
        self._channels_last = (channels_last_helps(model, self.device)
                               if self.channels_last == 'auto' else bool(self.channels_last))
        if any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters()):
            # Lazy layers learn their shapes from one batch before the optimiser sees them.
            batch = self.prepare_batch(next(iter(self.train_dataloader)))
            was_training = model.training
            model.eval()
            with torch.no_grad():
                self._run_step(lambda b: model(*b[:-1]), batch)
            model.train(was_training)
        if self._channels_last:   # after lazy init, so new weights get the layout too
            model.to(memory_format=torch.channels_last)

    def _use_channels_last(self):
        if hasattr(self, '_channels_last'):   # decided for the model in prepare_model
            return self._channels_last
        return self.device.type == 'cuda' if self.channels_last == 'auto' else bool(self.channels_last)

    def _drop_channels_last(self, err):
        """The model's forward ``.view``-ed a channels-last tensor: go back to the default layout."""
        self._channels_last = False
        self.model.to(memory_format=torch.contiguous_format)
        self._say('Trainer: the model calls .view on a channels-last tensor '
                  f'({str(err).splitlines()[0][:80]}...); training in the default memory layout '
                  'instead (.reshape in place of .view would keep the faster layout).')

    def _run_step(self, step, batch):
        """``step(batch)`` under autocast; one retry in the default layout after a ``.view`` error."""
        try:
            with self._autocast():
                return step(batch)
        except RuntimeError as err:
            if not (self._use_channels_last() and _is_layout_error(err)):
                raise
            self._drop_channels_last(err)
        batch = [a.contiguous() if isinstance(a, torch.Tensor) else a for a in batch]
        with self._autocast():
            return step(batch)

    def _autocast(self):
        use = self.device.type == 'cuda' if self.amp == 'auto' else bool(self.amp)
        if not use:
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if (self.device.type != 'cuda' or torch.cuda.is_bf16_supported()) \
            else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    def prepare_batch(self, batch):
        batch = [a.to(self.device, non_blocking=True) if isinstance(a, torch.Tensor) else a
                 for a in batch]
        if self._use_channels_last() and batch and batch[0].dim() == 4:
            batch[0] = batch[0].contiguous(memory_format=torch.channels_last)
        return batch

    def clip_gradients(self, grad_clip_val, model):
        """Rescale all gradients so their joint norm is at most ``grad_clip_val``."""
        params = [p for p in model.parameters() if p.requires_grad and p.grad is not None]
        nn.utils.clip_grad_norm_(params, grad_clip_val)

    # -- metrics -----------------------------------------------------------
    def observe(self, label, value):
        """Called by ``Module.plot``: sum each plotted metric on the device for the epoch."""
        if label == 'train_loss':   # the loop records the returned loss itself
            return
        total, count = self._sums.get(label, (0.0, 0))
        self._sums[label] = (total + value, count + 1)

    def _epoch_means(self):
        labels = list(self._sums)
        if not labels:
            return {}
        values = torch.stack([torch.as_tensor(self._sums[k][0], dtype=torch.float32,
                                              device=self.device).reshape(()) for k in labels])
        values = values.cpu().tolist()   # one synchronisation per epoch
        return {k: v / self._sums[k][1] for k, v in zip(labels, values)}

    # -- checkpoints -------------------------------------------------------
    def _checkpoint_path(self):
        return Path(self.checkpoint_dir) / 'checkpoint.pt'

    def save_checkpoint(self):
        """Write model, optimiser, counters, history and RNG states atomically."""
        path = self._checkpoint_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {'model': self.model.state_dict(), 'optim': self.optim.state_dict(),
                 'epoch': self.epoch + 1, 'train_batch_idx': self.train_batch_idx,
                 'val_batch_idx': self.val_batch_idx, 'history': self.history,
                 'rng': _rng_state()}
        tmp = path.with_suffix('.tmp')
        torch.save(state, tmp)
        os.replace(tmp, path)   # a crash mid-write leaves the previous checkpoint intact

    def _resume(self):
        path = self._checkpoint_path()
        if not path.exists():
            return 0
        state = torch.load(path, map_location=self.device, weights_only=False)
        self.model.load_state_dict(state['model'])
        self.optim.load_state_dict(state['optim'])
        self.train_batch_idx, self.val_batch_idx = state['train_batch_idx'], state['val_batch_idx']
        self.history = state['history']
        _set_rng_state(state['rng'])
        for loader in (self.train_dataloader, self.val_dataloader):
            if loader is not None and hasattr(loader, 'set_epoch'):
                loader.set_epoch(state['epoch'])
        self._say(f'Trainer: resumed from {path} after epoch {state["epoch"]} of {self.max_epochs}.')
        return state['epoch']

    # -- the loop ----------------------------------------------------------
    def fit(self, model, data):
        self.prepare_data(data)
        self.prepare_model(model)
        model.board.clear()
        self.optim = model.configure_optimizers()
        self.epoch = 0
        self.train_batch_idx = 0
        self.val_batch_idx = 0
        self.history = []
        self.stop_reason = None
        first_epoch = self._resume() if self.checkpoint_dir else 0
        self._first_loss = None
        self._say(f'Training on {self.device} ({self.profile.name} profile): '
                  f'{self.max_epochs} epochs of {self.num_train_batches} batches.')
        total = (self.max_epochs - first_epoch) * (self.num_train_batches + self.num_val_batches)
        self._bar = _progress_bar(total, 'training') if self.progress else None
        try:
            for self.epoch in range(first_epoch, self.max_epochs):
                if not self.fit_epoch():
                    break
                if self.checkpoint_dir:
                    self.save_checkpoint()
        except KeyboardInterrupt:
            self.stop_reason = 'interrupted'
            self._say(f'Trainer: interrupted in epoch {self.epoch + 1}; the model keeps its '
                      f'weights and trainer.history keeps {len(self.history)} finished epochs.'
                      + (' Call fit again to resume from the last checkpoint.'
                         if self.checkpoint_dir else ''))
        except torch.cuda.OutOfMemoryError as err:
            raise torch.cuda.OutOfMemoryError(
                f'The GPU ran out of memory with batch size {getattr(data, "batch_size", "?")}. '
                'Use a smaller batch_size (or resize), restart the runtime to free memory, '
                'or run with BOOK_PROFILE=cpu or smoke.') from err
        finally:
            if self._bar is not None:
                self._bar.close()
        self._summary()

    def _summary(self):
        if not self.history or not in_notebook():   # scripts already printed each epoch
            return
        last = self.history[-1]
        seconds = sum(h['seconds'] for h in self.history)
        self._say(f'epoch {last["epoch"]}: {_metrics_text(last)}; '
                  f'{last["examples_per_sec"]:,.0f} examples/s, {seconds:.1f} s in all.')

    def _check_divergence(self, loss_value, batch_in_epoch):
        """False (and a DivergenceWarning) once the loss is not finite or far above the first."""
        limit = self.divergence_factor * max(abs(self._first_loss), 1.0)
        if math.isfinite(loss_value) and loss_value <= limit:
            return True
        lr = self.optim.param_groups[0].get('lr') if self.optim.param_groups else None
        self.stop_reason = 'diverged'
        with warnings.catch_warnings():
            warnings.simplefilter('always', DivergenceWarning)
            warnings.warn(DivergenceWarning(
                f'Training diverged in epoch {self.epoch + 1}, batch {batch_in_epoch}: '
                f'loss {loss_value:.4g} (first loss {self._first_loss:.4g}) at learning rate {lr}. '
                'Stopped. Try a learning rate 3-10x smaller, Xavier init (init_cnn), or '
                'gradient clipping (Trainer(..., gradient_clip_val=1)).'), stacklevel=4)
        return False

    def fit_epoch(self):
        """One pass over the training data, then one over the validation data.

        Returns False when training must stop (divergence).
        """
        self._sums = {}
        start, examples = time.perf_counter(), 0
        loss_sum, loss_count, ticked = torch.zeros((), device=self.device), 0, 0
        self.model.train()
        for i, batch in enumerate(self.train_dataloader):
            loss = self._run_step(self.model.training_step, self.prepare_batch(batch))
            self.optim.zero_grad(set_to_none=True)
            loss.backward()
            if self.gradient_clip_val > 0:
                self.clip_gradients(self.gradient_clip_val, self.model)
            self.optim.step()
            self.train_batch_idx += 1
            examples += len(batch[0])
            loss_sum += loss.detach().float()
            loss_count += 1
            if self._first_loss is None:   # one read-back at the very start: the reference
                self._first_loss = float(loss.detach())
            if (i + 1) % self.log_every == 0 or i + 1 == self.num_train_batches:
                value = float(loss.detach())   # the one read-back every log_every steps
                if not self._check_divergence(value, i + 1):
                    return False
                self._tick(i + 1 - ticked, loss=value)
                ticked = i + 1
        train_seconds = time.perf_counter() - start
        if self.val_dataloader is not None:
            self.model.eval()
            with torch.no_grad():
                for batch in self.val_dataloader:
                    self._run_step(self.model.validation_step, self.prepare_batch(batch))
                    self.val_batch_idx += 1
            self._tick(self.num_val_batches)
        record = {'epoch': self.epoch + 1,
                  'train_loss': float(loss_sum) / max(loss_count, 1)}
        record.update(self._epoch_means())
        record['seconds'] = time.perf_counter() - start
        record['examples_per_sec'] = examples / max(train_seconds, 1e-9)
        self.history.append(record)
        if not in_notebook() and self.verbose:
            print(f'epoch {record["epoch"]}/{self.max_epochs}: {_metrics_text(record)} '
                  f'({record["examples_per_sec"]:,.0f} examples/s)')
        return True

    def _tick(self, steps, loss=None):
        if self._bar is None:
            return
        self._bar.set_description(f'epoch {self.epoch + 1}/{self.max_epochs}', refresh=False)
        if loss is not None:
            self._bar.set_postfix(loss=f'{loss:.3f}', refresh=False)
        self._bar.update(steps)
