"""train.py: D2L's fit loop, the profile caps, and what happens when things go wrong."""

import copy
import os
import subprocess
import sys
import textwrap
import time

import pytest
import torch
from torch import nn

import book_utils as d2l
from book_utils.engine import devices, notices
from book_utils.engine.devices import channels_last_helps
from book_utils.engine.profiles import SMOKE_BATCHES


class HomeworkLeNet(d2l.Classifier):
    """Written the way a D2L student writes it."""

    def __init__(self, lr=0.1, num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5, padding=2),
            nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.LazyConv2d(16, kernel_size=5),
            nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.LazyLinear(120),
            nn.Sigmoid(),
            nn.LazyLinear(84),
            nn.Sigmoid(),
            nn.LazyLinear(num_classes),
        )


@d2l.add_to_class(HomeworkLeNet)
def describe(self):
    return f'LeNet with lr {self.lr}'


def test_d2l_style_homework_runs_unchanged_under_smoke(profile):
    profile('smoke')
    start = time.perf_counter()
    data = d2l.FashionMNIST(batch_size=128)
    model = HomeworkLeNet(lr=0.1)
    model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l.init_cnn)
    trainer = d2l.Trainer(max_epochs=10, num_gpus=1)
    trainer.fit(model, data)
    assert time.perf_counter() - start < 30
    assert (
        trainer.max_epochs == 1
        and trainer.train_batch_idx == SMOKE_BATCHES == trainer.val_batch_idx
    )
    assert model.describe() == 'LeNet with lr 0.1'
    [record] = trainer.history
    assert set(record) >= {
        'epoch',
        'train_loss',
        'val_loss',
        'val_acc',
        'seconds',
        'examples_per_sec',
    }
    assert 0 <= record['val_acc'] <= 1 and record['train_loss'] > 0


def test_full_profile_keeps_epochs(profile):
    profile('full')
    assert d2l.Trainer(max_epochs=10).max_epochs == 10


def test_training_learns_and_history_matches_board(profile):
    profile('cpu')
    torch.manual_seed(0)
    data = d2l.FashionMNIST(batch_size=256, num_train=4096, num_val=1024)
    model = d2l.LeNet(lr=0.9)
    trainer = d2l.Trainer(max_epochs=2, progress=False)
    trainer.fit(model, data)
    losses = [h['train_loss'] for h in trainer.history]
    assert len(losses) == 2 and losses[1] < losses[0]
    # the board averaged the same validation accuracies the history reports
    val_acc_board = [y for _, y in model.board.data['val_acc']]
    assert val_acc_board == pytest.approx([h['val_acc'] for h in trainer.history], abs=1e-6)


def test_students_training_step_override_is_used(profile):
    profile('smoke')
    calls = []

    class Counting(HomeworkLeNet):
        def training_step(self, batch):
            calls.append(len(batch[0]))
            return super().training_step(batch)

    d2l.Trainer(max_epochs=1, progress=False).fit(Counting(), d2l.FashionMNIST(batch_size=8))
    assert calls == [8] * SMOKE_BATCHES


def test_num_gpus_without_gpu_falls_back_with_one_notice_per_process(capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 0)
    monkeypatch.setattr(devices, 'mps_available', lambda: False)
    monkeypatch.setattr(notices, '_said', set())  # as in a fresh process
    trainers = [d2l.Trainer(max_epochs=1, num_gpus=2) for _ in range(3)]
    assert all(t.device == torch.device('cpu') for t in trainers)
    for t in trainers:  # each trainer records the notice ...
        [notice] = [e for e in t.events if e.kind == 'notice']
        assert 'num_gpus=2 but no GPU is available' in notice.message
    assert capsys.readouterr().out.count('no GPU is available') == 1  # ... said once


def test_divergence_stops_with_warning(profile):
    profile('cpu')
    torch.manual_seed(0)
    data = d2l.FashionMNIST(batch_size=64, num_train=2048, num_val=256)
    model = d2l.LeNet(lr=1e4)
    trainer = d2l.Trainer(max_epochs=3, progress=False, log_every=5)
    with pytest.warns(d2l.DivergenceWarning) as record:
        trainer.fit(model, data)
    msg = str(record[0].message)
    assert 'epoch 1' in msg and 'learning rate 10000' in msg and 'smaller' in msg
    assert trainer.stop_reason == 'diverged' and trainer.history == []


