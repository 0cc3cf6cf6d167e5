"""The rendered book: its configuration, table of contents, setup cell and reference-results page.

The build itself (`make book-strict`) and the browser check (`make check-pages`) are separate
commands; these tests pin down what those commands rely on, quickly and without a browser.
"""
import base64
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from project_tools import load_tool

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ['7_1_fc_to_conv', '7_2_conv_layer', '7_3_padding_and_strides', '7_4_channels',
            '7_5_pooling', '7_6_lenet', '8_1_alexnet', '8_2_vgg', '8_3_nin', '8_4_googlenet',
            '8_5_batch_norm', '8_6_resnet']
PAPERS = ['LeCun.Bottou.Bengio.ea.1998', 'Krizhevsky.Sutskever.Hinton.2012', 'Simonyan.Zisserman.2014',
          'Lin.Chen.Yan.2013', 'Szegedy.Liu.Jia.ea.2015', 'Ioffe.Szegedy.2015',
          'He.Zhang.Ren.ea.2016', 'Xie.Girshick.Dollar.ea.2017']


stamp_setup = load_tool('stamp_setup')
check_pages = load_tool('check_pages')


@pytest.fixture(scope='module')
def config():
    return yaml.safe_load((ROOT / '_config.yml').read_text())


@pytest.fixture(scope='module')
def toc():
    return yaml.safe_load((ROOT / '_toc.yml').read_text())


# -- table of contents -------------------------------------------------------------------

def test_toc_has_the_two_parts_with_all_twelve_chapters_in_order(toc):
    parts = {part['caption']: [c['file'] for c in part['chapters']] for part in toc['parts']}
    assert parts['Convolutional Neural Networks'] == [f'chapters/{c}' for c in CHAPTERS[:6]]
    assert parts['Modern Convolutional Neural Networks'] == [f'chapters/{c}' for c in CHAPTERS[6:]]
    assert toc['root'] == 'chapters/intro'
    pages = check_pages.toc_pages(ROOT)
    for page in ['chapters/setup', 'chapters/reference_results', 'chapters/bibliography']:
        assert page in pages
    assert len(pages) == len(set(pages)) == 16


def test_every_toc_page_exists_and_chapters_are_notebooks(toc):
    """Chapters must be .ipynb so that Colab can open them from the launch button."""
    missing = []
    for page in check_pages.toc_pages(ROOT):
        name = page.split('/')[-1]
        suffixes = ['.ipynb'] if name in CHAPTERS else ['.ipynb', '.md']
        if not any((ROOT / f'{page}{s}').is_file() for s in suffixes):
            missing.append(f'{page}{"/".join(suffixes)}')
    assert not missing, f'pages in _toc.yml that do not exist yet (the build fails): {missing}'


# -- configuration -------------------------------------------------------------------------

def test_book_is_built_from_committed_outputs_except_reference_results(config):
    assert config['execute']['execute_notebooks'] == 'off'
    assert config['only_build_toc_files'] is True
    for pattern in ['.venv', '_build', 'node_modules', 'results', 'tests', 'benchmarks']:
        assert pattern in config['exclude_patterns']
    nb = nbformat.read(ROOT / 'chapters' / 'reference_results.ipynb', as_version=4)
    assert nb.metadata['mystnb']['execution_mode'] == 'force'   # redrawn from book_utils/results at every build


def test_repository_and_colab_launch(config):
    repo = config['repository']
    assert re.fullmatch(r'https://github\.com/[\w.-]+/[\w.-]+', repo['url'])
    assert repo['branch'] == 'main'
    assert 'path_to_book' in repo and not repo['path_to_book'].strip('/')   # book = repository root
    assert config['launch_buttons']['colab_url'] == 'https://colab.research.google.com'


def test_pages_load_nothing_from_a_cdn(config):
    """MathJax and the widget scripts come from _static/offline (tools/offline_assets.py)."""
    offline_assets = load_tool('offline_assets')
    scripts = [config['sphinx']['config']['mathjax_path'], *config['sphinx']['config']['nb_ipywidgets_js']]
    for url in scripts:
        assert '//' not in url, url
        assert url.split('/')[0] == 'offline'
        assert url.split('/')[1] in {**offline_assets.ASSETS, offline_assets.SHIM: None}
    assert list(config['sphinx']['config']['nb_ipywidgets_js']) == [
        'offline/require.js', f'offline/{offline_assets.SHIM}', 'offline/html-manager/embed-amd.js']
    assert config['sphinx']['local_extensions'] == {'offline_assets': 'tools/'}


