"""Our public names keep d2l 1.0.3's signatures: compared with the oracle's torch.py, parsed.

The oracle's source is read with ``ast`` (not imported), so the comparison sees
exactly what D2L wrote: parameter names, their order, their kinds and their
defaults. Ours may add keyword-only parameters; nothing else may differ. For a
class, ``__init__`` and every public method D2L defines in its body are compared.
"""

import ast
import importlib.util
import inspect
from pathlib import Path

import pytest

import book_utils as d2l

FUNCTION_STYLE = [
    'load_data_fashion_mnist',
    'train_ch6',
    'evaluate_accuracy_gpu',
    'evaluate_loss',
    'accuracy',
    'get_fashion_mnist_labels',
    'resnet18',
    'load_array',
    'synthetic_data',
    'sgd',
    'linreg',
    'squared_loss',
    'get_dataloader_workers',
    'check_shape',
    'check_len',
    'try_all_gpus',
]
CLASSES = [
    'Animator',
    'Accumulator',
    'Timer',
    'SyntheticRegressionData',
    'LinearRegressionScratch',
    'SGD',
    'LinearRegression',
    'SoftmaxRegression',
]
NO_DEFAULT = object()


def oracle_source():
    spec = importlib.util.find_spec('d2l')
    if spec is None:
        pytest.skip('the d2l oracle is not installed')
    return (Path(spec.origin).parent / 'torch.py').read_text()


def oracle_definitions():
    """Top-level functions and classes of d2l/torch.py; a later definition replaces an
    earlier one, as it does when Python runs the module."""
    defs = {}
    for node in ast.parse(oracle_source()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defs[node.name] = node
    return defs


def ast_params(func):
    """[(name, kind, default)] of a parsed function, ``self`` dropped."""
    args = func.args
    positional = args.posonlyargs + args.args
    defaults = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults
    ]
    params = [(a.arg, 'positional', d) for a, d in zip(positional, defaults)]
    if args.vararg:
        params.append((args.vararg.arg, 'var_positional', NO_DEFAULT))
    params += [
        (a.arg, 'keyword_only', NO_DEFAULT if d is None else ast.literal_eval(d))
        for a, d in zip(args.kwonlyargs, args.kw_defaults)
    ]
    if args.kwarg:
        params.append((args.kwarg.arg, 'var_keyword', NO_DEFAULT))
    return [p for p in params if p[0] != 'self']


KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: 'positional',
    inspect.Parameter.POSITIONAL_OR_KEYWORD: 'positional',
    inspect.Parameter.VAR_POSITIONAL: 'var_positional',
    inspect.Parameter.KEYWORD_ONLY: 'keyword_only',
    inspect.Parameter.VAR_KEYWORD: 'var_keyword',
}


def our_params(func):
    params = []
    for p in inspect.signature(func).parameters.values():
        default = NO_DEFAULT if p.default is inspect.Parameter.empty else p.default
        params.append((p.name, KINDS[p.kind], default))
    return [p for p in params if p[0] != 'self']


def assert_same_signature(ours, theirs, where):
    """D2L's parameters, in order, with D2L's defaults; extra keyword-only ones allowed."""
    extra = ours[len(theirs) :]
    assert ours[: len(theirs)] == theirs, f'{where}: ours {ours}, D2L {theirs}'
    assert all(
        kind == 'keyword_only' and default is not NO_DEFAULT for _, kind, default in extra
    ), f'{where}: extra parameters {extra}'


def test_the_list_is_d2ls():
    defs = oracle_definitions()
    missing = [name for name in FUNCTION_STYLE + CLASSES if name not in defs]
    assert not missing, f'not in d2l/torch.py: {missing}'


@pytest.mark.parametrize('name', FUNCTION_STYLE)
def test_function_signature_matches_d2l(name):
    node = oracle_definitions()[name]
    assert isinstance(node, ast.FunctionDef)
    assert inspect.isfunction(getattr(d2l, name))
    assert_same_signature(our_params(getattr(d2l, name)), ast_params(node), name)


@pytest.mark.parametrize('name', CLASSES)
def test_class_signature_and_methods_match_d2l(name):
    node = oracle_definitions()[name]
    ours = getattr(d2l, name)
    assert isinstance(node, ast.ClassDef) and inspect.isclass(ours)
    methods = {
        m.name: m
        for m in node.body
        if isinstance(m, ast.FunctionDef)
        and (not m.name.startswith('_') or m.name in ('__init__', '__getitem__'))
    }
    assert methods, f'{name}: D2L defines no methods?'
    for method, func in methods.items():
        assert hasattr(ours, method), f'{name}.{method} is missing'
        assert_same_signature(
            our_params(getattr(ours, method)), ast_params(func), f'{name}.{method}'
        )


def test_parser_sees_a_real_difference():
    """The comparison is not blind: a reordered or renamed parameter is reported."""
    theirs = ast_params(oracle_definitions()['train_ch6'])

    def reordered(net, train_iter, test_iter, lr, num_epochs, device):
        pass

    def extra_positional(net, train_iter, test_iter, num_epochs, lr, device, amp=True):
        pass

    for func in (reordered, extra_positional):
        with pytest.raises(AssertionError):
            assert_same_signature(our_params(func), theirs, func.__name__)
