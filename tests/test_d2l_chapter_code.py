"""D2L 1.0.3's own code for sections 7.2-8.6, read from a d2l-en checkout (opt-in).

The repository holds no D2L code. To run these tests, check out the book's source
(the d2l-ai/d2l-en repository on GitHub, tag ``v1.0.3``) and name the folder:

    D2L_EN_DIR=path/to/d2l-en pytest tests/test_d2l_chapter_code.py

Without ``D2L_EN_DIR`` every test here is skipped. With it, two things are checked:

* **The chapters run unchanged on book_utils.** For each section, the PyTorch code
  cells of its ``.md`` file (the ``{.python .input}`` cells whose d2lbook marker,
  ``%%tab pytorch``, ``%%tab all``, ``%%tab mxnet, pytorch`` ..., includes PyTorch)
  run in order, in one namespace, in a fresh process, with ``from d2l import torch
  as d2l`` replaced by ``import book_utils as d2l`` and d2lbook's ``tab`` object
  selecting PyTorch, under ``BOOK_PROFILE=smoke``. The real ``d2l`` package is
  blocked there, so nothing falls back on it. A failing cell is reported with its
  line in the ``.md`` file and the traceback.
* **The facts in ``d2l_reference.py`` are D2L's.** The section's classes, built on
  the oracle package ``d2l.torch``, print the recorded ``layer_summary`` rows and
  have the recorded parameter counts; given the same weights, ``book_utils``'
  models compute the same function.

Run one section by hand: ``python tests/test_d2l_chapter_code.py D2L_EN_DIR/chapter_.../lenet.md``.
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
from d2l_reference import PARAMETER_COUNTS, RESNET34_STAGES, SUMMARIES, parse_summary, summary_rows

from book_utils.engine.profiles import SMOKE_BATCHES

# CI deselects these by name (`-m "not d2l_chapter_code"`, the Makefile's test-unit) instead of
# counting their skips; they still skip without D2L_EN_DIR when selected.
pytestmark = pytest.mark.d2l_chapter_code

REPO_ROOT = Path(__file__).resolve().parent.parent
D2L_IMPORT = 'from d2l import torch as d2l'
BOOK_IMPORT = 'import book_utils as d2l'
SECTION_TIMEOUT_S = 300

#: Where each section's source lives in a d2l-en checkout (7.1 has no code cells).
SECTION_SOURCES = {
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


def d2l_en_dir():
    """The checkout named by ``D2L_EN_DIR``; skip the calling test when there is none."""
    folder = os.environ.get('D2L_EN_DIR')
    if not folder:
        pytest.skip("opt-in: set D2L_EN_DIR to a d2l-en checkout (tag v1.0.3) to run D2L's code")
    missing = [name for name in SECTION_SOURCES.values() if not (Path(folder) / name).is_file()]
    if missing:
        pytest.fail(
            f'D2L_EN_DIR={folder!r} is not a d2l-en checkout: {missing[0]} is missing.',
            pytrace=False,
        )
    return Path(folder)


class Tab:
    """d2lbook's ``tab`` as the book's PyTorch build sees it."""

    @staticmethod
    def selected(*tabs):
        return 'pytorch' in tabs


_CELL = re.compile(r'^```\{\.python \.input[^}]*\}\n(.*?)^```', re.M | re.S)


def pytorch_cells(source):
    """``[(marker_line_number, marker, code)]`` for the PyTorch code cells of a d2l-en ``.md``."""
    cells = []
    for match in _CELL.finditer(source):
        marker, _, code = match.group(1).partition('\n')
        if not marker.startswith('%%tab'):
            continue  # d2lbook's own set-up cell
        tabs = [t.strip() for t in marker[len('%%tab') :].split(',')]
        if 'pytorch' in tabs or 'all' in tabs:
            line = source.count('\n', 0, match.start(1)) + 1
            cells.append((line, marker.strip(), code))
    return cells


# ---------------------------------------------------------------------------------------
# The runner (executed in the child process)
# ---------------------------------------------------------------------------------------


class _NoRealD2L(importlib.abc.MetaPathFinder):
    """Make ``import d2l`` fail, so a missed import line cannot use the real package."""

    def find_spec(self, name, path=None, target=None):
        if name == 'd2l' or name.startswith('d2l.'):
            raise ImportError(f'{name!r} is blocked: D2L code must run on book_utils here')
        return None


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
    """Run a section's PyTorch cells; return a JSON-able report (plus the probe's RESULT)."""
    import random

    import numpy as np
    import torch

    sys.meta_path.insert(0, _NoRealD2L())
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)

    path = Path(path)
    report = {'file': path.name, 'imports_replaced': 0, 'cells': [], 'error': None}
    namespace = {'__name__': '__main__', 'tab': Tab()}
    outputs = {}
    for index, (first_line, marker, code) in enumerate(pytorch_cells(path.read_text()), 1):
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
                'cell': index,
                'marker': marker,
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
        report['cells'].append(
            {
                'marker': marker,
                'stdout': stdout.getvalue(),
                'output': None if value is None else repr(value)[:2000],
            }
        )
    if probe and report['error'] is None:
        namespace['OUT'] = outputs
        try:
            exec(compile(probe, '<probe>', 'exec'), namespace)
            report['probe'] = namespace.get('RESULT')
        except BaseException as error:  # noqa: BLE001
            report['error'] = {
                'cell': 'probe',
                'marker': '',
                'line': None,
                'code': None,
                'exception': f'{type(error).__name__}: {error}',
                'traceback': ''.join(traceback.format_exception(error))[-4000:],
            }
    return report


SECTION_ENV = {'BOOK_PROFILE': 'smoke', 'MPLBACKEND': 'Agg', 'PYTHONHASHSEED': '0'}


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
# Running a section (parent process)
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


def run(section, probe=''):
    """Run one section in a fresh process; fail with the cell, line and traceback if it breaks."""
    path = d2l_en_dir() / SECTION_SOURCES[section]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'report.json'
        context = _forkserver()
        if context is not None:
            process = context.Process(
                target=_section_process, args=(str(path), str(out), probe, tmp)
            )
            process.start()
            process.join(SECTION_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join()
            died = f'exit code {process.exitcode}'
        else:
            env = dict(os.environ, **SECTION_ENV)
            env['PYTHONPATH'] = os.pathsep.join(
                filter(None, [str(REPO_ROOT), env.get('PYTHONPATH')])
            )
            probe_file = Path(tmp) / 'probe.py'
            probe_file.write_text(probe)
            proc = subprocess.run(
                [sys.executable, __file__, str(path), str(out), str(probe_file)],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                timeout=SECTION_TIMEOUT_S,
            )
            died = f'exit code {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}'
        if not out.exists():
            pytest.fail(f'D2L {section}: the process running it died or timed out ({died}).')
        report = json.loads(out.read_text())
    error = report['error']
    if error:
        pytest.fail(
            f'D2L {section} ({report["file"]}), cell {error["cell"]} '
            f'[{error["marker"]}], line {error["line"]}: {error["code"]}\n'
            f'{error["exception"]}\n{error["traceback"]}',
            pytrace=False,
        )
    return report


def stdout_of(report, cell):
    return report['cells'][cell - 1]['stdout']


def summary_of(report, cell):
    return parse_summary(stdout_of(report, cell))


# Probe run after the training cell of a chapter-8 section or 7.6: one validation batch
# through the trained model, and what the smoke profile did to the D2L-sized run.
TRAINED_PROBE = """
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
"""


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
    assert result['epochs_run'] == 1 and result['train_batch_idx'] == SMOKE_BATCHES


# ---------------------------------------------------------------------------------------
# The chapters, run on book_utils
# ---------------------------------------------------------------------------------------


def test_every_section_has_pytorch_cells_that_parse():
    root = d2l_en_dir()
    for section, name in SECTION_SOURCES.items():
        cells = pytorch_cells((root / name).read_text())
        assert cells, section
        for _, _, code in cells:
            ast.parse(code)


def test_7_2_conv_layer_learns_the_edge_kernel():
    report = run('7.2', 'RESULT = {k: OUT[k].tolist() for k in (3, 5, 7, 8, 10)}')
    assert report['imports_replaced'] == 1
    out = report['probe']  # cell number -> the value the cell displays (JSON keys)
    assert out['3'] == [[19.0, 25.0], [37.0, 43.0]]
    assert out['5'] == [[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]] * 6
    assert out['7'] == [[0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]] * 6
    assert out['8'] == [[0.0] * 5] * 8
    # The kernel is trained for 10 iterations with the loss printed every 2: it falls...
    printed = re.findall(r'^epoch (\d+), loss ([\d.]+)$', stdout_of(report, 9), re.M)
    assert [int(epoch) for epoch, _ in printed] == [2, 4, 6, 8, 10]
    losses = [float(loss) for _, loss in printed]
    assert all(b < a for a, b in zip(losses, losses[1:])) and losses[-1] < losses[0] / 4
    # ...and the learned kernel approaches [1, -1].
    ((w1, w2),) = out['10']
    assert abs(w1 - 1) < 0.3 and abs(w2 + 1) < 0.3


def test_7_3_padding_and_strides_shapes():
    report = run('7.3', 'RESULT = {k: list(OUT[k]) for k in (2, 3, 4, 5)}')
    assert report['imports_replaced'] == 0  # 7.3's PyTorch code uses no d2l at all
    assert report['probe'] == {'2': [8, 8], '3': [8, 8], '4': [4, 4], '5': [2, 2]}


def test_7_4_multiple_channels():
    report = run(
        '7.4',
        'RESULT = dict(multi_in=OUT[3].tolist(), K_shape=list(OUT[5]), '
        'multi_out=OUT[6].tolist(), '
        'gap=float((Y1 - Y2).abs().sum()), Y1_shape=list(Y1.shape))',
    )
    out = report['probe']
    assert out['multi_in'] == [[56.0, 72.0], [104.0, 120.0]]
    assert out['K_shape'] == [3, 2, 2, 2]
    assert out['multi_out'] == [
        [[56.0, 72.0], [104.0, 120.0]],
        [[76.0, 100.0], [148.0, 172.0]],
        [[96.0, 128.0], [192.0, 224.0]],
    ]
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
        "RESULT['is_classifier'] = isinstance(model, d2l.Classifier)\n"
    )
    report = run('7.6', probe)
    assert summary_of(report, 4) == SUMMARIES['LeNet'][3]
    result = report['probe']
    # `@d2l.add_to_class(d2l.Classifier)` in the chapter replaced book_utils' method.
    assert result['summary_from_chapter'].endswith('lenet.md')
    assert result['is_classifier']
    check_trained(result, 28)


def test_8_1_alexnet():
    probe = (
        TRAINED_PROBE
        + """
