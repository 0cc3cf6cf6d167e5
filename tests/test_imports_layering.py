"""Imports run one way: a module imports only from layers below its own.

The layers, bottom to top (CONTRIBUTING.md's module map): argument checks;
tensors, devices, profiles, ops and the other leaf helpers; ``hparams``; ``plot``;
data, models' base class, checkpoints, reporting and steps; the Trainer and
``results``; ``models/``; ``widgets/`` and D2L's function-style API (``classic``, which
builds ``resnet18`` from ``models/``). A new module must be given a layer here.
Parsed with ``ast``, so imports inside functions count too.

Inside a subpackage the files are ranked the same way (``SUBPACKAGE_LAYERS``), so a
cycle such as ``widgets.base -> static_view -> pooling -> base`` fails even though
all three sit in one unit; a subpackage without a ranking must at least have no cycle.
"""
import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / 'book_utils'

LAYERS = [
    {'checks', 'notices'},
    {'tensors', 'devices', 'profiles', 'ops', 'costs', 'diagrams', 'datasets'},
    {'hparams'},
    {'plot'},
    {'data', 'module', 'checkpoint', 'report', 'steps', 'classic_tools'},
    {'train', 'results', 'classic_regression'},
    {'models'},
    {'widgets', 'classic', 'run_settings'},
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}

#: bottom to top, the files of each subpackage ('__init__' sits above them all)
SUBPACKAGE_LAYERS = {
    'widgets': [
        # leaves: the HTML parts of the kernel-free views, and each widget's pure maths
        {'html_parts', 'conv_geometry', 'pool_maps', 'kernels', 'runs'},
        {'base'},   # what every widget shares
        {'conv_shapes', 'pooling', 'kernel_designer', 'dashboard'},   # one widget a file
    ],
    'models': [
        {'arch'},
        {'lenet', 'alexnet', 'vgg', 'nin', 'googlenet', 'batchnorm', 'resnet'},
    ],
    'results': [],   # only __init__.py
}


def unit_of(path):
    """'train' for book_utils/train.py, 'widgets' for anything in book_utils/widgets/."""
    parts = path.relative_to(PACKAGE).with_suffix('').parts
    return parts[0]


def imported_units(path):
    """The package units that ``path`` imports (relative or absolute), with line numbers."""
    depth = len(path.relative_to(PACKAGE).parts) - 1   # 0 for book_utils/x.py
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = node.level - 1   # levels above the module's own folder
            if up > depth:
                continue
            here = list(path.relative_to(PACKAGE).parts[:-1])[:depth - up]
            target = here + (node.module.split('.') if node.module else [])
            if not target:   # 'from . import x' in book_utils/: x is the unit
                target = [alias.name for alias in node.names]
            found += [(target[0], node.lineno)]
        elif isinstance(node, ast.ImportFrom) and (node.module or '').startswith('book_utils.'):
            found.append((node.module.split('.')[1], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name.split('.')[1], node.lineno) for a in node.names
                      if a.name.startswith('book_utils.')]
    return found


MODULES = sorted(p for p in PACKAGE.rglob('*.py') if p != PACKAGE / '__init__.py')


