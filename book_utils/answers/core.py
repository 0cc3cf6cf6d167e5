"""The machinery of ``check_answer``: a registry of checks, their verdicts, fresh random cases.

A check is a randomised property test: it draws new inputs at every call, runs the student's
answer on them and compares with PyTorch. Its verdict is truthy only for a right answer and,
printed, says what passed or shows one counterexample; it never shows the reference answer.
A wrong or crashing answer, or a stub still reading ``...``, gives a falsy verdict, never an
exception, so a student notebook runs to the end whatever its answers are.
"""

import contextlib
import dataclasses
import dis
import os
import random
import traceback

import torch

__all__ = ['Check', 'Verdict', 'Wrong', 'register', 'check_answer', 'checks', 'run_check']

_CHECKS = {}


@dataclasses.dataclass(frozen=True)
class Check:
    """One exercise's check: ``id`` as D2L numbers it, the stub the student edition inserts,
    the name the stub defines (the grader looks the answer up by it), and the test itself."""

    id: str
    name: str
    stub: str
    test: callable
    what: str  # one phrase for the verdict: 'max from ReLUs'


class Wrong(Exception):
    """Raised inside a test with one counterexample; becomes a falsy verdict."""


class NotAnswered(Exception):
    """Raised inside a test when the answer is still the stub."""


@dataclasses.dataclass
class Verdict:
    """What ``check_answer`` returns: truthy for a right answer, a sentence when printed."""

    id: str
    passed: bool
    message: str
    answered: bool = True

    def __bool__(self):
        return self.passed

    def __repr__(self):
        mark = 'passed' if self.passed else ('not answered yet' if not self.answered else 'not yet')
        return f'{self.id} {mark}: {self.message}'

    __str__ = __repr__


def register(id, name, stub, what):
    """Decorator: ``test(answer, rng, hidden)`` becomes the check of exercise or part ``id``."""

    def wrap(test):
        if id in _CHECKS:
            raise RuntimeError(f'check {id} registered twice')
        _CHECKS[id] = Check(id, name, stub.strip('\n') + '\n', test, what)
        return test

    return wrap


def _key(id):
    return tuple(int(p) for p in id.split('.'))


def checks():
    """All checks, in D2L's order of exercises."""
    return [_CHECKS[k] for k in sorted(_CHECKS, key=_key)]


_EMPTY_OPS = {'RESUME', 'NOP', 'CACHE', 'LOAD_CONST', 'RETURN_CONST', 'RETURN_VALUE'}


def _is_stub(answer):
    """True for ``...`` itself, a function whose body is only ``...`` (or a docstring), and a
    class whose own methods are all such functions."""
    if answer is Ellipsis or answer is None:
        return True
    code = getattr(answer, '__code__', None)
    if code is not None:  # the body does nothing but return None (Python 3.10-3.13 bytecode)
        return all(
            i.opname in _EMPTY_OPS
            and (i.opname not in ('LOAD_CONST', 'RETURN_CONST') or i.argval is None)
            for i in dis.get_instructions(code)
        )
    if isinstance(answer, type):
        own = [v for k, v in vars(answer).items() if callable(v) and hasattr(v, '__code__')]
        return bool(own) and all(_is_stub(v) for v in own)
    return False


class Rng:
    """Fresh random cases at every call (seeded from the OS), and a torch generator from them."""

    def __init__(self, seed=None):
        seed = int.from_bytes(os.urandom(8), 'little') if seed is None else seed
        self.random = random.Random(seed)
        self.torch = torch.Generator().manual_seed(seed % (2**63))

    def int(self, low, high):
        return self.random.randint(low, high)

    def choice(self, seq):
        return self.random.choice(seq)

    def randn(self, *shape):
        return torch.randn(*shape, generator=self.torch)

    def rand(self, *shape):
        return torch.rand(*shape, generator=self.torch)


