"""The setup cell every chapter starts with: stamped by tools/stamp_setup.py, installing
book_utils on Colab only, and show_setup's one line and short warnings."""

import importlib.util
import subprocess
import sys

import nbformat
import pytest
import yaml
from project_tools import ROOT, load_tool, notebook

stamp_setup = load_tool('stamp_setup')


@pytest.fixture(scope='module')
def config():
    return yaml.safe_load((ROOT / '_config.yml').read_text())


# -- the setup cell ------------------------------------------------------------------------


@pytest.mark.parametrize('path', stamp_setup.stamped_notebooks(), ids=lambda p: p.stem)
def test_chapter_notebook_carries_the_current_setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert stamp_setup.problems(nb, stamp_setup.setup_source()) == [], (
        f'run: .venv/bin/python tools/stamp_setup.py {path.relative_to(ROOT)}'
    )


def test_setup_cell_installs_from_the_configured_repository_at_its_branch(config):
    source = stamp_setup.setup_source()
    assert (
        f"'book_utils @ git+{config['repository']['url']}@{config['repository']['branch']}'"
        in source
    )
    assert "'--no-deps'" in source
    lines = [line for line in source.splitlines() if not line.startswith('#')]
    assert lines[-2:] == ['import book_utils as d2l', 'd2l.show_setup()']
    assert 'NBVAL' not in source  # nbval reads the cell's tag, readers see no marker
    assert 'nbval-ignore-output' in stamp_setup.TAGS


def test_setup_cell_url_is_read_from_config(tmp_path):
    (tmp_path / '_config.yml').write_text(
        'repository:\n  url: https://github.com/someone/fork.git/\n'
    )
    with pytest.raises(ValueError, match='repository.branch'):
        stamp_setup.requirement(tmp_path)
    (tmp_path / '_config.yml').write_text(
        'repository:\n  url: https://github.com/someone/fork.git/\n  branch: course\n'
    )
    assert (
        stamp_setup.requirement(tmp_path)
        == 'book_utils @ git+https://github.com/someone/fork@course'
    )
    assert stamp_setup.requirement(tmp_path, ref='abc123').endswith('fork@abc123')


def _run_setup_cell(monkeypatch, capsys, present):
    """Execute the setup cell's source with pip replaced by a recorder."""
    calls = []
    monkeypatch.setattr(subprocess, 'run', lambda *a, **k: calls.append((a, k)))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        'find_spec',
        lambda name, *a: real_find_spec(name, *a) if present or name != 'book_utils' else None,
    )
    namespace = {}
    exec(compile(stamp_setup.setup_source(), 'setup-cell', 'exec'), namespace)
    return calls, namespace, capsys.readouterr().out


def test_setup_cell_installs_nothing_where_book_utils_is_importable(monkeypatch, capsys):
    calls, namespace, out = _run_setup_cell(monkeypatch, capsys, present=True)
    assert calls == []
    assert namespace['d2l'].__name__ == 'book_utils'
    assert out.startswith('book_utils ') and 'profile' in out and 'device' in out


def test_setup_cell_pip_installs_only_book_utils_without_dependencies(monkeypatch, capsys):
    calls, namespace, out = _run_setup_cell(monkeypatch, capsys, present=False)
    assert len(calls) == 1
    (argv,), kwargs = calls[0]
    assert argv[:4] == [sys.executable, '-m', 'pip', 'install'] and kwargs == {'check': True}
    packages = [a for a in argv[4:] if not a.startswith('-')]
    assert packages == [
        stamp_setup.requirement()
    ]  # nothing else: torch, numpy, ipywidgets untouched
    assert '--no-deps' in argv and '--upgrade' not in argv and '-U' not in argv
    assert namespace['d2l'].__name__ == 'book_utils'


def test_stamp_inserts_the_cell_after_the_title_and_is_idempotent():
    source = stamp_setup.setup_source()
    nb = notebook(nbformat.v4.new_markdown_cell('# 7.9 Title'), nbformat.v4.new_code_cell('x = 1'))
    assert stamp_setup.problems(nb, source) == ['no cell is tagged book-setup']
    assert stamp_setup.stamp(nb, source) is True
    assert [c.source for c in nb.cells] == ['# 7.9 Title', source, 'x = 1']
    assert nb.cells[1].metadata['tags'] == ['book-setup', 'remove-input', 'nbval-ignore-output']
    assert stamp_setup.problems(nb, source) == []
    assert stamp_setup.stamp(nb, source) is False


def test_stamp_replaces_a_stale_or_hand_written_setup_cell_keeping_its_output():
    source = stamp_setup.setup_source()
    old = nbformat.v4.new_code_cell('import book_utils as d2l\nd2l.show_setup()')
    old.outputs = [nbformat.v4.new_output('stream', text='book_utils 0.1.0 | ...\n')]
    nb = notebook(
        nbformat.v4.new_markdown_cell('# 7.9 Title'), old, nbformat.v4.new_code_cell('x = 1')
    )
    assert stamp_setup.stamp(nb, source) is True
    assert len(nb.cells) == 3 and nb.cells[1].source == source
    assert nb.cells[1].outputs[0]['text'] == 'book_utils 0.1.0 | ...\n'
    intro = nbformat.v4.new_markdown_cell('Some words before the first code.')
    nb.cells.insert(2, intro)
    nb.cells[1].source = source.replace('--no-deps', '--upgrade')  # someone edits it by hand
    assert stamp_setup.problems(nb, source) == ['the setup cell differs from the current stamp']
    stamp_setup.stamp(nb, source)
    assert [c.source for c in nb.cells] == ['# 7.9 Title', source, intro.source, 'x = 1']


def test_check_mode_reports_a_stalenotebook(tmp_path, capsys):
    path = tmp_path / '7_9_demo.ipynb'
    nbformat.write(
        notebook(nbformat.v4.new_markdown_cell('# 7.9'), nbformat.v4.new_code_cell('1')), path
    )
    assert stamp_setup.main(['--check', str(path)]) == 1
    assert 'no cell is tagged book-setup' in capsys.readouterr().out
    assert stamp_setup.main([str(path)]) == 0
    assert stamp_setup.main(['--check', str(path)]) == 0


def test_setup_page_shows_the_cell_readers_see_on_colab():
    """chapters/setup.md quotes the cell (with the URL and tag left as placeholders)."""
    page = (ROOT / 'chapters' / 'setup.md').read_text()
    code = [line for line in stamp_setup.setup_source().splitlines() if not line.startswith('#')]
    quoted = '\n'.join(code).replace(
        stamp_setup.requirement(), 'book_utils @ git+<the course repository>@main'
    )
    assert quoted in page


def test_show_setup_makes_warnings_show_category_and_message_only(capsys):
    import warnings

    import book_utils

    saved = warnings.formatwarning
    try:
        book_utils.show_setup()
        text = warnings.formatwarning(
            'loss is nan',
            book_utils.DivergenceWarning,
            '/tmp/ipykernel_12/345.py',
            6,
            'trainer.fit(model, data)',
        )
        advice = warnings.formatwarning('word ' * 40 + '\nlast line', UserWarning, 'x.py', 1)
    finally:
        warnings.formatwarning = saved
    assert text == 'DivergenceWarning: loss is nan\n'
    rows = advice.rstrip('\n').split('\n')
    assert max(map(len, rows)) <= 88 and len(rows) == 4 and rows[-1] == 'last line'
    assert ' '.join(rows[:-1]) == 'UserWarning: ' + ('word ' * 40).strip()
