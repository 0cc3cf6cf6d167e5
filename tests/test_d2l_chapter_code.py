"""D2L 1.0.3's own code for sections 7.1-8.6 runs unchanged on ``book_utils`` (issue 3).

``tests/d2l_code/<section>.py`` holds, for each section, the PyTorch version of every
code cell of D2L 1.0.3, in order, copied from the book's source in d2l-ai/d2l-en
(``chapter_convolutional-neural-networks/*.md`` and ``chapter_convolutional-modern/*.md``):
the ``{.python .input}`` cells whose d2lbook marker (``%%tab pytorch``, ``%%tab all``,
``%%tab mxnet, pytorch`` ...) includes PyTorch. Each cell starts with a ``# %%`` line
that repeats its marker. Cells of other frameworks are left out, and so are, inside a
cell shared by several frameworks, the ``if tab.selected('mxnet'):`` (tensorflow, jax)
branches; ``if tab.selected('pytorch'):`` lines stay, and the runner below gives the
cells d2lbook's ``tab`` object, as the book's PyTorch build does. Nothing else is
changed: the import line ``from d2l import torch as d2l`` stays in the files and is
replaced with ``import book_utils as d2l`` only when a test runs them. Section 7.1
("From Fully Connected Layers to Convolutions") has no code cells.

Each section runs in a fresh Python process under ``BOOK_PROFILE=smoke`` (every
``Trainer.fit`` is 1 epoch of 3 batches of 16) with ``MPLBACKEND=Agg``, one cell at a
time in one namespace, like a notebook: a cell's last expression is kept as its output
and its printed text is captured, so the tests check what a reader would see. The real
``d2l`` package cannot be imported there, so nothing falls back on it. When a cell
fails, the assertion names the section, the cell, the failing line and the traceback.

Run one section by hand: ``python tests/test_d2l_chapter_code.py tests/d2l_code/7_2_conv_layer.py``.
"""
import ast
import contextlib
import importlib.abc
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pytest

from d2l_reference import CODE_DIR, SECTION_FILES, Tab

REPO_ROOT = CODE_DIR.parent.parent
D2L_IMPORT = 'from d2l import torch as d2l'
BOOK_IMPORT = 'import book_utils as d2l'
SECTION_TIMEOUT_S = 300




# ---------------------------------------------------------------------------------------
# The runner (executed in the child process)
# ---------------------------------------------------------------------------------------

class _NoRealD2L(importlib.abc.MetaPathFinder):
    """Make ``import d2l`` fail, so a missed import line cannot use the real package."""

    def find_spec(self, name, path=None, target=None):
        if name == 'd2l' or name.startswith('d2l.'):
            raise ImportError(f'{name!r} is blocked: D2L code must run on book_utils here')
        return None


def split_cells(source):
    """``[(first_line_number, marker, code)]`` for each ``# %%`` cell of a section file."""
    lines = source.splitlines(keepends=True)
    cells, start = [], None
    for number, line in enumerate(lines, 1):
        if line.startswith('# %%'):
            if start is not None:
                cells.append((start, lines[start - 1], ''.join(lines[start:number - 1])))
            start = number
    if start is not None:
        cells.append((start, lines[start - 1], ''.join(lines[start:])))
    return [(n, marker[len('# %%'):].strip(), code) for n, marker, code in cells]


def _run_cell(code, first_line, filename, namespace):
    """Execute one cell like a notebook does: return the value of a trailing expression."""
    tree = ast.parse(code, filename=filename)
    ast.increment_lineno(tree, first_line)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body.pop()
    exec(compile(tree, filename, 'exec'), namespace)
    if last is not None:
        return eval(compile(ast.Expression(last.value), filename, 'eval'), namespace)
    return None


