"""The widgets on a page read without a kernel (each widget's static_html + book_widgets.js),
in Chromium.

Each widget's ``text/html`` view is opened in headless Chromium (Debian's chromium and
chromium-driver, started by tools/check_pages.py's helper): settings are typed into its
native controls through the DOM, and what the page writes is compared with PyTorch:
``nn.Conv2d`` / ``nn.MaxPool2d`` / ``nn.AvgPool2d`` output shapes (or their refusal, which the
page must explain), and ``F.conv2d``'s output range on the very image the page embeds.
About 20 end-to-end cases a widget: the maths itself is checked case by case, in seconds, by
``node --test widgets_js/test`` against vectors from the Python maths (tests/test_widget_js.py).

Two kinds of page: ``generated`` is the three widget views written into one file and opened
as file:// with the book's own script and style (no server, nothing else); ``book`` is the
built book (``jupyter-book build .``), served on 127.0.0.1, when _build/html holds the
widget views (skipped otherwise). Screenshots at 1280 and 390 px go to
screenshots/static-widgets/.
"""

import json
import os
import random
import re
import warnings
from pathlib import Path

import pytest
import torch
from project_tools import load_tool
from torch import nn
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / 'book_utils' / 'widgets' / 'static'
BOOK = ROOT / '_build' / 'html'
SHOTS = ROOT / 'screenshots' / 'static-widgets'
KINDS = ('kernel-designer', 'conv-shape-explorer', 'pooling-explorer')
PAGES = {
    'kernel-designer': 'chapters/7_2_conv_layer',
    'conv-shape-explorer': 'chapters/7_3_padding_and_strides',
    'pooling-explorer': 'chapters/7_5_pooling',
}
NO_OUTPUT = 'No output for these settings.'
SETTINGS = 20  # end-to-end cases a widget (the maths has its own tests in node)
REFUSALS = 5  # of which refused settings, whose sentence the page must show


check_pages = load_tool('check_pages')


# -- the pages ------------------------------------------------------------------------------


def _views():
    import book_utils.widgets as widgets

    return {
        'kernel-designer': widgets.kernel_designer(),
        'conv-shape-explorer': widgets.conv_shape_explorer(),
        'pooling-explorer': widgets.pooling_explorer(),
    }


@pytest.fixture(scope='module')
def generated(tmp_path_factory):
    """One page with the three views, the book's script and style beside it, as file://."""
    folder = tmp_path_factory.mktemp('static-widgets')
    for name in ('book_widgets.js', 'book_widgets.css'):
        (folder / name).write_text((STATIC / name).read_text())
    views = {kind: w._repr_mimebundle_()['text/html'] for kind, w in _views().items()}
    from book_utils.widgets import training_dashboard

    views['training-dashboard'] = training_dashboard()._repr_mimebundle_()['text/html']
    body = ''.join(
        f'<section id="{kind}"><h2>{kind}</h2>{html}</section>' for kind, html in views.items()
    )
    page = folder / 'widgets.html'
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="book_widgets.css">'
        '<script defer src="book_widgets.js"></script></head>'
        f'<body style="margin:8px">{body}</body></html>'
    )
    return {kind: page.as_uri() for kind in KINDS + ('training-dashboard',)}


@pytest.fixture(scope='module')
def book():
    """The built chapter pages holding each view, served on 127.0.0.1 (skip when not built)."""
    missing = [
        kind
        for kind, page in PAGES.items()
        if not (BOOK / f'{page}.html').exists()
        or f'data-book-widget="{kind}"' not in (BOOK / f'{page}.html').read_text()
    ]
    if missing:
        message = f'_build/html has no built page with {missing}: run jupyter-book build .'
        if os.environ.get('BOOK_REQUIRE_BUILT_BOOK'):  # make check-pages: the book must be there
            pytest.fail(message)
        pytest.skip(message)
    server = check_pages.serve(BOOK)
    base = f'http://127.0.0.1:{server.server_address[1]}'
    yield {kind: f'{base}/{page}.html' for kind, page in PAGES.items()}
    server.shutdown()


