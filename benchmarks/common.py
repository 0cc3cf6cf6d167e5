"""What the benchmark scripts share: D2L's data built offline, batch caps, timing, JSON.

D2L 1.0.3's ``FashionMNIST`` constructor calls torchvision with ``download=True``
and ``root='../data'``. torchvision skips the download when the four
uncompressed files already sit in ``ROOT/FashionMNIST/raw``, so the files
``book_utils`` found are decompressed into a temporary ``data/FashionMNIST/raw``
and D2L's own constructor runs, unchanged, from a sibling working directory.
Everything else on D2L's side (its DataLoader with ``num_workers=4``, its
Trainer, its ProgressBoard) is D2L's code as a student runs it.
"""

import argparse
import contextlib
import datetime
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault('MPLBACKEND', 'Agg')  # D2L's ProgressBoard draws, but opens no window

import torch  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / 'book_utils' / 'results'  # package data, read by the reference page


def _stand_ins_for_notebook_modules():
    """Where IPython or matplotlib_inline is missing (a bare GPU image), stand-ins that give
    D2L the calls it makes of them (in a script they would only print a figure's repr,
    which the benchmarks discard anyway). Returns the names to drop from ``sys.modules``
    once D2L is imported, so matplotlib never mistakes the stand-in for IPython."""
    import importlib.util
    import types

    added = []
    if 'IPython' not in sys.modules and importlib.util.find_spec('IPython') is None:
        ipython = types.ModuleType('IPython')
        ipython.display = types.SimpleNamespace(
            display=lambda *a, **k: None, clear_output=lambda *a, **k: None
        )
        sys.modules['IPython'] = ipython
        added.append('IPython')
        print('benchmarks: IPython is missing; D2L gets a no-op IPython.display')
    if (
        'matplotlib_inline' not in sys.modules
        and importlib.util.find_spec('matplotlib_inline') is None
    ):
        inline = types.ModuleType('matplotlib_inline')
        inline.backend_inline = types.SimpleNamespace(set_matplotlib_formats=lambda *a, **k: None)
        sys.modules['matplotlib_inline'] = inline
        sys.modules['matplotlib_inline.backend_inline'] = inline.backend_inline
        added += ['matplotlib_inline', 'matplotlib_inline.backend_inline']
    return added


def oracle():
    """D2L 1.0.3's torch module (installed with --no-deps, or carried on PYTHONPATH)."""
    if 'd2l.torch' not in sys.modules:
        added = _stand_ins_for_notebook_modules()
        try:
            from d2l import torch  # noqa: F401
        finally:
            for name in added:
                sys.modules.pop(name, None)
    return sys.modules['d2l.torch']


def d2l_data_root():
    """A temporary folder holding ``data/FashionMNIST/raw`` (uncompressed) and ``work/``."""
    from book_utils import data as data_mod

    tmp = Path(tempfile.mkdtemp(prefix='bench-fmnist-'))
    data_mod.export_for_torchvision(tmp / 'data')
    (tmp / 'work').mkdir()
    return tmp


def d2l_fashion_mnist(root, batch_size, resize):
    """D2L's ``FashionMNIST(batch_size, resize)``, its constructor run from ``root/work``."""
    d2l_oracle = oracle()
    here = os.getcwd()
    os.chdir(root / 'work')  # D2L's root is '../data'; torchvision reads the files now
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return d2l_oracle.FashionMNIST(batch_size=batch_size, resize=resize)
    finally:
        os.chdir(here)


def cap_batches(data, train_batches=None, val_batches=None):
    """Make ``data``'s loaders stop after the given numbers of batches (None: no cap)."""
    # the Trainer's own cap, so both sides match
    from book_utils.engine.placement import CappedLoader

    get = data.get_dataloader

    def capped(train):
        loader = get(train)
        limit = train_batches if train else val_batches
        return loader if limit is None else CappedLoader(loader, limit)

    data.get_dataloader = capped
    return data


def warm_up():
    """Pay one-time costs before either side is timed.

    The first ``torch.optim`` optimiser a process builds imports ``torch._dynamo``
    (about 2 s here); whichever Trainer ran first would pay it.
    """
    import torch._dynamo  # noqa: F401

    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)


LOCK = '/tmp/book-cpu.lock'  # the project's CPU lock (CONTRIBUTING.md, tools/execute_notebooks.py)


@contextlib.contextmanager
def cpu_lock(enabled=True):
    """Hold the project's CPU lock, so no notebook run or other benchmark shares the cores."""
    if not enabled:
        yield
        return
    import fcntl

    with open(LOCK, 'w') as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f'benchmarks: waiting for {LOCK} (another heavy run holds the CPU)', flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def timed(fn):
    """(result, seconds) of ``fn()``, synchronising CUDA before and after."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    out = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - start


def d2l_val_acc_by_epoch(model):
    """The validation accuracies D2L's board averaged, one point per epoch."""
    points = getattr(model.board, 'data', {}).get('val_acc', [])
    return [float(p.y) for p in points]


def environment(device=None):
    from book_utils.results import hardware_name

    return {
        'date': datetime.date.today().isoformat(),
        'hardware': hardware_name(device),
        'torch': torch.__version__,
        'python': platform.python_version(),
        'threads': torch.get_num_threads(),
    }


def merge_json(path, benchmark, key, record):
    """Store ``record`` at ``[benchmark][key]`` of the JSON file, keeping other entries."""
    path = Path(path)
    data = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault(benchmark, {})[key] = record
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + '\n')
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    print(f'wrote {shown} [{benchmark!r}][{key!r}]')


def cpu_timing_parser(description, train_batches):
    """The options both CPU scripts take (D2L vs ours on the same batches): epochs, batch cap,
    seed, repeats, where the JSON goes, and the CPU lock."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument(
        '--batches',
        type=int,
        default=None,
        help=f'training batches per epoch (default: all {train_batches})',
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--repeat',
        type=int,
        default=1,
        help='timed runs per side, alternating which goes first; the fastest counts',
    )
    parser.add_argument('--json', default=str(RESULTS / 'benchmarks-cpu.json'))
    parser.add_argument('--no-write', action='store_true', help='print only; write no JSON')
    parser.add_argument(
        '--no-lock',
        action='store_true',
        help="do not take the project's CPU lock (timings may be distorted)",
    )
    return parser
