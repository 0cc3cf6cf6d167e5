"""D2L's function-style training API: ``load_data_fashion_mnist`` + ``train_ch6``.

Most published CNN homework (and the Chinese edition of D2L) builds a plain
``nn.Sequential``, loads data with ``load_data_fashion_mnist`` and trains with
``train_ch6``. d2l 1.0.3 still ships these; here they keep D2L's signatures,
printed lines and results, and run on the package's machinery instead:

- the data come from ``FashionMNIST``'s in-memory tensors, resized per batch on
  the device, not from PIL images decoded by worker processes every epoch;
- ``train_ch6`` moves the whole data set to the device once, keeps the running
  sums there (D2L reads the loss back after every batch), uses channels-last
  memory and bf16 autocast where the ``Trainer`` does, and draws its curves in
  one figure that updates in place;
- both obey ``BOOK_PROFILE``: under ``smoke`` a pass is a few small batches.
"""

import time

import torch
from torch import nn

from ..checks import check_choice, check_float, check_int, check_pair
from ..data import TEXT_LABELS, FashionMNIST
from ..engine.devices import checked_device
from ..engine.notices import say_once
from ..engine.placement import CappedLoader, DeviceSteps
from ..engine.profiles import active_profile
from ..lazy_layers import materialise
from ..models.resnet import RESNET_ARCHS, Residual
from .tools import Animator, correct_count

__all__ = [
    'load_data_fashion_mnist',
    'get_fashion_mnist_labels',
    'get_dataloader_workers',
    'evaluate_accuracy_gpu',
    'evaluate_loss',
    'train_ch6',
    'resnet18',
]


def get_dataloader_workers():
    """D2L's number of loader processes (4). The loaders here need none: they index
    tensors in memory; the number is kept for code that builds its own DataLoader."""
    return 4


def load_data_fashion_mnist(batch_size, resize=None, *, root='../data'):
    """``(train_iter, test_iter)`` over Fashion-MNIST, each yielding ``[X, y]`` batches:
    X float32 (B, 1, H, W) in [0, 1], y int64. The training batches are shuffled.

    ``resize`` (an int or a (height, width) pair) scales the images on the device
    they live on, with torchvision's antialiased bilinear filter. ``iter.dataset``
    indexes single (image, label) pairs, as a torchvision data set does.
    """
    size = (28, 28) if resize is None else check_pair(resize, 'resize', low=1)
    data = FashionMNIST(batch_size=batch_size, resize=size, root=root)
    profile = active_profile()
    loaders = []
    for train, split, cap in (
        (True, data.train, profile.max_train_batches),
        (False, data.val, profile.max_val_batches),
    ):
        loader = data.get_dataloader(train)
        loader.dataset = split
        loaders.append(CappedLoader(loader, cap) if cap else loader)
    if profile.max_train_batches or data.batch_size != batch_size:
        say_once(
            'load_data',
            f"load_data_fashion_mnist: profile '{profile.name}': batches of "
            f'{data.batch_size}, at most {profile.max_train_batches} per pass.',
        )
    return tuple(loaders)


def get_fashion_mnist_labels(labels):
    """The text names (``'t-shirt'``, ..., ``'ankle boot'``) of numeric labels 0-9."""
    names = []
    for label in labels:
        i = int(label)
        if not 0 <= i < len(TEXT_LABELS):
            raise ValueError(
                f'get_fashion_mnist_labels: labels must be between 0 and 9, got {label!r}.'
            )
        names.append(TEXT_LABELS[i])
    return names


def _param_device(net):
    param = next(iter(net.parameters()), None)
    return param.device if param is not None else None


