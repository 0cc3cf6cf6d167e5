"""profiles.py and chapter_runs.py: the caps, and the table of what each profile means per run."""

import pytest

import book_utils as d2l
from book_utils import chapter_runs
from book_utils.engine import profiles


def test_full_is_d2ls_settings(profile, capsys):
    profile('full')
    run = d2l.settings('alexnet')
    assert (run.lr, run.batch_size, run.resize, run.max_epochs) == (0.01, 128, (224, 224), 10)
    assert run.num_train is None and "D2L's settings" in capsys.readouterr().out


@pytest.mark.parametrize('model', sorted(chapter_runs.FULL_RUNS))
def test_cpu_says_what_it_reduced(profile, capsys, model):
    profile('cpu')
    run = d2l.settings(model)
    printed = capsys.readouterr().out.strip()
    assert max(len(row) for row in printed.split('\n')) <= 88  # wraps on a phone
    line = ' '.join(printed.split('\n'))
    assert line.startswith("Profile 'cpu'") and line == run.note
    full = chapter_runs.FULL_RUNS[model]
    if run.resize != full['resize']:
        assert f'{run.resize[0]}x{run.resize[1]} images instead of' in line
    if run.max_epochs != full['max_epochs']:
        assert f'{run.max_epochs} epochs instead of {full["max_epochs"]}' in line


def test_smoke_caps(profile):
    profile('smoke')
    p = d2l.active_profile()
    assert (p.max_epochs, p.max_train_batches, p.max_val_batches) == (1, 5, 5)
    # D2L's progress line `(i + 1) % (num_batches // 5)` needs at least five batches
    assert p.max_train_batches // 5 >= 1
    assert d2l.settings('resnet18', verbose=False).max_epochs == 1


@pytest.mark.parametrize('model', ['alexnet', 'lenet'])
def test_smoke_note_names_the_batch_size_the_data_uses(profile, capsys, model):
    """The note must match what runs: FashionMNIST caps the batch, so the note says 16."""
    profile('smoke')
    run = d2l.settings(model)
    line = ' '.join(capsys.readouterr().out.split('\n'))  # the note is wrapped
    used = d2l.FashionMNIST(**run.data_kwargs()).batch_size
    assert used == 16 and 'batch size 16 instead of 128' in line
    assert '1 epoch instead of 10' in line and 'batch size 32' not in line


def test_default_depends_on_cuda(monkeypatch):
    monkeypatch.delenv('BOOK_PROFILE', raising=False)
    monkeypatch.setattr(profiles.torch.cuda, 'is_available', lambda: True)
    assert d2l.active_profile().name == 'full'
    monkeypatch.setattr(profiles.torch.cuda, 'is_available', lambda: False)
    assert d2l.active_profile().name == 'cpu'


def test_unknown_profile_and_model(profile):
    profile('fast')
    with pytest.raises(ValueError, match="'fast' is not a profile.*full, cpu, smoke"):
        d2l.active_profile()
    profile('cpu')
    with pytest.raises(ValueError, match='No run settings for .mobilenet'):
        d2l.settings('mobilenet')


@pytest.mark.parametrize(
    'model, size', [('alexnet', 72), ('alexnet', 224), ('googlenet', 32), ('resnet18', 96)]
)
def test_network_shape_matches_the_real_model(model, size):
    """Measured on the meta device; checked against the model built on the CPU."""
    import torch
    from torch import nn

    shape = chapter_runs.network_shape(model, (size, size))
    net = getattr(d2l, chapter_runs._MODEL_CLASSES[model])().eval()
    maps = []
    head = (nn.Flatten, nn.AdaptiveAvgPool2d)
    hooks = [
        m.register_forward_hook(lambda m, i, o: maps.append((m, i[0].shape[1:], o.shape[-2:])))
        for m in net.modules()
        if isinstance(m, head + (nn.Conv2d,))
    ]
    net(torch.zeros(1, 1, size, size))
    for hook in hooks:
        hook.remove()
    assert shape.parameters == sum(p.numel() for p in net.parameters())
    assert shape.last_map == tuple(next(i for m, i, o in maps if isinstance(m, head)))
    spatial = [tuple(o) for m, i, o in maps if isinstance(m, nn.Conv2d) and m.kernel_size != (1, 1)]
    assert (shape.point_convs, shape.convs) == (spatial.count((1, 1)), len(spatial))


def test_cpu_note_says_what_the_smaller_image_does_to_the_network(profile, capsys):
    """At 72x72 AlexNet's first dense layer reads 256 features instead of 6,400."""
    profile('cpu')
    note = d2l.settings('alexnet', verbose=False).note
    assert chapter_runs.network_shape('alexnet', (72, 72)).last_map == (256, 1, 1)
    assert chapter_runs.network_shape('alexnet', (224, 224)).last_map == (256, 5, 5)
    assert 'the network has 21.6 M parameters (46.8 M in D2L' in note
    assert 'last feature map is 1x1 (5x5 in D2L' in note
    googlenet = d2l.settings('googlenet', verbose=False).note
    assert 'run on 1x1 maps' in googlenet
    assert 'the network' not in d2l.settings('bn_lenet', verbose=False).note  # same images
    # what chapters/intro.md says about the cpu profile
    assert chapter_runs.CPU_RUNS['alexnet']['resize'] == (72, 72)
    for model in ('googlenet', 'resnet18'):
        assert chapter_runs.CPU_RUNS[model]['resize'] == (32, 32)
        assert chapter_runs.network_shape(model, (32, 32)).last_map[1:] == (1, 1)


def test_measuring_the_network_leaves_the_readers_notices_unsaid(profile, monkeypatch, capsys):
    """settings() builds the model on the meta device to describe it; the reader's first real
    model must still hear init_cnn's one-line notice."""
    from book_utils.engine import notices

    monkeypatch.setattr(notices, '_said', set())  # as in a fresh process
    profile('cpu')
    d2l.settings('alexnet', verbose=False)
    assert notices._said == set()
    d2l.AlexNet()
    assert 'init_cnn: lazy layers get their Xavier init' in capsys.readouterr().out


def test_the_quarter_width_vgg_is_the_models_own_table():
    """D2L 8.2's VGG (VGG-11 at a quarter of the channels) is defined once, in models/vgg.py."""
    assert chapter_runs.FULL_RUNS['vgg']['arch'] is d2l.VGG11_QUARTER
    assert d2l.VGG11_QUARTER == ((1, 16), (1, 32), (2, 64), (2, 128), (2, 128))
