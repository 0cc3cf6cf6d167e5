"""Find text shared with D2L 1.0.3: runs of 10 consecutive words, compared by short hashes.

The course must be written in its own words (issue 22), but D2L's sentences may not be
committed, even to test against. So the reference holds only hashes: for each section, the
first 8 hex digits of the SHA-1 of every run of ``RUN`` consecutive normalised words of
D2L's text of that section. A markdown cell of ours that yields one of those hashes shares
a 10-word run with D2L (or, about once in a few thousand cells, collides by chance).

Normalisation, applied alike to D2L's Markdown and to our cells: fenced code blocks,
maths (``$...$``, ``$$...$$``, ``\\[...\\]``), inline code, D2L's ``:label:``/``:cite:``-style
and MyST's ``{role}`` markup, HTML tags and URLs are dropped; a link or image keeps its
text; the rest is lower-cased, curly apostrophes made straight, and split into words of
letters and digits (``don't`` -> ``dont``, ``translation-invariant`` -> two words).

Usage:
  python tools/word_runs.py build D2L_CHECKOUT [--ref v1.0.3] [-o tests/data/d2l_word_runs.json]
      D2L_CHECKOUT is a clone of d2l-en (a work tree, or a bare repository with --ref).
  python tools/word_runs.py check chapters/7_1_fc_to_conv.ipynb ...
      prints every markdown cell sharing a run with D2L, and the run; exit 1 if any.
"""

import argparse
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

RUN = 10  # words in a run
HASH_CHARS = 8  # hex digits of SHA-1 kept per run
ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / 'tests' / 'data' / 'd2l_word_runs.json'

# Our chapter's number -> D2L 1.0.3's source of the same section.
SECTIONS = {
    '7.1': 'chapter_convolutional-neural-networks/why-conv.md',
    '7.2': 'chapter_convolutional-neural-networks/conv-layer.md',
    '7.3': 'chapter_convolutional-neural-networks/padding-and-strides.md',
    '7.4': 'chapter_convolutional-neural-networks/channels.md',
    '7.5': 'chapter_convolutional-neural-networks/pooling.md',
    '7.6': 'chapter_convolutional-neural-networks/lenet.md',
    '8.1': 'chapter_convolutional-modern/alexnet.md',
    '8.2': 'chapter_convolutional-modern/vgg.md',
    '8.3': 'chapter_convolutional-modern/nin.md',
    '8.4': 'chapter_convolutional-modern/googlenet.md',
    '8.5': 'chapter_convolutional-modern/batch-norm.md',
    '8.6': 'chapter_convolutional-modern/resnet.md',
}

_FENCE = re.compile(r'^\s*(`{3,}|~{3,})\s*(\S*)')
_PROSE_DIRECTIVE = re.compile(r'\{(?!code)[a-z][\w-]*\}')  # {admonition}, {note}: prose inside
_DROP = [
    re.compile(r'\$\$.*?\$\$', re.S),  # display maths
    re.compile(r'\\\[.*?\\\]', re.S),
    re.compile(r'(?<!\\)\$[^$\n]+?(?<!\\)\$'),  # inline maths
    re.compile(r'\{[\w:-]+\}`[^`]*`'),  # MyST roles: {glue:text}`x`
    re.compile(r':\w+:`[^`]*`'),  # D2L roles: :cite:`x`, :label:`x`
    re.compile(r'`[^`\n]*`'),  # inline code
    re.compile(r'<[^>\n]+>'),  # HTML tags
    re.compile(r'https?://\S+'),  # bare URLs
]
_LINK = re.compile(r'!?\[([^\]]*)\]\([^)]*\)')  # [text](url) -> text
_WORD = re.compile(r'[a-z0-9]+')


def without_code_blocks(markdown):
    """The text without fenced code blocks; a MyST directive's fence (``{note}``) keeps
    its content, which is prose, and loses only its fence lines."""
    kept, closing, directives = [], None, []  # closing: the fence ending our code block
    for line in markdown.split('\n'):
        fence = _FENCE.match(line)
        if closing is not None:
            if fence and fence[1].startswith(closing) and not fence[2]:
                closing = None
            continue
        if fence and _PROSE_DIRECTIVE.fullmatch(fence[2]):
            directives.append(fence[1])
        elif fence and not fence[2] and directives and fence[1].startswith(directives[-1]):
            directives.pop()
        elif fence:
            closing = fence[1]
            continue
        kept.append('' if fence else line)
    return '\n'.join(kept)


