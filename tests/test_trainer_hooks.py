"""D2L's extension points on our Trainer: overriding a hook works, calling one alone works,
and every early stop (a callback, Ctrl-C, divergence) goes through ``request_stop``."""

import threading

import pytest
import torch
from torch import nn

import book_utils as d2l
from book_utils.engine.profiles import SMOKE_BATCHES
from book_utils.engine.report import Event, Reporter


class PlainLoopTrainer(d2l.Trainer):
    """A student's own epoch, written the D2L way: it returns None and knows nothing of
    our metrics store, progress bar or stop channel."""

    def fit_epoch(self):
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            loss.backward()
            self.optim.step()
            self.train_batch_idx += 1
        self.model.eval()
        with torch.no_grad():
            for batch in self.val_dataloader:
                self.model.validation_step(self.prepare_batch(batch))
                self.val_batch_idx += 1


@pytest.fixture
def small(profile):
    profile('cpu')  # no smoke caps: 4 training and 2 validation batches of 32
    return d2l.FashionMNIST(batch_size=32, num_train=128, num_val=64)


def test_own_fit_epoch_returning_none_runs_every_epoch(small):
    trainer = PlainLoopTrainer(max_epochs=3, progress=False, verbose=False)
    model = d2l.LeNet(lr=0.1)
    trainer.fit(model, small)
    assert trainer.train_batch_idx == 3 * 4 and trainer.val_batch_idx == 3 * 2
    assert [h['epoch'] for h in trainer.history] == [1, 2, 3]
    # validation_step -> Module.plot -> observe worked from the student's loop
    assert all({'train_loss', 'val_loss', 'val_acc'} <= set(h) for h in trainer.history)
    assert all(0 <= h['val_acc'] <= 1 and h['examples_per_sec'] > 0 for h in trainer.history)
    board = [y for _, y in model.board.data['val_acc']]
    assert board == pytest.approx([h['val_acc'] for h in trainer.history], abs=1e-6)


def test_overridden_hooks_are_used(small):
    calls = {'prepare_batch': 0, 'training_step': 0, 'validation_step': 0, 'configure': 0}

    class Net(d2l.Classifier):
        def __init__(self, lr=0.05):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

        def training_step(self, batch):
            calls['training_step'] += 1
            return super().training_step(batch)

        def validation_step(self, batch):
            calls['validation_step'] += 1
            super().validation_step(batch)

        def configure_optimizers(self):
            calls['configure'] += 1
            return torch.optim.Adam(self.parameters(), lr=self.lr)

    class HalfBatches(d2l.Trainer):
        def prepare_batch(self, batch):
            calls['prepare_batch'] += 1
            X, y = super().prepare_batch(batch)
            return X[:8], y[:8]

    seen = []
    model = Net()
    model.net[1].register_forward_pre_hook(lambda m, args: seen.append(len(args[0])))
    trainer = HalfBatches(max_epochs=2, progress=False, verbose=False)
    trainer.fit(model, small)
    assert calls == {
        'prepare_batch': 2 * (4 + 2),
        'training_step': 8,
        'validation_step': 4,
        'configure': 1,
    }
    assert isinstance(trainer.optim, torch.optim.Adam) and set(seen) == {8}
    assert len(trainer.history) == 2


