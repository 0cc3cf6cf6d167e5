"""Sphinx extension: the book serves its own MathJax and widget scripts, so pages work offline.

Jupyter Book's defaults fetch MathJax, RequireJS and the ipywidgets embedder from
CDNs. Readers behind a firewall, a laptop on a train and the CI browser check
have no CDN, so _config.yml points ``mathjax_path`` and ``nb_ipywidgets_js`` at
``_static/offline/...`` and this extension copies the files there from
``node_modules`` (installed by ``npm ci`` from package-lock.json; ``make book``
runs it). Loaded through ``sphinx: local_extensions:`` in _config.yml.

It also fixes two things that put errors in the browser console of every page:
``widgets-offline.js`` (written below, listed in ``nb_ipywidgets_js`` between
RequireJS and the embedder) tells RequireJS where the embedder's fonts are, and
gives MathJax 3 the ``MathJax.Hub.Queue`` of MathJax 2 that ipywidgets calls to
typeset widget labels; and ``dedupe_scripts`` drops inline scripts that Sphinx
7.4 emits twice (sphinx-thebe's ``const THEBE_JS_URL`` then fails to redeclare).

The book's own widgets need none of the ipywidgets machinery: each widget output carries
a ``text/html`` view (each widget's ``static_html``, built from book_utils/widgets/html_parts.py)
that _config.yml's ``nb_mime_priority_overrides`` ranks above the widget view, and
``book_widgets.js`` and ``book_widgets.css`` (package data in book_utils/widgets/static, copied
to ``_static/book-widgets``) make it work in the browser.

``book_widgets.js`` is generated: its sources are the files of ``widgets_js/src`` (pure maths,
DOM helpers, one file per widget), concatenated in ``WIDGET_SOURCES`` order into one classic
script, because native ES modules do not load from file:// pages, which the book supports.
``python tools/offline_assets.py`` writes it; the build stops, with that command, when the
packaged copy (what pip installs, on Colab too) is not the concatenation of the sources. ``page_scripts`` adds those two files
to the pages that hold such a view, and drops RequireJS, the embedder and the saved widget
state (several MB) from every page that renders no ipywidgets view.
"""

import shutil
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: destination under _static/offline -> source under node_modules
ASSETS = {
    'mathjax': 'mathjax/es5',
    'require.js': 'requirejs/require.js',
    'html-manager': '@jupyter-widgets/html-manager/dist',
}
#: written, not copied: see the module docstring
SHIM = 'widgets-offline.js'
SHIM_JS = """\
// Written by tools/offline_assets.py. Runs after require.js, before embed-amd.js.
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, '');
  // The embedder loads its fonts next to the AMD module it names; point those names here.
  require.config({paths: {
    '@jupyter-widgets/html-manager/dist': here + 'html-manager',
    '@jupyter-widgets': here + 'html-manager'
  }});
  // ipywidgets typesets labels with MathJax 2's MathJax.Hub.Queue; the book has MathJax 3.
  var hub = {Queue: function (job) {
    var M = window.MathJax, el = job && job[2];
    var ready = M && M.startup && M.startup.promise ? M.startup.promise : Promise.resolve();
    return ready.then(function () { if (M && M.typesetPromise) return M.typesetPromise(el ? [el] : undefined); });
  }};
  var config = window.MathJax;
  if (!config) return;          // no math on this page, so ipywidgets typesets nothing
  config.Hub = hub;
  if (!config.version) {        // MathJax 3 not loaded yet: add the hub once it has started
    config.startup = config.startup || {};
    config.startup.ready = function () { window.MathJax.startup.defaultReady(); window.MathJax.Hub = hub; };
  }
})();
"""
#: files the pages never load: html-manager's other bundles (the pages use embed-amd.js and its
#: fonts), and MathJax's other combined builds and SVG output (the pages use tex-mml-chtml.js,
#: which loads its fonts, TeX extensions and accessibility parts from beside itself)
SKIP = {
    'html-manager': ('*.map', 'embed.js', 'embed.js.LICENSE.txt', 'libembed-amd.js'),
    'mathjax': (
        'tex-chtml*.js',
        'tex-svg*.js',
        'tex-mml-svg.js',
        'mml-*.js',
        'node-main.js',
        'svg',
        'svg.js',
    ),
}


#: the kernel-free widget views: script and style, copied from the package to _static/book-widgets
WIDGETS_SOURCE = Path('book_utils') / 'widgets' / 'static'
WIDGETS_DEST = 'book-widgets'
WIDGET_FILES = ('book_widgets.js', 'book_widgets.css')
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
WIDGET_STATE = 'application/vnd.jupyter.widget-state+json'


#: the widget script's sources, in the order they are concatenated (each defines one const
#: that the later ones use: BookMaths, BookDom, one Book<Widget> each; start.js runs them)
WIDGET_JS = Path('widgets_js') / 'src'
WIDGET_SOURCES = (
    'maths.js',
    'dom.js',
    'conv_shape_explorer.js',
    'pooling_explorer.js',
    'kernel_designer.js',
    'start.js',
)
BUNDLE_HEAD = """\
// GENERATED by tools/offline_assets.py from widgets_js/src/ (do not edit: edit the sources,
// then run `python tools/offline_assets.py`). The book's widgets on a page read without a
// kernel: plain DOM and SVG, no framework. Each widget's static_html (book_utils/widgets)
// writes a root <div class="book-widget" data-book-widget="KIND"> holding its settings as JSON;
// this script turns it into native controls that recompute in the browser with the maths of
// the Python modules (widgets_js/test checks that maths against vectors from Python).
// One classic script, not ES modules: modules do not load from file:// pages.
(function () {
  'use strict';
"""
BUNDLE_TAIL = '})();\n'


