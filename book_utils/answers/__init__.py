"""Checks a student runs on an exercise's answer: ``d2l.check_answer('7.5.3.1', relu_max)``.

``core`` holds the registry and the verdicts; ``chapter7`` and ``chapter8`` the checks, one
randomised property test against PyTorch per exercise or part whose answer code can judge;
``catalogue`` D2L's list of exercises, which the student edition is built against.
"""

from . import chapter7, chapter8  # noqa: F401  (registers the checks)
from .catalogue import exercise_ids, nested_parts
from .core import Check, Verdict, check_answer, checks, run_check

__all__ = [
    'Check',
    'Verdict',
    'check_answer',
    'checks',
    'run_check',
    'exercise_ids',
    'nested_parts',
]
