"""What a training run tells people, and what it keeps for programs.

The Trainer never prints. It hands each thing worth saying to its reporter as
an ``Event`` (and keeps every event but the per-batch ones in
``trainer.events``, which tests and widgets read instead of printed text). The
reporter is chosen once, when the Trainer is built: ``NotebookReporter`` (a
notebook progress bar and one summary line, the live plot shows the epochs) or
``ConsoleReporter`` (a text bar and one line per epoch). The dashboard brings
its own. Notices are said at most once per process, so a script prints what
D2L's prints plus at most one line per notice.
"""

import dataclasses
import math
import sys
import time
import warnings

import torch

from ..teaching.plot import in_notebook
from .notices import say_once

__all__ = [
    'DivergenceWarning',
    'Event',
    'Reporter',
    'ConsoleReporter',
    'NotebookReporter',
    'choose_reporter',
    'EpochMeter',
    'metrics_text',
    'divergence_advice',
]


class DivergenceWarning(RuntimeWarning):
    """The training loss became NaN/inf or exploded; the run was stopped."""


@dataclasses.dataclass
class Event:
    """One thing a run reports. ``kind``: 'notice', 'start', 'batch', 'log', 'val',
    'epoch', 'advice', 'stop' or 'end'; ``data`` holds its numbers."""

    kind: str
    message: str = ''
    data: dict = dataclasses.field(default_factory=dict)


def metrics_text(record):
    """'train_loss 0.512, val_loss 0.498, val_acc 0.823': an epoch's metrics, for people."""
    return ', '.join(
        f'{k} {v:.3f}'
        for k, v in record.items()
        if k not in ('epoch', 'seconds', 'examples_per_sec') and v is not None
    )


def divergence_advice(epoch, since, recent, limit, first_loss, optim, model):
    """What to tell a reader whose loss exploded: the first bad batch among the ``recent``
    losses (numbers or scalar tensors of batches ``since + 1, ...``; bad: above ``limit``
    or not finite), how far, what became of the weights, and what to try."""
    recent = torch.stack([torch.as_tensor(v).float() for v in recent]).tolist()  # one read-back
    k = next(
        (k for k, v in enumerate(recent) if not (math.isfinite(v) and v <= limit)), len(recent) - 1
    )
    groups = getattr(optim, 'param_groups', None)  # a student's optimiser may have none
    lr = groups[0].get('lr') if groups else getattr(optim, 'lr', None)
    text = (
        f'Training diverged in epoch {epoch}, batch {since + k + 1}: loss {recent[k]:.4g} '
        f'(first loss {first_loss:.4g})'
        + (f' at learning rate {lr}' if lr is not None else '')
        + '. Stopped. '
    )
    name = type(model).__name__
    if not math.isfinite(first_loss):  # before any update: the data or the forward, not the lr
        return text + (
            'The very first loss is already not finite, before the optimiser took a '
            'step: look for NaN or inf in the data (torch.isfinite(X).all()) and in '
            f"{name}'s forward and loss, then create the model again."
        )
    if not all(bool(torch.isfinite(p).all()) for p in model.parameters()):
        return text + (
            f'The weights of {name} are now NaN or infinite, so training it further '
            f'cannot help: create the model again (e.g. model = {name}(lr=...)) with '
            'a learning rate 3-10x smaller, or add Xavier init (init_cnn) or gradient '
            'clipping (Trainer(..., gradient_clip_val=1)).'
        )
    return text + (
        'Try a learning rate 3-10x smaller, Xavier init (init_cnn), or gradient '
        'clipping (Trainer(..., gradient_clip_val=1)).'
    )


