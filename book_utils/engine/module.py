"""Models: D2L's ``Module`` and ``Classifier`` base classes and ``init_cnn``.

Same names, signatures and results as D2L 1.0.3, with three defects fixed:
``init_cnn`` also reaches lazy layers (D2L's skips them, so its AlexNet trains
without the Xavier init the text describes); ``layer_summary`` builds its dummy
input on the model's device; and ``plot`` keeps values on the device instead of
waiting for the GPU at every training step.
"""

import torch
from torch import nn
from torch.nn import functional as F

from ..checks import check_int
from ..hparams import HyperParameters
from ..teaching.plot import ProgressBoard
from .notices import say_once

__all__ = ['InputSpec', 'Module', 'Classifier', 'init_cnn', 'LazyShapeError', 'check_trainable']


class LazyShapeError(RuntimeError):
    """Lazy layers built for one input size were given another (a RuntimeError, as torch's)."""


def _no_net_message(model):
    return (
        f'{type(model).__name__} has no network to run: set self.net in __init__ '
        f'(e.g. self.net = nn.Sequential(...)), or override forward.'
    )


def _batch_axis_hint(X, channels):
    """What turns a 3-D tensor into a batch: (C, H, W) is one image, (B, H, W) a batch
    of one-channel images that lacks its channel axis."""
    if channels is not None and X.shape[0] == channels:
        return ' For one image, add a batch axis with X.unsqueeze(0).'
    if channels == 1:
        return (
            f' For a batch of {X.shape[0]} one-channel images, add the channel axis with '
            'X.unsqueeze(1).'
        )
    return (
        ' For one (channels, height, width) image use X.unsqueeze(0); for a batch of '
        'one-channel images, X.unsqueeze(1).'
    )


class InputSpec:
    """What a model accepts: image channels and the smallest height/width that
    survives its downsampling. Checking up front turns a cryptic shape error
    deep inside the network (or an empty feature map) into one sentence.

    ``example`` is the (1, channels, height, width) shape D2L feeds the model
    (``layer_summary``'s input in the book); messages quote it, and
    ``example_batch`` builds a batch of that shape.
    """

    def __init__(
        self,
        channels: int | None = None,
        min_size: int = 1,
        example: tuple[int, int, int, int] | None = None,
    ) -> None:
        if channels is not None:
            check_int(channels, 'channels', low=1)
        check_int(min_size, 'min_size', low=1)
        if example is not None:
            if not isinstance(example, tuple) or len(example) != 4:
                raise ValueError(
                    f'example must be a (1, channels, height, width) tuple, got {example!r}.'
                )
            for size in example:
                check_int(size, 'each size in example', low=1)
            if channels is not None and example[1] != channels:
                raise ValueError(
                    f'example {example} has {example[1]} channels, but channels is '
                    f'{channels}; make them agree.'
                )
            if min(example[2:]) < min_size:
                raise ValueError(
                    f'example {example} is smaller than min_size={min_size}; give '
                    f'an example the model accepts.'
                )
        self.channels, self.min_size, self.example = channels, min_size, example

    def check(self, X: torch.Tensor, model_name: str) -> None:
        if not isinstance(X, torch.Tensor):
            raise TypeError(
                f'{model_name} expects a tensor of shape {self._shape()}, got {type(X).__name__}.'
            )
        if X.dim() != 4:
            raise ValueError(
                f'{model_name} expects a batch of images of shape {self._shape()} '
                f'(batch, channels, height, width), got shape {tuple(X.shape)}.'
                + (_batch_axis_hint(X, self.channels) if X.dim() == 3 else '')
            )
        if self.channels is not None and X.shape[1] != self.channels:
            raise ValueError(
                f'{model_name} expects {self.channels}-channel images, shape '
                f'{self._shape()}, got {X.shape[1]} channels in {tuple(X.shape)}.'
            )
        if min(X.shape[-2:]) < self.min_size:
            raise ValueError(
                f'{model_name} needs images of at least {self.min_size}x{self.min_size} '
                f'pixels (e.g. shape {self._shape()}); got {tuple(X.shape)}, which its '
                f'strides and pooling would shrink to nothing. Load the data with '
                f'FashionMNIST(resize=...) at a larger size.'
            )

    def example_batch(
        self, batch_size: int = 2, device: str | torch.device | None = None
    ) -> torch.Tensor:
        """A random batch of ``batch_size`` images of the example's shape (values in [0, 1))."""
        check_int(batch_size, 'batch_size', low=1)
        _, channels, height, width = self.example or (
            1,
            self.channels or 1,
            self.min_size,
            self.min_size,
        )
        return torch.rand(batch_size, channels, height, width, device=device)

    def _shape(self):
        return self.example or (
            'B',
            self.channels or 'C',
            f'>={self.min_size}',
            f'>={self.min_size}',
        )

    def __repr__(self):
        return (
            f'InputSpec(channels={self.channels}, min_size={self.min_size}, example={self.example})'
        )