fresh = AlexNet()
fresh(torch.zeros(1, 1, 224, 224))
w = fresh.net[0].weight
RESULT['first_conv_max'] = float(w.abs().max())
RESULT['xavier_bound'] = (6 / (w[0].numel() + w.shape[0] * w[0, 0].numel())) ** 0.5
"""
    )
    report = run('8.1', probe)
    assert summary_of(report, 3) == SUMMARIES['AlexNet'][3]
    result = report['probe']
    check_trained(result, 224)
    # `self.net.apply(d2l.init_cnn)` on lazy layers does give them Xavier init here.
    assert result['first_conv_max'] <= result['xavier_bound'] + 1e-6


def test_8_2_vgg():
    report = run('8.2', TRAINED_PROBE)
    assert summary_of(report, 4) == SUMMARIES['VGG-11'][3]
    check_trained(report['probe'], 224)


def test_8_3_nin():
    report = run('8.3', TRAINED_PROBE)
    assert summary_of(report, 4) == SUMMARIES['NiN'][3]
    check_trained(report['probe'], 224)


def test_8_4_googlenet():
    report = run('8.4', TRAINED_PROBE)
    assert summary_of(report, 9) == SUMMARIES['GoogleNet'][3]
    check_trained(report['probe'], 96)


def test_8_5_batch_norm():
    probe = (
        TRAINED_PROBE
        + """