def test_a_students_own_optimiser_with_a_bare_zero_grad(small):
    """D2L's chapter 3 SGD defines ``zero_grad(self)`` with no arguments; the loop must not
    pass torch-only keywords to it."""

    class ScratchSGD:
        def __init__(self, params, lr):
            self.params, self.lr, self.steps = list(params), lr, 0

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            with torch.no_grad():
                for p in self.params:
                    p -= self.lr * p.grad
            self.steps += 1

    class Net(d2l.Classifier):
        def __init__(self, lr=0.05):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

        def configure_optimizers(self):
            return ScratchSGD(self.parameters(), self.lr)

    trainer = d2l.Trainer(max_epochs=2, progress=False, verbose=False)
    trainer.fit(Net(), small)
    assert trainer.optim.steps == 2 * 4 and len(trainer.history) == 2
    # it has no param_groups: the divergence advice still names its learning rate
    trainer = d2l.Trainer(
        max_epochs=2,
        log_every=1,
        progress=False,
        verbose=False,
        reporter=lambda trainer, event: None,
    )
    trainer.fit(Net(lr=1e6), small)
    advice = [e.message for e in trainer.events if e.kind == 'advice']
    assert trainer.stop_reason == 'diverged' and len(advice) == 1 and '1000000' in advice[0]


def test_hooks_called_alone():
    trainer = d2l.Trainer(max_epochs=1, progress=False, verbose=False)
    # before any fit: all state exists
    assert (trainer.epoch, trainer.train_batch_idx, trainer.val_batch_idx) == (0, 0, 0)
    assert trainer.history == [] and trainer.stop_reason is None and trainer.model is None
    X, y = trainer.prepare_batch([torch.zeros(2, 1, 28, 28), torch.tensor([1, 2])])
    assert X.device == trainer.device and y.tolist() == [1, 2]
    trainer.observe('val_acc', torch.tensor(0.5))  # Module.plot's call, with no epoch running
    trainer.observe('val_acc', torch.tensor(1.0))
    assert trainer.meter.record(1)['val_acc'] == pytest.approx(0.75)
    model = nn.Linear(3, 1)
    model(torch.ones(4, 3)).sum().mul(100).backward()
    trainer.clip_gradients(1.0, model)
    norm = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
    assert norm == pytest.approx(1.0, rel=1e-4)


def test_prepare_then_fit_epoch_alone(profile):
    profile('smoke')
    trainer = d2l.Trainer(max_epochs=1, progress=False, verbose=False)
    model = d2l.LeNet(lr=0.1)
    trainer.prepare_data(d2l.FashionMNIST(batch_size=16))
    trainer.prepare_model(model)
    trainer.fit_epoch()  # builds the optimiser it needs from the model
    assert trainer.train_batch_idx == SMOKE_BATCHES == trainer.val_batch_idx
    assert isinstance(trainer.optim, torch.optim.SGD)


class StopAt(Reporter):
    """A dashboard-style reporter: asks for a stop from its per-batch callback."""

    per_batch = True

    def __init__(self, at):
        self.at, self.kinds = at, []

    def __call__(self, trainer, event):
        self.kinds.append(event.kind)
        super().__call__(trainer, event)

    def on_batch(self, trainer, event):
        if trainer.train_batch_idx == self.at:
            trainer.request_stop('interrupted')


def test_stop_requested_from_a_callback_ends_before_the_next_step(small):
    steps = []

    class Counting(d2l.LeNet):
        def training_step(self, batch):
            steps.append(1)
            return super().training_step(batch)

    reporter = StopAt(6)  # in epoch 2 of 3 (4 batches an epoch)
    trainer = d2l.Trainer(max_epochs=3, progress=False, reporter=reporter)
    trainer.fit(Counting(), small)
    assert len(steps) == 6 and trainer.train_batch_idx == 6
    assert trainer.stop_reason == 'interrupted'
    assert [h['epoch'] for h in trainer.history] == [1]  # the cut epoch is not recorded
    assert reporter.kinds.count('batch') == 6 and reporter.kinds[-1] == 'end'
    stops = [e for e in trainer.events if e.kind == 'stop']
    assert len(stops) == 1 and stops[0].data == {'reason': 'interrupted'}


