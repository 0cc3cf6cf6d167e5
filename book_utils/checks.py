"""Argument checks shared by ops, widgets, data, models and the Trainer.

One house style for every refusal: the message names the parameter, the value
received and what is allowed, so a student can fix the call without reading
the library. A wrong *type* is a ``TypeError``; a value of the right type but
outside what is allowed is a ``ValueError``. Nothing here clamps, rounds or
wraps a value: what cannot be used is refused.

This module imports nothing from the package, so every other module may use it.
"""

import math
import numbers
from collections.abc import Collection

__all__ = ['check_int', 'check_pair', 'check_float', 'check_bool', 'check_choice']


def _is_int(value):
    # bool is an int subclass, but ``kernel_size=True`` is a mistake, not a 1
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _range_text(low, high):
    if low is not None and high is not None:
        return f'between {low} and {high}'
    if low is not None:
        return f'at least {low}'
    return f'at most {high}'


def check_int(value: object, name: str, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` in ``[low, high]`` (either bound may be None)."""
    if not _is_int(value):
        raise TypeError(f'{name} must be an int, got {value!r} ({type(value).__name__}).')
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f'{name} must be {_range_text(low, high)}, got {value}.')
    return value


def check_pair(
    value: object, name: str, low: int | None = None, high: int | None = None
) -> tuple[int, int]:
    """``3 -> (3, 3)``, ``(3, 5) -> (3, 5)``: an int or a (height, width) pair of ints,
    each in ``[low, high]``; anything else (floats, strings, triples) is refused."""
    if _is_int(value):
        pair = (int(value), int(value))
    elif (
        (isinstance(value, (tuple, list)) or type(value).__name__ == 'Size')
        and len(value) == 2
        and all(_is_int(v) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f'{name} must be an int or a (height, width) pair of ints, got {value!r}.')
    if any((low is not None and v < low) or (high is not None and v > high) for v in pair):
        raise ValueError(
            f'{name} must be {_range_text(low, high)} (each of height and width), got {value!r}.'
        )
    return pair


def check_float(
    value: object,
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f'{name} must be a number, got {value!r} ({type(value).__name__}).')
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f'{name} must be a finite number, got {value}.')
    too_low = low is not None and (value <= low if low_open else value < low)
    if too_low or (high is not None and value > high):
        what = (
            f'greater than {low}' + (f' and at most {high}' if high is not None else '')
            if low_open
            else _range_text(low, high)
        )
        raise ValueError(f'{name} must be {what}, got {value}.')
    return value


def check_bool(value: object, name: str) -> bool:
    """``True`` or ``False`` only: ``bool('off')`` is True, so strings are refused."""
    if not isinstance(value, bool):
        raise TypeError(f'{name} must be True or False, got {value!r}.')
    return value


def check_choice(value: object, name: str, choices: Collection) -> object:
    """``value`` if it is one of ``choices``; otherwise an error listing them."""
    if value not in choices:
        allowed = ', '.join(repr(c) for c in choices)
        raise ValueError(f'{name} must be one of {allowed}; got {value!r}.')
    return value
