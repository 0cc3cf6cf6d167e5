r"""Grade a folder of submitted notebooks: a sheet with a column per checked exercise, feedback.

    .venv/bin/python tools/grade.py SUBMISSIONS [--timeout 300] [--cell-timeout 60]

Every SUBMISSIONS/*.ipynb runs alone, in a fresh kernel, in its own temporary folder (a copy
of the notebook and nothing else), under BOOK_PROFILE=smoke: a notebook that crashes, hangs or
deletes files harms only its own copy. A cell that fails is recorded and the next cells still
run; a cell that runs past --cell-timeout, or a notebook past --timeout, is cut off there.
Then, in the same kernel, every check of the notebook's sections runs on the answer the stub
names (`relu_max`, `MaxPoolByConv`, ...), twice: the student's check, and a hidden one with more
and different random cases; an exercise scores 1 only when both pass. A worker process per
notebook does this, so even a kernel that ignores interrupts is killed and the others graded; a
kernel that dies (os._exit, a crash) is restarted and the cells before the fatal one graded.

Writes SUBMISSIONS/grades.csv (file, one column per checked exercise id, total, out_of, notes)
and SUBMISSIONS/feedback/<notebook>.txt (each exercise's verdict, and what was cut off or
failed). Built on nbclient, the engine under nbgrader's and otter-grader's own runners; the
README says why neither was used whole.
"""

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = '@@GRADES@@'
SECTION = re.compile(r'\b([78])\.(\d)\b')

# Runs in the submission's kernel after its cells: fresh copies of the checks (a notebook that
# patched book_utils.answers does not grade itself), each check id's answer looked up by name.
GRADING_CELL = r"""
import importlib as _il, json as _json
import book_utils.answers.core as _core
_il.reload(_core)
import book_utils.answers.chapter7 as _c7, book_utils.answers.chapter8 as _c8
_il.reload(_c7); _il.reload(_c8)
_rows = {}
for _check in _core.checks():
    if not any(_check.id.startswith(_s + '.') for _s in SECTIONS):
        continue
    if _check.name not in globals():
        _rows[_check.id] = [False, f'{_check.name} is never defined.']
        continue
    _seen = _core.run_check(_check, globals()[_check.name])
    _hidden = _core.run_check(_check, globals()[_check.name], hidden=True) if _seen else None
    if not _seen:
        _rows[_check.id] = [False, _seen.message]
    elif not _hidden:
        _rows[_check.id] = [False, 'passes its own check but fails a hidden one: ' + _hidden.message]
    else:
        _rows[_check.id] = [True, _seen.message]
print(MARK + _json.dumps(_rows))
"""


def sections_of(nb):
    """The sections a notebook answers: from its answer-cell tags, check_answer calls and title."""
    found = set()
    for cell in nb.cells:
        for tag in cell.get('metadata', {}).get('tags', []):
            if tag.startswith('answer-'):
                found.add('.'.join(tag[len('answer-') :].split('.')[:2]))
        for m in re.finditer(r"check_answer\(\s*['\"](\d\.\d)\.", cell.source):
            found.add(m.group(1))
    if not found:
        for cell in nb.cells:
            if cell.cell_type == 'markdown' and cell.source.lstrip().startswith('#'):
                m = SECTION.search(cell.source.splitlines()[0])
                if m:
                    found.add(f'{m.group(1)}.{m.group(2)}')
                break
    return sorted(found)


class _KernelDied(Exception):
    def __init__(self, cell):
        super().__init__(cell)
        self.cell = cell


def _run_one(path, cell_timeout, timeout):
    """Worker: execute one notebook (already copied into the cwd) and grade it; return a dict.
    If the kernel dies (os._exit, a segfault, memory), the cells before the fatal one run again
    in a fresh kernel and are graded."""
    try:
        return _attempt(path, cell_timeout, timeout)
    except _KernelDied as died:
        result = _attempt(path, cell_timeout, timeout, stop_before=died.cell)
        result['notes'].insert(
            0,
            f'the kernel died in code cell {died.cell}: cells 1 to {died.cell - 1} '
            'were run again in a fresh kernel and graded',
        )
        return result


