r"""Write the student edition: the chapters without their answers, an answer cell per exercise.

    .venv/bin/python tools/student_edition.py [--out _build/student] [--no-build] [CHAPTER ...]

For each chapter notebook (default: the twelve in _toc.yml) it writes
<out>/chapters/<chapter>.ipynb in which every cell tagged `solution` (answer text, code and
outputs) is gone and, after each exercise's prompt, one empty code cell per part (or one for
the exercise, when it has none) is tagged `answer-<id>`, e.g. `answer-7.5.3.1`; where
`d2l.check_answer` has a check for that id the cell holds its stub: the function or class the
check expects, with a body of `...`, and the call. The setup cell stays, so the notebooks open
on Colab. Then it builds the book from them into <out>/html (jupyter-book, with a _toc.yml and
_config.yml generated in <out>). The exercise format is the one described in CONTRIBUTING.md:
prompts tagged `exercise` with metadata `exercise: {id, parts}`, answers tagged `solution`.
"""

import argparse
import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from book_utils.answers import checks  # noqa: E402

CHAPTER = re.compile(r'chapters/\d_\d_\w+$')


def chapter_names(root=ROOT):
    """The chapter docnames of _toc.yml (chapters/7_1_fc_to_conv, ...), in order."""
    toc = yaml.safe_load((root / '_toc.yml').read_text())
    return [
        c['file'] for part in toc['parts'] for c in part['chapters'] if CHAPTER.match(c['file'])
    ]


def _tags(cell):
    return cell.get('metadata', {}).get('tags', [])


def is_answer(cell):
    return 'solution' in _tags(cell) or 'answer_to' in cell.get('metadata', {})


def exercise_of(cell):
    """(id, parts) of a prompt cell, or None for any other cell."""
    meta = cell.get('metadata', {}).get('exercise')
    if cell.get('cell_type') != 'markdown' or not meta or 'exercise' not in _tags(cell):
        return None
    return str(meta['id']), [str(p) for p in meta.get('parts', [])]


def stubs_for(exercise, parts, stub_of):
    """{answer cell id: source} for one exercise: a cell per part (or one), each with the stubs of
    the checks that belong to it. A check on the exercise lands in its first part's cell; checks
    on parts of an exercise the notebook does not split land in the exercise's cell."""
    cells = {p: [] for p in (parts or [exercise])}
    first = next(iter(cells))
    for check_id, stub in stub_of.items():
        if check_id in cells:
            cells[check_id].append(stub)
        elif check_id == exercise or (not parts and check_id.startswith(exercise + '.')):
            cells[first].append(stub)
        elif parts and check_id.startswith(exercise + '.'):
            cells[first].append(stub)  # a part the notebook numbers differently
    return {cid: '\n\n'.join(s).rstrip('\n') for cid, s in cells.items()}


def answer_cell(cell_id, source):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata['tags'] = [f'answer-{cell_id}', 'nbval-ignore-output']
    cell.metadata['answer_cell'] = cell_id
    return cell


def student_notebook(nb, stub_of=None):
    """A copy of ``nb`` without answers, with answer cells after each prompt; and the answer
    cell ids it holds, in order."""
    stub_of = {c.id: c.stub for c in checks()} if stub_of is None else stub_of
    out = copy.deepcopy(nb)
    cells, ids = [], []
    for cell in nb.cells:
        if is_answer(cell):
            continue
        cells.append(copy.deepcopy(cell))
        found = exercise_of(cell)
        if found:
            exercise, parts = found
            mine = {
                k: v for k, v in stub_of.items() if k == exercise or k.startswith(exercise + '.')
            }
            for cell_id, source in stubs_for(exercise, parts, mine).items():
                cells.append(answer_cell(cell_id, source))
                ids.append(cell_id)
    out.cells = cells
    return out, ids


OLD_DROPDOWN = re.compile(r':class:\s*dropdown')


def untagged_answers(nb):
    """Answers the student edition cannot see: MyST dropdowns left in cells not tagged solution."""
    return [i for i, c in enumerate(nb.cells) if not is_answer(c) and OLD_DROPDOWN.search(c.source)]