gamma, beta = OUT[6]
RESULT['gamma_beta_shapes'] = [list(gamma.shape), list(beta.shape)]
RESULT['gamma_moved'] = float((gamma - 1).abs().max())
RESULT['bn_running_mean_moved'] = float(model.net[1].running_mean.abs().max())
"""
    )
    result = run('8.5', probe)['probe']
    check_trained(result, 28)
    # The scratch BatchNorm's scale and shift, after BNLeNetScratch trained a few steps.
    assert result['gamma_beta_shapes'] == [[6], [6]] and result['gamma_moved'] > 0
    # nn.LazyBatchNorm2d of the concise BNLeNet updated its running statistics.
    assert result['bn_running_mean_moved'] > 0


def test_8_6_resnet_and_resnext():
    probe = TRAINED_PROBE + "RESULT['shapes'] = {k: list(OUT[k]) for k in (3, 4, 12)}\n"
    report = run('8.6', probe)
    assert summary_of(report, 9) == SUMMARIES['ResNet18'][3]
    result = report['probe']
    assert result['shapes'] == {'3': [4, 3, 6, 6], '4': [4, 6, 3, 3], '12': [4, 32, 96, 96]}
    check_trained(result, 96)


# ---------------------------------------------------------------------------------------
# D2L's models, built from the checkout on the oracle, against the recorded facts
# ---------------------------------------------------------------------------------------


def _is_definition(node):
    """A top-level import, class or function; not the d2l import, not a patch of d2l's own classes."""
    if isinstance(node, ast.ImportFrom) and node.module == 'd2l':
        return False
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.ClassDef)):
        return True
    if not isinstance(node, ast.FunctionDef):
        return False
    patches_d2l = any(
        isinstance(d, ast.Call)
        and ast.unparse(d.func) == 'd2l.add_to_class'
        and ast.unparse(d.args[0]).startswith('d2l.')
        for d in node.decorator_list
    )
    return not patches_d2l