def run_section(path, probe=''):
    """Run a section file cell by cell; return a JSON-able report (plus the probe's RESULT)."""
    import random

    import numpy as np
    import torch

    sys.meta_path.insert(0, _NoRealD2L())
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)

    path = Path(path)
    source = path.read_text()
    report = {'file': path.name, 'imports_replaced': 0, 'cells': [], 'error': None}
    namespace = {'__name__': '__main__', 'tab': Tab()}
    outputs = {}
    for index, (first_line, marker, code) in enumerate(split_cells(source), 1):
        code_lines = code.splitlines()
        report['imports_replaced'] += sum(line == D2L_IMPORT for line in code_lines)
        code = '\n'.join(BOOK_IMPORT if line == D2L_IMPORT else line for line in code_lines)
        stdout = io.StringIO()
        started = time.perf_counter()
        try:
            with contextlib.redirect_stdout(stdout):
                outputs[index] = _run_cell(code, first_line, str(path), namespace)
        except BaseException as error:  # noqa: BLE001 - every failure goes in the report
            tb = traceback.extract_tb(error.__traceback__)
            in_cell = [frame for frame in tb if frame.filename == str(path)]
            report['error'] = {
                'cell': index, 'marker': marker,
                'line': in_cell[-1].lineno if in_cell else None,
                'code': in_cell[-1].line if in_cell else None,
                'exception': f'{type(error).__name__}: {error}',
                'traceback': ''.join(traceback.format_exception(error))[-4000:],
            }
            report['cells'].append({'marker': marker, 'stdout': stdout.getvalue()})
            break
        finally:
            report.setdefault('seconds', []).append(round(time.perf_counter() - started, 2))
        value = outputs[index]
        report['cells'].append({'marker': marker, 'stdout': stdout.getvalue(),
                                'output': None if value is None else repr(value)[:2000]})
    if probe and report['error'] is None:
        namespace['OUT'] = outputs
        try:
            exec(compile(probe, '<probe>', 'exec'), namespace)
            report['probe'] = namespace.get('RESULT')
        except BaseException as error:  # noqa: BLE001
            report['error'] = {'cell': 'probe', 'marker': '', 'line': None, 'code': None,
                               'exception': f'{type(error).__name__}: {error}',
                               'traceback': ''.join(traceback.format_exception(error))[-4000:]}
    return report


def _child_main(argv):
    for name, value in SECTION_ENV.items():
        os.environ.setdefault(name, value)
    path, out = argv[0], (argv[1] if len(argv) > 1 else None)
    probe = Path(argv[2]).read_text() if len(argv) > 2 else ''
    report = run_section(path, probe)
    if out:
        Path(out).write_text(json.dumps(report))
    else:
        print(json.dumps(report, indent=1))
    return 0 if report['error'] is None else 1


# ---------------------------------------------------------------------------------------
# The tests (parent process)
# ---------------------------------------------------------------------------------------

def _section_process(path, out, probe, workdir):
    """Entry point of a section's process when it is forked from the forkserver."""
    os.environ.update(SECTION_ENV)
    import matplotlib
    matplotlib.use('Agg', force=True)
    os.chdir(workdir)  # D2L's FashionMNIST(root='../data') must not write into the repo
    Path(out).write_text(json.dumps(run_section(path, probe)))


def _forkserver():
    """A multiprocessing context whose processes fork from one that has imported torch and
    book_utils (and run nothing), so each section gets a fresh process without paying
    for those imports again; None where the platform has no forkserver."""
    import multiprocessing
    if 'forkserver' not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context('forkserver')
    context.set_forkserver_preload(['torch', 'book_utils'])
    return context


SECTION_ENV = {'BOOK_PROFILE': 'smoke', 'MPLBACKEND': 'Agg', 'PYTHONHASHSEED': '0'}


def run(section, probe=''):
    """Run one section in a fresh process; fail with the cell, line and traceback if it breaks."""
    path = CODE_DIR / SECTION_FILES[section]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'report.json'
        context = _forkserver()
        if context is not None:
            process = context.Process(target=_section_process,
                                      args=(str(path), str(out), probe, tmp))
            process.start()
            process.join(SECTION_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join()
            died = f'exit code {process.exitcode}'
        else:
            env = dict(os.environ, **SECTION_ENV)
            env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(REPO_ROOT),
                                                              env.get('PYTHONPATH')]))
            probe_file = Path(tmp) / 'probe.py'
            probe_file.write_text(probe)
            proc = subprocess.run(
                [sys.executable, __file__, str(path), str(out), str(probe_file)],
                cwd=tmp, env=env, capture_output=True, text=True, timeout=SECTION_TIMEOUT_S)
            died = f'exit code {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}'
        if not out.exists():
            pytest.fail(f'D2L {section}: the process running it died or timed out ({died}).')
        report = json.loads(out.read_text())
    error = report['error']
    if error:
        pytest.fail(f"D2L {section} ({report['file']}), cell {error['cell']} "
                    f"[{error['marker']}], line {error['line']}: {error['code']}\n"
                    f"{error['exception']}\n{error['traceback']}", pytrace=False)
    return report