def run_check(check, answer, hidden=False, seed=None):
    """Run one check on ``answer``; never raises (the grader calls this with ``hidden=True``,
    which draws more and different cases)."""
    if _is_stub(answer):
        return Verdict(
            check.id,
            False,
            f'define {check.name} in the answer cell and run it again.',
            answered=False,
        )
    rng = Rng(seed)
    try:
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            message = check.test(answer, rng, hidden)
    except NotAnswered:
        return Verdict(check.id, False, f'{check.name} is still the stub.', answered=False)
    except Wrong as wrong:
        return Verdict(check.id, False, str(wrong))
    except Exception as error:  # the student's code, or our call of it, failed: report, never raise
        where = traceback.extract_tb(error.__traceback__)[-1]
        return Verdict(
            check.id,
            False,
            f'checking {check.name} raised {type(error).__name__}: '
            f'{error} (line {where.lineno} of {os.path.basename(where.filename)}).',
        )
    return Verdict(check.id, True, message or f'{check.what}: right on every random case.')


def check_answer(id, answer):
    """Check a student's answer to D2L exercise (or part) ``id`` on fresh random cases.

    ``d2l.check_answer('7.5.3.1', relu_max)`` is truthy only for a right answer; printed, it
    says what passed or gives one counterexample. Wrong, crashing and unfinished answers never
    raise; an id without a check raises ``ValueError`` listing those that exist.
    """
    id = str(id).strip()
    if id not in _CHECKS:
        raise ValueError(
            f'check_answer has no check for exercise {id!r}; pass one of '
            f'{", ".join(c.id for c in checks())}.'
        )
    return run_check(_CHECKS[id], answer)


_INHERITED = object()  # the attribute came from a base class: delete our patch to restore it


@contextlib.contextmanager
def forbidden(reason, *targets):
    """Make ``module.attr`` raise while the answer runs (an average pooling 'by convolution'
    that calls F.avg_pool2d is not what the exercise asks). ``targets``: (module, attr) pairs."""
    saved = []

    def refuse(name):
        def raiser(*args, **kwargs):
            raise Wrong(f'your answer called {name}; {reason}')

        return raiser

    try:
        for module, attr in targets:
            if hasattr(module, attr):
                saved.append((module, attr, vars(module).get(attr, _INHERITED)))
                setattr(
                    module,
                    attr,
                    refuse(f'{getattr(module, "__name__", module.__class__.__name__)}.{attr}'),
                )
        yield
    finally:
        for module, attr, value in reversed(saved):
            if value is _INHERITED:
                delattr(module, attr)
            else:
                setattr(module, attr, value)


def fmt(x):
    """A number or small tensor as a student would write it."""
    if isinstance(x, torch.Tensor):
        if x.numel() == 1:
            return f'{x.item():.4g}'
        return (
            str([round(v, 3) for v in x.flatten().tolist()])
            if x.dim() == 1
            else str(torch.round(x * 1000) / 1000).replace('tensor(', '').rstrip(')')
        )
    if isinstance(x, float):
        return f'{x:.4g}'
    return repr(x)


def shape_of(x):
    return tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__


def compare_tensor(got, expected, call, atol=1e-4, rtol=1e-4, context=None):
    """Raise ``Wrong`` naming the call, the shape or the first differing entry."""
    if not isinstance(got, torch.Tensor):
        raise Wrong(
            f'your {call} returned a {type(got).__name__}; expected a tensor of shape '
            f'{tuple(expected.shape)}.'
        )
    if tuple(got.shape) != tuple(expected.shape):
        raise Wrong(
            f'your {call} returned shape {tuple(got.shape)}; expected {tuple(expected.shape)}.'
        )
    got = got.detach().to(expected.dtype)
    bad = ~torch.isclose(got, expected, atol=atol, rtol=rtol)
    if bad.any():
        where = tuple(int(i) for i in bad.nonzero()[0])
        extra = f' {context(where)}' if context else ''
        raise Wrong(
            f'your {call} gives {got[where].item():.4g} at index {where}; expected '
            f'{expected[where].item():.4g}.{extra}'
        )


def compare_number(got, expected, call, also=(), reveal=True):
    """Raise ``Wrong`` unless ``got`` equals ``expected`` (or one of ``also``, other accepted
    conventions). ``reveal=False`` where the case is fixed, so the expected number would be
    the answer itself: the message then says only 'too large' or 'too small'."""
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        raise Wrong(f'your {call} returned {type(got).__name__} {got!r}; expected a number.')
    if got != expected and got not in also:
        if reveal:
            raise Wrong(f'your {call} returned {got:g}; expected {expected:g}.')
        hint = 'too large' if got > expected else 'too small'
        raise Wrong(f'your {call} returned {got:g}, which is {hint}.')
