"""No markdown cell of a chapter shares a run of 10 consecutive words with D2L's text of
its section (issue 22). The reference data holds hashes of D2L's runs, not its sentences;
tools/word_runs.py builds it and, run on a notebook, prints what to rewrite."""

import json

import pytest
from project_tools import ROOT, load_tool

word_runs = load_tool('word_runs')
CHAPTERS = sorted((ROOT / 'chapters').glob('[78]_[1-6]_*.ipynb'))


@pytest.fixture(scope='module')
def reference():
    return word_runs.load_reference()


@pytest.mark.parametrize('notebook', CHAPTERS, ids=lambda p: p.stem)
def test_no_markdown_cell_shares_ten_words_with_d2l(notebook, reference):
    found = word_runs.shared_runs(notebook, reference)
    report = '; '.join(f'cell {i}: "{word_runs.merged(hits)[0]}"' for i, hits in found)
    assert not found, (
        f'{len(found)} markdown cell(s) of {notebook.name} share a run of '
        f'{word_runs.RUN} words with D2L; rewrite them in our own words '
        f'(python tools/word_runs.py check {notebook.relative_to(ROOT)}): {report}'
    )


def test_reference_covers_every_chapter_and_holds_no_text(reference):
    assert set(reference) == {word_runs.section_of(p) for p in CHAPTERS} == set(word_runs.SECTIONS)
    raw = word_runs.REFERENCE.read_text()
    assert all(
        len(h) == word_runs.HASH_CHARS and int(h, 16) >= 0
        for hashes in reference.values()
        for h in hashes
    )
    assert all(len(hashes) > 500 for hashes in reference.values())  # a real section's runs
    assert ' the ' not in raw and 'convolution' not in raw


def test_normalisation_ignores_case_punctuation_maths_and_markup():
    ours = (
        'A **Kernel**, slid over the [image](https://x.org), gives $\\mathbf{H}$ one '
        "value per `position`, doesn't it?\n\n```python\nprint(1)\n```\nyes"
    )
    assert word_runs.words(ours) == [
        'a',
        'kernel',
        'slid',
        'over',
        'the',
        'image',
        'gives',
        'one',
        'value',
        'per',
        'doesnt',
        'it',
        'yes',
    ]
    myst = ':::\n```{note}\nprose inside a note\n```\n{glue:text}`acc:.3f` and :cite:`Zhang`'
    assert word_runs.words(myst) == ['prose', 'inside', 'a', 'note', 'and']


def test_a_cell_sharing_a_run_is_found_and_reported(tmp_path, capsys):
    """The checker itself, on a reference made from a text of our own."""
    source = (
        'Here a long sentence of our own that runs well past ten words so that '
        'it yields several runs.'
    )
    reference = {'7.1': sorted({word_runs.run_hash(r) for r in word_runs.runs(source)})}
    cells = [
        {'cell_type': 'markdown', 'metadata': {}, 'source': ['Fresh words only here.']},
        {
            'cell_type': 'code',
            'metadata': {},
            'source': [source],
            'outputs': [],
            'execution_count': None,
        },
        {
            'cell_type': 'markdown',
            'metadata': {},
            'source': ['As we said: HERE, a long sentence of our own that runs well past ten!'],
        },
    ]
    notebook = tmp_path / '7_1_test.ipynb'
    notebook.write_text(
        json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5})
    )
    found = word_runs.shared_runs(notebook, reference)
    assert [i for i, _ in found] == [2]  # the code cell is not prose; cell 0 shares nothing
    assert word_runs.merged(found[0][1]) == [
        'here a long sentence of our own that runs well past ten'
    ]
    (tmp_path / 'ref.json').write_text(json.dumps({'sections': reference}))
    assert word_runs.check([str(notebook)], tmp_path / 'ref.json') == 1
    assert 'cell 2' in capsys.readouterr().out
