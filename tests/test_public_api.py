"""``import book_utils as d2l`` offers exactly the names it offered before the package was
split into subpackages, each with the same signature (snapshot in tests/snapshots/public_api.json,
written by tests/public_api.py). Methods may be added to a class; none may go or change."""
import json
from pathlib import Path

import pytest

import book_utils
from public_api import SNAPSHOT, describe

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
    assert {k: v for k, v in now.items() if k != 'methods'} == \
        {k: v for k, v in before.items() if k != 'methods'}
    for method, params in before.get('methods', {}).items():
        assert now['methods'].get(method) == params, f'{name}.{method} changed or is gone'


def test_the_comparison_sees_a_changed_default():
    """The check itself: a default that differs from the snapshot is a difference."""
    def corr2d(X, K, padding=1):
        return X
    from public_api import parameters
    assert parameters(corr2d) != BEFORE['corr2d']['signature']
    assert parameters(book_utils.corr2d) == BEFORE['corr2d']['signature']