@pytest.fixture(scope='module')
def driver():
    if not Path(check_pages.CHROMIUM[0]).exists() and not any(
        Path(p).exists() for p in check_pages.CHROMIUM
    ):
        pytest.skip('Chromium is not installed (apt-get install -y chromium chromium-driver)')
    d = check_pages.make_driver()
    yield d
    d.quit()


@pytest.fixture(scope='module', params=['generated', 'book'])
def pages(request):
    return request.getfixturevalue(request.param), request.param


def _open(driver, url, kind, width=1280):
    driver.execute_cdp_cmd(
        'Emulation.setDeviceMetricsOverride',
        {'width': width, 'height': 900, 'deviceScaleFactor': 1, 'mobile': width < 600},
    )
    if driver.current_url != url:
        driver.get(url)
    else:
        driver.refresh()
    driver.execute_async_script(
        'const kind = arguments[0], done = arguments[arguments.length - 1], end = Date.now() + 20000;'
        '(function wait() { const r = document.querySelector(`[data-book-widget="${kind}"]`);'
        ' if ((r && r.hasAttribute("data-ready")) || Date.now() > end) done();'
        ' else setTimeout(wait, 50); })();',
        kind,
    )
    ready = driver.execute_script(
        f'const r = document.querySelector(\'[data-book-widget="{kind}"]\');'
        'return r && r.hasAttribute("data-ready");'
    )
    assert ready, f'{kind}: book_widgets.js did not start on {url}'


# Set each setting through the DOM (value, then input and change events), read the outputs.
APPLY_JS = r"""
const root = document.querySelector(`[data-book-widget="${arguments[0]}"]`);
const out = name => (root.querySelector(`[data-output="${name}"]`) || {}).textContent || '';
return arguments[1].map(setting => {
  for (const [name, value] of setting) {
    const control = root.querySelector(`[name="${name}"]`);
    if (!control) return {missing: name};
    if (control.type === 'checkbox') control.checked = !!value; else control.value = String(value);
    control.dispatchEvent(new Event('input', {bubbles: true}));
    control.dispatchEvent(new Event('change', {bubbles: true}));
  }
  const weights = {};
  root.querySelectorAll('[name^="w_"]').forEach(w => { weights[w.name] = w.value; });
  return {shape: out('shape'), range: out('range'), image: out('image'), message: out('message'),
          preset: (root.querySelector('[name="preset"]') || {}).value, weights};
});
"""


def _apply(driver, kind, settings):
    results = driver.execute_script(APPLY_JS, kind, settings)
    for result in results:
        assert 'missing' not in result, f'{kind} has no control named {result.get("missing")}'
    return results


def _shape_of(text):
    found = re.search(r'\((\d+), (\d+), (\d+), (\d+)\)', text)
    return tuple(int(x) for x in found.groups()) if found else None


def _torch_shape(build, x_shape):
    """The output shape PyTorch gives, or None when it refuses the settings."""
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return tuple(build()(torch.zeros(x_shape)).shape)
    except (RuntimeError, ValueError):
        return None


def _check_shapes(kind, cases, results):
    outputs = refusals = 0
    for (setting, expected), result in zip(cases, results):
        if expected is None:
            refusals += 1
            assert result['shape'] == NO_OUTPUT and len(result['message']) > 20, (setting, result)
        else:
            outputs += 1
            assert _shape_of(result['shape']) == expected, (setting, expected, result)
            assert not result['message'], (setting, result)
    return outputs, refusals


# -- shapes against nn.Conv2d / nn.MaxPool2d / nn.AvgPool2d ---------------------------------


