"""What the reader sees in the chapters' sources: no test plumbing, no formula cut by a
list marker, one box per print, no invisible widget state, checkpoints that survive Colab."""

import json
import re

import nbformat
import pytest
from project_tools import CHAPTERS, ROOT, chapter, load_tool, notebook

stamp_setup = load_tool('stamp_setup')
maths_lint = load_tool('maths_lint')


# -- what the reader sees in the chapters' sources ------------------------------------------

nbval_tags = load_tool('nbval_tags')


@pytest.mark.parametrize('name', CHAPTERS)
def test_no_code_cell_shows_nbval_markers(name):
    """nbval's instructions live in cell tags (tools/nbval_tags.py), never on the page.

    The setup cell is stamped by tools/stamp_setup.py and hidden (remove-input); it may keep
    the marker only while the stamp template itself still holds it.
    """
    stamp_has_marker = 'NBVAL' in stamp_setup.setup_source()
    shown = [
        i
        for i, cell in enumerate(chapter(name).cells)
        if cell.cell_type == 'code'
        and 'NBVAL' in cell.source
        and not (stamp_has_marker and 'book-setup' in cell.metadata.get('tags', []))
    ]
    assert not shown, f'cells {shown} show NBVAL markers; run: .venv/bin/python tools/nbval_tags.py'
    assert nbval_tags.problems(chapter(name)) == []


def test_nbval_tags_moves_markers_into_tags_and_keeps_stamped_cells():
    cell = nbformat.v4.new_code_cell(
        '# NBVAL_IGNORE_OUTPUT\n\nx = 1\n# NBVAL_CHECK_OUTPUT\nprint(x)'
    )
    cell.metadata['tags'] = ['hide-input']
    assert nbval_tags.move_markers(cell) is True
    assert cell.source == 'x = 1\nprint(x)'
    assert cell.metadata['tags'] == ['hide-input', 'nbval-ignore-output', 'nbval-check-output']
    assert nbval_tags.move_markers(cell) is False
    setup = nbformat.v4.new_code_cell('# NBVAL_IGNORE_OUTPUT\nimport book_utils as d2l')
    setup.metadata['tags'] = ['book-setup', 'remove-input']
    assert nbval_tags.problems(notebook(setup)) == [
        'cell 0: the setup cell lacks the tag nbval-ignore-output'
    ]
    nbval_tags.move_markers(setup)
    assert setup.source.startswith('# NBVAL_IGNORE_OUTPUT')  # stamp_setup.py owns its source
    assert setup.metadata['tags'][-1] == 'nbval-ignore-output'
    plain = nbformat.v4.new_code_cell('# NBVAL_SKIP\nslow()')
    assert nbval_tags.problems(notebook(plain)) == [
        'cell 0: NBVAL_SKIP in the source (a tag should carry it)'
    ]
    # the tags are the ones nbval reads
    from nbval.plugin import metadata_tags

    assert {nbval_tags.tag_for(m) for m in nbval_tags.MARKERS} <= set(metadata_tags)


@pytest.mark.parametrize('name', CHAPTERS + ['reference_results'])
def test_no_formula_is_cut_by_a_list_marker(name):
    assert not maths_lint.notebook_problems(ROOT / 'chapters' / f'{name}.ipynb')


execute_notebooks = load_tool('execute_notebooks')


