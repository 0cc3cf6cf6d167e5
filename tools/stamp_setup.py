"""Write the canonical setup cell into every chapter notebook (or check that it is there).

    .venv/bin/python tools/stamp_setup.py            # stamp the chapters and the results page
    .venv/bin/python tools/stamp_setup.py --check    # exit 1 if a notebook's cell is stale
    .venv/bin/python tools/stamp_setup.py chapters/7_2_conv_layer.ipynb

Every chapter's first code cell (tags ``book-setup``, ``remove-input`` and
``nbval-ignore-output``) installs ``book_utils`` where it is missing -- on Colab --
and then imports it under D2L's name. The install is ``pip install --no-deps`` of
the course repository at its published branch, so it never touches Colab's torch,
numpy, ipywidgets or IPython; where ``book_utils`` is already importable (a clone
with ``make venv``, CI) the cell installs nothing. The repository URL and branch
are read from ``_config.yml`` (``repository.url``, ``repository.branch``), the one
place they are written, so the line installs a ref that exists. The environment
variable ``BOOK_UTILS_SOURCE``, when set, replaces the requirement (a fork, or a
local checkout as ``book_utils @ git+file:///path/to/clone@HEAD``):
tools/colab_rehearsal.py uses it to run the cell as written against the checkout
under test. tests/test_setup_cell.py runs ``check`` on every stamped notebook;
tests/test_install_line.py installs the stamped line itself.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml
from book_pages import chapter_notebooks

ROOT = Path(__file__).resolve().parent.parent
# nbval reads the tag: the cell's output (versions, device) differs from machine to machine.
TAGS = ('book-setup', 'remove-input', 'nbval-ignore-output')
SOURCE_VARIABLE = 'BOOK_UTILS_SOURCE'
# Pages that read book_utils but teach no section; opened alone on Colab they need it installed too.
EXTRA_PAGES = ('reference_results.ipynb',)

TEMPLATE = """\
# Setup, stamped by tools/stamp_setup.py (edit it there). Where book_utils is missing, as on
# Colab, install it from the course repository (or from ${variable}, if set); --no-deps
# leaves torch, numpy, ipywidgets and IPython as they are. Then import it under D2L's name and
# print what this notebook runs with.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec('book_utils') is None:
    source = (os.environ.get('{variable}')
              or '{requirement}')
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps', source],
                   check=True)
    importlib.invalidate_caches()
import book_utils as d2l
d2l.show_setup()"""


def repository_url(root=ROOT):
    """``repository.url`` from the book's _config.yml, without a trailing slash or ``.git``."""
    config = yaml.safe_load((Path(root) / '_config.yml').read_text())
    url = config['repository']['url'].rstrip('/')
    return url[:-4] if url.endswith('.git') else url


def repository_branch(root=ROOT):
    """``repository.branch`` from _config.yml: the published branch the setup cell installs."""
    config = yaml.safe_load((Path(root) / '_config.yml').read_text())
    branch = str(config.get('repository', {}).get('branch') or '').strip()
    if not branch:
        raise ValueError(
            '_config.yml has no repository.branch: set it to the branch the course '
            'is published from (main), which the setup cell installs'
        )
    return branch


def requirement(root=ROOT, ref=None):
    """The pip requirement the setup cell installs: the repository at its branch (or ``ref``)."""
    return f'book_utils @ git+{repository_url(root)}@{ref or repository_branch(root)}'


def setup_source(root=ROOT, ref=None):
    """The canonical source of the setup cell."""
    return TEMPLATE.format(requirement=requirement(root, ref), variable=SOURCE_VARIABLE)


def stamped_notebooks(root=ROOT):
    """Every notebook that carries the setup cell: the chapters, then the extra pages."""
    return chapter_notebooks(root) + [Path(root) / 'chapters' / name for name in EXTRA_PAGES]


def _first_code_index(nb):
    return next((i for i, c in enumerate(nb.cells) if c.cell_type == 'code'), None)


def _setup_cell_index(nb):
    """Index of the cell tagged book-setup; else of the first code cell if it is a hand-written
    setup cell (it imports book_utils); else None."""
    for i, cell in enumerate(nb.cells):
        if 'book-setup' in cell.get('metadata', {}).get('tags', []):
            return i
    first = _first_code_index(nb)
    if first is not None and re.search(r'^\s*import book_utils\b', nb.cells[first].source, re.M):
        return first
    return None


def problems(nb, source):
    """What is wrong with a notebook's setup cell (an empty list when it is current)."""
    index = _setup_cell_index(nb)
    if index is None:
        return ['no cell is tagged book-setup']
    found = []
    first_code = _first_code_index(nb)
    cell = nb.cells[index]
    if cell.cell_type != 'code':
        found.append('the book-setup cell is not a code cell')
    if index != first_code:
        found.append(f'the book-setup cell is cell {index}, not the first code cell ({first_code})')
    missing = [t for t in TAGS if t not in cell.metadata.get('tags', [])]
    if missing:
        found.append(f'the setup cell lacks the tags {missing}')
    if cell.source != source:
        found.append('the setup cell differs from the current stamp')
    return found


def stamp(nb, source):
    """Make the notebook's setup cell current, in place; returns True if anything changed."""
    if not problems(nb, source):
        return False
    index = _setup_cell_index(nb)
    if index is not None:
        cell = nb.cells.pop(index)
        if cell.cell_type != 'code':
            cell = nbformat.v4.new_code_cell()
    else:
        cell = nbformat.v4.new_code_cell()
    cell.source = source
    tags = list(cell.metadata.get('tags', []))
    cell.metadata['tags'] = list(TAGS) + [t for t in tags if t not in TAGS]
    # Keep the cell where it was, unless other code comes before it; a new cell goes just
    # before the first code cell (after the title and any introduction).
    first_code = _first_code_index(nb)
    candidates = [i for i in (index, first_code) if i is not None]
    nb.cells.insert(min(candidates) if candidates else len(nb.cells), cell)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'notebooks',
        nargs='*',
        type=Path,
        help='default: every chapter notebook and the reference-results page',
    )
    parser.add_argument('--check', action='store_true', help='report stale cells, change nothing')
    parser.add_argument(
        '--ref',
        help='git branch, tag or commit to install (default: repository.branch in _config.yml)',
    )
    args = parser.parse_args(argv)
    source = setup_source(ref=args.ref)
    paths = args.notebooks or stamped_notebooks()
    stale = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        found = problems(nb, source)
        if not found:
            continue
        stale += 1
        if args.check:
            print(f'{path}: ' + '; '.join(found))
        else:
            stamp(nb, source)
            nbformat.write(nb, path)
            print(f'stamped {path}')
    if args.check and stale:
        print(f'{stale} notebook(s) need `python tools/stamp_setup.py`.')
        return 1
    if args.check:
        print(f'{len(paths)} notebook(s) carry the current setup cell.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