class Module(nn.Module, HyperParameters):
    """The base class of models: a network, its loss, and its optimiser in one place."""

    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        self.save_hyperparameters()
        self.board = ProgressBoard()

    def loss(self, y_hat, y):
        raise NotImplementedError

    #: Optional ``InputSpec`` of a model class: checked before the first layer runs.
    input_spec = None

    def forward(self, X):
        # D2L asserts here with the message 'Neural network is defined', shown exactly
        # when it is not; say what is missing and what to do instead.
        if not hasattr(self, 'net'):
            raise NotImplementedError(_no_net_message(self))
        if self.input_spec is not None:
            self.input_spec.check(X, type(self).__name__)
        _remember_build_shape(self, X)
        try:
            return self.net(X)
        except RuntimeError as err:
            _explain_lazy_misfit(self, self.net, X, err)
            raise

    def plot(self, key, value, train):
        """Plot a point in animation; the Trainer also records it for ``trainer.history``."""
        assert hasattr(self, 'trainer'), 'Trainer is not inited'
        self.board.xlabel = 'epoch'
        trainer = self.trainer
        if train:
            x = trainer.train_batch_idx / trainer.num_train_batches
            n = trainer.num_train_batches / self.plot_train_per_epoch
        else:
            x = trainer.epoch + 1
            n = trainer.num_val_batches / self.plot_valid_per_epoch
        label = ('train_' if train else 'val_') + key
        value = value.detach() if isinstance(value, torch.Tensor) else value
        if hasattr(trainer, 'observe'):
            trainer.observe(label, value)
        self.board.draw(x, value, label, every_n=int(n))

    def training_step(self, batch):
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot('loss', l, train=True)
        return l

    def validation_step(self, batch):
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot('loss', l, train=False)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)

    def apply_init(self, inputs, init=None):
        """Run one forward pass so lazy layers learn their shapes, then apply ``init``."""
        self.forward(*inputs)
        if init is not None:
            self.net.apply(init)


class Classifier(Module):
    """The base class of classification models: cross-entropy loss and accuracy."""

    def validation_step(self, batch):
        Y_hat = self(*batch[:-1])
        self.plot('loss', self.loss(Y_hat, batch[-1]), train=False)
        self.plot('acc', self.accuracy(Y_hat, batch[-1]), train=False)

    def accuracy(self, Y_hat, Y, averaged=True):
        """The fraction (or, with ``averaged=False``, the 0/1 vector) of correct predictions."""
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        preds = Y_hat.argmax(dim=1).type(Y.dtype)
        compare = (preds == Y.reshape(-1)).type(torch.float32)
        return compare.mean() if averaged else compare

    def loss(self, Y_hat, Y, averaged=True):
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        Y = Y.reshape((-1,))
        return F.cross_entropy(Y_hat, Y, reduction='mean' if averaged else 'none')

    def layer_summary(self, X_shape):
        """Print each layer's output shape for a random input of ``X_shape``.

        The input is checked against the model's ``input_spec`` first: running the
        layers one by one would otherwise bind lazy layers to a shape (3 channels,
        say) that the model then refuses, or fail deep inside with a torch error.
        """
        if not isinstance(X_shape, (tuple, list, torch.Size)):
            raise TypeError(f'X_shape must be a shape such as (1, 1, 28, 28), got {X_shape!r}.')
        for size in X_shape:
            check_int(size, 'each size in X_shape', low=1)
        param = next(self.parameters(), None)
        device = param.device if param is not None else torch.device('cpu')
        X = torch.randn(*X_shape, device=device)
        if self.input_spec is not None:
            self.input_spec.check(X, type(self).__name__)
        _remember_build_shape(self, X)
        first = X
        for layer in self.net:
            try:
                X = layer(X)
            except RuntimeError as err:
                _explain_lazy_misfit(self, self.net, first, err)
                raise
            print(layer.__class__.__name__, 'output shape:\t', X.shape)


