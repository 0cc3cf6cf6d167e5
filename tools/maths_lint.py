"""Markdown maths that a list marker cuts in two: a `$...$` wrapped onto a line that starts
with `+ `, `- `, `* ` or `1. ` becomes a list item, and the page shows raw TeX.

    .venv/bin/python tools/maths_lint.py [NOTEBOOK ...]    # default: every chapter; exit 1 if cut

tests/test_chapter_sources.py runs it over every chapter; tests/test_maths_lint.py tests it.
"""

import re
import sys

import nbformat
from book_pages import ROOT, chapter_notebooks

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
                directives.append(match.group(1))  # its body is Markdown: keep checking
            elif not match.group(2) and directives and directives[-1] == match.group(1):
                directives.pop()  # closes a directive
            else:
                fence = match.group(1)  # code: not Markdown
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
                open_math = (
                    token if open_math is None else (None if open_math == token else open_math)
                )
                i += len(token)
                continue
            i += 1
    if open_math:
        found.append(f'the cell ends inside {open_math}...{open_math}')
    return found


def notebook_problems(path):
    """{markdown cell index: [problems]} of one notebook, only the cells that have some."""
    cells = nbformat.read(path, as_version=4).cells
    found = {i: split_maths(c.source) for i, c in enumerate(cells) if c.cell_type == 'markdown'}
    return {i: p for i, p in found.items() if p}


def main(argv=None):
    paths = (argv if argv is not None else sys.argv[1:]) or chapter_notebooks(ROOT) + [
        ROOT / 'chapters' / 'reference_results.ipynb'
    ]
    bad = 0
    for path in paths:
        for index, problems in notebook_problems(path).items():
            bad += 1
            for problem in problems:
                print(f'{path}: markdown cell {index}, {problem}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