def stdout_of(report, cell):
    return report['cells'][cell - 1]['stdout']


def summary_shapes(text):
    """``[(layer name, shape)]`` from ``layer_summary``'s lines, which must keep D2L's format.

    Other lines (book_utils' one-time ``init_cnn`` notice, say) are skipped.
    """
    rows = []
    for line in text.strip().splitlines():
        if ' output shape:' not in line:
            continue
        match = re.fullmatch(r'(\w+) output shape:\t torch\.Size\(\[([\d, ]*)\]\)', line)
        assert match, f'not a D2L layer_summary line: {line!r}'
        rows.append((match[1], [int(n) for n in match[2].split(', ') if n]))
    return rows


# Probe run after the training cell of a chapter-8 section or 7.6: one validation batch
# through the trained model, and what the smoke profile did to the D2L-sized run.
TRAINED_PROBE = '''
X, y = next(iter(data.get_dataloader(False)))
model.eval()
with torch.no_grad():
    Y_hat = model(X)
    val_loss = float(model.loss(Y_hat, y))
RESULT = dict(
    d2l=d2l.__name__, batch_shape=list(X.shape), dtype=str(X.dtype),
    x_min=float(X.min()), x_max=float(X.max()), label_dtype=str(y.dtype),
    logits_shape=list(Y_hat.shape), val_loss=val_loss,
    params_finite=all(bool(torch.isfinite(p).all()) for p in model.parameters()),
    train_batch_idx=int(trainer.train_batch_idx), epochs_run=int(trainer.epoch) + 1)
'''


def check_trained(result, image_size):
    """The D2L-sized run (batch 128, 10 epochs) ran as the smoke profile's short one."""
    assert result['d2l'] == 'book_utils'
    batch, channels, height, width = result['batch_shape']
    assert 1 <= batch <= 16 and channels == 1 and (height, width) == (image_size, image_size)
    assert result['dtype'] == 'torch.float32' and result['label_dtype'] == 'torch.int64'
    assert 0.0 <= result['x_min'] and result['x_max'] <= 1.0
    assert result['logits_shape'] == [batch, 10]
    assert result['params_finite'] and math.isfinite(result['val_loss'])
    assert result['val_loss'] < 10.0, 'a few SGD steps should not blow the loss up'
    assert result['epochs_run'] == 1 and result['train_batch_idx'] == 3


def test_section_files_cite_d2l_and_keep_its_import_line():
    assert sorted(p.name for p in CODE_DIR.glob('*.py')) == sorted(SECTION_FILES.values())
    for name in SECTION_FILES.values():
        text = (CODE_DIR / name).read_text()
        assert text.startswith('# D2L 1.0.3 '), name
        assert 'd2l-ai/d2l-en, chapter_convolutional-' in text and 'MIT-0' in text, name
        assert BOOK_IMPORT not in text, f'{name}: the file must show D2L\'s own import line'
        cells = split_cells(text)
        assert cells and all('pytorch' in m or m == '%%tab all' for _, m, _ in cells), name
        code = '\n'.join(c for _, _, c in cells)
        assert "tab.selected('mxnet')" not in code and "tab.selected('tensorflow')" not in code
        for _, _, cell in cells:
            ast.parse(cell)


def test_7_2_conv_layer_learns_the_edge_kernel():
    report = run('7.2', 'RESULT = {k: OUT[k].tolist() for k in (3, 5, 7, 8, 10)}')
    assert report['imports_replaced'] == 1
    out = report['probe']  # cell number -> the value the cell displays (JSON keys)
    assert out['3'] == [[19.0, 25.0], [37.0, 43.0]]
    assert out['5'] == [[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]] * 6
    assert out['7'] == [[0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]] * 6
    assert out['8'] == [[0.0] * 5] * 8
    # D2L trains the kernel for 10 iterations and prints the loss every 2: it falls...
    printed = re.findall(r'^epoch (\d+), loss ([\d.]+)$', stdout_of(report, 9), re.M)
    assert [int(epoch) for epoch, _ in printed] == [2, 4, 6, 8, 10]
    losses = [float(loss) for _, loss in printed]
    assert all(b < a for a, b in zip(losses, losses[1:])) and losses[-1] < losses[0] / 4
    # ...and the learned kernel approaches [1, -1].
    (w1, w2), = out['10']
    assert abs(w1 - 1) < 0.3 and abs(w2 + 1) < 0.3