def write_edition(out, names, root=ROOT):
    """Write the student notebooks of ``names`` under out/chapters; return {name: answer ids}.
    Refuses a chapter whose answers are not in the exercise format: they would be handed out."""
    (out / 'chapters').mkdir(parents=True, exist_ok=True)
    written = {}
    for name in names:
        nb = nbformat.read(root / f'{name}.ipynb', as_version=4)
        left = untagged_answers(nb)
        if left:
            raise SystemExit(
                f'student_edition: {name}.ipynb still has {len(left)} answers in MyST dropdowns '
                f'(cells {left[:5]}) that are not tagged solution; convert them to the exercise '
                'format (CONTRIBUTING.md) first, or they would be in the student edition.'
            )
        student, ids = student_notebook(nb)
        nbformat.write(student, out / f'{name}.ipynb')
        written[name] = ids
    return written


INTRO = """# Student edition

This is the course's student edition: every chapter as in the course, with the answers taken
out. Under each exercise (or each part of one) is an empty code cell for your answer. Where the
answer is code, the cell already names the function or class to write; fill in the body and run
the cell: `d2l.check_answer(...)` tests it on fresh random cases against PyTorch and says
whether it is right, or shows one input where it is not.
"""


def write_book_files(out, names, root=ROOT):
    """A _toc.yml and _config.yml for the student book in ``out``, from the course's own."""
    (out / 'chapters' / 'student_intro.md').write_text(INTRO)
    toc = yaml.safe_load((root / '_toc.yml').read_text())
    parts = []
    for part in toc['parts']:
        kept = [c for c in part['chapters'] if c['file'] in names]
        if kept:
            parts.append({'caption': part['caption'], 'chapters': kept})
    parts.append({'caption': 'Reference', 'chapters': [{'file': 'chapters/bibliography'}]})
    (out / '_toc.yml').write_text(
        yaml.safe_dump(
            {'format': 'jb-book', 'root': 'chapters/student_intro', 'parts': parts}, sort_keys=False
        )
    )
    shutil.copy(root / 'chapters' / 'bibliography.md', out / 'chapters' / 'bibliography.md')
    shutil.copy(root / 'references.bib', out / 'references.bib')
    config = yaml.safe_load((root / '_config.yml').read_text())
    config['title'] = f'{config["title"]}: student edition'
    config['execute']['execute_notebooks'] = 'off'
    config['sphinx']['local_extensions'] = {'offline_assets': str(ROOT / 'tools')}
    (out / '_config.yml').write_text(yaml.safe_dump(config, sort_keys=False))
    # tools/offline_assets.py (this checkout's) copies the book's scripts from node_modules and
    # book_utils beside the book's _config.yml
    for folder in ('node_modules', 'book_utils'):
        link = out / folder
        if (ROOT / folder).is_dir() and not link.exists():
            link.symlink_to(ROOT / folder)


def build(out):
    """jupyter-book build of the student edition into out/html (from the notebooks' saved outputs)."""
    jb = Path(sys.executable).with_name('jupyter-book')
    subprocess.run(
        [str(jb), 'build', '--keep-going', '--path-output', str(out), str(out)], check=True
    )
    built = out / '_build' / 'html'
    if (out / 'html').exists():
        shutil.rmtree(out / 'html')
    built.rename(out / 'html')
    shutil.rmtree(out / '_build', ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'chapters', nargs='*', help='docnames, e.g. chapters/7_5_pooling (default: _toc.yml)'
    )
    parser.add_argument('--out', type=Path, default=ROOT / '_build' / 'student')
    parser.add_argument('--no-build', action='store_true', help='write the notebooks only')
    parser.add_argument(
        '--root', type=Path, default=ROOT, help='the course folder to read (default: this one)'
    )
    args = parser.parse_args(argv)
    names = [c.removesuffix('.ipynb') for c in args.chapters] or chapter_names(args.root)
    written = write_edition(args.out, names, root=args.root)
    for name, ids in written.items():
        print(f'{name}.ipynb: {len(ids)} answer cells')
    print(
        f'{sum(map(len, written.values()))} answer cells in {len(written)} notebooks under {args.out}/chapters'
    )
    if not args.no_build:
        write_book_files(args.out, names, root=args.root)
        build(args.out)
        print(f'The student edition is built: open {args.out}/html/index.html')


if __name__ == '__main__':
    main()
