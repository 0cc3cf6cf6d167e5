"""A student's own data: any Dataset as data.train / data.val, torchvision's attribute
names, the older API's iterators, and labels that cannot be right refused."""

import math

import pytest
import torch
from torch.utils.data import DataLoader, Dataset, Subset, TensorDataset

import book_utils as d2l
from book_utils.data import TensorLoader
from book_utils.engine.profiles import SMOKE_BATCHES


class Flipped(Dataset):
    """A student's own class: Fashion-MNIST images flipped left-right."""

    def __init__(self, split):
        self.split = split

    def __len__(self):
        return len(self.split)

    def __getitem__(self, i):
        X, y = self.split[i]
        return X.flip(-1), y


def fit_quietly(model, data):
    trainer = d2l.Trainer(max_epochs=1, progress=False, verbose=False)
    trainer.fit(model, data)
    return trainer


@pytest.fixture
def data():
    return d2l.FashionMNIST(batch_size=16)


def test_subset_takes_the_in_memory_path_with_the_chosen_images(data):
    picks = [5, 3, 999, 42, 7, 1000, 0]
    data.val = Subset(data.val, picks)
    loader = data.val_dataloader()
    assert isinstance(loader, TensorLoader) and loader.dataset is data.val
    X, y = next(iter(loader))
    assert len(y) == len(picks)
    for row, i in enumerate(picks):
        image, label = data.val.dataset[i]
        assert torch.equal(X[row], image) and int(y[row]) == label


def test_subset_trains_as_d2l_programs_do(data):
    data.train = Subset(data.train, range(100))
    data.val = Subset(data.val, range(50))
    trainer = fit_quietly(d2l.LeNet(lr=0.1), data)
    assert trainer.num_train_batches == min(math.ceil(100 / 16), SMOKE_BATCHES)
    assert trainer.num_val_batches == min(math.ceil(50 / 16), SMOKE_BATCHES)
    assert math.isfinite(trainer.history[-1]['val_loss'])


def test_tensor_dataset_batches_the_tensors_themselves(data):
    X = torch.rand(40, 1, 28, 28)
    y = torch.randint(0, 10, (40,))
    data.train, data.val = TensorDataset(X, y), TensorDataset(X[:20], y[:20])
    Xb, yb = next(iter(data.val_dataloader()))
    assert torch.equal(Xb, X[:16]) and torch.equal(yb, y[:16])
    assert fit_quietly(d2l.LeNet(lr=0.1), data).num_train_batches == 3


def test_own_dataset_class_goes_through_a_dataloader(data):
    flipped = Flipped(data.val)
    data.train, data.val = Flipped(data.train), flipped
    loader = data.val_dataloader()
    assert isinstance(loader, DataLoader)
    X, y = next(iter(loader))
    assert torch.equal(X[3], data.val.split[3][0].flip(-1)) and int(y[3]) == data.val.split[3][1]
    data.train = Subset(data.train, range(64))  # a Subset of an own class: a DataLoader too
    assert isinstance(data.train_dataloader(), DataLoader)
    assert fit_quietly(d2l.LeNet(lr=0.1), data).num_train_batches == 4


def test_torchvision_dataset_gives_the_same_batches(data, tmp_path):
    torchvision = pytest.importorskip('torchvision')
    from book_utils.data import export_for_torchvision

    export_for_torchvision(tmp_path)
    tv = torchvision.datasets.FashionMNIST(
        root=str(tmp_path), train=False, transform=torchvision.transforms.ToTensor()
    )
    ours = next(iter(data.val_dataloader()))
    data.val = tv
    X, y = next(iter(data.val_dataloader()))
    assert torch.equal(X, ours[0]) and torch.equal(y, ours[1])
    # torchvision's attribute names on our own splits, with torchvision's values
    fresh = d2l.FashionMNIST()
    assert torch.equal(fresh.val.data, tv.data) and torch.equal(fresh.val.targets, tv.targets)
    assert fresh.val.data.dtype == tv.data.dtype and fresh.val.targets.dtype == tv.targets.dtype
    assert fresh.val.classes == tv.classes