def d2l_definitions(section, d2l_module):
    """The classes and functions D2L's code for ``section`` defines, built on ``d2l_module``.

    Only the cells' top-level imports, classes and functions run (no training, no
    output); ``@d2l.add_to_class`` methods join the section's own classes as in the book.
    """
    path = d2l_en_dir() / SECTION_SOURCES[section]
    namespace = {'__name__': f'd2l_section_{section}', 'tab': Tab(), 'd2l': d2l_module}
    for line, _, code in pytorch_cells(path.read_text()):
        tree = ast.parse(code, filename=str(path))
        ast.increment_lineno(tree, line)
        module = ast.Module(
            body=[node for node in tree.body if _is_definition(node)], type_ignores=[]
        )
        exec(compile(module, str(path), 'exec'), namespace)
    return namespace


@pytest.fixture(scope='module')
def d2l_classes():
    """Every class of D2L's sections 7.6-8.6, on the oracle package ``d2l.torch``."""
    oracle = pytest.importorskip('d2l.torch')
    d2l_en_dir()
    classes = {}
    for section in ('7.6', '8.1', '8.2', '8.3', '8.4', '8.5', '8.6'):
        classes.update(d2l_definitions(section, oracle))
    return classes


def _pairs():
    """fact name: (book_utils' model, D2L's model from the checkout's classes)."""
    import book_utils as d2l

    return {
        'LeNet': (d2l.LeNet, lambda c: c['LeNet']()),
        'AlexNet': (d2l.AlexNet, lambda c: c['AlexNet']()),
        'VGG-11': (lambda: d2l.VGG('vgg11'), lambda c: c['VGG'](d2l.VGG_ARCHS['vgg11'])),
        'VGG-11/4': (lambda: d2l.VGG(d2l.VGG11_QUARTER), lambda c: c['VGG'](d2l.VGG11_QUARTER)),
        'NiN': (d2l.NiN, lambda c: c['NiN']()),
        'GoogleNet': (d2l.GoogleNet, lambda c: c['GoogleNet']()),
        'BNLeNetScratch': (d2l.BNLeNetScratch, lambda c: c['BNLeNetScratch']()),
        'BNLeNet': (d2l.BNLeNet, lambda c: c['BNLeNet']()),
        'ResNet18': (d2l.ResNet18, lambda c: c['ResNet18']()),
        'ResNet-34': (lambda: d2l.ResNet('resnet34'), lambda c: c['ResNet'](RESNET34_STAGES)),
    }