def test_npm_lockfile_pins_the_assets_without_download_addresses():
    package = json.loads((ROOT / 'package.json').read_text())
    lock = json.loads((ROOT / 'package-lock.json').read_text())
    for name, version in package['dependencies'].items():
        assert re.fullmatch(r'\d+\.\d+\.\d+', version), f'{name} is not pinned: {version}'
        assert lock['packages'][f'node_modules/{name}']['version'] == version
    assert 'resolved' not in (ROOT / 'package-lock.json').read_text()


def test_duplicate_inline_scripts_are_dropped():
    from sphinx.builders.html._assets import _JavaScript
    offline_assets = load_tool('offline_assets')
    scripts = [_JavaScript('a.js'), _JavaScript(None, body='const X = 1'),
               _JavaScript('', body='const X = 1'), _JavaScript('a.js', defer='defer')]
    context = {'script_files': scripts}
    offline_assets.dedupe_scripts(None, 'p', 'page.html', context, None)
    assert [(s.filename, s.attributes) for s in context['script_files']] == [
        ('a.js', {}), (None, {'body': 'const X = 1'}), ('a.js', {'defer': 'defer'})]


def test_bibliography_has_the_papers_behind_the_models(config):
    assert config['bibtex_bibfiles'] == ['references.bib']
    keys = re.findall(r'^@\w+\{([^,]+),', (ROOT / 'references.bib').read_text(), re.MULTILINE)
    assert len(keys) == len(set(keys))
    assert set(PAPERS) <= set(keys)
    assert '{bibliography}' in (ROOT / 'chapters' / 'bibliography.md').read_text()


# -- the setup cell ------------------------------------------------------------------------

@pytest.mark.parametrize('path', stamp_setup.stamped_notebooks(), ids=lambda p: p.stem)
def test_chapter_notebook_carries_the_current_setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert stamp_setup.problems(nb, stamp_setup.setup_source()) == [], \
        f'run: .venv/bin/python tools/stamp_setup.py {path.relative_to(ROOT)}'


def test_setup_cell_installs_from_the_configured_repository_at_its_branch(config):
    source = stamp_setup.setup_source()
    assert f"'book_utils @ git+{config['repository']['url']}@{config['repository']['branch']}'" in source
    assert "'--no-deps'" in source
    lines = [line for line in source.splitlines() if not line.startswith('#')]
    assert lines[-2:] == ['import book_utils as d2l', 'd2l.show_setup()']
    assert 'NBVAL' not in source            # nbval reads the cell's tag, readers see no marker
    assert 'nbval-ignore-output' in stamp_setup.TAGS


def test_setup_cell_url_is_read_from_config(tmp_path):
    (tmp_path / '_config.yml').write_text('repository:\n  url: https://github.com/someone/fork.git/\n')
    with pytest.raises(ValueError, match='repository.branch'):
        stamp_setup.requirement(tmp_path)
    (tmp_path / '_config.yml').write_text('repository:\n  url: https://github.com/someone/fork.git/\n'
                                          '  branch: course\n')
    assert stamp_setup.requirement(tmp_path) == 'book_utils @ git+https://github.com/someone/fork@course'
    assert stamp_setup.requirement(tmp_path, ref='abc123').endswith('fork@abc123')


def _run_setup_cell(monkeypatch, capsys, present):
    """Execute the setup cell's source with pip replaced by a recorder."""
    calls = []
    monkeypatch.setattr(subprocess, 'run', lambda *a, **k: calls.append((a, k)))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec',
                        lambda name, *a: real_find_spec(name, *a) if present or name != 'book_utils' else None)
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
    assert packages == [stamp_setup.requirement()]     # nothing else: torch, numpy, ipywidgets untouched
    assert '--no-deps' in argv and '--upgrade' not in argv and '-U' not in argv
    assert namespace['d2l'].__name__ == 'book_utils'


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_stamp_inserts_the_cell_after_the_title_and_is_idempotent():
    source = stamp_setup.setup_source()
    nb = _notebook(nbformat.v4.new_markdown_cell('# 7.9 Title'), nbformat.v4.new_code_cell('x = 1'))
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
    nb = _notebook(nbformat.v4.new_markdown_cell('# 7.9 Title'), old, nbformat.v4.new_code_cell('x = 1'))
    assert stamp_setup.stamp(nb, source) is True
    assert len(nb.cells) == 3 and nb.cells[1].source == source
    assert nb.cells[1].outputs[0]['text'] == 'book_utils 0.1.0 | ...\n'
    intro = nbformat.v4.new_markdown_cell('Some words before the first code.')
    nb.cells.insert(2, intro)
    nb.cells[1].source = source.replace('--no-deps', '--upgrade')   # someone edits it by hand
    assert stamp_setup.problems(nb, source) == ['the setup cell differs from the current stamp']
    stamp_setup.stamp(nb, source)
    assert [c.source for c in nb.cells] == ['# 7.9 Title', source, intro.source, 'x = 1']


