r"""Open every page of the built book in headless Chromium and check what a reader would see.

    .venv/bin/python tools/check_pages.py [--html _build/html] [--out screenshots] [PAGE ...]

Serves the built HTML on 127.0.0.1 and, for each page listed in _toc.yml, checks:
  - the browser console has no errors (level SEVERE), and the page fetched nothing from
    outside 127.0.0.1 (host names are made unresolvable, so a CDN script fails loudly);
  - MathJax rendered: every math element of the page became an mjx-container, with no
    TeX error (mjx-merror) among them;
  - every <img> loaded (naturalWidth > 0);
  - every saved widget (ipywidgets view) shows something: a rendered widget with a size;
  - the page shows no test plumbing: no `NBVAL`, no `<cell>:` warning prefix, no traceback;
  - no raw TeX in prose (a `$` or a `\command` outside code and rendered maths), which is
    what a formula cut in two by Markdown looks like;
  - the page with everything it loaded (HTML, scripts, styles, images) weighs under 6 MB;
  - at a phone's width (390 px) the page does not scroll sideways (wide code and tables
    may scroll inside their own box);
  - no answer shows until it is opened: the text of every `<details><summary>Answer` block and
    the input and output of every cell tagged `solution` are not rendered on the page as it
    loads, and are once their blocks are opened (screenshots <page>-answer-closed.png and
    <page>-answer-open.png);
and saves screenshots/<page>.png (the first screen), screenshots/<page>-full.png (the
whole page), screenshots/<page>-390.png (the first screen on a phone) and
screenshots/<page>-widgetN.png (each widget output). Needs Debian's chromium and chromium-driver and the Python package selenium.
Prints one line per page and ends with 'N passed, M failed'; exits 1 on any failure.
"""

import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from book_pages import toc_pages

ROOT = Path(__file__).resolve().parent.parent
DESKTOP, PHONE = (1280, 900), (390, 844)  # px: window sizes the pages are checked at
CHROMIUM = ('/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome')
CHROMEDRIVER = ('/usr/bin/chromedriver', '/usr/lib/chromium/chromedriver')
FLAGS = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-default-apps',
    '--disable-extensions',
    '--mute-audio',
    '--hide-scrollbars',
    f'--window-size={DESKTOP[0]},{DESKTOP[1]}',
    '--force-device-scale-factor=1',
    # Nothing but the local server resolves: a page that needs the network fails here too.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
]
FULL_PAGE_MAX_HEIGHT = 16000  # px; longer pages are cut in the -full screenshot
MAX_PAGE_BYTES = 6_000_000  # a page with all it loads; widget scripts alone are ~3.6 MB

# What the page shows. Collects text that only test plumbing or broken maths would put there.
# Hidden parts (collapsed answers, hidden inputs) count too: a reader may open them.
TEXT_JS = r"""
const root = document.querySelector('main, article, .bd-article') || document.body;
const all = root.textContent;
const plumbing = [];
for (const [what, re] of [['NBVAL', /NBVAL/], ['<cell>:', /<cell>:/],
                          ['a traceback', /Traceback \(most recent call last\)/]]) {
  const m = all.match(re);
  if (m) plumbing.push(`${what}: ...${all.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' ')}...`);
}
// Prose only: skip code, outputs printed as text, rendered maths and scripts.
const skip = 'pre, code, script, style, mjx-container, .math, .MathJax, .highlight, .cell_input, ' +
             '.output.text_plain, .output.stream, .widget-html-content';
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const tex = [];
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (n.parentElement.closest(skip)) continue;
  const m = n.textContent.match(/\$|\\[A-Za-z]{2,}/);
  if (m) tex.push(n.textContent.slice(Math.max(0, m.index - 30), m.index + 40).replace(/\s+/g, ' '));
}
const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
const bytes = entries.reduce((sum, e) => sum + (e.decodedBodySize || e.encodedBodySize || 0), 0);
return {plumbing, tex: tex.slice(0, 3), texCount: tex.length, bytes, resources: entries.length};
"""

# At a phone's width: is the page wider than the window, and which elements stick out?
OVERFLOW_JS = r"""
const width = document.documentElement.clientWidth;
const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
  const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
  return false; };
const wide = [];
for (const el of document.querySelectorAll('main *, article *')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > width + 1 && !scrolls(el) && getComputedStyle(el).position !== 'fixed') {
    wide.push(`<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ?
      ' class="' + el.className.slice(0, 40) + '"' : ''}> ${Math.round(r.right)} px: ` +
      (el.textContent || '').trim().slice(0, 50).replace(/\s+/g, ' '));
  }
}
return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(-3)};
"""