def test_stop_from_another_thread(small):
    """A Stop button runs in another thread than the training: ``request_stop`` from there."""
    started = threading.Event()

    class Slow(d2l.LeNet):
        def training_step(self, batch):
            started.set()
            return super().training_step(batch)

    trainer = d2l.Trainer(max_epochs=50, progress=False, verbose=False)
    thread = threading.Thread(target=trainer.fit, args=(Slow(), small))
    thread.start()
    assert started.wait(60)
    trainer.request_stop('interrupted')
    thread.join(120)
    assert not thread.is_alive() and trainer.stop_reason == 'interrupted'
    assert len(trainer.history) < 50


def test_first_stop_reason_wins_and_a_new_fit_starts_clean(small):
    trainer = d2l.Trainer(max_epochs=1, progress=False, verbose=False)
    trainer.request_stop('diverged')
    trainer.request_stop('interrupted')
    assert trainer.stop_reason == 'diverged'
    trainer.fit(d2l.LeNet(), small)  # a fit starts with no stop requested
    assert trainer.stop_reason is None and len(trainer.history) == 1


def test_ctrl_c_goes_through_the_stop_channel(small):
    class Impatient(d2l.LeNet):
        def training_step(self, batch):
            if self.trainer.train_batch_idx == 5:
                raise KeyboardInterrupt
            return super().training_step(batch)

    trainer = d2l.Trainer(max_epochs=3, progress=False, verbose=False)
    trainer.fit(Impatient(), small)
    [stop] = [e for e in trainer.events if e.kind == 'stop']
    assert stop.data['reason'] == 'interrupted' and 'interrupted in epoch 2' in stop.message
    assert len(trainer.history) == 1


def test_divergence_reaches_a_reporter_as_advice_without_a_warning(profile, recwarn):
    """The dashboard's path: advice as an event, no warning captured from a thread."""
    profile('cpu')
    data = d2l.FashionMNIST(batch_size=64, num_train=640, num_val=64)
    heard = []
    trainer = d2l.Trainer(
        max_epochs=2, log_every=2, progress=False, reporter=lambda t, e: heard.append(e)
    )
    trainer.fit(d2l.LeNet(lr=1e4), data)
    advice = [e for e in heard if e.kind == 'advice']
    assert len(advice) == 1 and 'learning rate 10000' in advice[0].message
    assert trainer.stop_reason == 'diverged' and trainer.history == []
    assert not [w for w in recwarn if issubclass(w.category, d2l.DivergenceWarning)]


def test_events_of_a_run(small):
    trainer = d2l.Trainer(max_epochs=2, progress=False, verbose=False)
    trainer.fit(d2l.LeNet(), small)
    kinds = [e.kind for e in trainer.events]
    assert kinds == ['start', 'epoch', 'epoch', 'end']
    assert [e.data['record'] for e in trainer.events if e.kind == 'epoch'] == trainer.history
    assert isinstance(trainer.events[0], Event) and trainer.events[0].data['total'] == 2 * (4 + 2)


def test_console_reporter_prints_each_epoch(small, capsys):
    trainer = d2l.Trainer(max_epochs=2, progress=False)
    trainer.fit(d2l.LeNet(), small)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('epoch')]
    assert [line.split(':')[0] for line in lines] == ['epoch 1/2', 'epoch 2/2']


def test_the_reporter_is_chosen_once(small, monkeypatch):
    from book_utils.engine import report

    asked = []
    monkeypatch.setattr(report, 'in_notebook', lambda: asked.append(1) or False)
    trainer = d2l.Trainer(max_epochs=2, progress=False, verbose=False)
    trainer.fit(d2l.LeNet(), small)
    assert len(asked) == 1 and isinstance(trainer.reporter, report.ConsoleReporter)


def test_notebook_reporter_says_one_summary_line(small, capsys):
    from book_utils.engine.report import NotebookReporter

    trainer = d2l.Trainer(max_epochs=2, reporter=NotebookReporter(progress=False))
    trainer.fit(d2l.LeNet(), small)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('epoch')]
    assert len(lines) == 1 and lines[0].startswith('epoch 2: train_loss')
    assert 'examples/s' in lines[0] and 's in all.' in lines[0]