def test_check_mode_reports_a_stale_notebook(tmp_path, capsys):
    path = tmp_path / '7_9_demo.ipynb'
    nbformat.write(_notebook(nbformat.v4.new_markdown_cell('# 7.9'), nbformat.v4.new_code_cell('1')), path)
    assert stamp_setup.main(['--check', str(path)]) == 1
    assert 'no cell is tagged book-setup' in capsys.readouterr().out
    assert stamp_setup.main([str(path)]) == 0
    assert stamp_setup.main(['--check', str(path)]) == 0


def test_setup_page_shows_the_cell_readers_see_on_colab():
    """chapters/setup.md quotes the cell (with the URL and tag left as placeholders)."""
    page = (ROOT / 'chapters' / 'setup.md').read_text()
    code = [line for line in stamp_setup.setup_source().splitlines() if not line.startswith('#')]
    quoted = '\n'.join(code).replace(stamp_setup.requirement(),
                                     'book_utils @ git+<the course repository>@main')
    assert quoted in page


# -- the reference-results page ------------------------------------------------------------

def test_published_accuracies_cover_every_trained_model_and_cite_their_source():
    from book_utils import chapter_runs
    published = json.loads((ROOT / 'book_utils' / 'results' / 'd2l_published.json').read_text())
    assert set(published['runs']) == set(chapter_runs.FULL_RUNS)
    assert 'read off' in published['source'] and '1.0.3' in published['source']
    assert published['citation'] in (ROOT / 'references.bib').read_text()
    for run in published['runs'].values():
        assert 0.5 < run['val_acc'] < 1 and re.fullmatch(r'[78]\.\d', run['section'])


def _record(device, accs):
    history = [{'epoch': i + 1, 'train_loss': 1.0 / (i + 1), 'val_loss': 0.5, 'val_acc': a,
                'seconds': 10.0, 'examples_per_sec': 5000.0} for i, a in enumerate(accs)]
    return {'date': '2025-01-01', 'hardware': 'test machine', 'torch': '2.x', 'device': device,
            'settings': {}, 'note': '', 'final': {k: v for k, v in history[-1].items() if k != 'epoch'},
            'epochs': len(accs), 'mean_epoch_seconds': 10.0, 'mean_examples_per_sec': 5000.0,
            'history': history}


def _markdown_outputs(nb):
    return [o['data']['text/markdown'] for c in nb.cells if c.cell_type == 'code'
            for o in c.outputs if 'text/markdown' in o.get('data', {})]


