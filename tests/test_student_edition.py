"""tools/student_edition.py: no answer survives, an answer cell per exercise or part, stubs where
checks exist, and the student notebook runs top to bottom with the stubs in place."""

import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
import student_edition  # noqa: E402

from book_utils.answers import exercise_ids  # noqa: E402

SECRET = 'THE-ANSWER-TEXT'


def prompt(id, parts, text):
    return new_markdown_cell(
        text, metadata={'tags': ['exercise'], 'exercise': {'id': id, 'parts': parts}}
    )


def text_answer(id, body):
    return new_markdown_cell(
        f'<details>\n<summary>Answer</summary>\n\n{body}\n\n</details>',
        metadata={'tags': ['solution'], 'answer_to': id},
    )


def code_answer(id, source, output):
    cell = new_code_cell(
        source,
        metadata={
            'tags': ['solution', 'hide-input', 'hide-output'],
            'answer_to': id,
            'jupyter': {'source_hidden': True, 'outputs_hidden': True},
        },
    )
    cell.outputs = [nbformat.v4.new_output('stream', name='stdout', text=output)]
    return cell


def course_chapter():
    """A chapter in the course's exercise format (CONTRIBUTING.md), 7.5 shaped."""
    setup = new_code_cell(
        'import book_utils as d2l\nimport torch\nfrom torch import nn\n'
        'from torch.nn import functional as F\nd2l.show_setup()',
        metadata={'tags': ['book-setup', 'remove-input', 'nbval-ignore-output']},
    )
    return new_notebook(
        cells=[
            new_markdown_cell('# 7.5 Pooling\n\nTeaching text.'),
            setup,
            new_code_cell('X = torch.arange(9.0).reshape(1, 1, 3, 3)\nF.max_pool2d(X, 2, 1)'),
            new_markdown_cell('## Exercises'),
            prompt('7.5.1', [], '1. Implement average pooling with a convolution.'),
            code_answer('7.5.1', f'# {SECRET}\nprint("{SECRET}")', f'{SECRET}\n'),
            text_answer('7.5.1', f'{SECRET}: a kernel of ones over $k^2$.'),
            prompt('7.5.2', [], '2. Prove that max pooling is not a convolution.'),
            text_answer('7.5.2', f'{SECRET} linearity.'),
            prompt(
                '7.5.3',
                ['7.5.3.1', '7.5.3.2', '7.5.3.3'],
                '3. Max from ReLUs: (a) ... (b) ... (c) ...',
            ),
            text_answer('7.5.3.1', f'{SECRET} b + ReLU(a - b)'),
            code_answer('7.5.3.2', f'# {SECRET}', f'{SECRET}\n'),
            text_answer('7.5.3.3', SECRET),
            prompt(
                '7.5.6', ['7.5.6.1', '7.5.6.2'], '6. (a) Do we need min pooling? (b) Replace it.'
            ),
            text_answer('7.5.6', SECRET),
            new_markdown_cell('## Going further\n\nNot an answer.'),
        ],
        metadata={
            'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
        },
    )


def test_no_answer_survives_and_each_part_gets_an_answer_cell():
    student, ids = student_edition.student_notebook(course_chapter())
    text = nbformat.writes(student)
    assert SECRET not in text and 'answer_to' not in text and '"solution"' not in text
    assert ids == ['7.5.1', '7.5.2', '7.5.3.1', '7.5.3.2', '7.5.3.3', '7.5.6.1', '7.5.6.2']
    cells = {c.metadata['answer_cell']: c for c in student.cells if 'answer_cell' in c.metadata}
    for id, cell in cells.items():
        assert (
            cell.cell_type == 'code'
            and f'answer-{id}' in cell.metadata.tags
            and not cell.get('outputs')
        )
    assert 'def avg_pool_by_conv(X, pool_size, stride):' in cells['7.5.1'].source
    assert "d2l.check_answer('7.5.3.1', relu_max)" in cells['7.5.3.1'].source
    assert 'class MaxPoolByConv(nn.Module):' in cells['7.5.3.2'].source
    assert cells['7.5.2'].source == '' and cells['7.5.3.3'].source == ''
    # a check on an exercise the notebook splits into parts goes to its first part
    assert 'def min_pool2d' in cells['7.5.6.1'].source and cells['7.5.6.2'].source == ''
    # the setup cell and the teaching stay, outputs and all; the prompts and after-text too
    assert student.cells[1].metadata.tags[0] == 'book-setup'
    assert sum('exercise' in c.metadata.get('tags', []) for c in student.cells) == 4
    assert student.cells[-1].source.startswith('## Going further')


def test_the_student_notebook_runs_top_to_bottom_with_the_stubs(tmp_path):
    student, _ = student_edition.student_notebook(course_chapter())
    env = dict(os.environ, BOOK_PROFILE='smoke', PYTHONPATH=str(ROOT))
    client = NotebookClient(
        student, timeout=120, kernel_name='python3', resources={'metadata': {'path': str(tmp_path)}}
    )
    client.km = client.create_kernel_manager()
    client.km.extra_env = env  # kernel sees this checkout's book_utils
    client.execute(env=env)
    said = [
        o.get('data', {}).get('text/plain', '')
        for c in student.cells
        if 'answer_cell' in c.metadata
        for o in c.get('outputs', [])
    ]
    assert sum('not answered yet' in s for s in said) == 4, said


