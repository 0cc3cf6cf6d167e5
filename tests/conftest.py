"""Shared fixtures: the D2L oracle, seeded RNG, and a tiny real Fashion-MNIST subset."""

import os

import pytest
import torch

os.environ.setdefault('BOOK_PROFILE', 'smoke')
os.environ.setdefault('MPLBACKEND', 'Agg')


@pytest.fixture
def oracle():
    """D2L 1.0.3's torch module, the reference every compatible name is checked against."""
    return pytest.importorskip('d2l.torch')


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _close_figures():
    """Outside a notebook every fit leaves its curves in a pyplot figure, as D2L's does, for
    a script's plt.show(); a test process would keep hundreds of them."""
    yield
    from matplotlib import pyplot as plt

    plt.close('all')


@pytest.fixture
def profile(monkeypatch):
    """Switch BOOK_PROFILE for one test: ``profile('cpu')``."""

    def use(name):
        monkeypatch.setenv('BOOK_PROFILE', name)

    return use