def test_reference_page_marks_models_without_a_gpu_run(tmp_path, monkeypatch):
    from nbclient import NotebookClient
    (tmp_path / 'd2l_published.json').write_text(
        (ROOT / 'book_utils' / 'results' / 'd2l_published.json').read_text())
    (tmp_path / 'full.json').write_text(json.dumps({'profile': 'full', 'runs': {
        'resnet18': _record('cuda:0', [0.85, 0.912]), 'nin': _record('cpu', [0.5, 0.61])}}))
    (tmp_path / 'cpu.json').write_text(json.dumps({'profile': 'cpu', 'runs': {
        'lenet': _record('cpu', [0.6, 0.774])}}))
    monkeypatch.setenv('BOOK_RESULTS_DIR', str(tmp_path))
    nb = nbformat.read(ROOT / 'chapters' / 'reference_results.ipynb', as_version=4)
    NotebookClient(nb, timeout=120, kernel_name='python3',
                   resources={'metadata': {'path': str(ROOT / 'chapters')}}).execute()
    accuracy_table = _markdown_outputs(nb)[0]
    header, rule, *lines = accuracy_table.splitlines()
    assert header == '| Model | D2L 1.0.3 | CPU, `cpu` | GPU, `full` |'   # 4 columns fit a phone
    rows = {}
    for line in lines:
        model, d2l, cpu, gpu = [cell.strip() for cell in line.strip('|').split(' | ')]
        rows[model.split(' ', 1)[1]] = {'d2l': d2l, 'cpu': cpu, 'gpu': gpu}
    assert len(rows) == 7
    assert rows['ResNet-18']['gpu'] == '0.912 (2 epochs)'
    assert rows['NiN']['gpu'] == 'not yet measured (a 2-epoch `full` run on the CPU: 0.610)'
    assert rows['LeNet']['cpu'] == '0.774 (2 epochs)' and rows['LeNet']['gpu'] == 'not yet measured'
    for title in ['AlexNet', 'VGG-11 (channels / 4)', 'GoogLeNet', 'LeNet with batch norm']:
        assert rows[title] == {'d2l': rows[title]['d2l'], 'cpu': 'not yet run', 'gpu': 'not yet measured'}
    assert rows['ResNet-18']['d2l'] == '≈\u00a00.90'   # a no-break space keeps it on one line
    images = [o for c in nb.cells if c.cell_type == 'code' for o in c.outputs
              if {'image/png', 'image/svg+xml'} & set(o.get('data', {}))]
    assert len(images) == 1   # the training curves
    png = base64.b64decode(images[0]['data']['image/png'])
    width = int.from_bytes(png[16:20], 'big')   # the PNG header's IHDR width
    # A phone's column is about 360 px wide: shown at 0.7 of its size or more, its 11 pt text
    # stays about 11 px high.
    assert 300 <= width <= 500, width


# -- what the reader sees in the chapters' sources ------------------------------------------

nbval_tags = load_tool('nbval_tags')


def _chapter(name):
    return nbformat.read(ROOT / 'chapters' / f'{name}.ipynb', as_version=4)


@pytest.mark.parametrize('name', CHAPTERS)
def test_no_code_cell_shows_nbval_markers(name):
    """nbval's instructions live in cell tags (tools/nbval_tags.py), never on the page.

    The setup cell is stamped by tools/stamp_setup.py and hidden (remove-input); it may keep
    the marker only while the stamp template itself still holds it.
    """
    stamp_has_marker = 'NBVAL' in stamp_setup.setup_source()
    shown = [i for i, cell in enumerate(_chapter(name).cells) if cell.cell_type == 'code'
             and 'NBVAL' in cell.source
             and not (stamp_has_marker and 'book-setup' in cell.metadata.get('tags', []))]
    assert not shown, f'cells {shown} show NBVAL markers; run: .venv/bin/python tools/nbval_tags.py'
    assert nbval_tags.problems(_chapter(name)) == []


def test_nbval_tags_moves_markers_into_tags_and_keeps_stamped_cells():
    cell = nbformat.v4.new_code_cell('# NBVAL_IGNORE_OUTPUT\n\nx = 1\n# NBVAL_CHECK_OUTPUT\nprint(x)')
    cell.metadata['tags'] = ['hide-input']
    assert nbval_tags.move_markers(cell) is True
    assert cell.source == 'x = 1\nprint(x)'
    assert cell.metadata['tags'] == ['hide-input', 'nbval-ignore-output', 'nbval-check-output']
    assert nbval_tags.move_markers(cell) is False
    setup = nbformat.v4.new_code_cell('# NBVAL_IGNORE_OUTPUT\nimport book_utils as d2l')
    setup.metadata['tags'] = ['book-setup', 'remove-input']
    assert nbval_tags.problems(_notebook(setup)) == ['cell 0: the setup cell lacks the tag nbval-ignore-output']
    nbval_tags.move_markers(setup)
    assert setup.source.startswith('# NBVAL_IGNORE_OUTPUT')   # stamp_setup.py owns its source
    assert setup.metadata['tags'][-1] == 'nbval-ignore-output'
    plain = nbformat.v4.new_code_cell('# NBVAL_SKIP\nslow()')
    assert nbval_tags.problems(_notebook(plain)) == ['cell 0: NBVAL_SKIP in the source (a tag should carry it)']
    # the tags are the ones nbval reads
    from nbval.plugin import metadata_tags
    assert {nbval_tags.tag_for(m) for m in nbval_tags.MARKERS} <= set(metadata_tags)


