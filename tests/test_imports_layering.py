"""Imports run one way: a module imports only from layers below its own.

The layers, bottom to top (CONTRIBUTING.md's module map): argument checks;
tensors, devices, profiles, ops and the other leaf helpers; ``hparams``; ``plot``;
data, models' base class, checkpoints, reporting and steps; the Trainer and
``results``; ``models/``; ``widgets/`` and D2L's function-style API (``classic``, which
builds ``resnet18`` from ``models/``). A new module must be given a layer here.
Parsed with ``ast``, so imports inside functions count too.
"""
import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / 'book_utils'

LAYERS = [
    {'checks', 'notices'},
    {'tensors', 'devices', 'profiles', 'ops', 'costs', 'diagrams'},
    {'hparams'},
    {'plot'},
    {'data', 'module', 'checkpoint', 'report', 'steps', 'classic_tools'},
    {'train', 'results', 'classic_regression'},
    {'models', 'experiments'},
    {'widgets', 'classic', 'run_settings'},
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}


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