def test_7_3_padding_and_strides_shapes():
    report = run('7.3', 'RESULT = {k: list(OUT[k]) for k in (2, 3, 4, 5)}')
    assert report['imports_replaced'] == 0  # 7.3's PyTorch code uses no d2l at all
    assert report['probe'] == {'2': [8, 8], '3': [8, 8], '4': [4, 4], '5': [2, 2]}


def test_7_4_multiple_channels():
    report = run('7.4', 'RESULT = dict(multi_in=OUT[3].tolist(), K_shape=list(OUT[5]), '
                        'multi_out=OUT[6].tolist(), '
                        'gap=float((Y1 - Y2).abs().sum()), Y1_shape=list(Y1.shape))')
    out = report['probe']
    assert out['multi_in'] == [[56.0, 72.0], [104.0, 120.0]]
    assert out['K_shape'] == [3, 2, 2, 2]
    assert out['multi_out'] == [[[56.0, 72.0], [104.0, 120.0]], [[76.0, 100.0], [148.0, 172.0]],
                                [[96.0, 128.0], [192.0, 224.0]]]
    assert out['Y1_shape'] == [2, 3, 3] and out['gap'] < 1e-6


def test_7_5_pooling():
    report = run('7.5', 'RESULT = {k: OUT[k].tolist() for k in (3, 4, 6, 7, 8, 10)}')
    out = report['probe']
    assert out['3'] == [[4.0, 5.0], [7.0, 8.0]]
    assert out['4'] == [[2.0, 3.0], [5.0, 6.0]]
    assert out['6'] == [[[[10.0]]]]
    assert out['7'] == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert out['8'] == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert out['10'] == [[[[5.0, 7.0], [13.0, 15.0]], [[6.0, 8.0], [14.0, 16.0]]]]


def test_7_6_lenet_summary_and_training():
    probe = TRAINED_PROBE + (
        "RESULT['summary_from_chapter'] = d2l.Classifier.layer_summary.__code__.co_filename\n"
        "RESULT['is_classifier'] = isinstance(model, d2l.Classifier)\n")
    report = run('7.6', probe)
    assert summary_shapes(stdout_of(report, 4)) == [
        ('Conv2d', [1, 6, 28, 28]), ('Sigmoid', [1, 6, 28, 28]), ('AvgPool2d', [1, 6, 14, 14]),
        ('Conv2d', [1, 16, 10, 10]), ('Sigmoid', [1, 16, 10, 10]), ('AvgPool2d', [1, 16, 5, 5]),
        ('Flatten', [1, 400]), ('Linear', [1, 120]), ('Sigmoid', [1, 120]),
        ('Linear', [1, 84]), ('Sigmoid', [1, 84]), ('Linear', [1, 10])]
    result = report['probe']
    # `@d2l.add_to_class(d2l.Classifier)` in the chapter replaced book_utils' method.
    assert result['summary_from_chapter'].endswith('7_6_lenet.py')
    assert result['is_classifier']
    check_trained(result, 28)


def test_8_1_alexnet():
    probe = TRAINED_PROBE + '''
fresh = AlexNet()
fresh(torch.zeros(1, 1, 224, 224))
w = fresh.net[0].weight
RESULT['first_conv_max'] = float(w.abs().max())
RESULT['xavier_bound'] = (6 / (w[0].numel() + w.shape[0] * w[0, 0].numel())) ** 0.5
'''
    report = run('8.1', probe)
    assert summary_shapes(stdout_of(report, 3)) == [
        ('Conv2d', [1, 96, 54, 54]), ('ReLU', [1, 96, 54, 54]), ('MaxPool2d', [1, 96, 26, 26]),
        ('Conv2d', [1, 256, 26, 26]), ('ReLU', [1, 256, 26, 26]),
        ('MaxPool2d', [1, 256, 12, 12]), ('Conv2d', [1, 384, 12, 12]),
        ('ReLU', [1, 384, 12, 12]), ('Conv2d', [1, 384, 12, 12]), ('ReLU', [1, 384, 12, 12]),
        ('Conv2d', [1, 256, 12, 12]), ('ReLU', [1, 256, 12, 12]), ('MaxPool2d', [1, 256, 5, 5]),
        ('Flatten', [1, 6400]), ('Linear', [1, 4096]), ('ReLU', [1, 4096]),
        ('Dropout', [1, 4096]), ('Linear', [1, 4096]), ('ReLU', [1, 4096]),
        ('Dropout', [1, 4096]), ('Linear', [1, 10])]
    result = report['probe']
    check_trained(result, 224)
    # `self.net.apply(d2l.init_cnn)` on lazy layers does give them Xavier init here.
    assert result['first_conv_max'] <= result['xavier_bound'] + 1e-6