def _count_correct(net, data_iter, device, forward=None, who='evaluate_accuracy_gpu'):
    """(correct predictions, examples) over ``data_iter``, summed on the device, read back once.

    Labels that no output can predict (below 0, or not below the number of outputs) would
    only lower the accuracy, to 0.000 when all are off; they are counted too, and refused."""
    forward = forward or net
    correct = torch.zeros((), dtype=torch.int64, device=device)
    outside = torch.zeros((), dtype=torch.int64, device=device)
    total, classes, low, high = 0, None, None, None
    with torch.no_grad():
        for X, y in data_iter:
            X = [x.to(device) for x in X] if isinstance(X, list) else X.to(device)
            y = y.to(device)
            y_hat = forward(X)
            correct += correct_count(y_hat, y)
            if y_hat.dim() == 2 and not y.dtype.is_floating_point:
                classes = y_hat.shape[1]
                outside += ((y < 0) | (y >= classes)).sum()
                low = y.min() if low is None else torch.minimum(low, y.min())
                high = y.max() if high is None else torch.maximum(high, y.max())
            total += y.numel()
    if classes is not None and int(outside):
        raise ValueError(
            f'{who}: {int(outside)} of {total} labels lie outside 0..{classes - 1}, the classes '
            f"the network's {classes} outputs stand for (labels seen: {int(low)} to {int(high)}), "
            f'so they could never count as correct; number the classes from 0 (e.g. y - {int(low)} '
            f'when they start at {int(low)}) or give the last layer more outputs.'
            if int(low) > 0
            else f'{who}: {int(outside)} of {total} labels lie outside 0..{classes - 1}, the classes '
            f"the network's {classes} outputs stand for (labels seen: {int(low)} to {int(high)}), "
            f'so they could never count as correct; keep only labels 0..{classes - 1} or give the '
            f'last layer more outputs.'
        )
    return int(correct), total


def evaluate_accuracy_gpu(net, data_iter, device=None):
    """The accuracy of ``net`` on all of ``data_iter``, on ``device`` (default: where
    ``net``'s parameters are). Puts an ``nn.Module`` in eval mode, as D2L does."""
    if isinstance(net, nn.Module):
        net.eval()
        if not device:
            device = _param_device(net)
    correct, total = _count_correct(net, data_iter, device)
    if total == 0:
        raise ValueError('evaluate_accuracy_gpu: data_iter gave no examples.')
    return correct / total


def evaluate_loss(net, data_iter, loss):
    """The mean of ``loss(net(X), y)`` over every element of ``data_iter``; ``loss``
    must not average (e.g. ``nn.MSELoss(reduction='none')``), as in D2L."""
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            l = loss(out, y.reshape(out.shape))
            total = total + l.sum()
            count += l.numel()
    if count == 0:
        raise ValueError('evaluate_loss: data_iter gave no examples.')
    return float(total) / count


def _xavier_linear_and_conv(net):
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)


def _materialise(net, data_iter):
    """Run one batch through a net with lazy layers, where the net is, so every weight exists."""

    def forward_once():
        X, _ = next(iter(data_iter))
        net(X.to(_param_device(net) or X.device))

    materialise(net, forward_once)


def _capped_epochs_and_loaders(num_epochs, train_iter, test_iter):
    """Apply the active profile's caps, saying once what they are."""
    profile = active_profile()
    epochs = min(num_epochs, profile.max_epochs or num_epochs)
    if profile.max_train_batches:
        train_iter = CappedLoader(train_iter, profile.max_train_batches)
    if profile.max_val_batches:
        test_iter = CappedLoader(test_iter, profile.max_val_batches)
    if epochs != num_epochs or profile.max_train_batches:
        say_once(
            'train_ch6',
            f"train_ch6: profile '{profile.name}': {epochs} epoch"
            f'{"s" * (epochs != 1)} of at most {profile.max_train_batches} batches '
            f'(set BOOK_PROFILE=full or cpu for the real run).',
        )
    return epochs, train_iter, test_iter


def _forward_on(steps, net):
    """``X -> net(X)`` on the training device, in channels-last memory where that helps and
    with autocast, through the Trainer's ``DeviceSteps`` (one fallback, one notice, for a
    net that calls ``.view``)."""
    return lambda X: steps.run(lambda batch: net(batch[0]), steps.batch([X]), net)


