"""Notices said at most once per process.

A script should print what D2L prints, plus at most one line per notice (the
device fallback, a profile's caps, the lazy-layer init), however many models
and Trainers it builds. One memory serves the Trainer's reporters, train_ch6
and init_cnn. It imports nothing from the package, so any module may use it.
"""

import contextlib

__all__ = ['say_once', 'not_remembered']

_said = set()  # keys of the notices this process has already said


def say_once(key, message, say=print):
    """Say ``message`` unless a notice with ``key`` was said before in this process
    (``key=None``: always)."""
    if key is not None and key in _said:
        return
    _said.add(key)
    say(message)


@contextlib.contextmanager
def not_remembered():
    """Notices said inside the block are forgotten after it: work done behind the reader's
    back (building a model to measure it) must not use up what the reader should see."""
    before = set(_said)
    try:
        yield
    finally:
        _said.clear()
        _said.update(before)
