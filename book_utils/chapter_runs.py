"""Each chapter's training run: D2L's settings, what each profile changes, and ``settings()``.

The tables are data (``FULL_RUNS``, then only what differs under ``cpu`` and ``smoke``);
``settings(model)`` merges them for the active profile and says what the reduction does
to the network, which means building it, so this module sits above ``models/``.
"""

import contextlib
import dataclasses
import io
import textwrap

import torch
from torch import nn

from . import models
from .engine.notices import not_remembered
from .engine.profiles import Profile, active_profile
from .lazy_layers import materialise
from .teaching.costs import num_params

__all__ = [
    'RunSettings',
    'FULL_RUNS',
    'CPU_RUNS',
    'SMOKE_RUNS',
    'settings',
    'network_shape',
    'NetworkShape',
]


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

    def data_kwargs(self) -> dict:
        """Keyword arguments for ``FashionMNIST``."""
        return dict(
            batch_size=self.batch_size,
            resize=self.resize,
            num_train=self.num_train,
            num_val=self.num_val,
        )


# D2L 1.0.3's settings (chapters 7.6 and 8.1-8.6): 10 epochs, batch 128, SGD.
FULL_RUNS = {
    'lenet': dict(lr=0.1, batch_size=128, resize=(28, 28), max_epochs=10),
    'alexnet': dict(lr=0.01, batch_size=128, resize=(224, 224), max_epochs=10),
    'vgg': dict(
        lr=0.01, batch_size=128, resize=(224, 224), max_epochs=10, arch=models.VGG11_QUARTER
    ),
    'nin': dict(lr=0.05, batch_size=128, resize=(224, 224), max_epochs=10),
    'googlenet': dict(lr=0.01, batch_size=128, resize=(96, 96), max_epochs=10),
    'bn_lenet': dict(lr=0.1, batch_size=128, resize=(28, 28), max_epochs=10),
    'resnet18': dict(lr=0.01, batch_size=128, resize=(96, 96), max_epochs=10),
}

# What changes on two CPU cores, chosen so each chapter notebook ends in about
# five minutes. Only the keys listed here differ from FULL_RUNS.
CPU_RUNS = {
    'lenet': dict(),
    # AlexNet, VGG and NiN (Xavier init, no normalisation) sit near log(10) for
    # hundreds of steps before they learn; small batches buy enough steps, and
    # AlexNet/VGG a larger lr, to get past that plateau within the budget.
    'alexnet': dict(
        resize=(72, 72), batch_size=32, lr=0.02, max_epochs=2, num_train=18_000, num_val=2_000
    ),
    'vgg': dict(
        resize=(32, 32),
        batch_size=32,
        lr=0.02,
        max_epochs=2,
        num_train=18_000,
        num_val=2_000,
        arch=((1, 16), (1, 32), (2, 64), (2, 128)),
    ),
    'nin': dict(resize=(67, 67), batch_size=32, max_epochs=3, num_train=24_000, num_val=2_000),
    # GoogLeNet has the same plateau; at lr 0.01 it is still at chance after 2 epochs
    # of 12,000 images, so it gets batch 64 and lr 0.1 (it escapes after ~300 steps).
    # 32x32 steps are 2.3x cheaper than 48x48, which buys twice the images: measured
    # val acc 0.70 in 141 s, against 0.35 in 215 s for 3 epochs of 12,000 at 48x48.
    'googlenet': dict(
        resize=(32, 32), batch_size=64, lr=0.1, max_epochs=3, num_train=24_000, num_val=2_000
    ),
    # Batch norm needs no tricks: BN-LeNet keeps D2L's settings, for half the epochs.
    'bn_lenet': dict(max_epochs=5),
    'resnet18': dict(resize=(32, 32), max_epochs=3, num_train=20_000, num_val=2_000),
}

# Under smoke the Profile caps (1 epoch, 5 batches of 16) do the rest.
SMOKE_RUNS = {name: dict(CPU_RUNS[name], max_epochs=1) for name in CPU_RUNS}


def describe_reduction(full: dict, run: dict, profile: Profile) -> str:
    """What ``run`` changes from D2L's ``full`` settings, as a phrase ('' if nothing)."""
    changes = []
    if run['resize'] != full['resize']:
        changes.append(
            f'{run["resize"][0]}x{run["resize"][1]} images instead of '
            f'{full["resize"][0]}x{full["resize"][1]}'
        )
    if run['max_epochs'] != full['max_epochs']:
        epochs = run['max_epochs']
        changes.append(f'{epochs} epoch{"s" * (epochs != 1)} instead of {full["max_epochs"]}')
    if run.get('num_train'):
        changes.append(
            f'{run["num_train"]:,} training / {run.get("num_val") or 10_000:,} '
            f'validation images instead of 60,000 / 10,000'
        )
    batch_size = profile.capped_batch_size(run['batch_size'])
    if batch_size != full['batch_size']:  # what FashionMNIST will use, after the profile's cap
        changes.append(f'batch size {batch_size} instead of {full["batch_size"]}')
    if run['lr'] != full['lr']:
        changes.append(f'learning rate {run["lr"]} instead of {full["lr"]}')
    if run.get('arch') != full.get('arch'):
        changes.append(f'a smaller architecture {run["arch"]}')
    return ', '.join(changes)