# Runs in the page once it has loaded. Resolves to a report of what the reader sees.
INSPECT_JS = r"""
const done = arguments[arguments.length - 1];
const deadline = Date.now() + arguments[0] * 1000;
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  // Images below the fold may be lazy: ask for all of them now.
  document.querySelectorAll('img[loading="lazy"]').forEach(i => { i.loading = 'eager'; });
  const mathNodes = () => Array.from(document.querySelectorAll('.math, span.math, div.math'))
      .filter(n => !n.closest('.highlight, pre, code'));
  const hasMath = mathNodes().length > 0;
  if (hasMath) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() < deadline)
      await sleep(100);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise)
      await Promise.race([MathJax.startup.promise, sleep(Math.max(0, deadline - Date.now()))]);
  }
  const views = () => Array.from(document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]'));
  const rendered = s => {
    const box = s.closest('.output, .cell_output, .output_area') || s.parentElement;
    const w = box && box.querySelector('.jupyter-widgets, .widget-box, .lm-Widget, .p-Widget');
    return w && w.getBoundingClientRect().height > 0;
  };
  while (views().some(s => !rendered(s)) && Date.now() < deadline) await sleep(200);
  const imgs = () => Array.from(document.images);
  while (imgs().some(i => !i.complete) && Date.now() < deadline) await sleep(100);
  const math = mathNodes();
  done({
    mathjaxLoaded: !!(window.MathJax && MathJax.startup),
    math: math.length,
    mathRendered: math.filter(n => n.querySelector('mjx-container') || n.tagName === 'MJX-CONTAINER').length,
    mathUnrendered: math.filter(n => !n.querySelector('mjx-container')).slice(0, 3)
        .map(n => n.textContent.slice(0, 80)),
    mathErrors: Array.from(document.querySelectorAll('mjx-merror')).slice(0, 3)
        .map(n => n.getAttribute('data-mjx-error') || n.textContent.slice(0, 80)),
    images: imgs().length,
    brokenImages: imgs().filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    widgets: views().length,
    emptyWidgets: views().filter(s => !rendered(s)).length,
    height: Math.ceil(document.documentElement.scrollHeight),
    title: document.title,
  });
})().catch(e => done({fatal: String(e)}));
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    """Serve ``directory`` on a free port of 127.0.0.1 from a daemon thread; returns the server."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _first(paths, what, hint):
    for path in paths:
        if Path(path).exists():
            return path
    found = shutil.which(Path(paths[0]).name)
    if found:
        return found
    sys.exit(f'check_pages: {what} not found (looked for {", ".join(paths)}); {hint}')


def make_driver():
    os.environ.setdefault('SE_OFFLINE', 'true')  # Selenium Manager must not try to download drivers
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        sys.exit('check_pages: the Python package selenium is missing; run `make venv`.')
    hint = 'install the Debian packages: apt-get install -y chromium chromium-driver'
    options = webdriver.ChromeOptions()
    options.binary_location = _first(CHROMIUM, 'Chromium', hint)
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL', 'performance': 'ALL'})
    service = Service(executable_path=_first(CHROMEDRIVER, 'chromedriver', hint))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(120)
    return driver


def _requests(driver):
    """URLs the page requested since the last call (from the performance log)."""
    urls = []
    for entry in driver.get_log('performance'):
        message = json.loads(entry['message'])['message']
        if message.get('method') == 'Network.requestWillBeSent':
            urls.append(message['params']['request']['url'])
    return urls


def screenshot(driver, path, full_height=None):
    params = {'format': 'png', 'captureBeyondViewport': full_height is not None}
    if full_height is not None:
        params['clip'] = {
            'x': 0,
            'y': 0,
            'width': DESKTOP[0],
            'scale': 1,
            'height': min(full_height, FULL_PAGE_MAX_HEIGHT),
        }
    data = driver.execute_cdp_cmd('Page.captureScreenshot', params)['data']
    path.write_bytes(base64.b64decode(data))


