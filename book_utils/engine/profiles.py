"""Run profiles: how much work each notebook does, chosen by ``BOOK_PROFILE``.

The same notebook must teach on a Colab GPU, on a student's 2-core laptop and
inside a test suite. Rather than sprinkle ``if cpu:`` through the chapters, this
module owns one table of settings (``settings(model)``, which also describes what a
reduced run does to the network, lives above the models, in run_settings.py). ``full`` is D2L 1.0.3's own settings; ``cpu``
scales each run so that a chapter finishes in about five minutes on two CPU
cores; ``smoke`` caps every fit at one epoch of three small batches, so tests can
execute every cell in seconds.
"""
import dataclasses
import os

import torch

PROFILE_NAMES = ('full', 'cpu', 'smoke')


@dataclasses.dataclass(frozen=True)
class Profile:
    """Caps that the Trainer and FashionMNIST apply to *any* code, D2L's included."""
    name: str
    max_epochs: int | None = None         # cap on Trainer(max_epochs=...)
    max_train_batches: int | None = None  # cap on batches per training epoch
    max_val_batches: int | None = None    # cap on batches per validation pass
    max_batch_size: int | None = None     # cap on FashionMNIST(batch_size=...)

    def capped_batch_size(self, batch_size):
        """The batch size FashionMNIST uses when ``batch_size`` is asked for."""
        return min(batch_size, self.max_batch_size) if self.max_batch_size else batch_size


_PROFILES = {
    'full': Profile('full'),
    'cpu': Profile('cpu'),
    'smoke': Profile('smoke', max_epochs=1, max_train_batches=3, max_val_batches=3, max_batch_size=16),
}


def default_profile_name():
    """``full`` where a CUDA GPU is present, ``cpu`` otherwise."""
    return 'full' if torch.cuda.is_available() else 'cpu'


def active_profile():
    """The profile named by ``BOOK_PROFILE`` (read on every call, so tests can change it)."""
    name = os.environ.get('BOOK_PROFILE', '').strip().lower() or default_profile_name()
    if name not in _PROFILES:
        raise ValueError(f"BOOK_PROFILE={os.environ['BOOK_PROFILE']!r} is not a profile; "
                         f"use one of {', '.join(PROFILE_NAMES)} (or unset it for the default, "
                         f"{default_profile_name()!r} on this machine).")
    return _PROFILES[name]


@dataclasses.dataclass(frozen=True)
class RunSettings:
    """What one chapter's training run uses under the active profile.

    ``num_train``/``num_val`` of ``None`` mean the whole split (60,000 / 10,000
    images); ``arch`` is a model-specific shape (VGG's block table, say) or None.
    """
    model: str
    lr: float
    batch_size: int
    resize: tuple
    max_epochs: int
    num_train: int | None = None
    num_val: int | None = None
    arch: tuple | None = None
    profile: str = 'full'
    note: str = ''

    def data_kwargs(self):
        """Keyword arguments for ``FashionMNIST``."""
        return dict(batch_size=self.batch_size, resize=self.resize,
                    num_train=self.num_train, num_val=self.num_val)


# D2L 1.0.3's settings (chapters 7.6 and 8.1-8.6): 10 epochs, batch 128, SGD.
_VGG_ARCH = ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))   # VGG-11 with channels / 4
FULL_RUNS = {
    'lenet':     dict(lr=0.1, batch_size=128, resize=(28, 28), max_epochs=10),
    'alexnet':   dict(lr=0.01, batch_size=128, resize=(224, 224), max_epochs=10),
    'vgg':       dict(lr=0.01, batch_size=128, resize=(224, 224), max_epochs=10, arch=_VGG_ARCH),
    'nin':       dict(lr=0.05, batch_size=128, resize=(224, 224), max_epochs=10),
    'googlenet': dict(lr=0.01, batch_size=128, resize=(96, 96), max_epochs=10),
    'bn_lenet':  dict(lr=0.1, batch_size=128, resize=(28, 28), max_epochs=10),
    'resnet18':  dict(lr=0.01, batch_size=128, resize=(96, 96), max_epochs=10),
}

# What changes on two CPU cores, chosen so each chapter notebook ends in about
# five minutes. Only the keys listed here differ from FULL_RUNS.
CPU_RUNS = {
    'lenet':     dict(),
    # AlexNet, VGG and NiN (Xavier init, no normalisation) sit near log(10) for
    # hundreds of steps before they learn; small batches buy enough steps, and
    # AlexNet/VGG a larger lr, to get past that plateau within the budget.
    'alexnet':   dict(resize=(72, 72), batch_size=32, lr=0.02, max_epochs=2,
                      num_train=18_000, num_val=2_000),
    'vgg':       dict(resize=(32, 32), batch_size=32, lr=0.02, max_epochs=2,
                      num_train=18_000, num_val=2_000, arch=((1, 16), (1, 32), (2, 64), (2, 128))),
    'nin':       dict(resize=(67, 67), batch_size=32, max_epochs=3, num_train=24_000, num_val=2_000),
    # GoogLeNet has the same plateau; at lr 0.01 it is still at chance after 2 epochs
    # of 12,000 images, so it gets batch 64 and lr 0.1 (it escapes after ~300 steps).
    # 32x32 steps are 2.3x cheaper than 48x48, which buys twice the images: measured
    # val acc 0.70 in 141 s, against 0.35 in 215 s for 3 epochs of 12,000 at 48x48.
    'googlenet': dict(resize=(32, 32), batch_size=64, lr=0.1, max_epochs=3,
                      num_train=24_000, num_val=2_000),
    # Batch norm needs no tricks: BN-LeNet keeps D2L's settings, for half the epochs.
    'bn_lenet':  dict(max_epochs=5),
    'resnet18':  dict(resize=(32, 32), max_epochs=3, num_train=20_000, num_val=2_000),
}

# Under smoke the Profile caps (1 epoch, 3 batches of 16) do the rest.
SMOKE_RUNS = {name: dict(CPU_RUNS[name], max_epochs=1) for name in CPU_RUNS}


def describe_reduction(full, run, profile):
    changes = []
    if run['resize'] != full['resize']:
        changes.append(f"{run['resize'][0]}x{run['resize'][1]} images instead of "
                       f"{full['resize'][0]}x{full['resize'][1]}")
    if run['max_epochs'] != full['max_epochs']:
        epochs = run['max_epochs']
        changes.append(f"{epochs} epoch{'s' * (epochs != 1)} instead of {full['max_epochs']}")
    if run.get('num_train'):
        changes.append(f"{run['num_train']:,} training / {run.get('num_val') or 10_000:,} "
                       f"validation images instead of 60,000 / 10,000")
    batch_size = profile.capped_batch_size(run['batch_size'])
    if batch_size != full['batch_size']:   # what FashionMNIST will use, after the profile's cap
        changes.append(f"batch size {batch_size} instead of {full['batch_size']}")
    if run['lr'] != full['lr']:
        changes.append(f"learning rate {run['lr']} instead of {full['lr']}")
    if run.get('arch') != full.get('arch'):
        changes.append(f"a smaller architecture {run['arch']}")
    return ', '.join(changes)