def test_data_and_targets_can_be_assigned(data):
    keep = data.train.targets < 2  # a two-class exercise: t-shirts and trousers
    data.train.data = data.train.data[keep]
    data.train.targets = data.train.targets[keep]
    assert len(data.train) == 12000 and set(data.train.labels.tolist()) == {0, 1}
    X, y = next(iter(data.train_dataloader()))
    assert X.shape == (16, 1, 28, 28) and set(y.tolist()) <= {0, 1}
    assert len(d2l.FashionMNIST().train) == 60000  # other data modules are untouched


def test_images_without_as_many_labels_are_refused(data):
    data.train.data = data.train.data[:1000]
    with pytest.raises(ValueError, match=r'different lengths \[1000, 60000\].*as many labels'):
        data.train_dataloader()


def test_old_api_with_own_iterators(capsys):
    train_iter, test_iter = d2l.load_data_fashion_mnist(16)
    assert torch.equal(train_iter.dataset.targets, train_iter.dataset.labels)
    own_train = DataLoader(Subset(train_iter.dataset, range(160)), batch_size=16, shuffle=True)
    own_test = DataLoader(Flipped(Subset(test_iter.dataset, range(32))), batch_size=16)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    d2l.train_ch6(net, own_train, own_test, 1, 0.1, 'cpu')
    out = capsys.readouterr().out
    assert 'test acc' in out and 'examples/sec' in out


def test_train_ch6_refuses_an_empty_test_iterator_before_training():
    train_iter, _ = d2l.load_data_fashion_mnist(16)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    before = net[1].weight.detach().clone()
    empty = DataLoader(
        TensorDataset(torch.zeros(0, 1, 28, 28), torch.zeros(0, dtype=torch.long)), batch_size=16
    )
    with pytest.raises(ValueError, match='test_iter gives no batches'):
        d2l.train_ch6(net, train_iter, empty, 1, 0.1, 'cpu')
    assert torch.equal(net[1].weight, before)


def test_labels_no_output_can_predict_are_refused():
    X = torch.rand(32, 1, 28, 28)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    for y in (torch.arange(32) % 10 + 1, torch.full((32,), -1)):  # 1..10, and -1
        with pytest.raises(ValueError, match=r'labels lie outside 0\.\.9.*(y - 1 when|keep only)'):
            d2l.evaluate_accuracy_gpu(net, DataLoader(TensorDataset(X, y), batch_size=16))
    good = torch.arange(32) % 10
    acc = d2l.evaluate_accuracy_gpu(net, DataLoader(TensorDataset(X, good), batch_size=16))
    with torch.no_grad():
        assert acc == (net(X).argmax(1) == good).float().mean().item()


def test_train_ch6_with_test_labels_off_by_ten_is_refused():
    train_iter, test_iter = d2l.load_data_fashion_mnist(16)
    X, y = next(iter(test_iter))
    shifted = DataLoader(TensorDataset(X, y + 10), batch_size=16)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    with pytest.raises(ValueError, match=r'train_ch6: 16 of 16 labels lie outside 0\.\.9'):
        d2l.train_ch6(net, train_iter, shifted, 1, 0.1, 'cpu')


def test_trainer_with_labels_1_to_10_is_told_before_a_wrong_accuracy(data):
    X = torch.rand(48, 1, 28, 28)
    y = torch.arange(48) % 10 + 1
    data.train, data.val = TensorDataset(X, y), TensorDataset(X, y)
    model = d2l.LeNet(lr=0.1)
    with pytest.raises(ValueError, match=r'data.train holds labels 1 to 10.*y - 1'):
        fit_quietly(model, data)
    data.train = TensorDataset(X, y - 1)
    with pytest.raises(ValueError, match=r'data.val holds labels 1 to 10'):
        fit_quietly(model, data)


@pytest.mark.parametrize('label', [-1, 10, 2**40])
def test_text_labels_refuse_labels_outside_the_classes(data, label, oracle):
    assert data.text_labels(range(10)) == oracle.FashionMNIST.text_labels(None, range(10))
    with pytest.raises(ValueError, match=r'between 0 and 9'):
        data.text_labels([label])
    with pytest.raises(ValueError, match=r'between 0 and 9'):
        d2l.MNIST.text_labels(None, [label])
