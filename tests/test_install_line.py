"""The Colab install line, installed for real.

Every stamped notebook's setup cell pip-installs ``book_utils @ git+<repository.url>@<branch>``.
Here that exact line is installed with only its host swapped for ``git+file://`` of a temporary
repository holding this checkout's HEAD under the configured branch name: ``pip install
--no-deps --target`` an empty folder, as Colab's pip would, then imported from that folder alone
in a fresh interpreter. The same install then serves the reference-results page copied alone
into an empty folder (as Colab opens a notebook), which must show the measured numbers from the
package data. Needs git, and pip's usual access to a package index for the build backend
(setuptools), as any install from source does.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from project_tools import load_tool

ROOT = Path(__file__).resolve().parent.parent


stamp_setup = load_tool('stamp_setup')


def _stamped_requirement(path):
    """The requirement string written in a notebook's setup cell, read back from the cell."""
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if 'book-setup' in c.metadata.get('tags', []))
    found = re.findall(r"'(book_utils @ git\+[^']+)'", cell.source)
    assert len(found) == 1, (
        f'{path.name}: expected one install line in the setup cell, found {found}'
    )
    return found[0]


def _git(*args, cwd=ROOT):
    return subprocess.run(
        ['git', *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope='module')
def install_line():
    """The line every stamped notebook carries (they must all agree)."""
    lines = {_stamped_requirement(p) for p in stamp_setup.stamped_notebooks()}
    assert len(lines) == 1, f'the notebooks install different things: {sorted(lines)}'
    return lines.pop()


@pytest.fixture(scope='module')
def installed(install_line, tmp_path_factory):
    """``install_line`` with its host replaced by a local repository, pip-installed into an empty
    folder; returns that folder."""
    config = yaml.safe_load((ROOT / '_config.yml').read_text())
    url, branch = config['repository']['url'].rstrip('/'), config['repository']['branch']
    assert install_line == f'book_utils @ git+{url}@{branch}'
    mirror = tmp_path_factory.mktemp('repository') / 'course.git'
    _git('init', '--quiet', '--bare', str(mirror))
    _git('push', '--quiet', str(mirror), f'HEAD:refs/heads/{branch}')  # HEAD, as `branch`
    # file://localhost/...: pip before 24 (Colab's era) rejects git+file URLs with an empty host.
    local_line = install_line.replace(f'git+{url}', f'git+file://localhost{mirror.as_posix()}')
    assert local_line.endswith(f'@{branch}') and local_line != install_line
    target = tmp_path_factory.mktemp('site')
    pip = subprocess.run(
        [
            sys.executable,
            '-m',
            'pip',
            'install',
            '--quiet',
            '--no-deps',
            '--disable-pip-version-check',
            '--target',
            str(target),
            local_line,
        ],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, f'pip install {local_line!r} failed:\n{pip.stdout}\n{pip.stderr}'
    return target


def _only(target):
    """An environment whose only extra import path is ``target`` (no checkout, no results dir)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ('PYTHONPATH', 'BOOK_RESULTS_DIR', 'BOOK_UTILS_SOURCE')
    }
    env['PYTHONPATH'] = str(target)
    return env


def test_every_stamped_notebook_installs_the_configured_branch(install_line):
    assert install_line == stamp_setup.requirement()
    assert install_line.startswith('book_utils @ git+https://github.com/')
    assert not re.search(r'@v\d', install_line), 'a version tag nothing creates'


def test_the_install_line_installs_an_importable_package_with_its_results(installed):
    committed = {
        Path(p).name for p in _git('ls-files', 'book_utils/results').split() if p.endswith('.json')
    }
    assert {'cpu.json', 'd2l_published.json', 'notebook_times.json'} <= committed
    assert {p.name for p in (installed / 'book_utils' / 'results').glob('*.json')} == committed
    probe = (
        'import json, book_utils, book_utils.results as r\n'
        'print(json.dumps({"file": book_utils.__file__, "folder": str(r.folder()),\n'
        '                  "models": sorted(r.load("d2l_published")["runs"]),\n'
        '                  "cpu": sorted(r.load("cpu")["runs"])}))'
    )
    out = subprocess.run(
        [sys.executable, '-c', probe],
        env=_only(installed),
        cwd=installed.parent,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.splitlines()[-1])
    assert Path(seen['file']).is_relative_to(installed)  # not the checkout's copy
    assert Path(seen['folder']).is_relative_to(installed)
    published = json.loads((ROOT / 'book_utils' / 'results' / 'd2l_published.json').read_text())
    cpu = json.loads((ROOT / 'book_utils' / 'results' / 'cpu.json').read_text())
    assert seen['models'] == sorted(published['runs'])
    assert seen['cpu'] == sorted(cpu['runs'])


def test_reference_page_opened_alone_shows_the_measured_numbers(installed, tmp_path, monkeypatch):
    """The page copied into an empty folder, run by a kernel that sees only the installed
    package: its table shows each committed CPU run, not 'not yet run'."""
    from nbclient import NotebookClient

    page = tmp_path / 'alone' / 'reference_results.ipynb'
    page.parent.mkdir()
    shutil.copy(ROOT / 'chapters' / 'reference_results.ipynb', page)
    for name, value in _only(installed).items():
        monkeypatch.setenv(name, value)
    for name in ('BOOK_RESULTS_DIR', 'BOOK_UTILS_SOURCE'):
        monkeypatch.delenv(name, raising=False)
    nb = nbformat.read(page, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name='python3', resources={'metadata': {'path': str(page.parent)}}
    ).execute()
    assert sorted(p.name for p in page.parent.iterdir()) == ['reference_results.ipynb']
    text = '\n'.join(
        o.get('text', '') + o.get('data', {}).get('text/markdown', '')
        for c in nb.cells
        if c.cell_type == 'code'
        for o in c.outputs
    )
    assert 'No d2l_published.json' not in text and 'No training run' not in text
    cpu = json.loads((ROOT / 'book_utils' / 'results' / 'cpu.json').read_text())['runs']
    published = json.loads((ROOT / 'book_utils' / 'results' / 'd2l_published.json').read_text())
    table = next(line for line in text.splitlines() if line.startswith('| 7.6 '))
    lenet = cpu['lenet']
    assert f'{lenet["final"]["val_acc"]:.3f} ({lenet["epochs"]} epochs)' in table
    shown = [
        key
        for key in published['runs']
        if key in cpu
        if f'{cpu[key]["final"]["val_acc"]:.3f} ({cpu[key]["epochs"]} epochs)' in text
    ]
    assert shown == [key for key in published['runs'] if key in cpu]


def test_setup_cell_installs_the_source_named_by_the_environment(monkeypatch):
    """BOOK_UTILS_SOURCE replaces the requirement (the rehearsal points it at a checkout);
    unset or empty, the cell installs the stamped line."""
    calls = []
    monkeypatch.setattr(subprocess, 'run', lambda argv, **k: calls.append(argv))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        'find_spec',
        lambda name, *a: None if name == 'book_utils' else real_find_spec(name, *a),
    )
    source = stamp_setup.setup_source().replace('d2l.show_setup()', '')
    for value, expected in [
        ('git+file:///somewhere/clone@abc', 'git+file:///somewhere/clone@abc'),
        ('', stamp_setup.requirement()),
        (None, stamp_setup.requirement()),
    ]:
        if value is None:
            monkeypatch.delenv(stamp_setup.SOURCE_VARIABLE, raising=False)
        else:
            monkeypatch.setenv(stamp_setup.SOURCE_VARIABLE, value)
        calls.clear()
        exec(compile(source, 'setup-cell', 'exec'), {})
        assert len(calls) == 1 and calls[0][-1] == expected
        assert '--no-deps' in calls[0]
