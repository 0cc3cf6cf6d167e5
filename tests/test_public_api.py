"""``import book_utils as d2l`` offers exactly the names it offered before the package was
split into subpackages, each with the same signature (snapshot in tests/snapshots/public_api.json,
written by tests/public_api.py). Methods may be added to a class; none may go or change."""

import json
from pathlib import Path

import pytest
from public_api import SNAPSHOT, describe

import book_utils

BEFORE = json.loads((Path(__file__).parent / SNAPSHOT).read_text())
NOW = describe(book_utils)


def test_the_same_public_names():
    gone, new = sorted(set(BEFORE) - set(NOW)), sorted(set(NOW) - set(BEFORE))
    assert not gone and not new, f'names gone: {gone}; names added: {new}'


@pytest.mark.parametrize('name', sorted(BEFORE))
def test_the_same_kind_and_signature(name):
    before, now = BEFORE[name], NOW.get(name)
    if now is None:
        pytest.fail(f'{name} is gone')
    assert {k: v for k, v in now.items() if k != 'methods'} == {
        k: v for k, v in before.items() if k != 'methods'
    }
    for method, params in before.get('methods', {}).items():
        assert now['methods'].get(method) == params, f'{name}.{method} changed or is gone'


def test_the_comparison_sees_a_changed_default():
    """The check itself: a default that differs from the snapshot is a difference."""

    def corr2d(X, K, padding=1):
        return X

    from public_api import parameters

    assert parameters(corr2d) != BEFORE['corr2d']['signature']
    assert parameters(book_utils.corr2d) == BEFORE['corr2d']['signature']


def test_all_lists_exactly_the_public_names():
    assert sorted(book_utils.__all__) == sorted(BEFORE)
    assert len(book_utils.__all__) == len(set(book_utils.__all__))


def defined_names(path):
    """Names a module's own top level binds by def, class or assignment (not by import)."""
    import ast

    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


MODULES_WITH_ALL = [
    p
    for p in sorted(Path(book_utils.__file__).parent.rglob('*.py'))
    if p.name != '__init__.py' and '__all__' in p.read_text()
]


@pytest.mark.parametrize('path', MODULES_WITH_ALL, ids=lambda p: p.stem)
def test_a_module_exports_only_names_it_owns(path):
    """Re-exporting is the job of a package's __init__.py; a module's __all__ lists only what
    it defines, so that a reader who follows a name finds its code there."""
    import importlib

    package_root = Path(book_utils.__file__).parent.parent
    name = '.'.join(path.relative_to(package_root).with_suffix('').parts)
    exported = set(importlib.import_module(name).__all__)
    assert exported <= defined_names(path), (
        f'{name}.__all__ lists names defined elsewhere: {sorted(exported - defined_names(path))}'
    )
