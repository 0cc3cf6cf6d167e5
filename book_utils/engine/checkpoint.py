"""Checkpoints: save a run after every epoch and resume it after a crash or a
Colab disconnect, as the same run or not at all.

A checkpoint says what it holds: the model class, the settings that make a run
(the model's hyper-parameters, the optimiser's, the data's batch size and
resize, gradient clipping, the profile), the architecture (every parameter's
name and shape and every layer's repr, so an edited model cell with the same
class name is caught), the data loader's shuffling seed, the versions that
wrote it, the epoch and the history. ``Checkpointer.open`` checks the folder
and that record at the start of ``fit``, before any training step, and refuses
(``CheckpointError``, naming both values) a folder that is a file, cannot be
written, holds an unreadable, hand-edited or damaged file, or a different run.
A checkpoint written before the architecture was recorded still resumes when
its weights fit the model, with a notice saying that only their names and
shapes could be compared.

A student's own optimiser (D2L's chapter 3 ``SGD``, with no ``param_groups``
or ``state_dict``) is described by its class and ``lr``; having no state of its
own to save, only the weights and counters are restored for it.

Two runs sharing a folder cannot corrupt each other: each save goes to a
temporary file of its own and is renamed over ``checkpoint.pt`` atomically,
and while a run fits it holds an advisory lock on ``checkpoint.lock``
(``fcntl.flock``, released when the process ends, even when killed), so a
second run on the same machine is refused at its start. Where ``flock`` is
missing (Windows) or unsupported, only the atomic rename protects the file.

Loading reads everything onto the CPU; the model and optimiser states move to
the training device as they are copied in, the CPU random state stays a CPU
tensor, and the CUDA states are restored only where CUDA is present.
"""

import importlib.metadata
import os
import random
import re
import tempfile
from pathlib import Path

import numpy as np
import torch

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

__all__ = [
    'Checkpointer',
    'CheckpointError',
    'CheckpointWriteError',
    'describe_run',
    'describe_architecture',
]

FORMAT = 1
# what makes two optimisers the same (other keys vary with the torch version)
_OPTIMIZER_SETTINGS = ('lr', 'momentum', 'dampening', 'nesterov', 'weight_decay', 'betas', 'eps')


class CheckpointError(ValueError):
    """``checkpoint_dir`` cannot be used for this run; the message says why and what to do."""


class CheckpointWriteError(CheckpointError):
    """A save failed (a full disk, a lost Drive mount); the previous checkpoint is intact."""


# what a readable checkpoint holds, and the type of each piece
_STATE_KEYS = {
    'run': dict,
    'epoch': int,
    'model': dict,
    'train_batch_idx': int,
    'val_batch_idx': int,
    'history': list,
    'rng': dict,
}
_KIND_NAMES = {int: 'a whole number', dict: 'a dict', list: 'a list'}
# ' at 0x7f...' in a layer's repr (a function it holds) changes from one session to the next
_ADDRESS = re.compile(r' at 0x[0-9a-fA-F]+')


def _simple(value):
    """Numbers, strings, None and tuples of them: the settings worth comparing."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, (tuple, list)) and all(_simple(v) for v in value)


def _package_version():
    try:
        return importlib.metadata.version('book_utils')
    except importlib.metadata.PackageNotFoundError:
        return 'unknown'


def _base_loader(loader):
    """The loader under the profile's cap (``CappedLoader.base_loader``), or ``loader``."""
    return getattr(loader, 'base_loader', loader)


def describe_architecture(model):
    """``{'parameters': {name: shape}, 'layers': {name: repr}}``: what makes a network this
    network, beyond its class name (a Sigmoid swapped for a ReLU changes no parameter)."""
    return {
        'parameters': {name: list(p.shape) for name, p in model.named_parameters()},
        'layers': {
            name or '(model)': _ADDRESS.sub('', repr(m))
            for name, m in model.named_modules()
            if next(m.children(), None) is None
        },
    }


def _architecture_differences(saved, now):
    rows = []
    for part, what in (('layers', 'layer'), ('parameters', 'parameter')):
        a, b = saved.get(part, {}), now.get(part, {})
        rows += [
            f'{what} {k} is {a.get(k, "missing")} there, {b.get(k, "missing")} here'
            for k in list(a) + [k for k in b if k not in a]
            if a.get(k) != b.get(k)
        ]
    return rows


def _optimizer_state(optim):
    """``optim.state_dict()``, or None for an optimiser without one (D2L's scratch SGD)."""
    return optim.state_dict() if callable(getattr(optim, 'state_dict', None)) else None


