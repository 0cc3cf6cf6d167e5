"""data.py: real Fashion-MNIST, D2L's batch format, lookup order, clear failures."""

import shutil
from pathlib import Path

import pytest
import torch

import book_utils as d2l
from book_utils import data as data_mod

DEBIAN = Path('/usr/share/datasets/fashion-mnist')


def test_batches_have_d2ls_shapes_dtypes_and_range():
    ours = d2l.FashionMNIST(batch_size=16, resize=(32, 32))
    X, y = next(iter(ours.get_dataloader(False)))
    assert X.shape == (16, 1, 32, 32) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert len(ours.train) == 60000 and len(ours.val) == 10000


def test_same_images_and_labels_as_d2l(oracle, tmp_path):
    """D2L's own FashionMNIST (torchvision + PIL) on the same files gives the same batch."""
    raw = data_mod.export_for_torchvision(tmp_path)
    assert raw == tmp_path / 'FashionMNIST' / 'raw'
    assert sorted(p.name for p in raw.iterdir()) == sorted(data_mod.FILES.values())
    import torchvision
    from torchvision import transforms

    for resize in [(28, 28), (64, 64)]:
        # D2L's constructor insists on downloading; build the same object from the local copy.
        ref = oracle.FashionMNIST.__new__(oracle.FashionMNIST)
        ref.batch_size, ref.resize, ref.num_workers = 8, resize, 0
        trans = transforms.Compose([transforms.Resize(resize), transforms.ToTensor()])
        ref.val = torchvision.datasets.FashionMNIST(
            root=str(tmp_path), train=False, transform=trans
        )
        X_ref, y_ref = next(iter(ref.get_dataloader(False)))
        ours = d2l.FashionMNIST(batch_size=8, resize=resize)
        X, y = next(iter(ours.get_dataloader(False)))
        assert torch.equal(y, y_ref)
        assert X.shape == X_ref.shape and X.dtype == X_ref.dtype
        # PIL rounds its resized pixels to 8 bits; we interpolate in float.
        assert (X - X_ref).abs().max() <= (0 if resize == (28, 28) else 1.5 / 255)


def test_text_labels_match_oracle(oracle):
    ours = d2l.FashionMNIST.text_labels(None, range(10))
    assert ours == oracle.FashionMNIST.text_labels(None, range(10))


def test_shuffled_loader_is_a_permutation_and_reproducible():
    data = d2l.FashionMNIST(batch_size=16, num_train=100)
    torch.manual_seed(5)
    a = torch.cat([y for _, y in data.get_dataloader(True)])
    torch.manual_seed(5)
    b = torch.cat([y for _, y in data.get_dataloader(True)])
    assert torch.equal(a, b)
    assert sorted(a.tolist()) == sorted(data.train.labels.tolist())
    assert not torch.equal(a, data.train.labels)


def test_smoke_profile_caps_batch_size(profile):
    profile('smoke')
    assert d2l.FashionMNIST(batch_size=128).batch_size == 16
    profile('full')
    assert d2l.FashionMNIST(batch_size=128).batch_size == 128


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No data anywhere and no network: BOOK_DATA empty, no Debian copy, downloads fail."""
    empty = tmp_path / 'empty'
    empty.mkdir()
    monkeypatch.setenv('BOOK_DATA', str(empty))
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    monkeypatch.setattr(data_mod, 'SYSTEM_DIRS', [tmp_path / 'no-debian'])

    def offline(dest):
        raise OSError('[Errno -3] Temporary failure in name resolution')

    monkeypatch.setattr(data_mod, '_download', offline)
    return empty


def test_offline_with_no_copy_raises_data_unavailable(nowhere):
    with pytest.raises(d2l.DataUnavailableError) as info:
        d2l.load_fashion_mnist(root=str(nowhere.parent / 'data'))
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError)
    for words in [
        '$BOOK_DATA',
        str(nowhere),
        'root argument',
        'user cache',
        'dataset-fashion-mnist',
        'apt-get install dataset-fashion-mnist',
        'set BOOK_DATA',
        'Connect to the internet',
        'name resolution',
    ]:
        assert words in msg, words


def test_missing_book_data_folder_also_explains(nowhere, monkeypatch):
    monkeypatch.setenv('BOOK_DATA', str(nowhere / 'does-not-exist'))
    with pytest.raises(d2l.DataUnavailableError, match='does-not-exist'):
        d2l.FashionMNIST()


def _copy_dataset(dest):
    folder = data_mod.find_folder()
    for stem in data_mod.FILES.values():
        shutil.copy(data_mod._file_in(folder, stem), dest)


@pytest.mark.parametrize('damage', ['truncate', 'garbage'])
def test_corrupt_file_is_named(monkeypatch, tmp_path, damage):
    _copy_dataset(tmp_path)
    victim = next(tmp_path.glob('t10k-labels*'))
    if damage == 'truncate':
        victim.write_bytes(victim.read_bytes()[:100])
    else:
        victim.write_bytes(b'not an idx file at all')
    monkeypatch.setenv('BOOK_DATA', str(tmp_path))
    data_mod._MEMORY.clear()
    with pytest.raises(d2l.DataCorruptError, match=victim.name):
        d2l.load_fashion_mnist()
    data_mod._MEMORY.clear()


def test_book_data_comes_first(monkeypatch, tmp_path):
    _copy_dataset(tmp_path)
    monkeypatch.setenv('BOOK_DATA', str(tmp_path))
    data_mod._MEMORY.clear()
    tensors = d2l.load_fashion_mnist()
    assert str(tmp_path.resolve()) in data_mod._MEMORY
    assert tensors['train_images'].shape == (60000, 28, 28)
    data_mod._MEMORY.clear()


def test_bad_arguments():
    with pytest.raises(ValueError, match='batch_size'):
        d2l.FashionMNIST(batch_size=0)
    with pytest.raises(TypeError, match='resize'):  # a wrong type is a TypeError (checks.py)
        d2l.FashionMNIST(resize=(28,))