def _conv_case(rng):
    kind = rng.choice(['numbers'] * 3 + ['same', 'valid'])
    v = {
        'in_h': rng.randint(1, 16),
        'in_w': rng.randint(1, 16),
        'k_h': rng.randint(1, 5),
        'k_w': rng.randint(1, 5),
        'pad_h': rng.randint(0, 4),
        'pad_w': rng.randint(0, 4),
        's_h': rng.choice([1, 1, 2, 3]),
        's_w': rng.choice([1, 1, 2, 3]),
        'd_h': rng.choice([1, 1, 2, 3]),
        'd_w': rng.choice([1, 1, 2, 3]),
        'padding': kind,
        'padding_mode': rng.choice(['zeros', 'zeros', 'reflect', 'replicate', 'circular']),
        'c_in': rng.choice([2, 4, 6, 8, 12, 3]),
        'c_out': rng.choice([2, 4, 6, 8, 12, 3]),
        'groups': rng.choice([1, 1, 1, 2, 2, 3, 4]),
    }
    padding = (v['pad_h'], v['pad_w']) if kind == 'numbers' else kind
    expected = _torch_shape(
        lambda: nn.Conv2d(
            v['c_in'],
            v['c_out'],
            (v['k_h'], v['k_w']),
            stride=(v['s_h'], v['s_w']),
            padding=padding,
            dilation=(v['d_h'], v['d_w']),
            groups=v['groups'],
            padding_mode=v['padding_mode'],
        ),
        (1, v['c_in'], v['in_h'], v['in_w']),
    )
    return list(v.items()), expected


def _pool_case(rng):
    v = {
        'mode': rng.choice(['max', 'avg']),
        'k_h': rng.randint(1, 6),
        'k_w': rng.randint(1, 6),
        's_h': rng.randint(1, 6),
        's_w': rng.randint(1, 6),
        'p_h': rng.choice([0, 0, 1, 1, 2, 3]),
        'p_w': rng.choice([0, 0, 1, 1, 2, 3]),
        'ceil_mode': rng.random() < 0.5,
        'count_include_pad': rng.random() < 0.5,
        'rows': rng.randint(2, 10),
        'cols': rng.randint(2, 10),
    }

    def build():
        args = dict(
            kernel_size=(v['k_h'], v['k_w']),
            stride=(v['s_h'], v['s_w']),
            padding=(v['p_h'], v['p_w']),
            ceil_mode=v['ceil_mode'],
        )
        if v['mode'] == 'max':
            return nn.MaxPool2d(**args)
        return nn.AvgPool2d(count_include_pad=v['count_include_pad'], **args)

    return list(v.items()), _torch_shape(build, (1, 1, v['rows'], v['cols']))


def _cases(make_case, seed, wanted):
    """SETTINGS random cases, REFUSALS of them refused by PyTorch, the first that satisfy
    each of ``wanted`` (tests of a setting, e.g. padding='same' with an output) included."""
    rng = random.Random(seed)
    stream = [make_case(rng) for _ in range(50 * SETTINGS)]
    picked = [next(c for c in stream if want(*c)) for want in wanted]
    picked += [c for c in stream if c[1] is None and c not in picked][:REFUSALS]
    picked += [c for c in stream if c[1] is not None and c not in picked][: SETTINGS - len(picked)]
    return picked


def _random_settings_match_torch(driver, url, kind, make_case, seed, wanted=()):
    """SETTINGS settings typed into the page, each shape (or refusal) checked against
    PyTorch's; both kinds must have been exercised. Returns the cases."""
    cases = _cases(make_case, seed, wanted)
    _open(driver, url, kind)
    results = _apply(driver, kind, [s for s, _ in cases])
    outputs, refusals = _check_shapes(kind, cases, results)
    assert outputs >= SETTINGS - REFUSALS - len(wanted) and refusals >= REFUSALS, (
        outputs,
        refusals,
    )
    return cases


