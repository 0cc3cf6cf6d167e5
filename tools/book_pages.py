"""The book's pages as _toc.yml lists them: the one chapter list that tools/ and tests/ read.

A chapter is a notebook page whose name starts with its section number (``7_2_conv_layer``);
the other pages (the introduction, setup, the reference results, the bibliography) are not.
Adding a chapter to _toc.yml is all it takes for the tools to stamp, tag, execute and check it.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_NAME = re.compile(r'\d+_\d+_\w+')  # section number first: 7_2_conv_layer


def toc_pages(root=ROOT):
    """The docnames of every page in _toc.yml (root first), e.g. 'chapters/7_2_conv_layer'."""
    toc = yaml.safe_load((Path(root) / '_toc.yml').read_text())
    pages = [toc['root']]

    def walk(entries):
        for entry in entries or []:
            if 'file' in entry:
                pages.append(entry['file'])
            walk(entry.get('sections'))
            walk(entry.get('chapters'))

    for part in toc.get('parts', []):
        walk(part.get('chapters'))
    walk(toc.get('chapters'))
    return [p.rsplit('.', 1)[0] if p.endswith(('.md', '.ipynb')) else p for p in pages]


def chapter_names(root=ROOT):
    """['7_1_fc_to_conv', ..., '8_6_resnet']: the chapters, in reading order."""
    return [
        page.split('/')[-1]
        for page in toc_pages(root)
        if CHAPTER_NAME.fullmatch(page.split('/')[-1])
    ]


def chapter_notebooks(root=ROOT):
    """The chapters' notebook files, in reading order."""
    return [Path(root) / 'chapters' / f'{name}.ipynb' for name in chapter_names(root)]
