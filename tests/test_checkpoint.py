"""Checkpoints: what they record, the folders and files refused before any training
step, two runs sharing a folder, and resuming on another device."""

import os
import sys
import warnings

import pytest
import torch
from torch import nn

import book_utils as d2l
from book_utils.engine.checkpoint import Checkpointer, CheckpointError


class Counting(d2l.LeNet):
    """LeNet that counts its training steps, to prove a refusal came before the first."""

    steps = 0

    def training_step(self, batch):
        type(self).steps += 1
        return super().training_step(batch)


class Wide(d2l.Classifier):
    """Another architecture, with its own hyper-parameters."""

    def __init__(self, lr=0.1, width=32):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(width), nn.ReLU(), nn.LazyLinear(10))

    def training_step(self, batch):
        Counting.steps += 1
        return super().training_step(batch)


@pytest.fixture
def data(profile):
    profile('cpu')
    Counting.steps = 0
    return d2l.FashionMNIST(batch_size=32, num_train=96, num_val=32)  # 3 + 1 batches


def fit(folder, data, model=None, **kwargs):
    trainer = d2l.Trainer(
        max_epochs=kwargs.pop('max_epochs', 1),
        checkpoint_dir=folder,
        progress=False,
        verbose=False,
        **kwargs,
    )
    trainer.fit(model if model is not None else Counting(), data)
    return trainer


def refused(folder, data, *needles, model=None, **kwargs):
    """fit must raise CheckpointError naming each needle, with no training step run."""
    Counting.steps = 0
    with pytest.raises(CheckpointError) as info:
        fit(folder, data, model, **kwargs)
    message = str(info.value)
    for needle in needles:
        assert needle in message, (needle, message)
    assert 'Delete it' in message and 'another checkpoint_dir' in message
    assert Counting.steps == 0
    return message


def test_checkpoint_records_what_it_holds(tmp_path, data):
    trainer = fit(tmp_path, data, max_epochs=2)
    state = torch.load(tmp_path / 'checkpoint.pt', weights_only=False)
    settings, info = state['run']['settings'], state['run']['info']
    assert settings['model'] == 'Counting' and settings['model.lr'] == 0.1
    assert settings['model.num_classes'] == 10
    assert settings['optimizer'] == 'SGD' and settings['optimizer.lr'] == 0.1
    assert settings['data.batch_size'] == 32 and settings['data.resize'] == (28, 28)
    assert settings['data.num_train'] == 96 and settings['gradient_clip_val'] == 0
    assert settings['profile'] == 'cpu'
    assert info['max_epochs'] == 2 and info['torch'] == torch.__version__
    assert info['book_utils'] and info['loader_seed'] == state['loader_seed'] is not None
    assert state['epoch'] == 2 and state['history'] == trainer.history
    assert state['rng']['torch'].device.type == 'cpu'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['checkpoint.lock', 'checkpoint.pt']


def test_checkpoint_dir_that_is_a_file(tmp_path, data):
    path = tmp_path / 'notes.txt'
    path.write_text('not a folder')
    refused(path, data, str(path), 'is a file')


def test_checkpoint_dir_under_a_file(tmp_path, data):
    path = tmp_path / 'notes.txt'
    path.write_text('not a folder')
    refused(path / 'ckpt', data, str(path / 'ckpt'), 'cannot be created or written')


def test_checkpoint_dir_not_writable(tmp_path, data):
    if hasattr(os, 'geteuid') and os.geteuid() == 0:  # root writes anywhere but read-only mounts
        if not os.path.isdir('/sys'):
            pytest.skip('running as root without a read-only /sys to try')
        folder = '/sys/book_utils_checkpoints'
    else:
        folder = tmp_path / 'read_only'
        folder.mkdir()
        folder.chmod(0o500)
    refused(folder, data, str(folder), 'cannot be created or written')