def test_clean_joins_prints_and_drops_widget_state_no_output_shows():
    view = {'application/vnd.jupyter.widget-view+json': {'model_id': 'aa', 'version_major': 2}}
    bar = {
        'application/vnd.jupyter.widget-view+json': {'model_id': 'bb', 'version_major': 2},
        'text/plain': ' 50%|#####     | 1/2 [00:01<00:01]',
    }
    cell = nbformat.v4.new_code_cell('fit()')
    cell.outputs = [
        nbformat.v4.new_output('stream', text='a\n'),
        nbformat.v4.new_output('stream', text='b\n'),
        nbformat.v4.new_output('stream', name='stderr', text='w\n'),
        nbformat.v4.new_output('display_data', data=bar),
        nbformat.v4.new_output('display_data', data=view),
        nbformat.v4.new_output('stream', text='c\n'),
    ]
    nb = notebook(cell)
    state = {
        'aa': {'model_name': 'VBoxModel', 'state': {'children': ['IPY_MODEL_cc']}},
        'cc': {'model_name': 'HTMLModel', 'state': {'layout': 'IPY_MODEL_dd'}},
        'dd': {'model_name': 'LayoutModel', 'state': {}},
        'bb': {'model_name': 'FloatProgressModel', 'state': {'layout': 'IPY_MODEL_ee'}},
        'ee': {'model_name': 'LayoutModel', 'state': {}},
    }
    nb.metadata['widgets'] = {'application/vnd.jupyter.widget-state+json': {'state': state}}
    execute_notebooks._clean(nb)
    assert [(o['output_type'], o.get('text')) for o in cell.outputs] == [
        ('stream', 'a\nb\n'),
        ('stream', 'w\n'),
        ('display_data', None),
        ('stream', 'c\n'),
    ]
    kept = nb.metadata['widgets']['application/vnd.jupyter.widget-state+json']['state']
    assert set(kept) == {'aa', 'cc', 'dd'}
    cell.outputs = cell.outputs[:2]  # no widget left on the page
    execute_notebooks._clean(nb)
    assert 'widgets' not in nb.metadata


@pytest.mark.parametrize('name', CHAPTERS)
def test_chapters_keep_no_invisible_widget_state_and_one_box_per_print(name):
    """Saved widget models that no output shows only add weight (tools/execute_notebooks.py)."""
    nb = chapter(name)
    before = json.dumps(nb.metadata.get('widgets'), sort_keys=True)
    execute_notebooks._clean(nb)
    assert json.dumps(nb.metadata.get('widgets'), sort_keys=True) == before, (
        'run: .venv/bin/python tools/execute_notebooks.py --clean-only'
    )
    split = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == 'code'
        for a, b in zip(cell.outputs, cell.outputs[1:])
        if a.get('output_type') == b.get('output_type') == 'stream'
        and a.get('name') == b.get('name')
    ]
    assert not split, f'cells {split} print into several boxes; run the same command'
    shown = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == 'code'
        for o in cell.outputs
        if o.get('output_type') == 'error'
        or re.search(r'<cell>:|ipykernel_|NBVAL|Traceback \(most recent', o.get('text', ''))
    ]
    assert not shown, f'cells {shown} show kernel file names, warnings prefixes or tracebacks'


def test_clean_shows_warnings_as_category_and_message():
    cell = nbformat.v4.new_code_cell('fit()')
    cell.outputs = [
        nbformat.v4.new_output(
            'stream',
            name='stderr',
            text=(
                '/tmp/ipykernel_7/12.py:6: DivergenceWarning: ' + 'loss exploded ' * 10 + '\n'
                '  trainer.fit(model, data)\nafter\n'
            ),
        )
    ]
    execute_notebooks._clean(notebook(cell))
    rows = cell.outputs[0]['text'].split('\n')
    assert rows[0].startswith('DivergenceWarning: loss exploded') and rows[-2:] == ['after', '']
    assert max(map(len, rows)) <= 88 and 'trainer.fit' not in cell.outputs[0]['text']


@pytest.mark.parametrize('name', [c for c in CHAPTERS if c >= '7_6'])
def test_training_chapters_tell_colab_readers_where_checkpoints_survive(name):
    cells = chapter(name).cells
    first_fit = next(
        i for i, c in enumerate(cells) if c.cell_type == 'code' and 'd2l.Trainer(' in c.source
    )
    notes = [
        c.source
        for c in cells[:first_fit]
        if c.cell_type == 'markdown' and "drive.mount('/content/drive')" in c.source
    ]
    assert len(notes) == 1 and "checkpoint_dir='/content/drive/MyDrive/" in notes[0]
