"""Write the canonical setup cell into every chapter notebook (or check that it is there).

    .venv/bin/python tools/stamp_setup.py            # stamp chapters/7_*.ipynb and 8_*.ipynb
    .venv/bin/python tools/stamp_setup.py --check    # exit 1 if a notebook's cell is stale
    .venv/bin/python tools/stamp_setup.py chapters/7_2_conv_layer.ipynb

Every chapter's first code cell (tags ``book-setup`` and ``remove-input``) installs
``book_utils`` where it is missing -- on Colab -- and then imports it under D2L's
name. The install is ``pip install --no-deps`` of the course repository at the tag
of the package's version (``v`` + ``version`` in pyproject.toml), so it never
touches Colab's torch, numpy, ipywidgets or IPython; where ``book_utils`` is
already importable (a clone with ``make venv``, CI) the cell installs nothing.
The repository URL is read from ``_config.yml`` (``repository.url``), the one
place it is written. tests/test_book.py runs ``check`` on every chapter.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
TAGS = ('book-setup', 'remove-input')
CHAPTER_GLOB = ('7_*.ipynb', '8_*.ipynb')

TEMPLATE = '''\
# NBVAL_IGNORE_OUTPUT
# Setup, stamped by tools/stamp_setup.py (edit it there). Where book_utils is missing, as on
# Colab, install it from the course repository; --no-deps leaves torch, numpy, ipywidgets and
# IPython as they are. Then import it under D2L's name and print what this notebook runs with.
import importlib.util, subprocess, sys
if importlib.util.find_spec('book_utils') is None:
    subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
                    '{requirement}'], check=True)
    importlib.invalidate_caches()
import book_utils as d2l
d2l.show_setup()'''


def repository_url(root=ROOT):
    """``repository.url`` from the book's _config.yml, without a trailing slash or ``.git``."""
    config = yaml.safe_load((Path(root) / '_config.yml').read_text())
    url = config['repository']['url'].rstrip('/')
    return url[:-4] if url.endswith('.git') else url


def package_version(root=ROOT):
    """``version`` of the book_utils project in pyproject.toml."""
    text = (Path(root) / 'pyproject.toml').read_text()
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise ValueError('pyproject.toml has no version = "..." line')
    return match.group(1)


def requirement(root=ROOT, ref=None):
    """The pip requirement the setup cell installs: the repository at a tag."""
    ref = ref or f'v{package_version(root)}'
    return f'book_utils @ git+{repository_url(root)}@{ref}'


def setup_source(root=ROOT, ref=None):
    """The canonical source of the setup cell."""
    return TEMPLATE.format(requirement=requirement(root, ref))


def chapter_notebooks(root=ROOT):
    """The chapter notebooks (7_*.ipynb, 8_*.ipynb), in reading order."""
    chapters = Path(root) / 'chapters'
    return sorted(p for pattern in CHAPTER_GLOB for p in chapters.glob(pattern))


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
    parser.add_argument('notebooks', nargs='*', type=Path, help='default: every chapter notebook')
    parser.add_argument('--check', action='store_true', help='report stale cells, change nothing')
    parser.add_argument('--ref', help='git tag or commit to install (default: v<pyproject version>)')
    args = parser.parse_args(argv)
    source = setup_source(ref=args.ref)
    paths = args.notebooks or chapter_notebooks()
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