LIST_ITEM = re.compile(r'([-+*]|\d+[.)])\s')
FENCE = re.compile(r'^\s*(```+|~~~+)\s*(\S*)')
CODE_SPAN = re.compile(r'(`+)(.+?)\1')


def split_maths(source):
    """Lines that Markdown reads as a list item although they continue an open `$...$`.

    A formula wrapped so that a line starts with `+ `, `- `, `* ` or `1. ` is cut in two by the
    list, and the page shows raw TeX. Code fences are skipped; directive fences (```{admonition})
    hold Markdown and are checked.
    """
    found, open_math, fence, directives = [], None, None, []
    for number, line in enumerate(source.split('\n'), 1):
        match = FENCE.match(line)
        if fence is None and match:
            if match.group(2).startswith('{'):
                directives.append(match.group(1))          # its body is Markdown: keep checking
            elif not match.group(2) and directives and directives[-1] == match.group(1):
                directives.pop()                           # closes a directive
            else:
                fence = match.group(1)                     # code: not Markdown
            continue
        if fence is not None:
            fence = None if line.strip().startswith(fence) else fence
            continue
        if open_math and LIST_ITEM.match(line.lstrip()):
            found.append(f'line {number}: {line.strip()[:50]}')
        text, i = CODE_SPAN.sub('', line), 0
        while i < len(text):
            if text[i] == '\\':
                i += 2
                continue
            if text[i] == '$':
                token = '$$' if text.startswith('$$', i) else '$'
                open_math = token if open_math is None else (None if open_math == token else open_math)
                i += len(token)
                continue
            i += 1
    if open_math:
        found.append(f'the cell ends inside {open_math}...{open_math}')
    return found


def test_split_maths_finds_formulas_cut_by_a_list_marker():
    assert split_maths('$(a - b\n+ 1)$ output') == ['line 2: + 1)$ output']
    assert split_maths('- item $x$\n- item $y$') == []
    assert split_maths('$a$ and\n- $b$') == []
    assert split_maths('$$a\n- b$$') == ['line 2: - b$$']
    assert split_maths('cost $\\$5$ each\n1. first') == []
    assert split_maths('`$x` then\n- y') == []
    assert split_maths('```python\nx = "$"\n```\n- y') == []
    assert split_maths('```{admonition} Answer\n$a\n* b$\n```') == ['line 3: * b$']
    assert split_maths('an open $x') == ['the cell ends inside $...$']
    assert split_maths('````{tip}\n```python\nx = 1\n```\n````\n$a\n- b$') == ['line 7: - b$']


@pytest.mark.parametrize('name', CHAPTERS + ['reference_results'])
def test_no_formula_is_cut_by_a_list_marker(name):
    problems = {i: split_maths(cell.source) for i, cell in enumerate(_chapter(name).cells)
                if cell.cell_type == 'markdown'}
    assert not {i: p for i, p in problems.items() if p}


def test_show_setup_makes_warnings_show_category_and_message_only(capsys):
    import warnings

    import book_utils
    saved = warnings.formatwarning
    try:
        book_utils.show_setup()
        text = warnings.formatwarning('loss is nan', book_utils.DivergenceWarning,
                                      '/tmp/ipykernel_12/345.py', 6, 'trainer.fit(model, data)')
        advice = warnings.formatwarning('word ' * 40 + '\nlast line', UserWarning, 'x.py', 1)
    finally:
        warnings.formatwarning = saved
    assert text == 'DivergenceWarning: loss is nan\n'
    rows = advice.rstrip('\n').split('\n')
    assert max(map(len, rows)) <= 88 and len(rows) == 4 and rows[-1] == 'last line'
    assert ' '.join(rows[:-1]) == 'UserWarning: ' + ('word ' * 40).strip()


execute_notebooks = load_tool('execute_notebooks')