def check_page(driver, base, page, out, wait):
    """Load one page and return (problems, summary)."""
    driver.get_log('browser'), _requests(driver)  # drop what earlier pages left
    driver.get(f'{base}/{page}.html')
    report = driver.execute_async_script(INSPECT_JS, wait)
    if not (report.get('math') or report.get('images') or report.get('widgets')):
        # On a busy machine the first inspection sometimes sees an empty document; a page
        # with nothing to check is looked at once more rather than passed unseen.
        time.sleep(1)
        report = driver.execute_async_script(INSPECT_JS, wait)
    problems = []
    if 'fatal' in report:
        problems.append(f'inspection failed: {report["fatal"]}')
        report = {}
    if report.get('title', '').startswith('404') or 'Error response' in report.get('title', ''):
        problems.append(f'the server has no {page}.html')
    for entry in driver.get_log('browser'):
        # The browser's own guess at a site icon, not something the page asked for.
        if entry['level'] == 'SEVERE' and '/favicon.ico - Failed to load' not in entry['message']:
            problems.append(f'console error: {entry["message"][:300]}')
    remote = sorted(
        {
            u
            for u in _requests(driver)
            if urlparse(u).scheme in ('http', 'https', 'ws', 'wss')
            and urlparse(u).hostname not in ('127.0.0.1', 'localhost')
        }
    )
    if remote:
        problems.append(f'fetched from the network (fails offline): {remote[:5]}')
    if report.get('math'):
        if not report['mathjaxLoaded']:
            problems.append(f'{report["math"]} math elements but MathJax did not load')
        elif report['mathRendered'] < report['math']:
            problems.append(
                f'{report["math"] - report["mathRendered"]} of {report["math"]} math '
                f'elements not rendered by MathJax, e.g. {report["mathUnrendered"]}'
            )
    if report.get('mathErrors'):
        problems.append(f'TeX errors: {report["mathErrors"]}')
    if report.get('brokenImages'):
        problems.append(f'images that did not load: {report["brokenImages"][:5]}')
    if report.get('emptyWidgets'):
        problems.append(
            f'{report["emptyWidgets"]} of {report["widgets"]} widget outputs show nothing'
        )
    name = page.replace('/', '__')
    for i, view in enumerate(
        driver.find_elements(
            'css selector', 'script[type="application/vnd.jupyter.widget-view+json"]'
        )
    ):
        box = view.find_element('xpath', '..')
        if box.size['height'] > 0:
            driver.execute_script('arguments[0].scrollIntoView({block: "center"})', box)
            box.screenshot(str(out / f'{name}-widget{i + 1}.png'))
    driver.execute_script('window.scrollTo(0, 0)')
    screenshot(driver, out / f'{name}.png')
    screenshot(driver, out / f'{name}-full.png', full_height=report.get('height', 900))
    text = driver.execute_script(TEXT_JS)
    problems += [f'shows test plumbing, {found}' for found in text['plumbing']]
    if text['texCount']:
        problems.append(f'{text["texCount"]} pieces of raw TeX in the prose, e.g. {text["tex"]}')
    if text['bytes'] >= MAX_PAGE_BYTES:
        problems.append(
            f'weighs {text["bytes"] / 1e6:.1f} MB with its {text["resources"]} files '
            f'(limit {MAX_PAGE_BYTES / 1e6:.0f} MB)'
        )
    problems += phone_problems(driver, out / f'{name}-390.png')
    hidden, answers = answer_problems(driver, out / name)
    problems += hidden
    summary = (
        f'{report.get("math", 0)} math, {report.get("images", 0)} images, '
        f'{report.get("widgets", 0)} widgets, {answers} answers, {text["bytes"] / 1e6:.1f} MB'
    )
    return problems, summary