def widget_bundle(root='.'):
    """The text of book_widgets.js: the sources of ``WIDGET_SOURCES`` inside one strict function."""
    parts = [BUNDLE_HEAD]
    for name in WIDGET_SOURCES:
        text = (Path(root) / WIDGET_JS / name).read_text(encoding='utf-8')
        parts.append(
            f'\n// ---- {name} ' + '-' * (88 - len(name)) + '\n' + text.rstrip('\n') + '\n'
        )
    parts.append(BUNDLE_TAIL)
    return ''.join(parts)


def write_widget_bundle(root='.'):
    """Write book_widgets.js from its sources; returns its path."""
    target = Path(root) / WIDGETS_SOURCE / 'book_widgets.js'
    target.write_text(widget_bundle(root), encoding='utf-8')
    return target


def check_widget_bundle(app):
    """Stop the build, with the fix, when the packaged script is not built from its sources."""
    root = Path(app.confdir)
    if not (
        root / WIDGET_JS
    ).is_dir():  # an installed package without the sources: nothing to check
        return
    packaged = root / WIDGETS_SOURCE / 'book_widgets.js'
    if not packaged.exists() or packaged.read_text(encoding='utf-8') != widget_bundle(root):
        raise ExtensionError(
            f'{packaged.relative_to(root)} is not built from {WIDGET_JS}/: '
            'run `python tools/offline_assets.py` and commit the result.'
        )


def _sources(app):
    modules = Path(app.confdir) / 'node_modules'
    return {dest: modules / src for dest, src in ASSETS.items()}


def check_sources(app):
    """Fail early, with the fix, when node_modules lacks an asset or the config points elsewhere."""
    missing = [str(p) for p in _sources(app).values() if not p.exists()]
    if missing:
        raise ExtensionError(
            'the offline browser assets are missing ('
            + ', '.join(missing)
            + '). Run `npm ci` in the book folder (`make book` does), then build again.'
        )
    local = [app.config.mathjax_path, *app.config.nb_ipywidgets_js]
    if f'offline/{SHIM}' not in app.config.nb_ipywidgets_js:
        raise ExtensionError(
            f'nb_ipywidgets_js in _config.yml must list offline/{SHIM} '
            'between offline/require.js and the embedder.'
        )
    remote = [u for u in local if '://' in u or u.startswith('//')]
    if remote:
        raise ExtensionError(
            f'_config.yml loads {remote} from the network; the pages must work '
            'offline, so point them at offline/... (served from _static).'
        )
    static = Path(app.outdir) / '_static'
    for url in local:
        dest = url.split('/')[1] if url.startswith('offline/') else None
        if dest not in ASSETS and dest != SHIM:
            raise ExtensionError(
                f'{url!r} in _config.yml is not under offline/{{{",".join(ASSETS)}}}.'
            )
    logger.info(f'offline assets: {", ".join(ASSETS)} -> {static / "offline"}')


def copy_assets(app, exception):
    if exception is not None or app.builder.format != 'html':
        return
    offline = Path(app.outdir) / '_static' / 'offline'
    for dest, src in _sources(app).items():
        target = offline / dest
        if src.is_dir():
            shutil.copytree(
                src, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*SKIP.get(dest, ()))
            )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    (offline / SHIM).write_text(SHIM_JS)
    widgets = Path(app.outdir) / '_static' / WIDGETS_DEST
    widgets.mkdir(parents=True, exist_ok=True)
    for name in WIDGET_FILES:
        shutil.copy2(Path(app.confdir) / WIDGETS_SOURCE / name, widgets / name)
    for url in [app.config.mathjax_path, *app.config.nb_ipywidgets_js]:
        if not (offline.parent / url).is_file():
            raise ExtensionError(f'{url!r} is not in the copied assets under {offline}.')


def dedupe_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated scripts: Sphinx 7.4 lists an inline script twice, once with filename None
    and once with '', so its duplicate check misses it."""
    seen, unique = set(), []
    for script in context.get('script_files', []):
        key = (
            script.filename or '',
            tuple(sorted((k, str(v)) for k, v in script.attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context['script_files'] = unique


def _ipywidgets_script(script, urls):
    name = (script.filename or '').removeprefix('_static/')  # Sphinx 7 adds the prefix
    return name in urls or script.attributes.get('type') == WIDGET_STATE


def page_scripts(app, pagename, templatename, context, doctree):
    """The widget views' script and style where a page holds one; no ipywidgets where none
    renders (the embedder and a page's saved widget state weigh MB and would draw nothing)."""
    body = context.get('body', '')
    if 'data-book-widget=' in body:
        app.add_js_file(f'{WIDGETS_DEST}/book_widgets.js', defer='defer')
        app.add_css_file(f'{WIDGETS_DEST}/book_widgets.css')
    if WIDGET_VIEW not in body:
        urls = set(app.config.nb_ipywidgets_js)
        context['script_files'] = [
            s for s in context.get('script_files', []) if not _ipywidgets_script(s, urls)
        ]


def setup(app):
    app.connect('builder-inited', check_sources)
    app.connect('builder-inited', check_widget_bundle)
    app.connect('html-page-context', page_scripts, priority=800)
    app.connect('html-page-context', dedupe_scripts, priority=900)
    app.connect('build-finished', copy_assets)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}


if __name__ == '__main__':
    print(f'wrote {write_widget_bundle(Path(__file__).resolve().parent.parent)}')