def train_ch6(net, train_iter, test_iter, num_epochs, lr, device, *, amp='auto'):
    """Train ``net`` with SGD and cross-entropy, as D2L's chapter 6 does.

    The weights of linear and convolutional layers get Xavier's uniform init
    first (lazy layers too, after one batch has given them their shapes). The
    curves of training loss, training accuracy and test accuracy update in place
    in a notebook; a script prints one line an epoch. The last two lines are
    D2L's: loss and accuracies, then examples per second of training on ``device``.
    ``amp`` (keyword only): bf16 autocast, ``'auto'`` = on CUDA only, like the Trainer.
    """
    num_epochs = check_int(num_epochs, 'num_epochs', low=1)
    lr = check_float(lr, 'lr', low=0, low_open=True)
    amp = check_choice(amp, 'amp', ('auto', True, False))
    device = checked_device(device)
    num_epochs, train_iter, test_iter = _capped_epochs_and_loaders(
        num_epochs, train_iter, test_iter
    )
    num_batches = len(train_iter)
    if num_batches == 0:
        raise ValueError('train_ch6: train_iter gives no batches.')
    if hasattr(test_iter, '__len__') and len(test_iter) == 0:  # before any training is wasted
        raise ValueError(
            'train_ch6: test_iter gives no batches, so there would be no test '
            'accuracy to report; pass a loader with at least one batch (the second '
            'loader of load_data_fashion_mnist, say).'
        )
    print('training on', device)
    _materialise(net, train_iter)
    _xavier_linear_and_conv(net)  # before the move, as D2L: the same seed gives the same weights
    steps = DeviceSteps(device, amp, notify=lambda message, key: say_once(key, message))
    steps.place(net, lambda: None)  # moves it, chooses the layout (no lazy layer is left)
    for loader in (train_iter, test_iter):
        steps.hold(loader)  # our in-memory loaders: the data cross the bus once
    forward = _forward_on(steps, net)
    optimizer = torch.optim.SGD(net.parameters(), lr)
    loss_fn = nn.CrossEntropyLoss()
    # D2L's xlim; one epoch (the smoke profile) would make it [1, 1], which matplotlib warns about
    animator = Animator(
        xlabel='epoch',
        xlim=[1, num_epochs] if num_epochs > 1 else [0, 1],
        legend=['train loss', 'train acc', 'test acc'],
    )
    plot_every = max(num_batches // 5, 1)
    train_seconds, examples = 0.0, 0
    for epoch in range(num_epochs):
        # summed loss, correct predictions: on the device, read back only to plot
        sums = torch.zeros(2, dtype=torch.float64, device=device)
        seen = 0
        net.train()
        start = time.perf_counter()
        for i, batch in enumerate(train_iter):
            X, y = (t.to(device) for t in batch)
            optimizer.zero_grad(set_to_none=True)
            y_hat = forward(X)
            l = loss_fn(y_hat.float(), y)
            l.backward()
            optimizer.step()
            with torch.no_grad():
                sums += torch.stack(
                    [l.detach().double() * len(y), correct_count(y_hat, y).double()]
                )
            seen += len(y)
            if (i + 1) % plot_every == 0 and i + 1 < num_batches:
                train_l, train_acc = (sums / seen).tolist()
                animator._add(epoch + (i + 1) / num_batches, (train_l, train_acc, None), log=False)
        train_l, train_acc = (sums / max(seen, 1)).tolist()  # waits for the device
        train_seconds += time.perf_counter() - start
        examples += seen
        net.eval()
        correct, total = _count_correct(net, test_iter, device, forward, who='train_ch6')
        if total == 0:
            raise ValueError(
                'train_ch6: test_iter gave no examples, so there is no test '
                'accuracy to report; pass a loader with at least one batch.'
            )
        test_acc = correct / total
        animator.add(epoch + 1, (train_l, train_acc, test_acc))
    print(f'loss {train_l:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}')
    print(f'{examples / train_seconds:.1f} examples/sec on {device}')


def resnet18(num_classes, in_channels=1):
    """D2L's ResNet-18 for small images (chapter 13): a 3x3 stem without max-pooling,
    four stages of two ``Residual`` blocks (64 to 512 channels), average pooling
    and a linear layer. An ``nn.Sequential`` with D2L's layer names."""
    num_classes = check_int(num_classes, 'num_classes', low=1)
    in_channels = check_int(in_channels, 'in_channels', low=1)
    net = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1),
        nn.BatchNorm2d(64),
        nn.ReLU(),
    )
    for stage, (num_residuals, channels) in enumerate(RESNET_ARCHS['resnet18'], start=1):
        blocks = [
            Residual(channels, use_1x1conv=True, strides=2)
            if i == 0 and stage > 1
            else Residual(channels)
            for i in range(num_residuals)
        ]
        net.add_module(f'resnet_block{stage}', nn.Sequential(*blocks))
    net.add_module('global_avg_pool', nn.AdaptiveAvgPool2d((1, 1)))
    net.add_module('fc', nn.Sequential(nn.Flatten(), nn.Linear(512, num_classes)))
    return net