def test_truncated_checkpoint(tmp_path, data):
    fit(tmp_path, data)
    blob = (tmp_path / 'checkpoint.pt').read_bytes()
    (tmp_path / 'checkpoint.pt').write_bytes(blob[: len(blob) // 2])  # a write cut short
    refused(tmp_path, data, str(tmp_path), 'cannot be read', 'truncated')


def test_checkpoint_of_another_architecture(tmp_path, data):
    fit(tmp_path, data)
    refused(tmp_path, data, 'of Counting', 'trains Wide', model=Wide())


def test_checkpoint_with_other_hyper_parameters(tmp_path, data):
    fit(tmp_path, data)
    message = refused(tmp_path, data, 'model.lr 0.1 there, 0.05 here', model=Counting(lr=0.05))
    assert 'optimizer.lr 0.1 there, 0.05 here' in message


def test_checkpoint_with_another_batch_size_or_clipping(tmp_path, data, profile):
    fit(tmp_path, data)
    other = d2l.FashionMNIST(batch_size=16, num_train=96, num_val=32)
    refused(tmp_path, other, 'data.batch_size 32 there, 16 here')
    refused(tmp_path, data, 'gradient_clip_val 0 there, 1 here', gradient_clip_val=1)


def test_optimizer_changed_outside_the_model_hyper_parameters(tmp_path, data):
    """lr set in configure_optimizers: a resume would silently take the saved lr."""
    momentum = {'value': 0.9}

    class Momentum(Counting):
        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=momentum['value'])

    fit(tmp_path, data, model=Momentum())
    momentum['value'] = 0.5  # the student edits the cell and runs it again
    refused(tmp_path, data, 'optimizer.momentum 0.9 there, 0.5 here', model=Momentum())


def test_checkpoint_from_before_the_record(tmp_path, data):
    torch.save({'model': {}, 'epoch': 1}, tmp_path / 'checkpoint.pt')  # the old layout
    refused(tmp_path, data, 'older book_utils')


def test_two_runs_cannot_share_a_folder_at_once(tmp_path, data):
    first = Checkpointer(tmp_path)
    first.open({'settings': {'model': 'LeNet'}})  # a run in progress holds the folder
    try:
        refused(tmp_path, data, 'in use by another run', f'process {os.getpid()}')
    finally:
        first.close()
    fit(tmp_path, data)  # once released, the folder is free


@pytest.mark.parametrize(
    'failure',
    [
        OSError(28, 'No space left on device'),
        # what torch.save raises when the disk fills under its zip writer
        RuntimeError('[enforce fail at inline_container.cc:603] . unexpected pos 1536 vs 1472'),
    ],
)
def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, data, monkeypatch, failure):
    trainer = fit(tmp_path, data)
    before = (tmp_path / 'checkpoint.pt').read_bytes()

    def dies_mid_write(obj, f, *args, **kwargs):
        f.write(b'half a checkpoint')
        raise failure

    monkeypatch.setattr(torch, 'save', dies_mid_write)
    write_error = sys.modules[CheckpointError.__module__].CheckpointWriteError
    with pytest.raises(write_error) as info:
        trainer.checkpointer.save(trainer, {'settings': {}, 'info': {}})
    message = str(info.value)
    for needle in ('disk is probably full', 'previous checkpoint.pt is intact', 'fit again'):
        assert needle in message, message
    assert info.value.__cause__ is failure
    assert (tmp_path / 'checkpoint.pt').read_bytes() == before  # the last good one survives
    assert sorted(p.name for p in tmp_path.iterdir()) == ['checkpoint.lock', 'checkpoint.pt']


def test_home_folder_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    assert Checkpointer('~/drive/ckpt').folder == tmp_path / 'drive' / 'ckpt'
    with pytest.raises(TypeError, match='checkpoint_dir must be a folder path'):
        d2l.Trainer(max_epochs=1, checkpoint_dir=3)