def test_ctrl_c_keeps_model_and_history(profile, capsys):
    profile('cpu')
    data = d2l.FashionMNIST(batch_size=64, num_train=640, num_val=128)

    class Impatient(d2l.LeNet):
        def training_step(self, batch):
            if self.trainer.epoch == 1 and self.trainer.train_batch_idx == 13:
                raise KeyboardInterrupt
            return super().training_step(batch)

    model = Impatient()
    trainer = d2l.Trainer(max_epochs=5, progress=False)
    trainer.fit(model, data)  # returns instead of raising
    assert trainer.stop_reason == 'interrupted'
    assert len(trainer.history) == 1 and trainer.model is model
    assert 'interrupted in epoch 2' in capsys.readouterr().out


def test_out_of_memory_gives_advice(profile):
    profile('smoke')

    class Greedy(HomeworkLeNet):
        def training_step(self, batch):
            raise torch.cuda.OutOfMemoryError('CUDA out of memory. Tried to allocate 2.00 GiB')

    with pytest.raises(torch.cuda.OutOfMemoryError, match='smaller batch_size.*BOOK_PROFILE=cpu'):
        d2l.Trainer(max_epochs=1, progress=False).fit(Greedy(), d2l.FashionMNIST(batch_size=32))


RESUME_SCRIPT = textwrap.dedent("""
    import os, sys, torch
    import book_utils as d2l
    ckpt, out, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class Net(d2l.Classifier):
        def __init__(self, lr=0.05):
            super().__init__()
            self.save_hyperparameters()
            self.net = torch.nn.Sequential(torch.nn.LazyConv2d(4, 3), torch.nn.ReLU(),
                torch.nn.Dropout(0.3), torch.nn.Flatten(), torch.nn.LazyLinear(10))
        def training_step(self, batch):
            if self.trainer.train_batch_idx == kill_at:
                os._exit(17)            # a hard kill mid-epoch: no cleanup, no except
            return super().training_step(batch)

    d2l.seed_everything(0)
    data = d2l.FashionMNIST(batch_size=64, num_train=640, num_val=128)
    model = Net()
    model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l.init_cnn)
    trainer = d2l.Trainer(max_epochs=3, progress=False, checkpoint_dir=ckpt or None)
    trainer.fit(model, data)
    torch.save(model.state_dict(), out)
""")


def test_resume_after_kill_reaches_same_weights(tmp_path):
    """Kill a run mid-epoch 2, start it again: it resumes from epoch 1's checkpoint and ends
    with exactly the weights of a run that was never interrupted."""
    script = tmp_path / 'run.py'
    script.write_text(RESUME_SCRIPT)
    env = dict(os.environ, BOOK_PROFILE='cpu')
    ckpt = tmp_path / 'ckpt'

    def run(*args):
        return subprocess.run(
            [sys.executable, str(script), *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    plain = run('', tmp_path / 'plain.pt', -1)
    assert plain.returncode == 0, plain.stderr
    killed = run(ckpt, tmp_path / 'killed.pt', 15)  # 10 batches an epoch: dies in epoch 2
    assert killed.returncode == 17 and (ckpt / 'checkpoint.pt').exists()
    resumed = run(ckpt, tmp_path / 'resumed.pt', -1)
    assert resumed.returncode == 0, resumed.stderr
    assert 'resumed from' in resumed.stdout and 'after epoch 1' in resumed.stdout
    a, b = torch.load(tmp_path / 'plain.pt'), torch.load(tmp_path / 'resumed.pt')
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_autocast_and_channels_last_paths_train(profile):
    """The CUDA speed paths (bf16 autocast, channels-last) forced on, here on the CPU:
    the loop runs them and the model still learns."""
    profile('cpu')
    torch.manual_seed(0)
    data = d2l.FashionMNIST(batch_size=128, num_train=2048, num_val=512)
    model = d2l.LeNet(lr=0.9)
    model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l.init_cnn)
    trainer = d2l.Trainer(max_epochs=3, amp=True, channels_last=True, progress=False)
    seen = []
    model.net[0].register_forward_pre_hook(
        lambda mod, args: seen.append(args[0].is_contiguous(memory_format=torch.channels_last))
    )
    trainer.fit(model, data)
    assert seen and all(seen)
    assert trainer.history[-1]['train_loss'] < trainer.history[0]['train_loss']


@pytest.mark.parametrize(
    'make_model, device, expected',
    [
        (lambda: d2l.LeNet(), 'cpu', True),  # convolutions, no normalisation
        (lambda: d2l.AlexNet(), 'cpu', True),
        (lambda: d2l.BNLeNet(), 'cpu', False),  # nn.BatchNorm2d: 2x slower channels-last
        (lambda: d2l.BNLeNetScratch(), 'cpu', False),  # our own BatchNorm class counts too
        (lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), 'cpu', False),  # no convolution
        (lambda: d2l.BNLeNet(), 'cuda', True),  # on a GPU it always pays
        (lambda: d2l.LeNet(), 'meta', False),
    ],
)
def test_channels_last_auto_choice(make_model, device, expected):
    assert channels_last_helps(make_model(), device) is expected