# The book_utils.models class that each run trains.
_MODEL_CLASSES = {
    'lenet': 'LeNet',
    'alexnet': 'AlexNet',
    'vgg': 'VGG',
    'nin': 'NiN',
    'googlenet': 'GoogleNet',
    'bn_lenet': 'BNLeNet',
    'resnet18': 'ResNet18',
}


@dataclasses.dataclass(frozen=True)
class NetworkShape:
    """What an input size does to a network: its size, and what reaches its head."""

    parameters: int
    last_map: tuple  # (channels, height, width) entering the head (flatten or global pool)
    point_convs: int  # convolutions with a kernel larger than 1x1 that run on a 1x1 map
    convs: int  # convolutions with a kernel larger than 1x1


def network_shape(model: str, resize: tuple[int, int], arch: tuple | None = None) -> NetworkShape:
    """Build ``model`` (a key of the table) on the meta device and measure it at ``resize``.

    A smaller image changes more than the speed: layers whose size depends on the
    image (AlexNet's first dense layer) shrink, and late stages may run on 1x1 maps,
    where a 3x3 kernel only ever uses its centre weight.
    """
    cls = getattr(models, _MODEL_CLASSES[model])
    seen, last_map = [], []

    def record(layer, inputs, output):
        if (
            isinstance(layer, (nn.Flatten, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d))
            and not last_map
        ):
            last_map.append(tuple(inputs[0].shape[1:]))
        if isinstance(layer, nn.Conv2d) and layer.kernel_size != (1, 1):
            seen.append(tuple(output.shape[-2:]) == (1, 1))

    # building it here is not the reader's first model: its notices stay unsaid
    with torch.device('meta'), contextlib.redirect_stdout(io.StringIO()), not_remembered():
        net = (cls(arch=arch) if arch else cls()).eval()  # batch norm: one image is enough
        X = torch.zeros(1, 1, *resize)
        materialise(net, lambda: net(X))
        hooks = [m.register_forward_hook(record) for m in net.modules()]
        net(X)
    for hook in hooks:
        hook.remove()
    return NetworkShape(
        parameters=num_params(net), last_map=last_map[0], point_convs=sum(seen), convs=len(seen)
    )


def _map_size(shape):
    """'5x5': the height and width of a network's last feature map."""
    return f'{shape.last_map[1]}x{shape.last_map[2]}'


def _describe_network(model, full, run):
    """One sentence on what the reduced image size does to the network ('' if nothing)."""
    if run['resize'] == full['resize'] and run.get('arch') == full.get('arch'):
        return ''
    small = network_shape(model, run['resize'], run.get('arch'))
    big = network_shape(model, full['resize'], full.get('arch'))
    text = (
        f'At {run["resize"][0]}x{run["resize"][1]} the network has '
        f"{small.parameters / 1e6:.1f} M parameters ({big.parameters / 1e6:.1f} M in D2L's run) "
        f"and its last feature map is {_map_size(small)} ({_map_size(big)} in D2L's run)"
    )
    if small.point_convs > big.point_convs:
        verb = 'runs' if small.point_convs == 1 else 'run'
        text += (
            f'; {small.point_convs} of its {small.convs} convolutions larger than 1x1 {verb} '
            f'on 1x1 maps, where they see no neighbours'
        )
    return text + '.'


def settings(model: str, verbose: bool = True) -> RunSettings:
    """The run settings for ``model`` (a key of the table, e.g. ``'alexnet'``).

    Prints a short note saying what the active profile changed from D2L's settings, and
    what a smaller image does to the network (its parameters, the size of its last
    feature map), so a reader never mistakes a reduced run for the real one.
    """
    if model not in FULL_RUNS:
        raise ValueError(f'No run settings for {model!r}; known models: {", ".join(FULL_RUNS)}.')
    profile = active_profile()
    full = dict(FULL_RUNS[model])
    run = dict(
        full, **{'full': {}, 'cpu': CPU_RUNS, 'smoke': SMOKE_RUNS}[profile.name].get(model, {})
    )
    if profile.name == 'full':
        note = (
            f"Profile 'full': D2L's settings for {model} (lr {run['lr']}, batch {run['batch_size']}, "
            f'{run["resize"][0]}x{run["resize"][1]}, {run["max_epochs"]} epochs).'
        )
    else:
        reduced = describe_reduction(full, run, profile)
        if profile.name == 'smoke':
            reduced = f'{profile.max_train_batches} batches per epoch' + (
                f'; {reduced}' if reduced else ''
            )
        note = (
            f"Profile '{profile.name}': {reduced}."
            if reduced
            else f"Profile '{profile.name}': D2L's settings for {model}, unchanged."
        )
        network = _describe_network(model, full, run)
        note += f' {network}' if network else ''
        note += ' Set BOOK_PROFILE=full (on a GPU) for the real run.' if reduced else ''
    if verbose:
        print(textwrap.fill(note, width=88))  # wraps on a phone too, instead of scrolling
    return RunSettings(model=model, profile=profile.name, note=note, **run)
