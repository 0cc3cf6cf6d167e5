"""Imports run one way: a file imports only from layers below its own, and nothing imports
itself back through a cycle.

Every ``.py`` file of the package is parsed with ``ast``, so imports inside functions count
too. Two rankings are checked: the package's units (its top-level modules and subpackages,
``UNITS``) and, inside each subpackage, its files (``INSIDE``; the widgets rank their own
files in ``WIDGETS``). A new module must be given a place in one of them.
"""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / 'book_utils'

# Bottom to top. A unit may import only from units in lower layers (and from itself).
UNITS = [
    {'checks'},  # argument checks, used everywhere
    {'hparams', 'results', 'lazy_layers'},  # D2L's class tricks; measured runs; lazy shapes
    {'teaching'},  # ops, costs, diagrams, plot
    {'engine'},  # Module, Trainer, steps, reports, checkpoints, caps
    {'data'},  # Fashion-MNIST
    {'models', 'experiments'},  # the networks of chapters 7 and 8; quiet exercise runs
    {'classic', 'chapter_runs'},  # D2L's function-style API; settings() per chapter
    {'widgets', 'answers'},  # the interactive pages; the exercise checks
    {'setup_cell'},  # what each notebook's first cell calls
]
UNIT_RANK = {name: i for i, names in enumerate(UNITS) for name in names}

# Inside a subpackage, bottom to top; its __init__.py sits above all of its files.
INSIDE = {
    'engine': [
        {'notices', 'devices', 'profiles'},
        {'module', 'report', 'placement', 'checkpoint'},
        {'train'},
    ],
    'classic': [{'tensors', 'tools'}, {'regression', 'training'}],
    'teaching': [{'ops', 'costs', 'diagrams', 'plot', 'glue'}],
    'data': [{'datasets'}],
    'models': [{'arch'}, {'lenet', 'alexnet', 'vgg', 'nin', 'googlenet', 'batchnorm', 'resnet'}],
}
WIDGETS = {
    'widgets': [
        {'html_parts', 'conv_geometry', 'pooling_maths', 'image_kernels', 'runs'},
        {'base'},
        {'conv_shapes', 'pooling', 'kernel_designer', 'dashboard'},
    ]
}


def files():
    return sorted(PACKAGE.rglob('*.py'))


def dotted(path):
    """('engine', 'train') for book_utils/engine/train.py, ('models',) for models/__init__.py."""
    parts = path.relative_to(PACKAGE).with_suffix('').parts
    return parts[:-1] if parts[-1] == '__init__' else parts


def known_modules():
    return {dotted(p) for p in files()}


def resolve(target, known):
    """The longest prefix of ``target`` that is a module or package of the package."""
    for n in range(len(target), 0, -1):
        if tuple(target[:n]) in known:
            return tuple(target[:n])
    return ()