def _attempt(path, cell_timeout, timeout, stop_before=None):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    sections = sections_of(nb)
    notes, ran, started = [], 0, time.monotonic()
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name='python3',
        allow_errors=False,
        interrupt_on_timeout=True,
        resources={'metadata': {'path': os.getcwd()}},
    )
    result = {'sections': sections, 'rows': {}, 'notes': notes}
    if not sections:
        notes.append(
            'no section found (no answer-<id> cells, check_answer calls or "# 7.5 ..." title)'
        )
    with client.setup_kernel():
        code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == 'code']
        for n, (i, cell) in enumerate(code, 1):
            if stop_before is not None and n >= stop_before:
                break
            left = timeout - (time.monotonic() - started)
            if left <= 1:
                notes.append(f'the notebook ran past {timeout} s: cut off before code cell {n}')
                break
            client.timeout = int(min(cell_timeout, left))
            t0 = time.monotonic()
            try:
                client.execute_cell(cell, i)
                ran += 1
            except (CellTimeoutError, TimeoutError):
                notes.append(f'code cell {n} ran past {client.timeout} s: cut off there')
                break
            except CellExecutionError as error:
                if time.monotonic() - t0 >= client.timeout - 1:
                    notes.append(f'code cell {n} ran past {client.timeout} s: cut off there')
                    break
                ran += 1
                notes.append(f'code cell {n} raised {error.ename}: {error.evalue}'[:300])
            except DeadKernelError:
                if stop_before is None:
                    raise _KernelDied(n) from None
                notes.append(f'the kernel died in code cell {n}')
                result.update(ran=ran, cells=len(code))
                return result
        result.update(ran=ran, cells=len(code))
        grading = nbformat.v4.new_code_cell(
            f'SECTIONS = {sections!r}\nMARK = {MARK!r}\n' + GRADING_CELL
        )
        nb.cells.append(grading)
        client.timeout = 120
        try:
            client.execute_cell(grading, len(nb.cells) - 1)
        except Exception as error:  # the kernel is gone or broken: grade nothing, say why
            notes.append(f'grading could not run in this kernel ({type(error).__name__})')
            return result
        for output in grading.get('outputs', []):
            text = output.get('text', '')
            if MARK in text:
                result['rows'] = json.loads(text.split(MARK, 1)[1])
    return result


def grade_notebook(path, cell_timeout, timeout, python=sys.executable):
    """Run the worker on a private copy of ``path``; never raises, always returns a result."""
    with tempfile.TemporaryDirectory(prefix='grade-') as work:
        copy = Path(work) / path.name
        shutil.copy(path, copy)
        env = dict(
            os.environ,
            BOOK_PROFILE='smoke',
            PYTHONPATH=os.pathsep.join(
                [str(ROOT)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]
            ),
        )
        proc = subprocess.Popen(
            [
                python,
                str(Path(__file__).resolve()),
                '--worker',
                copy.name,
                '--cell-timeout',
                str(cell_timeout),
                '--timeout',
                str(timeout),
            ],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout + 180)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {
                'sections': [],
                'rows': {},
                'notes': [f'killed after {timeout + 180} s (kernel unresponsive)'],
            }
        for line in out.splitlines()[::-1]:
            if line.startswith('{'):
                return json.loads(line)
        return {
            'sections': [],
            'rows': {},
            'notes': [f'the grader failed on it: {err.strip()[-300:]}'],
        }


def _key(id):
    return tuple(int(p) for p in id.split('.'))


def write_sheet(folder, results):
    """grades.csv: a row per notebook; columns file, each checked id, total, out_of, notes."""
    ids = sorted({i for r in results.values() for i in r['rows']}, key=_key)
    with open(folder / 'grades.csv', 'w', newline='') as f:
        sheet = csv.writer(f)
        sheet.writerow(['file', *ids, 'total', 'out_of', 'notes'])
        for name, r in results.items():
            rows = r['rows']
            marks = ['' if i not in rows else int(rows[i][0]) for i in ids]
            sheet.writerow(
                [
                    name,
                    *marks,
                    sum(int(v[0]) for v in rows.values()),
                    len(rows),
                    '; '.join(r['notes']),
                ]
            )
    return ids


def write_feedback(folder, name, r):
    lines = [f'Feedback on {name}', '']
    if 'cells' in r:
        lines.append(f'{r["ran"]} of {r["cells"]} code cells ran (graded on what ran).')
    lines += [f'- {n}' for n in r['notes']]
    score = sum(int(v[0]) for v in r['rows'].values())
    lines += ['', f'Score: {score} of {len(r["rows"])} checked exercises.', '']
    for i in sorted(r['rows'], key=_key):
        ok, message = r['rows'][i]
        lines.append(f'{i}: {"right" if ok else "not yet"}: {message}')
    (folder / 'feedback').mkdir(exist_ok=True)
    (folder / 'feedback' / f'{Path(name).stem}.txt').write_text('\n'.join(lines) + '\n')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('folder', type=Path, nargs='?')
    parser.add_argument('--timeout', type=int, default=300, help='seconds per notebook')
    parser.add_argument('--cell-timeout', type=int, default=60, help='seconds per cell')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_run_one(args.worker, args.cell_timeout, args.timeout)))
        return 0
    if args.folder is None or not args.folder.is_dir():
        parser.error(
            'give the folder of submitted notebooks: tools/grade.py SUBMISSIONS '
            '(make grade SUBMISSIONS=folder)'
        )
    notebooks = sorted(p for p in args.folder.glob('*.ipynb'))
    if not notebooks:
        parser.error(f'{args.folder} holds no .ipynb file to grade.')
    results, started = {}, time.monotonic()
    for path in notebooks:
        t0 = time.monotonic()
        results[path.name] = r = grade_notebook(path, args.cell_timeout, args.timeout)
        write_feedback(args.folder, path.name, r)
        print(
            f'{path.name}: {sum(int(v[0]) for v in r["rows"].values())}/{len(r["rows"])} '
            f'({time.monotonic() - t0:.1f} s){" - " + "; ".join(r["notes"]) if r["notes"] else ""}'
        )
    write_sheet(args.folder, results)
    print(
        f'{len(notebooks)} notebooks graded in {time.monotonic() - started:.1f} s: '
        f'{args.folder / "grades.csv"}, feedback in {args.folder / "feedback"}'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