def describe_run(trainer, model, data) -> dict:
    """What makes this run this run: ``{'settings': ..., 'architecture': ..., 'info': ...}``.

    ``settings`` and ``architecture`` must match for a resume; ``info`` is recorded for people.
    """
    settings = {'model': type(model).__name__}
    settings.update(
        {f'model.{k}': v for k, v in getattr(model, 'hparams', {}).items() if _simple(v)}
    )
    optim = trainer.optim
    if optim is not None:
        settings['optimizer'] = type(optim).__name__
        groups = getattr(optim, 'param_groups', None) or [  # a scratch optimiser has none
            {k: v for k, v in vars(optim).items() if _simple(v)}
        ]
        for i, group in enumerate(groups):  # 'optimizer.lr', then 'optimizer[1].lr', ...
            prefix = 'optimizer' + (f'[{i}]' if i else '')
            settings.update({f'{prefix}.{k}': group[k] for k in _OPTIMIZER_SETTINGS if k in group})
    settings.update(
        {
            f'data.{k}': v
            for k, v in getattr(data, 'hparams', {}).items()
            if k not in ('root', 'num_workers') and _simple(v)
        }
    )
    if getattr(data, 'batch_size', None) is not None:
        settings['data.batch_size'] = data.batch_size  # after the profile's cap
    settings['gradient_clip_val'] = trainer.gradient_clip_val
    settings['profile'] = trainer.profile.name
    loader = _base_loader(trainer.train_dataloader)
    info = {
        'max_epochs': trainer.max_epochs,
        'book_utils': _package_version(),
        'torch': torch.__version__,
        'loader_seed': getattr(loader, 'seed', None),
    }
    return {'settings': settings, 'architecture': describe_architecture(model), 'info': info}


def _rng_state():
    state = {
        'torch': torch.get_rng_state(),
        'python': random.getstate(),
        'numpy': np.random.get_state(),
    }
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state):
    torch.set_rng_state(state['torch'].cpu())  # must stay a CPU ByteTensor
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    if torch.cuda.is_available():
        for i, cuda_state in enumerate(state.get('cuda', [])[: torch.cuda.device_count()]):
            torch.cuda.set_rng_state(cuda_state.cpu(), i)


