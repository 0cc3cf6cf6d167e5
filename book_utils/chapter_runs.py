"""``settings(model)``: one chapter's run under the active profile, and what it changes.

The profile table lives in profiles.py, at the bottom of the package; describing what a
smaller image does to a network means building that network, so this part sits above
``models/``.
"""
import contextlib
import dataclasses
import io
import textwrap

import torch
from torch import nn

from . import models
from .engine.notices import not_remembered
from .engine.profiles import CPU_RUNS, FULL_RUNS, SMOKE_RUNS, RunSettings, active_profile, describe_reduction

__all__ = ['settings', 'network_shape', 'NetworkShape']


# The book_utils.models class that each run trains.
_MODEL_CLASSES = {'lenet': 'LeNet', 'alexnet': 'AlexNet', 'vgg': 'VGG', 'nin': 'NiN',
                  'googlenet': 'GoogleNet', 'bn_lenet': 'BNLeNet', 'resnet18': 'ResNet18'}


@dataclasses.dataclass(frozen=True)
class NetworkShape:
    """What an input size does to a network: its size, and what reaches its head."""
    parameters: int
    last_map: tuple          # (channels, height, width) entering the head (flatten or global pool)
    point_convs: int         # convolutions with a kernel larger than 1x1 that run on a 1x1 map
    convs: int               # convolutions with a kernel larger than 1x1


def network_shape(model, resize, arch=None):
    """Build ``model`` (a key of the table) on the meta device and measure it at ``resize``.

    A smaller image changes more than the speed: layers whose size depends on the
    image (AlexNet's first dense layer) shrink, and late stages may run on 1x1 maps,
    where a 3x3 kernel only ever uses its centre weight.
    """
    cls = getattr(models, _MODEL_CLASSES[model])
    seen, last_map = [], []

    def record(layer, inputs, output):
        if isinstance(layer, (nn.Flatten, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)) and not last_map:
            last_map.append(tuple(inputs[0].shape[1:]))
        if isinstance(layer, nn.Conv2d) and layer.kernel_size != (1, 1):
            seen.append(tuple(output.shape[-2:]) == (1, 1))

    # building it here is not the reader's first model: its notices stay unsaid
    with torch.device('meta'), contextlib.redirect_stdout(io.StringIO()), not_remembered():
        net = (cls(arch=arch) if arch else cls()).eval()   # batch norm: one image is enough
        X = torch.zeros(1, 1, *resize)
        net(X)                                  # lazy layers take their shapes
        hooks = [m.register_forward_hook(record) for m in net.modules()]
        net(X)
    for hook in hooks:
        hook.remove()
    return NetworkShape(parameters=sum(p.numel() for p in net.parameters()), last_map=last_map[0],
                        point_convs=sum(seen), convs=len(seen))


def _describe_network(model, full, run):
    """One sentence on what the reduced image size does to the network ('' if nothing)."""
    if run['resize'] == full['resize'] and run.get('arch') == full.get('arch'):
        return ''
    small = network_shape(model, run['resize'], run.get('arch'))
    big = network_shape(model, full['resize'], full.get('arch'))
    size = lambda shape: f'{shape.last_map[1]}x{shape.last_map[2]}'
    text = (f"At {run['resize'][0]}x{run['resize'][1]} the network has "
            f"{small.parameters / 1e6:.1f} M parameters ({big.parameters / 1e6:.1f} M in D2L's run) "
            f"and its last feature map is {size(small)} ({size(big)} in D2L's run)")
    if small.point_convs > big.point_convs:
        verb = 'runs' if small.point_convs == 1 else 'run'
        text += (f"; {small.point_convs} of its {small.convs} convolutions larger than 1x1 {verb} "
                 f"on 1x1 maps, where they see no neighbours")
    return text + '.'


def settings(model, verbose=True):
    """The run settings for ``model`` (a key of the table, e.g. ``'alexnet'``).

    Prints a short note saying what the active profile changed from D2L's settings, and
    what a smaller image does to the network (its parameters, the size of its last
    feature map), so a reader never mistakes a reduced run for the real one.
    """
    if model not in FULL_RUNS:
        raise ValueError(f'No run settings for {model!r}; known models: {", ".join(FULL_RUNS)}.')
    profile = active_profile()
    full = dict(FULL_RUNS[model])
    run = dict(full, **{'full': {}, 'cpu': CPU_RUNS, 'smoke': SMOKE_RUNS}[profile.name].get(model, {}))
    if profile.name == 'full':
        note = f"Profile 'full': D2L's settings for {model} (lr {run['lr']}, batch {run['batch_size']}, " \
               f"{run['resize'][0]}x{run['resize'][1]}, {run['max_epochs']} epochs)."
    else:
        reduced = describe_reduction(full, run, profile)
        if profile.name == 'smoke':
            reduced = (f'{profile.max_train_batches} batches per epoch'
                       + (f'; {reduced}' if reduced else ''))
        note = (f"Profile '{profile.name}': {reduced}." if reduced else
                f"Profile '{profile.name}': D2L's settings for {model}, unchanged.")
        network = _describe_network(model, full, run)
        note += f' {network}' if network else ''
        note += ' Set BOOK_PROFILE=full (on a GPU) for the real run.' if reduced else ''
    if verbose:
        print(textwrap.fill(note, width=88))   # wraps on a phone too, instead of scrolling
    return RunSettings(model=model, profile=profile.name, note=note, **run)