def test_clean_joins_prints_and_drops_widget_state_no_output_shows():
    view = {'application/vnd.jupyter.widget-view+json': {'model_id': 'aa', 'version_major': 2}}
    bar = {'application/vnd.jupyter.widget-view+json': {'model_id': 'bb', 'version_major': 2},
           'text/plain': ' 50%|#####     | 1/2 [00:01<00:01]'}
    cell = nbformat.v4.new_code_cell('fit()')
    cell.outputs = [nbformat.v4.new_output('stream', text='a\n'), nbformat.v4.new_output('stream', text='b\n'),
                    nbformat.v4.new_output('stream', name='stderr', text='w\n'),
                    nbformat.v4.new_output('display_data', data=bar),
                    nbformat.v4.new_output('display_data', data=view),
                    nbformat.v4.new_output('stream', text='c\n')]
    nb = _notebook(cell)
    state = {'aa': {'model_name': 'VBoxModel', 'state': {'children': ['IPY_MODEL_cc']}},
             'cc': {'model_name': 'HTMLModel', 'state': {'layout': 'IPY_MODEL_dd'}},
             'dd': {'model_name': 'LayoutModel', 'state': {}},
             'bb': {'model_name': 'FloatProgressModel', 'state': {'layout': 'IPY_MODEL_ee'}},
             'ee': {'model_name': 'LayoutModel', 'state': {}}}
    nb.metadata['widgets'] = {'application/vnd.jupyter.widget-state+json': {'state': state}}
    execute_notebooks._clean(nb)
    assert [(o['output_type'], o.get('text')) for o in cell.outputs] == [
        ('stream', 'a\nb\n'), ('stream', 'w\n'), ('display_data', None), ('stream', 'c\n')]
    kept = nb.metadata['widgets']['application/vnd.jupyter.widget-state+json']['state']
    assert set(kept) == {'aa', 'cc', 'dd'}
    cell.outputs = cell.outputs[:2]                     # no widget left on the page
    execute_notebooks._clean(nb)
    assert 'widgets' not in nb.metadata


@pytest.mark.parametrize('name', CHAPTERS)
def test_chapters_keep_no_invisible_widget_state_and_one_box_per_print(name):
    """Saved widget models that no output shows only add weight (tools/execute_notebooks.py)."""
    nb = _chapter(name)
    before = json.dumps(nb.metadata.get('widgets'), sort_keys=True)
    execute_notebooks._clean(nb)
    assert json.dumps(nb.metadata.get('widgets'), sort_keys=True) == before, \
        'run: .venv/bin/python tools/execute_notebooks.py --clean-only'
    split = [i for i, cell in enumerate(nb.cells) if cell.cell_type == 'code'
             for a, b in zip(cell.outputs, cell.outputs[1:])
             if a.get('output_type') == b.get('output_type') == 'stream' and a.get('name') == b.get('name')]
    assert not split, f'cells {split} print into several boxes; run the same command'
    shown = [i for i, cell in enumerate(nb.cells) if cell.cell_type == 'code' for o in cell.outputs
             if o.get('output_type') == 'error' or re.search(
                 r'<cell>:|ipykernel_|NBVAL|Traceback \(most recent', o.get('text', ''))]
    assert not shown, f'cells {shown} show kernel file names, warnings prefixes or tracebacks'


def test_clean_shows_warnings_as_category_and_message():
    cell = nbformat.v4.new_code_cell('fit()')
    cell.outputs = [nbformat.v4.new_output('stream', name='stderr', text=(
        '/tmp/ipykernel_7/12.py:6: DivergenceWarning: ' + 'loss exploded ' * 10 + '\n'
        '  trainer.fit(model, data)\nafter\n'))]
    execute_notebooks._clean(_notebook(cell))
    rows = cell.outputs[0]['text'].split('\n')
    assert rows[0].startswith('DivergenceWarning: loss exploded') and rows[-2:] == ['after', '']
    assert max(map(len, rows)) <= 88 and 'trainer.fit' not in cell.outputs[0]['text']


@pytest.mark.parametrize('name', [c for c in CHAPTERS if c >= '7_6'])
def test_training_chapters_tell_colab_readers_where_checkpoints_survive(name):
    cells = _chapter(name).cells
    first_fit = next(i for i, c in enumerate(cells) if c.cell_type == 'code' and 'd2l.Trainer(' in c.source)
    notes = [c.source for c in cells[:first_fit] if c.cell_type == 'markdown'
             and "drive.mount('/content/drive')" in c.source]
    assert len(notes) == 1 and "checkpoint_dir='/content/drive/MyDrive/" in notes[0]