def test_resumed_run_visits_the_same_batches_without_seeding(tmp_path, profile):
    """No seed_everything anywhere: the loader's own shuffling seed travels in the
    checkpoint, so the epoch after a resume sees the batches it would have seen."""
    profile('cpu')
    seen = []

    class Watch(d2l.LeNet):
        def training_step(self, batch):
            seen.append((self.trainer.epoch, batch[-1].tolist()))
            return super().training_step(batch)

    def data():
        return d2l.FashionMNIST(batch_size=32, num_train=96, num_val=32)

    torch.manual_seed(1)
    fit(tmp_path / 'a', data(), model=Watch(), max_epochs=2)
    uninterrupted = [labels for epoch, labels in seen if epoch == 1]
    seen.clear()
    torch.manual_seed(1)  # the same start, stopped after one epoch
    fit(tmp_path / 'b', data(), model=Watch(), max_epochs=1)
    torch.manual_seed(12345)  # a new session: other random state, so another loader seed
    fit(tmp_path / 'b', data(), model=Watch(), max_epochs=2)
    resumed = [labels for epoch, labels in seen if epoch == 1]
    assert len(resumed) == 3 and resumed == uninterrupted


def test_resume_on_another_device_keeps_the_rng_state_on_the_cpu(tmp_path, data, monkeypatch):
    """Saved on the CPU, resumed on the 'meta' device (the stand-in for a GPU here; a
    reader's Trainer(device='meta') is refused, so the test lets it through):
    torch.load(map_location=device) used to move the CPU random state there too, and
    torch.set_rng_state refused it; now every piece goes where it belongs."""
    monkeypatch.setattr(
        sys.modules[d2l.Trainer.__module__],
        'training_device',
        lambda num_gpus, device: (torch.device(device or 'cpu'), None),
    )

    class Momentum(d2l.LeNet):
        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=self.lr, momentum=0.9)

    def built():
        model = Momentum()
        model(torch.zeros(1, 1, 28, 28))  # shapes known: a lazy layer cannot move to 'meta'
        return model

    saved = fit(tmp_path, data, model=built())
    state = torch.load(tmp_path / 'checkpoint.pt', weights_only=False)
    with pytest.raises((TypeError, RuntimeError)):  # the defect, reproduced
        torch.set_rng_state(
            torch.load(tmp_path / 'checkpoint.pt', map_location='meta', weights_only=False)['rng'][
                'torch'
            ]
        )
    torch.manual_seed(99)  # something else, so the restore shows
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)  # copying into meta tensors is a no-op
        resumed = fit(tmp_path, data, model=built(), device='meta')
    assert resumed.device == torch.device('meta') and resumed.history == saved.history
    assert torch.equal(torch.get_rng_state(), state['rng']['torch'])
    momentum = [s['momentum_buffer'] for s in resumed.optim.state.values()]
    assert momentum and all(m.device.type == 'meta' for m in momentum)
    assert all(p.device.type == 'meta' for p in resumed.model.parameters())


@pytest.mark.skipif(sys.platform == 'win32', reason='flock is POSIX')
def test_lock_is_released_when_fit_fails(tmp_path, data):
    class Broken(Counting):
        def training_step(self, batch):
            raise RuntimeError('a bug in the student code')

    with pytest.raises(RuntimeError, match='a bug'):
        fit(tmp_path, data, model=Broken())
    fit(tmp_path, data)  # not refused as 'in use'


def test_the_checkpoint_finds_the_loader_under_the_caps_by_its_attribute():
    """The seed and generator saved are the base loader's, however many caps wrap it."""
    from book_utils.engine.checkpoint import _base_loader
    from book_utils.engine.placement import CappedLoader

    base = d2l.TensorLoader((torch.zeros(8, 1), torch.zeros(8)), batch_size=2, shuffle=True, seed=3)
    assert CappedLoader(CappedLoader(base, 3), 2).base_loader is base
    assert _base_loader(CappedLoader(CappedLoader(base, 3), 2)) is base
    assert _base_loader(base) is base