# Answers: the markdown ones are <details> blocks whose summary reads "Answer"; the code ones are
# cells tagged `solution` (MyST-NB gives them the class tag_solution and puts their input and
# output in <details> for hide-input / hide-output). Report what of them is rendered.
ANSWERS_JS = r"""
const root = document.querySelector('main, article, .bd-article') || document.body;
const shown = el => (el.checkVisibility ? el.checkVisibility() : el.getClientRects().length > 0)
                    && el.getClientRects().length > 0;
const answers = [];
for (const d of root.querySelectorAll('details')) {
  const s = d.querySelector(':scope > summary');
  if (s && s.textContent.trim() === 'Answer' && !d.closest('.tag_solution')) answers.push(d);
}
answers.push(...root.querySelectorAll('.cell.tag_solution'));
const parts = a => a.matches('details')
  ? [...a.children].filter(c => c.tagName !== 'SUMMARY')
  : [...a.querySelectorAll('.cell_input, .cell_output')];
if (arguments[0]) {           // open every answer: its own block and the details inside it
  for (const a of answers) {
    if (a.matches('details')) a.open = true;
    for (const d of a.querySelectorAll('details')) d.open = true;
  }
}
const report = [];
answers.forEach((a, i) => {
  a.setAttribute('data-answer-index', i);
  const visible = parts(a).filter(p => shown(p) && p.innerText.trim());
  report.push({kind: a.matches('details') ? 'text' : 'code', parts: parts(a).length,
               visible: visible.length, text: visible.map(p => p.innerText.trim()).join(' ').slice(0, 80)});
});
return JSON.stringify(report);   // a plain string: Chromium cannot hand back some objects
"""


def answer_problems(driver, path):
    """No answer text, code or output is rendered until its block is opened; opened, it all is.
    ``path``: the page's screenshot name without suffix, for the closed and opened answer."""
    closed = json.loads(driver.execute_script(ANSWERS_JS, False))
    problems = [
        f'answer {i + 1} ({a["kind"]}) shows before it is opened: "{a["text"]}"'
        for i, a in enumerate(closed)
        if a['visible']
    ]
    if closed:
        first = driver.find_element('css selector', '[data-answer-index="0"]')
        driver.execute_script('arguments[0].scrollIntoView({block: "center"})', first)
        first.screenshot(str(path.with_name(path.name + '-answer-closed.png')))
    opened = json.loads(driver.execute_script(ANSWERS_JS, True))
    problems += [
        f'answer {i + 1} ({a["kind"]}) shows nothing when opened'
        for i, a in enumerate(opened)
        if a['parts'] and not a['visible']
    ]
    problems += [
        f'answer {i + 1} ({a["kind"]}) has no content'
        for i, a in enumerate(opened)
        if not a['parts']
    ]
    if opened:
        first = driver.find_element('css selector', '[data-answer-index="0"]')
        driver.execute_script('arguments[0].scrollIntoView({block: "center"})', first)
        first.screenshot(str(path.with_name(path.name + '-answer-open.png')))
        driver.refresh()  # leave the page as a reader finds it
    return problems, len(closed)


def phone_problems(driver, path):
    """Narrow the window to a phone's width: the page must not scroll sideways."""
    driver.set_window_size(*PHONE)
    try:
        time.sleep(0.5)  # let the layout settle
        driver.execute_script('window.scrollTo(0, 0)')
        report = driver.execute_script(OVERFLOW_JS)
        driver.save_screenshot(str(path))
    finally:
        driver.set_window_size(*DESKTOP)
    if report['scrollWidth'] > report['width'] + 1:
        return [
            f'scrolls sideways at {PHONE[0]} px (page {report["scrollWidth"]} px wide); '
            f'sticking out: {report["wide"]}'
        ]
    return []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'pages', nargs='*', help='docnames, e.g. chapters/7_2_conv_layer (default: _toc.yml)'
    )
    parser.add_argument('--html', type=Path, default=ROOT / '_build' / 'html')
    parser.add_argument('--out', type=Path, default=ROOT / 'screenshots')
    parser.add_argument('--wait', type=float, default=30, help='seconds a page may take to settle')
    args = parser.parse_args(argv)
    if not (args.html / 'index.html').is_file():
        sys.exit(f'check_pages: no built book in {args.html}; run `make book` first.')
    pages = args.pages or toc_pages()
    args.out.mkdir(parents=True, exist_ok=True)
    server = serve(args.html)
    base = f'http://127.0.0.1:{server.server_address[1]}'
    driver = make_driver()
    failed = 0
    start = time.perf_counter()
    try:
        for page in pages:
            problems, summary = check_page(driver, base, page, args.out, args.wait)
            failed += bool(problems)
            print(f'{"FAIL" if problems else "ok  "} {page}: {summary}', flush=True)
            for problem in problems:
                print(f'       {problem}', flush=True)
    finally:
        driver.quit()
        server.shutdown()
    print(f'screenshots in {args.out} ({time.perf_counter() - start:.0f} s)')
    print(f'check-pages: {len(pages) - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
