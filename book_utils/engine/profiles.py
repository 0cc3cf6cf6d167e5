"""Run profiles: how much work each notebook does, chosen by ``BOOK_PROFILE``.

The same notebook must teach on a Colab GPU, on a student's 2-core laptop and
inside a test suite. Rather than sprinkle ``if cpu:`` through the chapters, this
module owns the caps that every fit obeys, D2L's code included; each chapter's own
settings per profile (the run tables and ``settings(model)``) live in chapter_runs.py.
``full`` is D2L 1.0.3's own settings; ``cpu`` scales each run so that a chapter
finishes in about five minutes on two CPU cores; ``smoke`` caps every fit at one
epoch of five small batches, so tests can execute every cell in seconds. Five, not fewer:
D2L's own progress line, ``if (i + 1) % (num_batches // 5) == 0``, which students copy,
divides by zero below five batches.
"""

import dataclasses
import os

import torch

PROFILE_NAMES = ('full', 'cpu', 'smoke')


@dataclasses.dataclass(frozen=True)
class Profile:
    """Caps that the Trainer and FashionMNIST apply to *any* code, D2L's included."""

    name: str
    max_epochs: int | None = None  # cap on Trainer(max_epochs=...)
    max_train_batches: int | None = None  # cap on batches per training epoch
    max_val_batches: int | None = None  # cap on batches per validation pass
    max_batch_size: int | None = None  # cap on FashionMNIST(batch_size=...)

    def capped_batch_size(self, batch_size: int) -> int:
        """The batch size FashionMNIST uses when ``batch_size`` is asked for."""
        return min(batch_size, self.max_batch_size) if self.max_batch_size else batch_size


SMOKE_BATCHES = 5  # the fewest that keep ``num_batches // 5`` above zero

_PROFILES = {
    'full': Profile('full'),
    'cpu': Profile('cpu'),
    'smoke': Profile(
        'smoke',
        max_epochs=1,
        max_train_batches=SMOKE_BATCHES,
        max_val_batches=SMOKE_BATCHES,
        max_batch_size=16,
    ),
}


def default_profile_name() -> str:
    """``full`` where a CUDA GPU is present, ``cpu`` otherwise."""
    return 'full' if torch.cuda.is_available() else 'cpu'


def active_profile() -> Profile:
    """The profile named by ``BOOK_PROFILE`` (read on every call, so tests can change it)."""
    name = os.environ.get('BOOK_PROFILE', '').strip().lower() or default_profile_name()
    if name not in _PROFILES:
        raise ValueError(
            f'BOOK_PROFILE={os.environ["BOOK_PROFILE"]!r} is not a profile; '
            f'use one of {", ".join(PROFILE_NAMES)} (or unset it for the default, '
            f'{default_profile_name()!r} on this machine).'
        )
    return _PROFILES[name]
