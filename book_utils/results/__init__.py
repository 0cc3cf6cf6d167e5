"""Measured runs: the files that hold them, the writer and the reader.

Numbers in the book come from runs, not from prose. The runs live in this
package's folder as JSON (``cpu.json``, ``full.json``, ``d2l_published.json``,
``notebook_times.json``, ``benchmarks-*.json``) and are installed with it as
package data, so a page that shows them -- the reference-results page opened
alone on Colab, with no repository around it -- finds them through ``load``.

A chapter notebook calls ``record_run('alexnet', trainer, run)`` after training;
when the notebook is executed by ``tools/execute_notebooks.py`` (which sets
``BOOK_RESULTS_DIR`` to this folder of the checkout) the run's settings, history
and speed are merged into ``<profile>.json``. Anywhere else, Colab included, it
writes nothing.
"""

import datetime
import importlib.resources
import json
import os
import platform
from pathlib import Path

import torch

# Where the writer puts a run, and where the reader looks before the installed files.
DIR_VARIABLE = 'BOOK_RESULTS_DIR'


def folder():
    """The folder ``load`` reads: ``$BOOK_RESULTS_DIR`` if set, else this installed package's."""
    override = os.environ.get(DIR_VARIABLE)
    return Path(override) if override else importlib.resources.files(__name__)


def load(name):
    """The parsed ``<name>.json`` of measured results (``{}`` if it has not been measured yet).

    ``name`` is a file stem such as ``'cpu'``, ``'full'``, ``'d2l_published'`` or
    ``'notebook_times'``.
    """
    if not isinstance(name, str) or not name or '/' in name or name.endswith('.json'):
        raise ValueError(
            f'load(name={name!r}): name must be a file stem such as "cpu" or '
            '"d2l_published", without a folder or ".json"'
        )
    path = folder() / f'{name}.json'
    return json.loads(path.read_text()) if path.is_file() else {}


def hardware_name(device=None):
    """A short human description of the machine a run used."""
    device = torch.device(device) if device is not None else None
    if device is not None and device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    model = platform.processor() or platform.machine()
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    return f'{model}, {os.cpu_count()} cores (torch uses {torch.get_num_threads()} threads)'


def record_run(name, trainer, run=None):
    """Merge one finished run into ``$BOOK_RESULTS_DIR/<profile>.json`` when that variable is
    set (tools/execute_notebooks.py sets it to this package's folder); returns the record."""
    history = trainer.history
    if not history:
        return None
    train = [h for h in history]
    record = {
        'date': datetime.date.today().isoformat(),
        'hardware': hardware_name(trainer.device),
        'torch': torch.__version__,
        'device': str(trainer.device),
        'settings': {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in (vars(run).items() if run is not None else {}.items())
            if k not in ('note',)
        },
        'note': getattr(run, 'note', ''),
        'final': {k: v for k, v in history[-1].items() if k not in ('epoch',)},
        'epochs': len(history),
        'mean_epoch_seconds': sum(h['seconds'] for h in train) / len(train),
        'mean_examples_per_sec': sum(h['examples_per_sec'] for h in train) / len(train),
        'history': history,
    }
    out = os.environ.get(DIR_VARIABLE)
    if out:
        profile = trainer.profile.name
        path = Path(out) / f'{profile}.json'
        data = json.loads(path.read_text()) if path.exists() else {'profile': profile, 'runs': {}}
        data['runs'][name] = record
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True, default=str) + '\n')
    return record