def test_auto_channels_last_follows_the_model(profile):
    """'auto' on the CPU: LeNet's activations are channels-last, BN-LeNet's are not.
    (Watched at the second convolution: a one-channel image is both layouts at once.)"""
    profile('smoke')
    data = d2l.FashionMNIST(batch_size=16)
    for model, expected in ((d2l.LeNet(), True), (d2l.BNLeNet(), False)):
        seen = []
        second_conv = [m for m in model.modules() if isinstance(m, nn.modules.conv._ConvNd)][1]
        second_conv.register_forward_pre_hook(
            lambda mod, args, seen=seen: seen.append(
                args[0].is_contiguous(memory_format=torch.channels_last)
            )
        )
        trainer = d2l.Trainer(max_epochs=1, progress=False)
        trainer.fit(model, data)
        # seen[0] is the forward that gives the lazy layers their shapes, before the layout changes
        assert len(seen) > 1 and all(s is expected for s in seen[1:]), type(model).__name__


class ViewNet(d2l.Classifier):
    """Flattens with ``.view``, as much homework does: channels-last strides cannot be viewed."""

    def __init__(self, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.out = nn.Linear(4 * 28 * 28, 10)

    def forward(self, X):
        H = torch.relu(self.conv(X))
        return self.out(H.view(H.shape[0], -1))


def test_view_in_forward_falls_back_to_the_default_layout(profile, capsys, monkeypatch):
    """A forward that ``.view``s a channels-last activation: the Trainer says so once, trains
    on in the default layout, and the model learns as it would have."""
    profile('cpu')
    monkeypatch.setattr(notices, '_said', set())  # as in a fresh process
    torch.manual_seed(0)
    data = d2l.FashionMNIST(batch_size=64, num_train=1024, num_val=256)
    model = ViewNet(lr=0.1)
    with pytest.raises(RuntimeError, match='view size is not compatible'):  # the failure itself
        copy.deepcopy(model).to(memory_format=torch.channels_last)(torch.zeros(2, 1, 28, 28))
    trainer = d2l.Trainer(max_epochs=2, channels_last=True, progress=False)
    trainer.fit(model, data)
    said = capsys.readouterr().out
    assert said.count('calls .view on a channels-last tensor') == 1
    assert '.reshape' in said
    assert model.conv.weight.is_contiguous()  # the model is back in the default layout
    assert len(trainer.history) == 2
    assert trainer.history[-1]['train_loss'] < trainer.history[0]['train_loss']
    assert trainer.prepare_batch([torch.zeros(2, 1, 28, 28)])[0].is_contiguous()


# -- every option checked at construction ---------------------------------------
@pytest.mark.parametrize(
    'kwargs, error, needles',
    [
        (dict(amp='off'), ValueError, ['amp', "'off'", "'auto'"]),
        (dict(channels_last='off'), ValueError, ['channels_last', "'off'"]),
        (dict(amp=1), TypeError, ['amp', 'True or False']),
        (dict(max_epochs=2.5), TypeError, ['max_epochs', '2.5']),
        (dict(max_epochs=-1), ValueError, ['max_epochs', 'at least 0']),
        (dict(num_gpus=-1), ValueError, ['num_gpus', '-1']),
        (dict(num_gpus=1.0), TypeError, ['num_gpus', 'int']),
        (dict(gradient_clip_val=None), TypeError, ['gradient_clip_val', 'None', 'use 0']),
        (dict(gradient_clip_val=-1), ValueError, ['gradient_clip_val', 'at least 0']),
        (dict(log_every=0), ValueError, ['log_every', 'at least 1']),
        (dict(divergence_factor=float('nan')), ValueError, ['divergence_factor', 'finite']),
        (dict(progress='no'), TypeError, ['progress']),
        (dict(verbose=None), TypeError, ['verbose']),
        (dict(reporter='console'), TypeError, ['reporter']),
        (dict(checkpoint_dir=5), TypeError, ['checkpoint_dir', 'folder path']),
        (dict(checkpoint_dir=''), ValueError, ['checkpoint_dir is empty', 'None']),
        (dict(device='gpu'), ValueError, ["device='gpu'", 'cpu']),
    ],
)
def test_bad_options_are_refused_at_construction(kwargs, error, needles):
    kwargs = dict({'max_epochs': 1}, **kwargs)
    with pytest.raises(error) as info:
        d2l.Trainer(**kwargs)
    for needle in needles:
        assert needle in str(info.value), (needle, str(info.value))


@pytest.mark.parametrize('device', ['cuda', 'cuda:1'])
def test_device_the_machine_lacks(device, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 0)
    monkeypatch.setattr(devices, 'mps_available', lambda: False)
    with pytest.raises(ValueError) as info:
        d2l.Trainer(max_epochs=1, device=device)
    message = str(info.value)
    assert f'device={device!r}' in message and 'it has cpu.' in message and 'num_gpus=1' in message


def test_switches_accept_auto_true_false():
    for value in ('auto', True, False):
        trainer = d2l.Trainer(max_epochs=1, amp=value, channels_last=value)
        assert trainer.amp == value and trainer.channels_last == value
    assert d2l.Trainer(max_epochs=1, channels_last=False).steps.channels_last is False


@pytest.mark.parametrize('out_features, needle', [(5, '(16, 5)'), (1, '(16, 1)')])
def test_wrong_output_shape_is_named_on_the_first_batch(profile, out_features, needle):
    """A last layer of the wrong size: one clear error naming both shapes, at step one."""
    profile('smoke')
    steps = []

    class Narrow(d2l.Classifier):
        def __init__(self, lr=0.1):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, out_features))

        def training_step(self, batch):
            steps.append(1)
            return super().training_step(batch)

    with pytest.raises(ValueError) as info:
        d2l.Trainer(max_epochs=1, progress=False).fit(Narrow(), d2l.FashionMNIST(batch_size=16))
    message = str(info.value)
    assert needle in message and 'labels of shape (16,)' in message and 'last layer' in message
    assert len(steps) == 1  # the first step, not after an epoch