def test_conv_shape_explorer_gives_nn_conv2d_shapes(driver, pages):
    urls, _ = pages
    cases = _random_settings_match_torch(
        driver,
        urls['conv-shape-explorer'],
        'conv-shape-explorer',
        _conv_case,
        seed=13,
        wanted=[
            lambda s, e: dict(s)['padding'] == 'same' and e,
            lambda s, e: dict(s)['groups'] > 1 and e,
            lambda s, e: dict(s)['padding_mode'] == 'reflect' and e is None,
        ],
    )
    assert any(dict(s)['padding'] == 'same' and e for s, e in cases)
    assert any(dict(s)['groups'] > 1 and e for s, e in cases)


def test_pooling_explorer_gives_nn_pool_shapes(driver, pages):
    urls, _ = pages
    cases = _random_settings_match_torch(
        driver,
        urls['pooling-explorer'],
        'pooling-explorer',
        _pool_case,
        seed=75,
        wanted=[lambda s, e: dict(s)['ceil_mode'] and e],
    )
    assert any(dict(s)['ceil_mode'] and e for s, e in cases)


def test_pooling_explorer_values_match_torch(driver, pages):
    """The numbers in the pooled-matrix panel are nn.MaxPool2d / nn.AvgPool2d's (3 digits)."""
    from book_utils.widgets.pooling_maths import sample_matrix

    urls, _ = pages
    _open(driver, urls['pooling-explorer'], 'pooling-explorer')
    rng = random.Random(5)
    seed = driver.execute_script(
        'return JSON.parse(document.querySelector(\'[data-book-widget="pooling-explorer"] '
        '[data-role="config"]\').textContent).values.seed'
    )
    checked = 0
    while checked < SETTINGS:
        setting, expected = _pool_case(rng)
        if expected is None:
            continue
        _apply(driver, 'pooling-explorer', [setting])
        shown = driver.execute_script(
            'const f = document.querySelectorAll(\'[data-book-widget="pooling-explorer"] '
            '.book-widget-panel\')[1]; return Array.from(f.querySelectorAll("text"), t => t.textContent);'
        )
        v = dict(setting)
        X = sample_matrix(v['rows'], v['cols'], seed)
        args = dict(
            kernel_size=(v['k_h'], v['k_w']),
            stride=(v['s_h'], v['s_w']),
            padding=(v['p_h'], v['p_w']),
            ceil_mode=v['ceil_mode'],
        )
        layer = (
            nn.MaxPool2d(**args)
            if v['mode'] == 'max'
            else nn.AvgPool2d(count_include_pad=v['count_include_pad'], **args)
        )
        Y = layer(X[None, None])[0, 0]
        assert [float(s) for s in shown] == pytest.approx(
            [float(f'{y:.3g}') for y in Y.flatten().tolist()], rel=1e-2
        ), v  # 3 digits
        checked += 1


# -- the kernel designer against F.conv2d ---------------------------------------------------


def _embedded_image(driver, label, index):
    """The bytes the page embeds for (label, index), as a [0, 1] tensor."""
    import base64

    images = driver.execute_script(
        'return JSON.parse(document.querySelector(\'[data-book-widget="kernel-designer"] '
        '[data-role="images"]\').textContent);'
    )
    image = images[label][index]
    data = torch.frombuffer(bytearray(base64.b64decode(image['b64'])), dtype=torch.uint8)
    return data.reshape(image['h'], image['w']).float() / 255


def _designer_expectation(driver, setting, result):
    from book_utils.widgets import image_kernels

    v = dict(setting)
    k = int(v['size'])
    K = torch.tensor([[float(result['weights'][f'w_{i}_{j}']) for j in range(k)] for i in range(k)])
    if v['normalise']:
        K, _ = image_kernels.normalise(K)
    if v['source'] == 'Fashion-MNIST':
        X = _embedded_image(driver, v['label'], int(v['index']))
        # real images
        assert torch.equal(X, image_kernels.fashion_image(v['label'], int(v['index'])))
    else:
        X = image_kernels.edge_image()
    return F.conv2d(X[None, None], K[None, None])