class Checkpointer:
    """One folder, one run: ``checkpoint.pt`` written after every epoch.

    ``folder`` is any path (``str`` or ``pathlib.Path``; ``~`` is expanded), a
    mounted Google Drive folder included.
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        if not isinstance(folder, (str, os.PathLike)):
            raise TypeError(
                f'checkpoint_dir must be a folder path (a str or pathlib.Path), got '
                f'{folder!r} ({type(folder).__name__}).'
            )
        if not os.fspath(folder).strip():
            raise ValueError(
                "checkpoint_dir is empty (''); name a folder, e.g. 'checkpoints', or "
                'leave it out (None) to train without checkpoints.'
            )
        self.folder = Path(os.path.expanduser(os.fspath(folder)))
        self.path = self.folder / 'checkpoint.pt'
        self._lock = None

    def _refuse(self, problem):
        raise CheckpointError(
            f'checkpoint_dir {str(self.folder)!r} {problem} Delete it to start '
            'afresh, or choose another checkpoint_dir.'
        )

    def open(self, run: dict) -> dict | None:
        """Check the folder and any checkpoint in it against ``run`` (from ``describe_run``);
        return the saved state to resume from, or None. Call before the first step."""
        if self.folder.exists() and not self.folder.is_dir():
            self._refuse('is a file, not a folder.')
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.folder / 'checkpoint.lock', 'a+')  # also proves we may write
        except OSError as err:
            self._refuse(f'cannot be created or written ({err.strerror or err}).')
        self._take_lock()
        if not self.path.exists():
            return None
        try:
            state = torch.load(self.path, map_location='cpu', weights_only=False)
        except Exception as err:  # truncated, not a checkpoint, unreadable
            self.close()
            self._refuse(
                f'holds {self.path.name}, which cannot be read ({type(err).__name__}: '
                f'{str(err)[:120]}); it may be truncated.'
            )
        if not isinstance(state, dict) or state.get('format') != FORMAT:
            self.close()
            self._refuse(
                f'holds {self.path.name} from an older book_utils, which did not record '
                'what it holds.'
            )
        self._check_record(state)
        self._compare(state['run']['settings'], run['settings'])
        if 'architecture' in state['run']:
            self._compare_architecture(
                state['run']['architecture'], run['architecture'], run['settings']['model']
            )
        return state

    def _check_record(self, state):
        """Refuse a checkpoint whose record was edited by hand or damaged."""
        problem = next(
            (
                f"lacks '{k}'"
                if k not in state
                else f'has {k}={repr(state[k])[:40]} where {_KIND_NAMES[kind]} belongs'
                for k, kind in _STATE_KEYS.items()
                if not isinstance(state.get(k), kind) or isinstance(state.get(k), bool)
            ),
            None,
        )
        run = state.get('run', {})
        if problem is None and not (
            isinstance(run.get('settings'), dict)
            and isinstance(run.get('info'), dict)
            and isinstance(run.get('architecture', {}), dict)
        ):
            problem = "lacks the run's 'settings' or 'info', or its 'architecture' is no dict"
        if problem is None and not 1 <= state['epoch'] == len(state['history']):
            problem = (
                f'says epoch={state["epoch"]!r} but holds {len(state["history"])} finished '
                'epochs (a checkpoint is written after each epoch, so epoch >= 1)'
            )
        if problem is not None:
            self.close()
            self._refuse(
                f'holds {self.path.name}, which {problem}: it was edited or damaged and '
                'cannot be resumed safely.'
            )

    def _compare_architecture(self, saved, now, model_name):
        differ = _architecture_differences(saved, now)
        if differ:
            self.close()
            more = f' (and {len(differ) - 4} more differences)' if len(differ) > 4 else ''
            self._refuse(
                f'holds a run of {model_name} with another architecture: '
                + '; '.join(differ[:4])
                + more
                + '. A resume must be the same network.'
            )

    def _take_lock(self):
        if fcntl is None:
            return
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.seek(0)
            owner = self._lock.read().strip() or 'another process'
            self.close()
            self._refuse(
                f'is in use by another run ({owner}) that is still training. Wait for '
                'it to finish, or give this run its own folder.'
            )
        except OSError:  # a file system without flock: the atomic rename still protects
            return
        self._lock.seek(0)
        self._lock.truncate()
        self._lock.write(f'process {os.getpid()}')
        self._lock.flush()

    def _compare(self, saved, now):
        if saved.get('model') != now.get('model'):
            self.close()
            self._refuse(
                f'holds a checkpoint of {saved.get("model")}, and this run trains '
                f'{now.get("model")}.'
            )
        differ = [
            f'{k} {saved.get(k, "(not set)")!r} there, {now.get(k, "(not set)")!r} here'
            for k in sorted(set(saved) | set(now))
            if saved.get(k) != now.get(k)
        ]
        if differ:
            self.close()
            self._refuse(
                f'holds a run of {now["model"]} with other settings: '
                + '; '.join(differ)
                + '. A resume must be the same run.'
            )

    def save(self, trainer, run: dict) -> None:
        """Write model, optimiser, counters, history, loader and RNG states atomically."""
        loader = _base_loader(trainer.train_dataloader)
        state = {
            'format': FORMAT,
            'run': run,
            'epoch': trainer.epoch + 1,
            'model': trainer.model.state_dict(),
            'optim': _optimizer_state(trainer.optim),
            'train_batch_idx': trainer.train_batch_idx,
            'val_batch_idx': trainer.val_batch_idx,
            'history': trainer.history,
            'rng': _rng_state(),
            'loader_seed': getattr(loader, 'seed', None),
            'loader_generator': (
                loader.generator.get_state()
                if getattr(loader, 'generator', None) is not None
                else None
            ),
        }
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix='checkpoint.', suffix='.tmp')
            with os.fdopen(fd, 'wb') as f:
                torch.save(state, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)  # a crash mid-write leaves the previous checkpoint
        except (OSError, RuntimeError) as err:  # a full disk: torch says 'enforce fail at ...'
            before = (
                f'The previous {self.path.name} is intact'
                if self.path.exists()
                else 'No earlier checkpoint exists'
            )
            raise CheckpointWriteError(
                f'Could not write the checkpoint of epoch {trainer.epoch + 1} to '
                f'{str(self.folder)!r}: the disk is probably full or the folder was unmounted '
                f'({getattr(err, "strerror", None) or str(err).splitlines()[0][:80]}). {before}, '
                'and the model keeps its weights: free some space (or pass another '
                'checkpoint_dir), then call fit again to resume.'
            ) from err
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.remove(tmp)

    def restore(self, trainer, state: dict) -> int:
        """Put each saved piece where it belongs; returns the number of finished epochs."""
        try:
            trainer.model.load_state_dict(state['model'])  # copied onto the model's device
            if state.get('optim') is not None and callable(
                getattr(trainer.optim, 'load_state_dict', None)
            ):
                trainer.optim.load_state_dict(state['optim'])  # moved to its parameters' device
        except (RuntimeError, ValueError, KeyError) as err:
            self.close()
            self._refuse(f'holds weights that do not fit this model ({str(err)[:160]}).')
        trainer.train_batch_idx = state['train_batch_idx']
        trainer.val_batch_idx = state['val_batch_idx']
        trainer.history = list(state['history'])
        _set_rng_state(state['rng'])
        loader = _base_loader(trainer.train_dataloader)
        if state['loader_seed'] is not None and hasattr(loader, 'seed'):
            loader.seed = state['loader_seed']
        if state['loader_generator'] is not None and getattr(loader, 'generator', None) is not None:
            loader.generator.set_state(state['loader_generator'])
        return state['epoch']

    def resume(self, trainer, run: dict) -> int:
        """``open`` then ``restore``, with a notice; the number of epochs already done."""
        state = self.open(run)
        if state is None:
            return 0
        done, made_for = self.restore(trainer, state), state['run']['info']['max_epochs']
        trainer.emit(
            'notice',
            f'Trainer: resumed from {self.path} after epoch {done} of '
            f'{trainer.max_epochs}'
            + (
                f' (it was made with max_epochs={made_for})'
                if made_for != trainer.max_epochs
                else ''
            )
            + '.'
            + (
                ' It was written before book_utils recorded the architecture, so only '
                "the weights' names and shapes were compared with this model."
                if 'architecture' not in state['run']
                else ''
            ),
        )
        return done

    def close(self) -> None:
        """Release the folder for other runs."""
        if self._lock is not None:
            self._lock.close()  # closing the file releases the flock
            self._lock = None