def test_write_edition_and_book_files(tmp_path):
    chapters = tmp_path / 'course' / 'chapters'
    chapters.mkdir(parents=True)
    nbformat.write(course_chapter(), chapters / '7_5_pooling.ipynb')
    written = student_edition.write_edition(
        tmp_path / 'student', ['chapters/7_5_pooling'], root=tmp_path / 'course'
    )
    assert len(written['chapters/7_5_pooling']) == 7
    assert (tmp_path / 'student' / 'chapters' / '7_5_pooling.ipynb').exists()
    student_edition.write_book_files(tmp_path / 'student', ['chapters/7_5_pooling'])
    toc = (tmp_path / 'student' / '_toc.yml').read_text()
    assert 'chapters/7_5_pooling' in toc and 'chapters/8_1_alexnet' not in toc
    assert 'student edition' in (tmp_path / 'student' / '_config.yml').read_text()


def test_the_real_chapters_give_an_answer_cell_for_each_of_d2ls_70_exercises():
    """Fails until the chapters carry the exercise format (the notebook branches)."""
    names = student_edition.chapter_names()
    assert len(names) == 12
    covered = set()
    for name in names:
        nb = nbformat.read(ROOT / f'{name}.ipynb', as_version=4)
        student, ids = student_edition.student_notebook(nb)
        assert not any(student_edition.is_answer(c) for c in student.cells)
        covered |= {'.'.join(i.split('.')[:3]) for i in ids}
    assert sorted(covered) == sorted(exercise_ids())


def test_a_chapter_with_answers_outside_the_format_is_refused(tmp_path):
    nb = course_chapter()
    nb.cells.append(new_markdown_cell(':::{admonition} Answer\n:class: dropdown\nThe answer.\n:::'))
    (tmp_path / 'chapters').mkdir()
    nbformat.write(nb, tmp_path / 'chapters' / '7_5_pooling.ipynb')
    with pytest.raises(SystemExit, match='still has 1 answers in MyST dropdowns'):
        student_edition.write_edition(tmp_path / 'out', ['chapters/7_5_pooling'], root=tmp_path)


def _build_fixture_book(folder, nb):
    """A one-chapter book from ``nb`` with the course's _config.yml, built by jupyter-book."""
    import shutil
    import subprocess

    import yaml

    (folder / 'chapters').mkdir(parents=True)
    nbformat.write(nb, folder / 'chapters' / '7_5_pooling.ipynb')
    (folder / 'chapters' / 'intro.md').write_text('# Fixture\n')
    (folder / '_toc.yml').write_text(
        yaml.safe_dump(
            {
                'format': 'jb-book',
                'root': 'chapters/intro',
                'chapters': [{'file': 'chapters/7_5_pooling'}],
            }
        )
    )
    config = yaml.safe_load((ROOT / '_config.yml').read_text())
    config['sphinx']['local_extensions'] = {'offline_assets': str(ROOT / 'tools')}
    (folder / '_config.yml').write_text(yaml.safe_dump(config))
    shutil.copy(ROOT / 'references.bib', folder)
    for linked in ('node_modules', 'book_utils'):
        (folder / linked).symlink_to(ROOT / linked)
    subprocess.run(
        [str(Path(sys.executable).with_name('jupyter-book')), 'build', str(folder)],
        check=True,
        capture_output=True,
    )
    return folder / '_build' / 'html'


@pytest.mark.skipif(
    not (ROOT / 'node_modules').is_dir() or not shutil.which('chromium'),
    reason="needs `npm ci` (the book's offline scripts) and Chromium",
)
def test_on_the_built_page_no_answer_shows_until_opened(tmp_path):
    import check_pages

    leaky = course_chapter()
    for cell in leaky.cells:  # one code answer whose output is left in view
        if cell.cell_type == 'code' and 'solution' in cell.metadata.get('tags', []):
            cell.metadata.tags = ['solution', 'hide-input']
            break
    sites = {
        'hidden': _build_fixture_book(tmp_path / 'hidden', course_chapter()),
        'leaky': _build_fixture_book(tmp_path / 'leaky', leaky),
    }
    driver = check_pages.make_driver()
    try:
        found = {}
        for kind, html in sites.items():
            server = check_pages.serve(html)
            driver.get(f'http://127.0.0.1:{server.server_address[1]}/chapters/7_5_pooling.html')
            found[kind] = check_pages.answer_problems(driver, tmp_path / kind)
            server.shutdown()
    finally:
        driver.quit()
    assert found['hidden'] == ([], 7)
    problems, count = found['leaky']
    assert (
        count == 7
        and len(problems) == 1
        and SECRET in problems[0]
        and 'before it is opened' in problems[0]
    )
    assert (tmp_path / 'hidden-answer-closed.png').stat().st_size < (
        tmp_path / 'hidden-answer-open.png'
    ).stat().st_size
