"""The project's scripts in tools/ as modules, for the tests that check them."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_tool(name):
    """tools/<name>.py imported by path (tools/ is a folder of scripts, not a package); tools/
    goes on sys.path as it does when a script runs, so the tools find book_pages.py."""
    if str(ROOT / 'tools') not in sys.path:
        sys.path.insert(0, str(ROOT / 'tools'))
    spec = importlib.util.spec_from_file_location(name, ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chapter(name):
    """The chapter notebook ``name`` (e.g. '7_2_conv_layer'), read with nbformat."""
    import nbformat

    return nbformat.read(ROOT / 'chapters' / f'{name}.ipynb', as_version=4)


def notebook(*cells):
    """A new notebook holding ``cells``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


CHAPTERS = load_tool('book_pages').chapter_names(ROOT)  # the one chapter list: _toc.yml's
