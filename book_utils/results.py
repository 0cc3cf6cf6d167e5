"""Recording measured runs for the reference-results page.

Numbers in the book come from runs, not from prose: a chapter notebook calls
``record_run('alexnet', trainer, run)`` after training, and when the notebook
is executed by ``tools/execute_notebooks.py`` (which sets ``BOOK_RESULTS_DIR``)
the run's settings, history and speed are merged into
``results/<profile>.json``. Anywhere else, Colab included, it does nothing.
"""
import datetime
import json
import os
import platform
from pathlib import Path

import torch


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
    """Merge one finished run into ``$BOOK_RESULTS_DIR/<profile>.json``; returns the record."""
    history = trainer.history
    if not history:
        return None
    train = [h for h in history]
    record = {
        'date': datetime.date.today().isoformat(),
        'hardware': hardware_name(trainer.device),
        'torch': torch.__version__,
        'device': str(trainer.device),
        'settings': {k: (list(v) if isinstance(v, tuple) else v)
                     for k, v in (vars(run).items() if run is not None else {}.items())
                     if k not in ('note',)},
        'note': getattr(run, 'note', ''),
        'final': {k: v for k, v in history[-1].items() if k not in ('epoch',)},
        'epochs': len(history),
        'mean_epoch_seconds': sum(h['seconds'] for h in train) / len(train),
        'mean_examples_per_sec': sum(h['examples_per_sec'] for h in train) / len(train),
        'history': history,
    }
    out = os.environ.get('BOOK_RESULTS_DIR')
    if out:
        profile = trainer.profile.name
        path = Path(out) / f'{profile}.json'
        data = json.loads(path.read_text()) if path.exists() else {'profile': profile, 'runs': {}}
        data['runs'][name] = record
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1, sort_keys=True, default=str) + '\n')
    return record