def _remember_build_shape(model, X):
    """On the first input, note its shape if it gives lazy layers their sizes (read by
    ``_explain_lazy_misfit``); a dict lookup on every later call."""
    if '_built_for' not in model.__dict__ and isinstance(X, torch.Tensor):
        lazy = any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters())
        model.__dict__['_built_for'] = tuple(X.shape) if lazy else None


def _expected_width(layer):
    if isinstance(layer, nn.Linear):
        return 'features', layer.in_features, -1
    if isinstance(layer, nn.modules.conv._ConvNd):
        return 'channels', layer.in_channels, 1
    return None, None, None


def _first_misfit(net, X):
    """(layer name, layer, what, expected, got) of the first dense or convolutional layer
    whose input width differs from its weights', found by rerunning ``net`` with hooks."""
    found, hooks = [], []

    class _Stop(Exception):
        pass

    def check(name):
        def hook(layer, args):
            what, expected, axis = _expected_width(layer)
            x = args[0] if args else None
            if isinstance(x, torch.Tensor) and x.dim() > 0 and x.shape[axis] != expected:
                found.append((name, layer, what, expected, x.shape[axis]))
                raise _Stop

        return hook

    for name, layer in net.named_modules():
        if _expected_width(layer)[0] and not _has_uninitialized(layer):
            hooks.append(layer.register_forward_pre_hook(check(name)))
    modes = [(m, m.training) for m in net.modules()]
    net.eval()  # the rerun must not move batch-norm statistics
    try:
        with torch.no_grad():
            net(X)
    except _Stop:
        pass
    except Exception:  # another failure: leave torch's error as it is
        pass
    finally:
        for hook in hooks:
            hook.remove()
        for m, training in modes:
            m.training = training
    return found[0] if found else None


def _explain_lazy_misfit(model, net, X, err):
    """Raise ``LazyShapeError`` when ``err`` comes from lazy layers built for another input
    size; return otherwise (the caller re-raises ``err``)."""
    built_for = model.__dict__.get('_built_for')
    if built_for is None or tuple(built_for[1:]) == tuple(X.shape[1:]):
        return
    misfit = _first_misfit(net, X)
    if misfit is None:
        return
    name, layer, what, expected, got = misfit
    model_name, built = type(model).__name__, ', '.join(map(str, built_for[1:]))
    raise LazyShapeError(
        f'{model_name} was built for inputs of shape (batch, {built}): its lazy layers took '
        f'their sizes from that first input, so layer net.{name} ({type(layer).__name__}) '
        f'expects {expected} {what} and an input of shape {tuple(X.shape)} gives it {got}. '
        f'Create a new model (e.g. {model_name}()) for this input size, or feed inputs of the '
        'first size.'
    ) from err


