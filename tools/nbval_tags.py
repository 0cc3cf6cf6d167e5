"""Move nbval's comment markers (``# NBVAL_IGNORE_OUTPUT`` ...) into cell tags.

    .venv/bin/python tools/nbval_tags.py [--check] [chapters/7_2_conv_layer.ipynb ...]

nbval reads the same instructions from cell tags (``nbval-ignore-output``,
``nbval-check-output``, ``nbval-skip``, ``nbval-raises-exception``) as from
comment lines, and a tag is invisible on the page, so readers never see test
plumbing. This script removes each marker line from a code cell and adds the
matching tag; cells whose source is stamped by another tool (the setup cell,
tag ``book-setup``) keep their source and only gain the tag. Outputs are kept.
``--check`` changes nothing and exits 1 if any notebook still needs this.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat
from book_pages import chapter_notebooks

ROOT = Path(__file__).resolve().parent.parent
# nbval's own marker names (nbval.plugin.comment_markers); its tags are these, lower-case
# with dashes.
MARKERS = ('NBVAL_IGNORE_OUTPUT', 'NBVAL_CHECK_OUTPUT', 'NBVAL_SKIP', 'NBVAL_RAISES_EXCEPTION')
MARKER_LINE = re.compile(r'^[ \t]*#[ \t]*(' + '|'.join(MARKERS) + r')[ \t]*$')
STAMPED = 'book-setup'  # tools/stamp_setup.py owns this cell's source


def tag_for(marker):
    """``NBVAL_IGNORE_OUTPUT`` -> ``nbval-ignore-output`` (the tag nbval reads)."""
    return marker.lower().replace('_', '-')


def move_markers(cell):
    """Move ``cell``'s marker comment lines into its tags; True if the cell changed."""
    if cell.cell_type != 'code':
        return False
    lines = cell.source.split('\n')
    markers = [m.group(1) for m in map(MARKER_LINE.match, lines) if m]
    if not markers:
        return False
    tags = list(cell.metadata.get('tags', []))
    new_tags = tags + [tag_for(m) for m in dict.fromkeys(markers) if tag_for(m) not in tags]
    changed = new_tags != tags
    if new_tags:
        cell.metadata['tags'] = new_tags
    if STAMPED not in tags:
        kept = [line for line in lines if not MARKER_LINE.match(line)]
        while kept and not kept[0].strip():  # a blank line left where the marker was
            kept.pop(0)
        cell.source = '\n'.join(kept)
        changed = True
    return changed


def problems(nb):
    """Code cells (by index) whose source still holds a marker that a tag should carry."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != 'code':
            continue
        for marker in MARKERS:
            if marker in cell.source:
                tags = cell.metadata.get('tags', [])
                if STAMPED not in tags:
                    found.append(f'cell {i}: {marker} in the source (a tag should carry it)')
                elif tag_for(marker) not in tags:
                    found.append(f'cell {i}: the setup cell lacks the tag {tag_for(marker)}')
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebooks', nargs='*', type=Path)
    parser.add_argument('--check', action='store_true', help='report, change nothing')
    args = parser.parse_args(argv)
    failed = 0
    for path in args.notebooks or chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        if args.check:
            for problem in problems(nb):
                print(f'{path}: {problem}')
                failed = 1
            continue
        changed = sum(move_markers(cell) for cell in nb.cells)
        if changed:
            nbformat.write(nb, path)
            print(f'{path}: {changed} cells tagged')
    if failed:
        print('run: .venv/bin/python tools/nbval_tags.py')
    return failed


if __name__ == '__main__':
    sys.exit(main())