def _count(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize('name', list(SUMMARIES))
def test_d2l_models_match_the_recorded_facts(d2l_classes, name):
    import torch

    _, shape, _, rows = SUMMARIES[name]
    with torch.device('meta'):  # shapes and counts without allocating the weights
        theirs = _pairs()[name][1](d2l_classes)
        assert summary_rows(theirs, shape) == rows
    assert _count(theirs) == PARAMETER_COUNTS[name]


@pytest.mark.parametrize(
    'name',
    ['LeNet', 'AlexNet', 'VGG-11/4', 'NiN', 'GoogleNet', 'BNLeNetScratch', 'BNLeNet', 'ResNet18'],
)
def test_ours_computes_d2ls_function_given_the_same_weights(d2l_classes, name):
    import torch

    make_ours, make_theirs = _pairs()[name]
    ours, theirs = make_ours(), make_theirs(d2l_classes)
    size = max(ours.input_spec.min_size, 32)
    X = torch.rand(4, 1, size, size)
    ours.eval(), theirs.eval()
    with torch.no_grad():
        ours(X), theirs(X)
    theirs.load_state_dict(ours.state_dict(), strict=False)
    assert set(theirs.state_dict()) <= set(ours.state_dict())
    # Train mode too where it is deterministic and means the same in both: not with
    # dropout, and not for D2L's scratch BatchNorm (it picks its mode from autograd).
    for train in (
        (True, False) if name in ('LeNet', 'GoogleNet', 'BNLeNet', 'ResNet18') else (False,)
    ):
        ours.train(train), theirs.train(train)
        with torch.no_grad():
            torch.testing.assert_close(ours(X), theirs(X))


def test_d2l_batchnorm_loses_its_statistics_on_save(d2l_classes):
    """The defect book_utils fixes: D2L's layer saves nothing but gamma and beta."""
    assert set(d2l_classes['BatchNorm'](3, 4).state_dict()) == {'gamma', 'beta'}


def test_d2l_batchnorm_trains_its_statistics_in_eval_mode(d2l_classes):
    """The other one: with gradients on, D2L's layer in eval mode still uses and updates
    batch statistics; book_utils' layer follows ``train()``/``eval()``."""
    import torch

    import book_utils as d2l

    X = torch.randn(8, 3, 4, 4) * 3 + 5
    ours, theirs = d2l.BatchNorm(3, 4), d2l_classes['BatchNorm'](3, 4)
    ours.eval(), theirs.eval()
    ours(X), theirs(X)
    assert torch.equal(ours.moving_mean, torch.zeros(1, 3, 1, 1))
    assert not torch.equal(theirs.moving_mean, torch.zeros(1, 3, 1, 1))


if __name__ == '__main__':
    sys.exit(_child_main(sys.argv[1:]))
