"""Fashion-MNIST, found on disk or downloaded once, held in memory, batched fast.

D2L's loader decodes every image through PIL in worker processes on every
epoch. The whole data set is only 47 MB of bytes, so here it is read once into
two uint8 tensors; a batch is an index into them, converted to float and
resized on whatever device the tensors live on. Batches keep D2L's form:
``(B, 1, H, W)`` float32 in [0, 1] and int64 labels.

Where the files come from, in order: ``$BOOK_DATA``, the ``root`` argument
(D2L's ``../data``), the user cache, the Debian package ``dataset-fashion-mnist``
(``/usr/share/datasets/fashion-mnist``), then torchvision's download, which
checks each file's MD5 sum.
"""
import gzip
import math
import os
import shutil
from pathlib import Path

import torch
from torch.nn import functional as F

from .hparams import HyperParameters
from .profiles import active_profile

__all__ = ['DataUnavailableError', 'DataCorruptError', 'DataModule', 'FashionMNIST',
           'TensorLoader', 'load_fashion_mnist']

FILES = {
    'train_images': 'train-images-idx3-ubyte',
    'train_labels': 'train-labels-idx1-ubyte',
    'val_images': 't10k-images-idx3-ubyte',
    'val_labels': 't10k-labels-idx1-ubyte',
}
SIZES = {'train': 60_000, 'val': 10_000}
SYSTEM_DIRS = [Path('/usr/share/datasets/fashion-mnist')]
TEXT_LABELS = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']


class DataUnavailableError(RuntimeError):
    """Fashion-MNIST is not on this machine and could not be downloaded."""


class DataCorruptError(RuntimeError):
    """A Fashion-MNIST file exists but is truncated or is not an IDX file."""


def cache_dir():
    """Where downloads go when ``BOOK_DATA`` is not set."""
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'book_utils'


def _layouts(base):
    """The folders under ``base`` that may hold the four files (flat, torchvision, named)."""
    base = Path(base)
    return [base, base / 'FashionMNIST' / 'raw', base / 'fashion-mnist']


def _file_in(folder, stem):
    for name in (stem, stem + '.gz'):
        if (folder / name).is_file():
            return folder / name
    return None


def _complete_folder(base):
    for folder in _layouts(base):
        if all(_file_in(folder, stem) for stem in FILES.values()):
            return folder
    return None


def search_paths(root=None):
    """The places searched, in order, with where each came from."""
    places = []
    if os.environ.get('BOOK_DATA'):
        places.append(('$BOOK_DATA', Path(os.environ['BOOK_DATA']).expanduser()))
    if root is not None:
        places.append(('root argument', Path(root).expanduser()))
    places.append(('user cache', cache_dir()))
    places += [('Debian package dataset-fashion-mnist', d) for d in SYSTEM_DIRS]
    return places


def find_folder(root=None):
    """The first folder, in the order of ``search_paths(root)``, that holds all four files."""
    for _, base in search_paths(root):
        folder = _complete_folder(base) if base.is_dir() else None
        if folder is not None:
            return folder
    return None


def export_for_torchvision(root):
    """Write the four files, uncompressed, into ``root/FashionMNIST/raw`` and return it.

    That is where ``torchvision.datasets.FashionMNIST(root)``, and so D2L's own
    ``FashionMNIST``, looks; the Debian package and our cache may hold the files
    gzipped. The files are found (or downloaded) as ``load_fashion_mnist`` finds them.
    """
    folder = find_folder()
    if folder is None:
        load_fashion_mnist()   # downloads, or raises DataUnavailableError with the advice
        folder = find_folder()
    raw = Path(root) / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True, exist_ok=True)
    for stem in FILES.values():
        path = _file_in(folder, stem)
        opener = gzip.open if path.suffix == '.gz' else open
        with opener(path, 'rb') as fin, open(raw / stem, 'wb') as fout:
            shutil.copyfileobj(fin, fout)
    return raw