def test_8_2_vgg():
    report = run('8.2', TRAINED_PROBE)
    assert summary_shapes(stdout_of(report, 4)) == [
        ('Sequential', [1, 64, 112, 112]), ('Sequential', [1, 128, 56, 56]),
        ('Sequential', [1, 256, 28, 28]), ('Sequential', [1, 512, 14, 14]),
        ('Sequential', [1, 512, 7, 7]), ('Flatten', [1, 25088]), ('Linear', [1, 4096]),
        ('ReLU', [1, 4096]), ('Dropout', [1, 4096]), ('Linear', [1, 4096]),
        ('ReLU', [1, 4096]), ('Dropout', [1, 4096]), ('Linear', [1, 10])]
    check_trained(report['probe'], 224)


def test_8_3_nin():
    report = run('8.3', TRAINED_PROBE)
    assert summary_shapes(stdout_of(report, 4)) == [
        ('Sequential', [1, 96, 54, 54]), ('MaxPool2d', [1, 96, 26, 26]),
        ('Sequential', [1, 256, 26, 26]), ('MaxPool2d', [1, 256, 12, 12]),
        ('Sequential', [1, 384, 12, 12]), ('MaxPool2d', [1, 384, 5, 5]),
        ('Dropout', [1, 384, 5, 5]), ('Sequential', [1, 10, 5, 5]),
        ('AdaptiveAvgPool2d', [1, 10, 1, 1]), ('Flatten', [1, 10])]
    check_trained(report['probe'], 224)


def test_8_4_googlenet():
    report = run('8.4', TRAINED_PROBE)
    assert summary_shapes(stdout_of(report, 9)) == [
        ('Sequential', [1, 64, 24, 24]), ('Sequential', [1, 192, 12, 12]),
        ('Sequential', [1, 480, 6, 6]), ('Sequential', [1, 832, 3, 3]),
        ('Sequential', [1, 1024]), ('Linear', [1, 10])]
    check_trained(report['probe'], 96)


def test_8_5_batch_norm():
    probe = TRAINED_PROBE + '''
gamma, beta = OUT[6]
RESULT['gamma_beta_shapes'] = [list(gamma.shape), list(beta.shape)]
RESULT['gamma_moved'] = float((gamma - 1).abs().max())
RESULT['bn_running_mean_moved'] = float(model.net[1].running_mean.abs().max())
'''
    result = run('8.5', probe)['probe']
    check_trained(result, 28)
    # The scratch BatchNorm's scale and shift, after BNLeNetScratch trained a few steps.
    assert result['gamma_beta_shapes'] == [[6], [6]] and result['gamma_moved'] > 0
    # nn.LazyBatchNorm2d of the concise BNLeNet updated its running statistics.
    assert result['bn_running_mean_moved'] > 0


def test_8_6_resnet_and_resnext():
    probe = TRAINED_PROBE + "RESULT['shapes'] = {k: list(OUT[k]) for k in (3, 4, 12)}\n"
    report = run('8.6', probe)
    assert summary_shapes(stdout_of(report, 9)) == [
        ('Sequential', [1, 64, 24, 24]), ('Sequential', [1, 64, 24, 24]),
        ('Sequential', [1, 128, 12, 12]), ('Sequential', [1, 256, 6, 6]),
        ('Sequential', [1, 512, 3, 3]), ('Sequential', [1, 10])]
    result = report['probe']
    assert result['shapes'] == {'3': [4, 3, 6, 6], '4': [4, 6, 3, 3], '12': [4, 32, 96, 96]}
    check_trained(result, 96)


if __name__ == '__main__':
    sys.exit(_child_main(sys.argv[1:]))
