"""book_utils.checks: one refusal style for every argument in the package."""

import pytest
import torch

from book_utils import checks


def test_int_accepts_ints_in_range_and_names_the_parameter_otherwise():
    assert checks.check_int(3, 'k', low=1) == 3
    with pytest.raises(ValueError, match=r'k must be at least 1, got 0'):
        checks.check_int(0, 'k', low=1)
    with pytest.raises(ValueError, match=r'epochs must be between 1 and 30, got 100'):
        checks.check_int(100, 'epochs', 1, 30)
    for bad in (2.0, '3', True, None):
        with pytest.raises(TypeError, match='k must be an int'):
            checks.check_int(bad, 'k')


def test_pair_expands_ints_and_refuses_floats_strings_and_triples():
    assert checks.check_pair(3, 'stride') == (3, 3)
    assert checks.check_pair((2, 5), 'stride') == (2, 5)
    assert checks.check_pair(torch.Size([4, 1]), 'stride') == (4, 1)
    for bad in (2.0, (2, 2.0), (1, 2, 3), 'same', (True, 1)):
        with pytest.raises(TypeError, match='stride must be an int or a .height, width. pair'):
            checks.check_pair(bad, 'stride')
    with pytest.raises(ValueError, match=r'padding must be at least 0'):
        checks.check_pair((1, -1), 'padding', low=0)


def test_float_refuses_nan_inf_and_values_outside_the_range():
    assert checks.check_float(0.1, 'lr', 0, low_open=True) == 0.1
    with pytest.raises(ValueError, match='lr must be greater than 0'):
        checks.check_float(0, 'lr', 0, low_open=True)
    with pytest.raises(ValueError, match='lr must be a finite number'):
        checks.check_float(float('nan'), 'lr')
    with pytest.raises(TypeError, match='lr must be a number'):
        checks.check_float('0.1', 'lr')


def test_bool_refuses_strings_that_python_would_call_true():
    assert checks.check_bool(False, 'amp') is False
    with pytest.raises(TypeError, match="amp must be True or False, got 'off'"):
        checks.check_bool('off', 'amp')


def test_choice_lists_what_is_allowed():
    assert checks.check_choice('max', 'mode', ('max', 'avg')) == 'max'
    with pytest.raises(ValueError, match=r"mode must be one of 'max', 'avg'; got 'sum'"):
        checks.check_choice('sum', 'mode', ('max', 'avg'))