def _read_idx(path, magic, count, item_shape):
    """Read one IDX file (optionally gzipped) into a uint8 tensor, checking every length."""
    expected = count * math.prod(item_shape)
    header = 8 + 4 * len(item_shape)
    try:
        opener = gzip.open if path.suffix == '.gz' else open
        with opener(path, 'rb') as f:
            raw = f.read()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataCorruptError(f'{path} is truncated or corrupt ({err}). Delete it and load again '
                               f'to fetch a fresh copy, or reinstall dataset-fashion-mnist.') from err
    dims = [count, *item_shape]
    want = magic.to_bytes(4, 'big') + b''.join(d.to_bytes(4, 'big') for d in dims)
    if raw[:header] != want or len(raw) != header + expected:
        raise DataCorruptError(
            f'{path} is not the Fashion-MNIST file it should be: expected an IDX header for '
            f'shape {tuple(dims)} and {header + expected:,} bytes, found {len(raw):,} bytes. '
            f'Delete it and load again, or reinstall dataset-fashion-mnist.')
    return torch.frombuffer(bytearray(raw[header:]), dtype=torch.uint8).reshape(dims)


def _read_folder(folder):
    tensors = {}
    for key, stem in FILES.items():
        split = key.split('_')[0]
        path = _file_in(folder, stem)
        if key.endswith('images'):
            tensors[key] = _read_idx(path, 2051, SIZES[split], (28, 28))
        else:
            tensors[key] = _read_idx(path, 2049, SIZES[split], ()).long()
    return tensors


def _download(dest):
    """torchvision's download into ``dest/FashionMNIST/raw`` (it verifies each file's MD5)."""
    import torchvision
    for train in (True, False):
        torchvision.datasets.FashionMNIST(root=str(dest), train=train, download=True)
    return dest / 'FashionMNIST' / 'raw'


def _unavailable_message(places, download_error):
    searched = '\n'.join(f'  - {where}: {path}' for where, path in places)
    return (
        'Fashion-MNIST was not found and could not be downloaded '
        f'({type(download_error).__name__}: {download_error}).\n'
        f'Searched, in order:\n{searched}\n'
        'Get it in one of three ways:\n'
        '  1. Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n'
        '  2. Copy the four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n'
        '     t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into a folder and\n'
        '     set BOOK_DATA to that folder.\n'
        '  3. Connect to the internet and run again: the files are downloaded once\n'
        f'     (verified by MD5) into {os.environ.get("BOOK_DATA") or cache_dir()}.')


_MEMORY = {}


def load_fashion_mnist(root=None, download=True):
    """The four Fashion-MNIST tensors: ``train_images`` (60000, 28, 28) uint8, ``train_labels``
    int64, ``val_images`` (10000, 28, 28), ``val_labels``. Read once per process."""
    folder = find_folder(root)
    if folder is not None:
        key = str(folder.resolve())
        if key not in _MEMORY:
            _MEMORY[key] = _read_folder(folder)
        return _MEMORY[key]
    places = search_paths(root)
    dest = Path(os.environ['BOOK_DATA']).expanduser() if os.environ.get('BOOK_DATA') else cache_dir()
    if not download:
        raise DataUnavailableError(_unavailable_message(places, RuntimeError('download=False')))
    try:
        dest.mkdir(parents=True, exist_ok=True)
        folder = _download(dest)
    except Exception as err:  # no network, a proxy, a failed checksum: all end the same way
        raise DataUnavailableError(_unavailable_message(places, err)) from None
    return load_fashion_mnist(root, download=False) if _complete_folder(dest) else \
        _read_folder(folder)


def to_float_images(images, resize=None):
    """uint8 (B, 28, 28) -> float32 (B, 1, H, W) in [0, 1], resized on the images' device.

    Bilinear with antialiasing, which is what torchvision's ``Resize`` does to a
    PIL image in D2L's pipeline.
    """
    X = images.unsqueeze(1).float().div_(255)
    if resize is not None and tuple(X.shape[-2:]) != tuple(resize):
        X = F.interpolate(X, size=tuple(resize), mode='bilinear', align_corners=False,
                          antialias=True).clamp_(0, 1)
    return X


def _check_batch_size(batch_size):
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f'batch_size must be a positive int, got {batch_size!r}.')


