"""What every chapter's setup cell calls: one line of versions, profile and device, and
warnings shortened to what a reader needs."""

import textwrap
import warnings

import torch

from .engine.devices import best_device
from .engine.profiles import active_profile

__all__ = ['__version__', 'show_setup']

__version__ = '0.1.0'  # the same as pyproject.toml's version


def _short_warning(message, category, filename, lineno, line=None):
    """A warning as a reader should see it: its category and message, without the kernel's
    temporary file name and line number (``/tmp/ipykernel_123/456.py:6:``), its long lines
    wrapped so that a phone shows them without sideways scrolling."""
    text = f'{category.__name__}: {message}'
    return '\n'.join(textwrap.fill(row, 88) for row in text.split('\n')) + '\n'


def show_setup() -> None:
    """Print, in one line, the versions, profile and device this notebook runs with.

    Called by every chapter's setup cell, it also makes warnings in that notebook show
    just their category and message.
    """
    warnings.formatwarning = _short_warning
    device = best_device()
    print(
        f'book_utils {__version__} | torch {torch.__version__} | '
        f"profile '{active_profile().name}' | device {device}"
    )
