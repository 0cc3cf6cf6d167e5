"""tools/grade.py over the submissions in tests/submissions: the expected sheet, the hanging
notebook cut off and graded, the crashing one graded on what ran, the rest unharmed."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / 'tests' / 'submissions'
sys.path.insert(0, str(SUBMISSIONS))
from make_submissions import EXPECTED  # noqa: E402


@pytest.fixture(scope='module')
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp('submitted')
    for path in SUBMISSIONS.glob('*.ipynb'):
        shutil.copy(path, folder)
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / 'tools' / 'grade.py'),
            str(folder),
            '--cell-timeout',
            '20',
            '--timeout',
            '120',
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, run.stderr
    with open(folder / 'grades.csv') as f:
        rows = list(csv.DictReader(f))
    return folder, {r['file']: r for r in rows}, run.stdout


def test_the_sheet_has_a_row_per_notebook_and_a_column_per_checked_id(graded):
    folder, rows, _ = graded
    assert sorted(rows) == sorted(EXPECTED)
    header = next(csv.reader(open(folder / 'grades.csv')))
    assert header[0] == 'file' and header[-3:] == ['total', 'out_of', 'notes']
    assert set(header[1:-3]) == {i for marks in EXPECTED.values() for i in marks}


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_each_submission_gets_the_expected_marks(graded, name):
    _, rows, _ = graded
    row = rows[name]
    got = {i: int(row[i]) for i in EXPECTED[name]}
    assert got == EXPECTED[name]
    assert int(row['total']) == sum(EXPECTED[name].values())
    assert int(row['out_of']) == len(EXPECTED[name])
    others = [
        k for k in row if k not in EXPECTED[name] and k not in ('file', 'total', 'out_of', 'notes')
    ]
    assert all(row[k] == '' for k in others)


def test_the_hanging_notebook_is_cut_off_and_graded_on_what_ran(graded):
    folder, rows, _ = graded
    assert 'ran past 20 s: cut off' in rows['erin_7_5_hangs.ipynb']['notes']
    feedback = (folder / 'feedback' / 'erin_7_5_hangs.txt').read_text()
    assert '7.5.3.1: right' in feedback and 'min_pool2d is never defined' in feedback


def test_a_crash_and_deleted_files_harm_only_that_notebook(graded):
    folder, rows, _ = graded
    assert 'RuntimeError: CUDA out of memory' in rows['grace_7_4_crashes.ipynb']['notes']
    assert sorted(p.name for p in folder.glob('*.ipynb')) == sorted(
        EXPECTED
    )  # nothing deleted here
    feedback = (folder / 'feedback' / 'grace_7_4_crashes.txt').read_text()
    assert '7.4.1.2: right' in feedback  # cells after the crash still ran


def test_feedback_gives_counterexamples_and_names_missing_stubs(graded):
    folder, _, _ = graded
    bob = (folder / 'feedback' / 'bob_7_5.txt').read_text()
    assert 'your max(' in bob and 'channels for' in bob and 'avg_pool2d' in bob
    assert 'corr2d_matmul is never defined' in (folder / 'feedback' / 'frank_7_2.txt').read_text()
    assert 'forgets the biases' in (folder / 'feedback' / 'dave_8_1.txt').read_text()
    assert len(list((folder / 'feedback').glob('*.txt'))) == len(EXPECTED)


def test_a_missing_folder_is_refused_with_the_fix(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'grade.py'), str(tmp_path / 'nope')],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and 'make grade SUBMISSIONS=folder' in run.stderr


def test_a_kernel_that_dies_is_graded_on_the_cells_before(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(
        cells=[
            new_markdown_cell('# 7.5 Pooling'),
            new_code_cell('import book_utils as d2l\nfrom torch.nn import functional as F'),
            new_code_cell('def relu_max(a, b):\n    return b + F.relu(a - b)'),
            new_code_cell('import os\nos._exit(1)'),
        ],
        metadata={
            'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
        },
    )
    nbformat.write(nb, tmp_path / 'exits.ipynb')
    run = subprocess.run(
        [sys.executable, str(ROOT / 'tools' / 'grade.py'), str(tmp_path), '--timeout', '60'],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    row = next(csv.DictReader(open(tmp_path / 'grades.csv')))
    assert row['7.5.3.1'] == '1' and row['total'] == '1'
    assert 'the kernel died in code cell 3' in row['notes']
