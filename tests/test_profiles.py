"""profiles.py: one table decides what full, cpu and smoke mean."""
import pytest

import book_utils as d2l
from book_utils import profiles


def test_full_is_d2ls_settings(profile, capsys):
    profile('full')
    run = d2l.settings('alexnet')
    assert (run.lr, run.batch_size, run.resize, run.max_epochs) == (0.01, 128, (224, 224), 10)
    assert run.num_train is None and "D2L's settings" in capsys.readouterr().out


@pytest.mark.parametrize('model', sorted(profiles._FULL))
def test_cpu_says_what_it_reduced(profile, capsys, model):
    profile('cpu')
    run = d2l.settings(model)
    line = capsys.readouterr().out.strip()
    assert line.startswith("Profile 'cpu'") and '\n' not in line
    full = profiles._FULL[model]
    if run.resize != full['resize']:
        assert f'{run.resize[0]}x{run.resize[1]} images instead of' in line
    if run.max_epochs != full['max_epochs']:
        assert f"{run.max_epochs} epochs instead of {full['max_epochs']}" in line


def test_smoke_caps(profile):
    profile('smoke')
    p = d2l.active_profile()
    assert (p.max_epochs, p.max_train_batches, p.max_val_batches) == (1, 3, 3)
    assert d2l.settings('resnet18', verbose=False).max_epochs == 1


@pytest.mark.parametrize('model', ['alexnet', 'lenet'])
def test_smoke_note_names_the_batch_size_the_data_uses(profile, capsys, model):
    """The note must match what runs: FashionMNIST caps the batch, so the note says 16."""
    profile('smoke')
    run = d2l.settings(model)
    line = capsys.readouterr().out
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