def _range_of(text):
    found = re.search(r'from (-?\d+\.\d{3}) to (-?\d+\.\d{3})', text)
    assert found, text
    return float(found.group(1)), float(found.group(2))


def _designer_case(rng, labels, presets, preset=None, size=None):
    return [
        ('source', rng.choice(['Fashion-MNIST'] * 3 + ['edge image (7.2)'])),
        ('label', rng.choice(labels)),
        ('index', rng.randint(0, 2)),
        ('size', size or rng.choice([3, 5])),
        ('normalise', rng.random() < 0.5),
        ('preset', preset or rng.choice(presets)),
    ]


@pytest.fixture(scope='module')
def presets():
    from book_utils.widgets import image_kernels

    return list(image_kernels.PRESETS)


def test_kernel_designer_shapes_and_ranges_match_f_conv2d(driver, pages, presets):
    from book_utils.data import TEXT_LABELS

    urls, _ = pages
    _open(driver, urls['kernel-designer'], 'kernel-designer')
    rng = random.Random(72)
    # every preset at both sizes (22 cases); random settings add nothing the node tests miss
    cases = [
        _designer_case(rng, TEXT_LABELS, presets, name, size) for name in presets for size in (3, 5)
    ]
    for setting in cases:  # one at a time: the grid is rebuilt when the size changes
        result = _apply(driver, 'kernel-designer', [setting])[0]
        Y = _designer_expectation(driver, setting, result)
        assert result['preset'] == dict(setting)['preset']
        assert _shape_of(result['shape']) == tuple(Y.shape), (setting, result)
        low, high = _range_of(result['range'])
        assert low == pytest.approx(float(Y.min()), abs=1e-3), (setting, result)
        assert high == pytest.approx(float(Y.max()), abs=1e-3), (setting, result)
        v = dict(setting)
        expected_image = (
            f'{v["label"]} #{v["index"]}' if v['source'] == 'Fashion-MNIST' else 'edge image 6×8'
        )
        assert expected_image in result['image'], (setting, result)


def test_kernel_designer_random_weight_grids_match_f_conv2d(driver, pages, presets):
    from book_utils.data import TEXT_LABELS

    urls, _ = pages
    _open(driver, urls['kernel-designer'], 'kernel-designer')
    rng = random.Random(20)
    for _ in range(8):
        setting = _designer_case(rng, TEXT_LABELS, presets)
        k = dict(setting)['size']
        weights = [(f'w_{i}_{j}', round(rng.uniform(-2, 2), 2)) for i in range(k) for j in range(k)]
        result = _apply(driver, 'kernel-designer', [setting + weights])[0]
        assert result['preset'] == '(custom)'  # an edited grid is no longer the preset
        assert [float(result['weights'][n]) for n, _ in weights] == [w for _, w in weights]
        Y = _designer_expectation(driver, setting, result)
        low, high = _range_of(result['range'])
        assert (low, high) == pytest.approx((float(Y.min()), float(Y.max())), abs=1e-3)


# -- the phone: nothing clipped, no sideways scrolling; screenshots --------------------------

LAYOUT_JS = r"""
const root = document.querySelector(`[data-book-widget="${arguments[0]}"]`);
const width = document.documentElement.clientWidth;
const parts = root.querySelectorAll('input, select, button, svg, label, .book-widget-info > div');
const clipped = [];
for (const el of parts) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;           // not shown (e.g. an empty line)
  if (r.left < -0.5 || r.right > width + 0.5) clipped.push(`${el.tagName}[${el.name || ''}] ${Math.round(r.left)}..${Math.round(r.right)}`);
  for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
    const style = getComputedStyle(box), b = box.getBoundingClientRect();
    if (style.overflowX !== 'visible' && (r.right > b.right + 0.5 || r.left < b.left - 0.5) && b.width > 0)
      { clipped.push(`${el.tagName}[${el.name || ''}] cut by ${box.className}`); break; }
  }
}
const weights = root.querySelector('.book-widget-weights');
return {clipped, pageWidth: document.documentElement.scrollWidth, width,
        rootWidth: root.getBoundingClientRect().width,
        weightsWidth: weights ? weights.getBoundingClientRect().width : null};
"""


