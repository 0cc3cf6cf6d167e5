"""The browser widgets' JavaScript: built from its sources, its maths checked against Python's.

``widgets_js/src`` holds the sources (pure maths, DOM helpers, one file per widget);
``book_utils/widgets/static/book_widgets.js`` is their concatenation (tools/offline_assets.py),
committed because pip installs the package (on Colab too) without running any build.
``widgets_js/test/vectors.json`` is written by tools/widget_vectors.py from the Python maths,
and ``node --test widgets_js/test`` checks the JS maths against it (run here when Node is
installed).
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from project_tools import load_tool

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / 'widgets_js' / 'src'
offline_assets = load_tool('offline_assets')
widget_vectors = load_tool('widget_vectors')


def test_the_packaged_script_is_built_from_the_sources():
    packaged = ROOT / 'book_utils' / 'widgets' / 'static' / 'book_widgets.js'
    assert packaged.read_text(encoding='utf-8') == offline_assets.widget_bundle(ROOT), (
        'book_widgets.js is stale: run `python tools/offline_assets.py` and commit it'
    )


def test_every_source_is_in_the_bundle_once():
    assert sorted(p.name for p in SOURCES.glob('*.js')) == sorted(offline_assets.WIDGET_SOURCES)
    bundle = offline_assets.widget_bundle(ROOT)
    for name in offline_assets.WIDGET_SOURCES:
        assert bundle.count(f'// ---- {name} ') == 1


def test_the_vectors_are_written_from_the_python_maths_of_today():
    committed = (ROOT / 'widgets_js' / 'test' / 'vectors.json').read_text()
    assert committed == widget_vectors.text(), (
        'vectors.json is stale: run `python tools/widget_vectors.py` and commit it'
    )


def test_the_vectors_hold_refusals_with_their_sentences():
    v = widget_vectors.vectors()
    for family in ('outputSize', 'convGeometry', 'pool'):
        errors = [c['error'] for c in v[family] if c['error']]
        assert 10 <= len(errors) < len(v[family]) - 10, family
    sentences = {e.split(':')[0] for c in v['convGeometry'] if (e := c['error'])}
    assert any(s.startswith('Empty output along the') for s in sentences)
    assert any('is not divisible by groups' in s for s in sentences)
    assert any("padding_mode='reflect'" in s for s in sentences)


def test_sources_read_no_state_back_from_the_dom():
    """E.g. the old ``grid.children.length === 9 ? 3 : 5``: the widget keeps what it drew."""
    for path in SOURCES.glob('*.js'):
        text = path.read_text()
        assert not re.search(r'children\.length|childElementCount', text), path.name
        assert not re.search(r'\bvar\b', re.sub(r'//.*', '', text)), f'{path.name}: use const/let'


def test_the_maths_file_touches_no_dom():
    text = re.sub(r'//.*', '', (SOURCES / 'maths.js').read_text())
    assert not re.search(r'\bdocument\.|\bwindow\.|querySelector|createElement', text)


@pytest.mark.skipif(shutil.which('node') is None, reason='Node.js is not installed')
def test_node_checks_the_js_maths_against_the_vectors():
    done = subprocess.run(
        ['node', '--test', 'widgets_js/test'], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r'^# pass [1-9]', done.stdout, re.M) and re.search(
        r'^# fail 0', done.stdout, re.M
    )