def words(markdown):
    """The normalised words of a Markdown text (see the module's docstring)."""
    text = _LINK.sub(r'\1', without_code_blocks(markdown))
    for pattern in _DROP:
        text = pattern.sub(' ', text)
    text = text.lower().replace('\u2019', "'").replace("'", '')
    return _WORD.findall(text)


def runs(markdown):
    """Every run of RUN consecutive words, as strings."""
    w = words(markdown)
    return [' '.join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)]


def run_hash(run):
    return hashlib.sha1(run.encode()).hexdigest()[:HASH_CHARS]


def section_of(notebook):
    """'7.3' for chapters/7_3_padding_and_strides.ipynb, None for other pages."""
    match = re.match(r'(\d)_(\d)_', Path(notebook).name)
    return f'{match[1]}.{match[2]}' if match else None


def markdown_cells(notebook):
    """(index, source) of each markdown cell of a notebook."""
    cells = json.loads(Path(notebook).read_text())['cells']
    return [(i, ''.join(c['source'])) for i, c in enumerate(cells) if c['cell_type'] == 'markdown']


def shared_runs(notebook, reference):
    """[(cell index, [runs shared with D2L's section])] for the cells that share any."""
    known = set(reference[section_of(notebook)])
    found = []
    for index, source in markdown_cells(notebook):
        hits = [r for r in runs(source) if run_hash(r) in known]
        if hits:
            found.append((index, hits))
    return found


def merged(hits):
    """Overlapping runs joined into the passages they come from (for a readable report)."""
    passages = []
    for run in hits:
        tail = run.split()
        if passages and passages[-1].split()[-(RUN - 1) :] == tail[: RUN - 1]:
            passages[-1] += ' ' + tail[-1]
        else:
            passages.append(run)
    return passages


def load_reference(path=REFERENCE):
    return json.loads(Path(path).read_text())['sections']


def d2l_text(checkout, path, ref=None):
    if ref is None:
        return (Path(checkout) / path).read_text()
    return subprocess.run(
        ['git', '-C', str(checkout), 'show', f'{ref}:{path}'],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def build(checkout, ref, out):
    sections = {
        number: sorted({run_hash(r) for r in runs(d2l_text(checkout, path, ref))})
        for number, path in SECTIONS.items()
    }
    data = {
        'about': f'First {HASH_CHARS} hex digits of SHA-1 of each run of {RUN} normalised '
        f'words of D2L 1.0.3 (ref {ref or "work tree"}), per section; built by '
        'tools/word_runs.py build. Holds no D2L text.',
        'run': RUN,
        'hash_chars': HASH_CHARS,
        'sections': sections,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(data, separators=(',', ':')) + '\n')
    print(f'{out}: ' + ', '.join(f'{n} {len(h)}' for n, h in sections.items()))


def check(notebooks, reference_path):
    reference, bad = load_reference(reference_path), 0
    for notebook in notebooks:
        if section_of(notebook) not in reference:
            continue
        for index, hits in shared_runs(notebook, reference):
            bad += 1
            print(f'{notebook} cell {index}: shares with D2L {section_of(notebook)}:')
            for passage in merged(hits):
                print(f'    "{passage}"')
    print(f'{bad} markdown cell(s) share a run of {RUN} words with D2L.')
    return 1 if bad else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    b = sub.add_parser('build', help="hash D2L's word runs from a d2l-en checkout")
    b.add_argument('checkout')
    b.add_argument('--ref', default=None, help='a git ref such as v1.0.3 (read with git show)')
    b.add_argument('-o', '--out', default=str(REFERENCE))
    c = sub.add_parser('check', help='print the markdown cells that share a run with D2L')
    c.add_argument('notebooks', nargs='+')
    c.add_argument('--reference', default=str(REFERENCE))
    args = parser.parse_args(argv)
    if args.command == 'build':
        build(args.checkout, args.ref, args.out)
        return 0
    return check(args.notebooks, args.reference)


if __name__ == '__main__':
    sys.exit(main())