class TensorLoader:
    """Batches of in-memory tensors: a drop-in for ``DataLoader(TensorDataset(...))``.

    Shuffling uses its own generator, seeded once from torch's global RNG and
    advanced per epoch, so a seeded run, or a run resumed from a checkpoint,
    visits the same batches in the same order. ``transform`` maps the first
    tensor of each batch (here: uint8 images to float, resized).
    """

    def __init__(self, tensors, batch_size, shuffle, transform=None, seed=None):
        _check_batch_size(batch_size)
        self.tensors = tuple(tensors)
        self.batch_size, self.shuffle, self.transform = batch_size, shuffle, transform
        self.seed = int(torch.randint(0, 2**62, ())) if seed is None else seed
        self.epoch = 0

    def __len__(self):
        return math.ceil(len(self.tensors[0]) / self.batch_size)

    @property
    def device(self):
        return self.tensors[0].device

    def to(self, device):
        """Move the data set to ``device`` once, so batches never cross the bus."""
        self.tensors = tuple(t.to(device) for t in self.tensors)
        return self

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __iter__(self):
        n = len(self.tensors[0])
        if self.shuffle:
            gen = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(n, generator=gen).to(self.device)
        self.epoch += 1
        for start in range(0, n, self.batch_size):
            if self.shuffle:
                idx = order[start:start + self.batch_size]
                # index_select, not t[idx]: the same rows, ~8x less overhead on the CPU
                batch = [t.index_select(0, idx) for t in self.tensors]
            else:
                batch = [t[start:start + self.batch_size] for t in self.tensors]
            if self.transform is not None:
                batch[0] = self.transform(batch[0])
            yield batch


class DataModule(HyperParameters):
    """The base class of data: a training and a validation loader."""

    def __init__(self, root='../data', num_workers=4):
        self.save_hyperparameters()

    def get_dataloader(self, train):
        raise NotImplementedError

    def train_dataloader(self):
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        return self.get_dataloader(train=False)

    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        tensors = tuple(a[indices] for a in tensors)
        return TensorLoader(tensors, self.batch_size, shuffle=train)


class _Split(torch.utils.data.Dataset):
    """``data.train`` / ``data.val``: indexable like torchvision's data set, (image, label)."""

    def __init__(self, images, labels, resize):
        self.images, self.labels, self.resize = images, labels, resize

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return to_float_images(self.images[i:i + 1], self.resize)[0], int(self.labels[i])


def _as_size(resize):
    if isinstance(resize, int) and not isinstance(resize, bool):
        return (resize, resize)
    if isinstance(resize, (tuple, list)) and len(resize) == 2 and all(
            isinstance(v, int) and v > 0 for v in resize):
        return tuple(resize)
    raise ValueError(f'resize must be an int or a (height, width) pair of positive ints, '
                     f'got {resize!r}.')


class FashionMNIST(DataModule):
    """The Fashion-MNIST data set (D2L's class, served from memory).

    ``num_train``/``num_val`` (keyword extras) keep only the first images of each
    split, which the ``cpu`` profile uses to make big models fit a laptop.
    """

    def __init__(self, batch_size=64, resize=(28, 28), *, root='../data',
                 num_train=None, num_val=None):
        super().__init__(root=root)
        _check_batch_size(batch_size)
        batch_size = active_profile().capped_batch_size(batch_size)
        resize = _as_size(resize)
        self.save_hyperparameters(ignore=['root'])
        tensors = load_fashion_mnist(root)
        self.train = _Split(tensors['train_images'][:num_train], tensors['train_labels'][:num_train],
                            resize)
        self.val = _Split(tensors['val_images'][:num_val], tensors['val_labels'][:num_val], resize)

    def text_labels(self, indices):
        """Return text labels."""
        return [TEXT_LABELS[int(i)] for i in indices]

    def get_dataloader(self, train):
        split = self.train if train else self.val
        return TensorLoader((split.images, split.labels), self.batch_size, shuffle=train,
                            transform=lambda images: to_float_images(images, self.resize))

    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        from .plot import show_images
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        show_images(X.squeeze(1), nrows, ncols, titles=labels)