def check_trainable(model, data=None):
    """Refuse, before any work, what a Trainer cannot train: a class instead of an
    instance, a model whose ``__init__`` skipped ``super().__init__()``, one without
    ``self.net`` (and no ``forward`` of its own), without ``self.lr`` for the default
    optimiser, or without any parameter; a ``data`` that is no data module."""
    if data is not None and (isinstance(data, type) or not hasattr(data, 'train_dataloader')):
        fix = (
            'add the parentheses'
            if isinstance(data, type)
            else 'the arguments go fit(model, data)'
            if isinstance(data, nn.Module)
            else 'pass the data module itself, not one of its loaders'
            if hasattr(data, '__iter__')
            else 'build one with its batch size'
        )
        raise TypeError(
            f'fit needs a data module such as d2l.FashionMNIST(batch_size=128) as its '
            f'second argument, got {getattr(data, "__name__", type(data).__name__)}: '
            f'{fix}.'
        )
    if isinstance(model, type):
        raise TypeError(
            f'fit got the class {model.__name__}, not a model: create one with '
            f'parentheses, trainer.fit({model.__name__}(), data).'
        )
    if not isinstance(model, nn.Module):
        raise TypeError(
            f'fit needs a model such as d2l.LeNet() (a d2l.Module), got {model!r} '
            f'({type(model).__name__}).'
        )
    name = type(model).__name__
    if (
        not isinstance(model, Module)
        and '_modules' in model.__dict__
        and not hasattr(model, 'board')
    ):
        raise TypeError(
            f'fit trains a d2l.Module, which brings its loss, optimiser and plots; '
            f'{name} is a plain nn.Module. Subclass d2l.Classifier and set '
            'self.net to your network in its __init__.'
        )
    # hasattr, not __dict__: torch.compile's wrapper forwards 'board' to the model inside
    if '_modules' not in model.__dict__ or not hasattr(model, 'board'):
        raise TypeError(
            f'{name}.__init__ did not call super().__init__(): add super().__init__() '
            'as the first line of __init__, before setting any attribute.'
        )
    if type(model).forward is Module.forward and not hasattr(model, 'net'):
        raise NotImplementedError(_no_net_message(model))
    if any(p.is_meta for p in model.parameters()):
        raise ValueError(
            f"{name}'s weights are on the 'meta' device, which keeps shapes but no "
            f'numbers, so there is nothing to train: create the model again '
            f'({name}()) and leave it on the CPU; the Trainer moves it.'
        )
    if getattr(type(model), 'configure_optimizers', None) is not Module.configure_optimizers:
        return  # its own optimiser: chapter 3's scratch models train plain tensors
    if not hasattr(model, 'lr'):
        raise AttributeError(
            f'{name} has no learning rate self.lr, which its optimiser needs: '
            'call self.save_hyperparameters() in __init__ (its arguments, lr '
            'among them, become attributes), or set self.lr = ...'
        )
    if next(model.parameters(), None) is None:
        raise ValueError(
            f'{name} has no parameters to train: its network holds no layer with '
            'weights (nn.LazyLinear, nn.LazyConv2d, ...); add one to self.net.'
        )


def _has_uninitialized(module):
    return any(
        isinstance(p, nn.parameter.UninitializedParameter) for p in module.parameters(recurse=False)
    )


def _xavier(module):
    nn.init.xavier_uniform_(module.weight)


def init_cnn(module):
    """Xavier-initialise the weights of linear and convolutional layers.

    D2L tests ``type(module) == nn.Conv2d``, which is False for a lazy layer
    that has not yet seen data, so ``self.net.apply(init_cnn)`` in a
    constructor silently leaves lazy layers at PyTorch's default init. Here a
    lazy layer's ``reset_parameters`` (which PyTorch calls right after it has
    inferred the layer's shape) is extended to apply the init as well. Weights
    loaded from a checkpoint are left alone: loading never calls it.
    """
    if not isinstance(module, (nn.Linear, nn.Conv2d)):
        return
    if not _has_uninitialized(module):
        _xavier(module)
        return
    default_reset = module.reset_parameters

    def reset_then_xavier():
        default_reset()
        if not _has_uninitialized(module):
            _xavier(module)

    module.reset_parameters = reset_then_xavier
    say_once(
        'init_cnn',
        'init_cnn: lazy layers get their Xavier init as soon as their shapes are '
        'known (D2L 1.0.3 skips them).',
    )