def _stacklevel_outside_package():
    """The ``stacklevel`` that points a warning at the reader's line, not at book_utils."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get('__name__', '').startswith('book_utils'):
        frame, level = frame.f_back, level + 1
    return level


class Reporter:
    """Receives every event of a run: ``reporter(trainer, event)`` calls ``on_<kind>``.

    ``per_batch = True`` asks for one 'batch' event per training step as well
    (the Trainer skips making them otherwise, to keep the loop lean).
    """

    per_batch = False

    def __call__(self, trainer, event):
        handler = getattr(self, 'on_' + event.kind, None)
        if handler is not None:
            handler(trainer, event)


class ConsoleReporter(Reporter):
    """Scripts: a text progress bar, notices, one line per epoch, divergence as a warning."""

    def __init__(self, progress=True, verbose=True):
        self.progress, self.verbose, self.bar = progress, verbose, None

    def _new_bar(self, total):
        from tqdm import tqdm

        return tqdm(total=total, desc='training', leave=False, mininterval=1.0)

    def on_notice(self, trainer, event):
        if self.verbose and event.message:
            say_once(event.data.get('once'), event.message)

    on_stop = on_notice  # a stop with a message (Ctrl-C) is said like a notice

    def on_start(self, trainer, event):
        self.on_notice(trainer, event)
        if self.progress and event.data['total']:
            self.bar = self._new_bar(event.data['total'])

    def on_log(self, trainer, event):
        if self.bar is not None:
            self.bar.set_description(
                f'epoch {trainer.epoch + 1}/{trainer.max_epochs}', refresh=False
            )
            self.bar.set_postfix(loss=f'{event.data["loss"]:.3f}', refresh=False)
            self.bar.update(event.data['steps'])

    def on_val(self, trainer, event):
        if self.bar is not None:
            self.bar.update(event.data['steps'])

    def on_epoch(self, trainer, event):
        record = event.data['record']
        if self.verbose:
            speed = record['examples_per_sec']
            print(
                f'epoch {record["epoch"]}/{trainer.max_epochs}: {metrics_text(record)}'
                + (f' ({speed:,.0f} examples/s)' if speed is not None else '')
            )

    def on_advice(self, trainer, event):
        warnings.warn(DivergenceWarning(event.message), stacklevel=_stacklevel_outside_package())

    def on_end(self, trainer, event):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class NotebookReporter(ConsoleReporter):
    """Notebooks: a widget progress bar and one summary line; the live plot shows the epochs."""

    def _new_bar(self, total):
        try:
            from tqdm.notebook import tqdm

            return tqdm(total=total, desc='training', leave=False)
        except ImportError:  # ipywidgets missing: a text bar
            return super()._new_bar(total)

    def on_epoch(self, trainer, event):
        pass

    def on_end(self, trainer, event):
        super().on_end(trainer, event)
        if self.verbose and trainer.history:
            last = trainer.history[-1]
            seconds = sum(h['seconds'] for h in trainer.history)
            speed = last['examples_per_sec']
            print(
                f'epoch {last["epoch"]}: {metrics_text(last)}; '
                + (f'{speed:,.0f} examples/s, ' if speed is not None else '')
                + f'{seconds:.1f} s in all.'
            )


def choose_reporter(progress=True, verbose=True):
    """The reporter for where this code runs, decided once: notebook or console."""
    return (NotebookReporter if in_notebook() else ConsoleReporter)(progress, verbose)


class EpochMeter:
    """One epoch's sums, kept on the device and read back once, at the epoch's end.

    ``observe`` (called by ``Module.plot``) sums each plotted metric; the
    Trainer's loop adds the loss ``training_step`` returns (a student's own
    ``fit_epoch`` is measured through ``observe`` alone); ``prepare_batch``
    counts training examples.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        self.sums, self.loss_sum, self.loss_count, self.recent = {}, 0.0, 0, []
        self.examples, self.train_seconds = 0, None
        self.start = time.perf_counter()

    def observe(self, label, value):
        total, count = self.sums.get(label, (0.0, 0))
        self.sums[label] = (total + value, count + 1)

    def add_loss(self, loss):
        self.loss_sum = self.loss_sum + loss.detach().float()
        self.loss_count += 1
        self.recent.append(loss.detach())  # kept on the device until the next loss check

    def record(self, epoch):
        """The history entry: 'epoch', 'train_loss', each observed metric, 'seconds',
        'examples_per_sec' (None where no training example was counted)."""
        seconds = time.perf_counter() - self.start
        sums = dict(self.sums)
        if self.loss_count:
            sums['train_loss'] = (self.loss_sum, self.loss_count)
        labels = sorted(sums, key=lambda k: (k != 'train_loss', list(sums).index(k)))
        device = next((v.device for v, _ in sums.values() if isinstance(v, torch.Tensor)), 'cpu')
        means = (
            torch.stack(
                [
                    torch.as_tensor(sums[k][0], device=device).detach().float().reshape(())
                    for k in labels
                ]
            )
            .cpu()
            .tolist()
            if labels
            else []
        )  # one read-back
        record = {'epoch': epoch}
        record.update({k: v / sums[k][1] for k, v in zip(labels, means)})
        record['seconds'] = seconds
        busy = self.train_seconds if self.train_seconds is not None else seconds
        record['examples_per_sec'] = self.examples / max(busy, 1e-9) if self.examples else None
        return record