def sibling_imports(path):
    """The files of ``path``'s own subpackage that it imports, with line numbers:
    ``from .base import x``, ``from . import runs``, ``from book_utils.widgets.base import x``."""
    rel = path.relative_to(PACKAGE)
    folder = rel.parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = []
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            targets = ([node.module.split('.')[0]] if node.module
                       else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split('.')
            if parts[:1 + len(folder)] == ['book_utils', *folder]:
                rest = parts[1 + len(folder):]
                targets = rest[:1] if rest else [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split('.')
                if parts[:1 + len(folder)] == ['book_utils', *folder] and len(parts) > 1 + len(folder):
                    targets.append(parts[1 + len(folder)])
        found += [(t, node.lineno) for t in targets if (PACKAGE.joinpath(*folder, t + '.py')).exists()
                  or (PACKAGE.joinpath(*folder, t)).is_dir()]
    return found


SUBPACKAGES = sorted({p.parent for p in MODULES if p.parent != PACKAGE})


def subpackage_rank(folder):
    layers = SUBPACKAGE_LAYERS.get(folder.relative_to(PACKAGE).as_posix())
    if layers is None:
        return None
    rank = {name: i for i, names in enumerate(layers) for name in names}
    rank['__init__'] = len(layers)
    return rank


def test_every_module_has_a_layer():
    units = {unit_of(p) for p in MODULES}
    assert units <= set(RANK), f'give these a layer in LAYERS: {sorted(units - set(RANK))}'


@pytest.mark.parametrize('path', MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    unit = unit_of(path)
    wrong = [f'line {line}: {unit} (layer {RANK[unit]}) imports {target} (layer {RANK[target]})'
             for target, line in imported_units(path)
             if target != unit and RANK.get(target, -1) >= RANK[unit]]
    assert not wrong, '; '.join(wrong)


def test_the_checker_sees_an_upward_import(tmp_path, monkeypatch):
    """The test itself: an import of the Trainer from the checks module is caught."""
    fake = tmp_path / 'book_utils'
    fake.mkdir()
    (fake / 'checks.py').write_text('def f():\n    from .train import Trainer\n')
    (fake / 'widgets').mkdir()
    (fake / 'widgets' / 'x.py').write_text('from ..module import Module\nfrom . import runs\n')
    monkeypatch.setattr(sys.modules[__name__], 'PACKAGE', fake)
    assert imported_units(fake / 'checks.py') == [('train', 2)]
    assert imported_units(fake / 'widgets' / 'x.py') == [('module', 1), ('widgets', 2)]
    with pytest.raises(AssertionError, match='checks .layer 0. imports train'):
        test_imports_point_down(fake / 'checks.py')


@pytest.mark.parametrize('folder', SUBPACKAGES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_files_inside_a_subpackage_import_down(folder):
    """Every file of a ranked subpackage has a layer, and imports only files below it."""
    rank = subpackage_rank(folder)
    if rank is None:
        pytest.skip(f'{folder.name} has no ranking in SUBPACKAGE_LAYERS (the cycle test covers it)')
    files = {p.stem: p for p in folder.glob('*.py')}
    assert set(files) <= set(rank), \
        f'give these files of {folder.name}/ a layer in SUBPACKAGE_LAYERS: {sorted(set(files) - set(rank))}'
    wrong = [f'{name}.py line {line}: {name} (layer {rank[name]}) imports {target} '
             f'(layer {rank.get(target, "none")})'
             for name, path in files.items() for target, line in sibling_imports(path)
             if target != name and rank.get(target, len(rank)) >= rank[name]]
    assert not wrong, '; '.join(wrong)


def _cycle(graph):
    """One import cycle in ``graph`` (name -> imported names) as a list, or None."""
    state = {}

    def visit(node, trail):
        state[node] = 'open'
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 'open':
                return trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
            if nxt not in state:
                found = visit(nxt, trail + [nxt])
                if found:
                    return found
        state[node] = 'done'
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


@pytest.mark.parametrize('folder', SUBPACKAGES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_cycle_inside_a_subpackage(folder):
    graph = {p.stem: {t for t, _ in sibling_imports(p) if t != p.stem} for p in folder.glob('*.py')}
    cycle = _cycle(graph)
    assert cycle is None, f'import cycle inside {folder.name}/: {" -> ".join(cycle)}'


def test_the_checker_sees_a_cycle_inside_a_subpackage(tmp_path, monkeypatch):
    """Today's widgets before the fix: base -> static_view -> pooling -> base, all in one unit."""
    fake = tmp_path / 'book_utils'
    (fake / 'widgets').mkdir(parents=True)
    (fake / 'widgets' / '__init__.py').write_text('from .pooling import pooling_explorer\n')
    (fake / 'widgets' / 'base.py').write_text('from . import static_view\n')
    (fake / 'widgets' / 'static_view.py').write_text('def view():\n    from .pooling import x\n')
    (fake / 'widgets' / 'pooling.py').write_text('from .base import BookWidget\n'
                                                 'from book_utils.widgets import html_parts\n')
    (fake / 'widgets' / 'html_parts.py').write_text('import json\n')
    monkeypatch.setattr(sys.modules[__name__], 'PACKAGE', fake)
    assert sibling_imports(fake / 'widgets' / 'static_view.py') == [('pooling', 2)]
    assert sibling_imports(fake / 'widgets' / 'pooling.py') == [('base', 1), ('html_parts', 2)]
    with pytest.raises(AssertionError, match='import cycle inside widgets/: .*base -> static_view'):
        test_no_import_cycle_inside_a_subpackage(fake / 'widgets')
    with pytest.raises(AssertionError, match='static_view'):   # a file without a layer
        test_files_inside_a_subpackage_import_down(fake / 'widgets')
    (fake / 'widgets' / 'static_view.py').unlink()
    with pytest.raises(AssertionError, match='html_parts.py line 1|base.py line 1'):
        (fake / 'widgets' / 'html_parts.py').write_text('from .base import BookWidget\n')
        test_files_inside_a_subpackage_import_down(fake / 'widgets')