def test_a_model_broken_inside_keeps_its_own_error(profile):
    """The shape explanation is only for output versus labels; a layer that cannot take its
    input says so in torch's words, unchanged."""
    profile('smoke')
    model = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))
    wrapped = d2l.Classifier()
    wrapped.net, wrapped.lr = model, 0.1
    with pytest.raises(RuntimeError, match='mat1 and mat2'):
        d2l.Trainer(max_epochs=1, progress=False).fit(wrapped, d2l.FashionMNIST(batch_size=16))


def test_empty_training_data_is_refused(profile):
    profile('cpu')
    with pytest.raises(ValueError, match='no batches|num_train'):
        d2l.Trainer(max_epochs=1).fit(d2l.LeNet(), d2l.FashionMNIST(batch_size=16, num_train=0))


def test_seed_everything_does_not_claim_the_hash_seed(monkeypatch):
    monkeypatch.delenv('PYTHONHASHSEED', raising=False)
    d2l.seed_everything(3)
    assert 'PYTHONHASHSEED' not in os.environ  # it could not change this process anyway
    a = torch.rand(3)
    d2l.seed_everything(3)
    assert torch.equal(a, torch.rand(3))


def test_save_hyperparameters_default_ignore_is_not_shared():
    class A(d2l.HyperParameters):
        def __init__(self, x=1, y=2):
            self.save_hyperparameters()

    assert A().hparams == {'x': 1, 'y': 2}
    import inspect

    assert (
        inspect.signature(d2l.HyperParameters.save_hyperparameters).parameters['ignore'].default
        is None
    )