def _shot(driver, kind, where, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script(
        f'document.querySelector(\'[data-book-widget="{kind}"]\').scrollIntoView()'
    )
    root = driver.find_element('css selector', f'[data-book-widget="{kind}"]')
    root.screenshot(str(SHOTS / f'{where}-{kind}-{width}.png'))


@pytest.mark.parametrize('width', [1280, 390])
@pytest.mark.parametrize('kind', KINDS)
def test_static_widgets_fit_the_screen(driver, pages, kind, width):
    urls, where = pages
    _open(driver, urls[kind], kind, width)
    if kind == 'kernel-designer':  # a change first, so the screenshot shows a recomputed state
        _apply(driver, kind, [[('preset', 'Gaussian blur'), ('size', 5), ('label', 'sneaker')]])
    elif kind == 'conv-shape-explorer':
        _apply(driver, kind, [[('padding', 'same'), ('s_h', 1), ('s_w', 1), ('d_w', 2)]])
    else:
        _apply(
            driver,
            kind,
            [
                [
                    ('mode', 'avg'),
                    ('k_h', 3),
                    ('k_w', 3),
                    ('s_h', 2),
                    ('s_w', 2),
                    ('p_h', 1),
                    ('p_w', 1),
                    ('ceil_mode', True),
                ]
            ],
        )
    layout = driver.execute_script(LAYOUT_JS, kind)
    assert layout['clipped'] == [], layout
    assert layout['pageWidth'] <= layout['width'], layout  # no sideways scrolling
    if layout['weightsWidth'] is not None:
        assert layout['weightsWidth'] > 100, layout  # the grid is laid out, not 0 px
    _shot(driver, kind, where, width)


@pytest.mark.parametrize('width', [1280, 390])
def test_dashboard_static_view_fits_the_screen(driver, generated, width):
    kind = 'training-dashboard'
    driver.execute_cdp_cmd(
        'Emulation.setDeviceMetricsOverride',
        {'width': width, 'height': 900, 'deviceScaleFactor': 1, 'mobile': width < 600},
    )
    driver.get(generated[kind])
    layout = driver.execute_script(LAYOUT_JS, kind)
    assert layout['clipped'] == [], layout
    assert layout['pageWidth'] <= layout['width'], layout
    enabled = driver.execute_script(
        f'return Array.from(document.querySelectorAll(\'[data-book-widget="{kind}"] '
        f'input, [data-book-widget="{kind}"] button\')).filter(e => !e.disabled).length'
    )
    assert enabled == 0  # nothing that would do nothing looks usable
    _shot(driver, kind, 'generated', width)


CONTRAST_JS = r"""
const parse = c => (c.match(/[\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                  .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
const background = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
                                                             if (c.length === 3 || (c.length === 4 && c[3] > 0.3)) return c.slice(0, 3); }
                           return [255, 255, 255]; };
return Array.from(document.querySelectorAll('.book-widget code, .book-widget-info > div, .book-widget label, .book-widget figcaption'))
  .filter(el => el.getBoundingClientRect().width > 0).map(el => {
    const a = lum(parse(getComputedStyle(el).color).slice(0, 3)), b = lum(background(el));
    return [el.textContent.slice(0, 30), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
"""


@pytest.mark.parametrize('theme', ['light', 'dark'])
def test_book_widget_text_is_legible_in_both_themes(driver, book, theme):
    """Inline code and result lines keep a WCAG contrast of 4.5:1 in the book's two themes."""
    for kind, url in book.items():
        _open(driver, url, kind)
        driver.execute_script(
            f'document.documentElement.dataset.theme = "{theme}";'
            f'document.documentElement.dataset.mode = "{theme}";'
        )
        ratios = driver.execute_script(CONTRAST_JS)
        assert ratios and [r for r in ratios if r[1] < 4.5] == [], (kind, theme)
        if theme == 'dark':
            _shot(driver, kind, 'book-dark', 1280)


def test_book_pages_work_opened_as_files(driver, book):
    """The built pages work from the disk too (file://, no server, nothing fetched)."""
    for kind, page in PAGES.items():
        _open(driver, (BOOK / f'{page}.html').as_uri(), kind)
        result = _apply(driver, kind, [[]])[0]
        assert _shape_of(result['shape']), (kind, result)


# -- page weight -----------------------------------------------------------------------------

WEIGHT_JS = r"""
const entries = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
return entries.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0);
"""


def test_book_pages_with_widgets_weigh_under_6_mb(driver, book):
    for kind, url in book.items():
        _open(driver, url, kind)
        driver.execute_script('window.scrollTo(0, document.body.scrollHeight)')
        weight = driver.execute_script(WEIGHT_JS)
        assert 0 < weight < 6e6, (url, weight)


# -- the training dashboards: no kernel, no training ----------------------------------------


def test_dashboard_static_view_says_how_to_train_and_disables_its_controls():
    from book_utils.widgets import dashboard, training_dashboard

    html = training_dashboard()._repr_mimebundle_()['text/html']
    assert 'data-book-widget="training-dashboard"' in html
    assert dashboard.NO_KERNEL in html and 'on Colab' in html and 'launch button' in html
    assert 'No runs were saved with this page' in html
    controls = re.findall(r'<(input|button)[^>]*>', html)
    assert len(re.findall(r'<(?:input|button)[^>]*\bdisabled\b', html)) == len(controls) >= 8


def test_views_carry_the_live_widget_first():
    """Jupyter, JupyterLab, VS Code and Colab render the widget view; the HTML is a fallback."""
    for kind, widget in _views().items():
        bundle = widget._repr_mimebundle_()
        assert bundle['application/vnd.jupyter.widget-view+json']['model_id'] == widget.model_id
        html = bundle['text/html']
        assert f'data-book-widget="{kind}"' in html and 'data-role="fallback"' in html
        config = json.loads(re.search(r'data-role="config">(.*?)</script>', html).group(1))
        assert config['values']  # the settings the page starts from


def test_pages_load_widget_scripts_only_where_needed():
    """tools/offline_assets.page_scripts: the book's widget files where a view is, and no
    ipywidgets embedder or saved widget state on a page that renders no ipywidgets view."""
    from sphinx.builders.html._assets import _JavaScript

    offline_assets = load_tool('offline_assets')
    added = []

    class App:
        class config:
            nb_ipywidgets_js = {'offline/require.js': {}, 'offline/html-manager/embed-amd.js': {}}

        def add_js_file(self, name, **kwargs):
            added.append(name)

        def add_css_file(self, name, **kwargs):
            added.append(name)

    def scripts():
        return [
            _JavaScript('_static/offline/require.js'),
            _JavaScript('_static/book.js'),
            _JavaScript('_static/offline/html-manager/embed-amd.js'),
            _JavaScript(None, type=offline_assets.WIDGET_STATE, body='{}'),
        ]

    context = {'body': '<div data-book-widget="kernel-designer"></div>', 'script_files': scripts()}
    offline_assets.page_scripts(App(), 'p', 'page.html', context, None)
    assert [s.filename for s in context['script_files']] == ['_static/book.js']
    assert added == ['book-widgets/book_widgets.js', 'book-widgets/book_widgets.css']
    added.clear()
    body = f'<script type="{offline_assets.WIDGET_VIEW}">{{}}</script>'
    context = {'body': body, 'script_files': scripts()}
    offline_assets.page_scripts(App(), 'p', 'page.html', context, None)
    assert len(context['script_files']) == 4 and added == []  # a widget view keeps its embedder