def imports_of(path, known=None):
    """[(imported module as a tuple of names, line)] for every package import in ``path``."""
    known = known_modules() if known is None else known
    here = dotted(path) if path.name == '__init__.py' else dotted(path)[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = []
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.level - 1 > len(here):
                continue
            base = list(here[: len(here) - (node.level - 1)])
            base += node.module.split('.') if node.module else []
            targets = [base + [a.name] for a in node.names]  # a name may be a submodule
        elif isinstance(node, ast.ImportFrom) and (node.module or '').startswith('book_utils.'):
            base = node.module.split('.')[1:]
            targets = [base + [a.name] for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [
                a.name.split('.')[1:] for a in node.names if a.name.startswith('book_utils.')
            ]
        for target in targets:
            module = resolve(target, known)
            if module and module != dotted(path):
                found.append((module, node.lineno))
    return sorted(set(found), key=lambda f: (f[1], f[0]))


def unit_rank(module):
    return UNIT_RANK[module[0]] if module else len(UNITS)  # () is book_utils/__init__.py


def inside_rank(module, rankings):
    """The rank of ``module`` among its subpackage's files (its __init__ above them all)."""
    layers = rankings[module[0]]
    if len(module) == 1:
        return len(layers)
    rank = {name: i for i, names in enumerate(layers) for name in names}
    return rank[module[1]]


def rankings():
    return {**INSIDE, **WIDGETS}


MODULES = files()


def label(path):
    return str(path.relative_to(PACKAGE))


def test_every_unit_has_a_layer():
    units = {dotted(p)[0] for p in MODULES if dotted(p)}
    assert units <= set(UNIT_RANK), f'give these a layer in UNITS: {sorted(units - set(UNIT_RANK))}'


def test_every_file_of_a_ranked_subpackage_has_a_rank():
    missing = [
        label(p)
        for p in MODULES
        if len(dotted(p)) == 2
        and dotted(p)[0] in rankings()
        and not any(dotted(p)[1] in names for names in rankings()[dotted(p)[0]])
    ]
    assert not missing, f'give these a rank in INSIDE: {missing}'


@pytest.mark.parametrize('path', MODULES, ids=label)
def test_imports_point_down_between_units(path):
    me = dotted(path)
    wrong = [
        f'line {line}: {".".join(me) or "__init__"} (layer {unit_rank(me)}) imports '
        f'{".".join(target)} (layer {unit_rank(target)})'
        for target, line in imports_of(path)
        if me and target[0] != me[0] and unit_rank(target) >= unit_rank(me)
    ]
    assert not wrong, '; '.join(wrong)


@pytest.mark.parametrize(
    'path', [p for p in MODULES if len(dotted(p)) == 2 and dotted(p)[0] in rankings()], ids=label
)
def test_imports_point_down_inside_a_subpackage(path):
    me = dotted(path)
    ranks = rankings()
    wrong = [
        f'line {line}: {".".join(me)} (rank {inside_rank(me, ranks)}) imports '
        f'{".".join(target)} (rank {inside_rank(target, ranks)})'
        for target, line in imports_of(path)
        if target[0] == me[0] and inside_rank(target, ranks) >= inside_rank(me, ranks)
    ]
    assert not wrong, '; '.join(wrong)


def find_cycle(graph):
    """One cycle of ``graph`` ({node: {nodes it imports}}) as a list of nodes, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 'open':
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        state[node] = 'done'
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def import_graph():
    known = known_modules()
    return {dotted(p): {t for t, _ in imports_of(p, known)} for p in MODULES}


def test_no_import_cycle_between_files():
    cycle = find_cycle(import_graph())
    assert cycle is None, 'import cycle: ' + ' -> '.join('.'.join(m) or '__init__' for m in cycle)


def fake_package(tmp_path, monkeypatch, sources):
    """A throw-away book_utils/ with the given files, which the checks above then read."""
    root = tmp_path / 'book_utils'
    for name, text in sources.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], 'PACKAGE', root)
    monkeypatch.setattr(sys.modules[__name__], 'MODULES', sorted(root.rglob('*.py')))
    return root


def test_the_checker_sees_an_upward_import_inside_a_function(tmp_path, monkeypatch):
    root = fake_package(
        tmp_path,
        monkeypatch,
        {
            'checks.py': 'def f():\n    from .engine.train import Trainer\n',
            'engine/__init__.py': '',
            'engine/train.py': 'from ..checks import f\n',
        },
    )
    assert imports_of(root / 'checks.py') == [(('engine', 'train'), 2)]
    with pytest.raises(AssertionError, match=r'checks \(layer 0\) imports engine.train'):
        test_imports_point_down_between_units(root / 'checks.py')


def test_the_checker_sees_an_upward_import_inside_a_subpackage(tmp_path, monkeypatch):
    root = fake_package(
        tmp_path,
        monkeypatch,
        {
            'engine/__init__.py': '',
            'engine/notices.py': 'from . import train\n',
            'engine/train.py': 'from .notices import say_once\n',
        },
    )
    with pytest.raises(AssertionError, match=r'engine.notices \(rank 0\) imports engine.train'):
        test_imports_point_down_inside_a_subpackage(root / 'engine' / 'notices.py')


def test_the_checker_sees_a_cycle_through_function_level_imports(tmp_path, monkeypatch):
    root = fake_package(
        tmp_path,
        monkeypatch,
        {
            'widgets/__init__.py': '',
            'widgets/base.py': 'from . import static_view\n',
            'widgets/static_view.py': 'def f():\n    from .pooling import x\n',
            'widgets/pooling.py': 'from .base import BookWidget\n',
        },
    )
    cycle = find_cycle({dotted(p): {t for t, _ in imports_of(p)} for p in root.rglob('*.py')})
    assert cycle == [('widgets', m) for m in ('base', 'static_view', 'pooling', 'base')]
