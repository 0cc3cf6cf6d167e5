"""Re-execute chapter notebooks in place under a profile, keeping their outputs.

    .venv/bin/python tools/execute_notebooks.py [--profile cpu] [chapters/7_2_conv_layer.ipynb ...]

The book is built from the outputs committed with each notebook, so readers
never wait for training; this script is how those outputs are refreshed. It
records each notebook's wall time in book_utils/results/notebook_times.json and drops
the dead progress-bar widgets that tqdm leaves behind, together with their saved
widget state (which would otherwise pull the widget scripts into the page for
nothing), and joins the pieces of a cell's printed output into one box. Heavy
runs take the lock /tmp/book-cpu.lock so two of them never share the two CPU cores.

    .venv/bin/python tools/execute_notebooks.py --clean-only [NOTEBOOK ...]

applies only that clean-up to the committed outputs, without executing.
"""

import argparse
import fcntl
import json
import os
import re
import sys
import textwrap
import time
from pathlib import Path

import nbformat
from book_pages import chapter_notebooks
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / 'book_utils' / 'results'  # package data: the runs travel with book_utils
TIMES = RESULTS / 'notebook_times.json'
TQDM_TEXT = re.compile(r'\d+%\|.*\||\d+/\d+ \[')
# A warning raised from a cell names the kernel's temporary file for that cell
# (e.g. /tmp/ipykernel_123/456.py:6:); the path means nothing to a reader and is
# this machine's, so it is shortened to <cell>.
KERNEL_CELL_FILE = re.compile(r'\S*ipykernel_\d+[/\\]\d+\.py')
# Python's default warning format: 'file:line: Category: message' and then the source line.
# A reader needs the category and the message only (book_utils.show_setup prints warnings so
# from now on; this also tidies outputs saved before it did), wrapped for a phone.
WARNING = re.compile(r'^(?:<cell>|\S+\.py):\d+: (\w+(?:Warning|Error)): (.*)\n(?:  .*\n)?', re.M)


def _short_warning(match):
    text = f'{match.group(1)}: {match.group(2)}'
    return textwrap.fill(text, 88) + '\n'


def _is_dead_progress_bar(output):
    data = output.get('data', {})
    return (
        'application/vnd.jupyter.widget-view+json' in data
        and TQDM_TEXT.search(str(data.get('text/plain', ''))) is not None
    )


WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'
MODEL_REF = re.compile(r'IPY_MODEL_([0-9a-f]+)')


def _merge_streams(outputs):
    """Consecutive prints to the same stream become one output (one box on the page)."""
    merged = []
    for o in outputs:
        if (
            merged
            and o.get('output_type') == 'stream'
            and merged[-1].get('output_type') == 'stream'
            and merged[-1].get('name') == o.get('name')
        ):
            merged[-1]['text'] += o['text']
        else:
            merged.append(o)
    return merged


def _prune_widget_state(nb):
    """Keep only the saved widget models that a remaining output shows (and what they use).

    tqdm's progress bars leave their models in the notebook's metadata after their
    outputs are dropped; the book would then load the widget scripts for a page
    that shows no widget.
    """
    state = nb.metadata.get('widgets', {}).get(WIDGET_STATE, {}).get('state')
    if state is None:
        return
    todo = [
        o['data'][WIDGET_VIEW]['model_id']
        for cell in nb.cells
        if cell.cell_type == 'code'
        for o in cell.outputs
        if WIDGET_VIEW in o.get('data', {})
    ]
    keep = set()
    while todo:
        model = todo.pop()
        if model in keep or model not in state:
            continue
        keep.add(model)
        todo += MODEL_REF.findall(json.dumps(state[model]))
    if keep:
        nb.metadata['widgets'][WIDGET_STATE]['state'] = {
            k: v for k, v in state.items() if k in keep
        }
    else:
        del nb.metadata['widgets']


def _clean(nb):
    for cell in nb.cells:
        if cell.cell_type == 'code':
            cell.outputs = _merge_streams([o for o in cell.outputs if not _is_dead_progress_bar(o)])
            for o in cell.outputs:  # carriage-return progress text: keep only the final state
                if o.get('output_type') == 'stream' and '\r' in o.get('text', ''):
                    o['text'] = '\n'.join(
                        line.rsplit('\r', 1)[-1] for line in o['text'].split('\n')
                    )
                    o['text'] = re.sub(r'\n{2,}', '\n', o['text'])
                if o.get('output_type') == 'stream':
                    o['text'] = WARNING.sub(
                        _short_warning, KERNEL_CELL_FILE.sub('<cell>', o['text'])
                    )
    _prune_widget_state(nb)


def execute(path, profile, timeout):
    nb = nbformat.read(path, as_version=4)
    os.environ['BOOK_PROFILE'] = profile
    if profile != 'smoke':  # smoke runs are tests, not results
        os.environ['BOOK_RESULTS_DIR'] = str(RESULTS)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name='python3',
        resources={'metadata': {'path': str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    _clean(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebooks', nargs='*', type=Path)
    parser.add_argument('--profile', default='cpu', choices=['full', 'cpu', 'smoke'])
    parser.add_argument('--timeout', type=int, default=1800, help='seconds per cell')
    parser.add_argument(
        '--clean-only',
        action='store_true',
        help='only tidy the committed outputs (no execution, no lock)',
    )
    args = parser.parse_args(argv)
    if args.clean_only:
        for path in args.notebooks or chapter_notebooks(ROOT):
            nb = nbformat.read(path, as_version=4)
            _clean(nb)
            nbformat.write(nb, path)
        return 0
    # the chapters (7_1 ... 8_6); reference_results.ipynb is executed by the book build itself
    notebooks = args.notebooks or chapter_notebooks(ROOT)
    times = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    with open('/tmp/book-cpu.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for path in notebooks:
            path = path.resolve()
            print(f'executing {os.path.relpath(path, ROOT)} under {args.profile} ...', flush=True)
            seconds = execute(path, args.profile, args.timeout)
            print(f'  {seconds:.0f} s', flush=True)
            if args.profile != 'smoke' and path.parent == ROOT / 'chapters':
                times.setdefault(path.stem, {})[args.profile] = round(seconds, 1)
                TIMES.parent.mkdir(exist_ok=True)
                TIMES.write_text(json.dumps(times, indent=2, sort_keys=True) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
