"""What students do with a model after training, and D2L's habits the smoke cap and
scripts must keep working."""

import copy
import subprocess
import sys
import textwrap

import pytest
import torch

import book_utils as d2l
from book_utils.engine.profiles import SMOKE_BATCHES


@pytest.fixture(scope='module')
def trained():
    torch.manual_seed(0)
    data = d2l.FashionMNIST(batch_size=16)
    model = d2l.LeNet(lr=0.1)
    d2l.Trainer(max_epochs=1, progress=False, verbose=False).fit(model, data)
    X, y = next(iter(data.val_dataloader()))
    return model, data, X, y


def test_deepcopy_after_fit_is_an_independent_model(trained):
    model, _, X, _ = trained
    twin = copy.deepcopy(model)
    with torch.no_grad():
        assert torch.allclose(twin(X), model(X), atol=1e-5)
        next(twin.parameters()).add_(1)
        assert not torch.equal(twin(X), model(X))


def test_whole_model_saves_and_loads(trained, tmp_path):
    model, _, X, _ = trained
    torch.save(model, tmp_path / 'lenet.pt')
    loaded = torch.load(tmp_path / 'lenet.pt', weights_only=False)
    assert type(loaded) is type(model)
    with torch.no_grad():
        assert torch.allclose(loaded(X), model(X), atol=1e-5)  # the layout may differ
    torch.save(model.state_dict(), tmp_path / 'weights.pt')
    fresh = d2l.LeNet(lr=0.1)
    fresh(X[:1])  # lazy layers take their shapes before the weights are loaded
    fresh.load_state_dict(torch.load(tmp_path / 'weights.pt'))
    with torch.no_grad():
        assert torch.allclose(fresh(X), model(X), atol=1e-5)


def test_predict_one_image_on_cpu_and_plot_predictions(trained):
    model, data, X, y = trained
    model = model.to('cpu').eval()
    image, label = data.val[0]
    with torch.no_grad():
        scores = model(image.unsqueeze(0))
    assert scores.shape == (1, 10)
    name = data.text_labels(scores.argmax(1))[0]
    assert name in data.text_labels(range(10)) and data.text_labels([label]) == ['ankle boot']
    with torch.no_grad():
        preds = model(X).argmax(1)
    wrong = preds.type(y.dtype) != y
    labels = [a + '\n' + b for a, b in zip(data.text_labels(y), data.text_labels(preds))]
    data.visualize([X[wrong], y[wrong]], labels=labels)  # D2L 7.6's own picture of the mistakes
    import matplotlib.pyplot as plt

    assert len(plt.gcf().axes) == 8


def test_d2ls_progress_line_survives_the_smoke_cap(profile):
    profile('smoke')
    train_iter, _ = d2l.load_data_fashion_mnist(256)
    num_batches = len(train_iter)
    assert num_batches == SMOKE_BATCHES
    printed = [
        i
        for i, _ in enumerate(train_iter)
        if (i + 1) % (num_batches // 5) == 0 or i == num_batches - 1
    ]
    assert printed == list(range(num_batches))

    class OwnLoop(d2l.Trainer):  # a Trainer subclass with D2L's chapter-6 progress line
        def fit_epoch(self):
            self.model.train()
            for i, batch in enumerate(self.train_dataloader):
                loss = self.model.training_step(self.prepare_batch(batch))
                self.optim.zero_grad()
                loss.backward()
                self.optim.step()
                self.train_batch_idx += 1
                if (i + 1) % (self.num_train_batches // 5) == 0:
                    self.ticks = getattr(self, 'ticks', 0) + 1

    trainer = OwnLoop(max_epochs=3, progress=False, verbose=False)
    trainer.fit(d2l.LeNet(lr=0.1), d2l.FashionMNIST(batch_size=64))
    assert trainer.ticks == SMOKE_BATCHES  # one epoch (the cap) of five batches


SCRIPT = textwrap.dedent("""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import torch
    import book_utils as d2l
    torch.manual_seed(0)
    {body}
    lines = [[l.get_label() if not l.get_label().startswith('_') else 'curve'
              for l in plt.figure(n).axes[0].lines] for n in plt.get_fignums()]
    print('FIGURES', lines)
""")


def run_script(body):
    out = subprocess.run(
        [sys.executable, '-c', SCRIPT.format(body=body)],
        capture_output=True,
        text=True,
        timeout=300,
        env=None,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_a_script_is_left_a_figure_with_the_trainers_curves():
    out = run_script(
        'd2l.Trainer(max_epochs=1, progress=False).fit(d2l.LeNet(lr=0.1), '
        'd2l.FashionMNIST(batch_size=16))'
    )
    assert "FIGURES [['train_loss', 'val_loss', 'val_acc']]" in out
    assert 'epoch 1/1: train_loss' in out  # the console keeps its text line


def test_a_script_is_left_a_figure_with_train_ch6s_curves():
    out = run_script(
        'net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))\n'
        'train_iter, test_iter = d2l.load_data_fashion_mnist(16)\n'
        "d2l.train_ch6(net, train_iter, test_iter, 1, 0.1, 'cpu')"
    )
    assert "FIGURES [['curve', 'curve', 'curve']]" in out
    assert 'test acc' in out and 'examples/sec' in out
