"""The book's configuration, table of contents and bibliography: what `make book-strict`
and `make check-pages` rely on, checked quickly and without a browser."""

import json
import re

import nbformat
import pytest
import yaml
from project_tools import CHAPTERS, ROOT, load_tool

PAPERS = [
    'LeCun.Bottou.Bengio.ea.1998',
    'Krizhevsky.Sutskever.Hinton.2012',
    'Simonyan.Zisserman.2014',
    'Lin.Chen.Yan.2013',
    'Szegedy.Liu.Jia.ea.2015',
    'Ioffe.Szegedy.2015',
    'He.Zhang.Ren.ea.2016',
    'Xie.Girshick.Dollar.ea.2017',
]

check_pages = load_tool('check_pages')
import book_pages  # noqa: E402  (tools/ is on sys.path once a tool is loaded)


@pytest.fixture(scope='module')
def config():
    return yaml.safe_load((ROOT / '_config.yml').read_text())


@pytest.fixture(scope='module')
def toc():
    return yaml.safe_load((ROOT / '_toc.yml').read_text())


# -- table of contents -------------------------------------------------------------------


def test_toc_has_the_two_parts_with_all_twelve_chapters_in_order(toc):
    parts = {part['caption']: [c['file'] for c in part['chapters']] for part in toc['parts']}
    assert parts['Convolutional Neural Networks'] == [f'chapters/{c}' for c in CHAPTERS[:6]]
    assert parts['Modern Convolutional Neural Networks'] == [f'chapters/{c}' for c in CHAPTERS[6:]]
    assert toc['root'] == 'chapters/intro'
    pages = book_pages.toc_pages(ROOT)
    for page in ['chapters/setup', 'chapters/reference_results', 'chapters/bibliography']:
        assert page in pages
    assert len(pages) == len(set(pages)) == 16


def test_every_toc_page_exists_and_chapters_are_notebooks(toc):
    """Chapters must be .ipynb so that Colab can open them from the launch button."""
    missing = []
    for page in book_pages.toc_pages(ROOT):
        name = page.split('/')[-1]
        suffixes = ['.ipynb'] if name in CHAPTERS else ['.ipynb', '.md']
        if not any((ROOT / f'{page}{s}').is_file() for s in suffixes):
            missing.append(f'{page}{"/".join(suffixes)}')
    assert not missing, f'pages in _toc.yml that do not exist yet (the build fails): {missing}'


# -- configuration -------------------------------------------------------------------------


def test_book_is_built_from_committed_outputs_except_reference_results(config):
    assert config['execute']['execute_notebooks'] == 'off'
    assert config['only_build_toc_files'] is True
    for pattern in ['.venv', '_build', 'node_modules', 'results', 'tests', 'benchmarks']:
        assert pattern in config['exclude_patterns']
    nb = nbformat.read(ROOT / 'chapters' / 'reference_results.ipynb', as_version=4)
    assert (
        nb.metadata['mystnb']['execution_mode'] == 'force'
    )  # redrawn from book_utils/results at every build


def test_repository_and_colab_launch(config):
    repo = config['repository']
    assert re.fullmatch(r'https://github\.com/[\w.-]+/[\w.-]+', repo['url'])
    assert repo['branch'] == 'main'
    assert 'path_to_book' in repo and not repo['path_to_book'].strip('/')  # book = repository root
    assert config['launch_buttons']['colab_url'] == 'https://colab.research.google.com'


def test_pages_load_nothing_from_a_cdn(config):
    """MathJax and the widget scripts come from _static/offline (tools/offline_assets.py)."""
    offline_assets = load_tool('offline_assets')
    scripts = [
        config['sphinx']['config']['mathjax_path'],
        *config['sphinx']['config']['nb_ipywidgets_js'],
    ]
    for url in scripts:
        assert '//' not in url, url
        assert url.split('/')[0] == 'offline'
        assert url.split('/')[1] in {**offline_assets.ASSETS, offline_assets.SHIM: None}
    assert list(config['sphinx']['config']['nb_ipywidgets_js']) == [
        'offline/require.js',
        f'offline/{offline_assets.SHIM}',
        'offline/html-manager/embed-amd.js',
    ]
    assert config['sphinx']['local_extensions'] == {'offline_assets': 'tools/'}


def test_npm_lockfile_pins_the_assets_without_download_addresses():
    package = json.loads((ROOT / 'package.json').read_text())
    lock = json.loads((ROOT / 'package-lock.json').read_text())
    for name, version in package['dependencies'].items():
        assert re.fullmatch(r'\d+\.\d+\.\d+', version), f'{name} is not pinned: {version}'
        assert lock['packages'][f'node_modules/{name}']['version'] == version
    assert 'resolved' not in (ROOT / 'package-lock.json').read_text()


def test_duplicate_inline_scripts_are_dropped():
    from sphinx.builders.html._assets import _JavaScript

    offline_assets = load_tool('offline_assets')
    scripts = [
        _JavaScript('a.js'),
        _JavaScript(None, body='const X = 1'),
        _JavaScript('', body='const X = 1'),
        _JavaScript('a.js', defer='defer'),
    ]
    context = {'script_files': scripts}
    offline_assets.dedupe_scripts(None, 'p', 'page.html', context, None)
    assert [(s.filename, s.attributes) for s in context['script_files']] == [
        ('a.js', {}),
        (None, {'body': 'const X = 1'}),
        ('a.js', {'defer': 'defer'}),
    ]


def test_bibliography_has_the_papers_behind_the_models(config):
    assert config['bibtex_bibfiles'] == ['references.bib']
    keys = re.findall(r'^@\w+\{([^,]+),', (ROOT / 'references.bib').read_text(), re.MULTILINE)
    assert len(keys) == len(set(keys))
    assert set(PAPERS) <= set(keys)
    assert '{bibliography}' in (ROOT / 'chapters' / 'bibliography.md').read_text()
