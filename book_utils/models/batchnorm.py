"""Batch normalisation as D2L 8.5 builds it, and LeNet with it (from scratch and concise).

``batch_norm`` is the arithmetic: standardise each channel with the minibatch
mean and variance while training, with running averages of them at
prediction time, then scale by ``gamma`` and shift by ``beta``. ``BatchNorm``
is the bookkeeping around it. Three things differ from D2L 1.0.3's layer, each
so that it behaves like ``nn.BatchNorm2d``/``nn.BatchNorm1d``:

* the running statistics are registered buffers, so ``.to(device)`` moves them
  and ``state_dict`` saves them (D2L's plain attributes are lost on save and are
  copied to the input's device on every call);
* the mode is ``self.training`` (set by ``model.train()``/``model.eval()``), not
  ``torch.is_grad_enabled()``: D2L's layer keeps using, and updating, batch
  statistics when a model in eval mode is run with gradients on;
* the running variance is updated with the unbiased batch variance
  (times n/(n-1)), as PyTorch does; normalising still uses the biased one.
"""

import torch
from torch import nn

from ..checks import check_choice, check_float, check_int
from ..engine.module import Classifier, InputSpec

__all__ = ['batch_norm', 'BatchNorm', 'BNLeNetScratch', 'BNLeNet']


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training=None):
    """Batch-normalise ``X``; return ``(Y, new moving_mean, new moving_var)``.

    ``X`` is (batch, features) after a dense layer or (batch, channels, h, w)
    after a convolution; statistics are taken per feature / per channel.
    ``momentum`` is the weight of the *new* batch in the running averages,
    ``running = (1 - momentum) * running + momentum * batch``, PyTorch's
    convention (0.1 means "keep 90% of the old estimate"; MXNet and Keras
    write the same thing as momentum 0.9 on the old value).
    ``training=None`` keeps D2L's rule (training while gradients are on); the
    ``BatchNorm`` layer always passes its own ``self.training``.
    """
    if not isinstance(X, torch.Tensor) or X.dim() not in (2, 4):
        got = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(
            f'batch_norm expects a (batch, features) or (batch, channels, height, '
            f'width) tensor, got {got}.'
        )
    if training is None:
        training = torch.is_grad_enabled()
    # Half precision has too few mantissa bits for a variance; compute in float32.
    Xf = X.float() if X.dtype in (torch.float16, torch.bfloat16) else X
    if not training:
        X_hat = (Xf - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        dims = (0,) if X.dim() == 2 else (0, 2, 3)
        n = X.numel() // X.shape[1]  # values per feature/channel in this batch
        if n < 2:
            raise ValueError(
                f'batch_norm in training mode needs more than one value per channel '
                f'to estimate a variance; got input of shape {tuple(X.shape)}. Use a '
                f'larger batch, or call model.eval() to use the running statistics.'
            )
        mean = Xf.mean(dim=dims, keepdim=True)
        var = ((Xf - mean) ** 2).mean(dim=dims, keepdim=True)
        X_hat = (Xf - mean) / torch.sqrt(var + eps)
        with torch.no_grad():  # the running averages are statistics, not part of the graph
            moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
            moving_var = (1.0 - momentum) * moving_var + momentum * var * (n / (n - 1))
    Y = gamma * X_hat + beta  # scale and shift
    return Y.to(X.dtype), moving_mean, moving_var


class BatchNorm(nn.Module):
    """A batch-normalisation layer for ``num_features`` channels (``num_dims`` 4) or
    features (``num_dims`` 2), with learnable scale ``gamma`` and shift ``beta``."""

    def __init__(self, num_features, num_dims, *, eps=1e-5, momentum=0.1):
        super().__init__()
        check_int(num_features, 'num_features', low=1)
        check_choice(num_dims, 'num_dims (2 after a dense layer, 4 after a convolution)', (2, 4))
        check_float(eps, 'eps', low=0, low_open=True)
        check_float(momentum, 'momentum', low=0, high=1)
        self.num_features, self.num_dims, self.eps, self.momentum = (
            num_features,
            num_dims,
            eps,
            momentum,
        )
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        # Buffers: state that is not trained but moves with the model and is saved with it.
        self.register_buffer('moving_mean', torch.zeros(shape))
        self.register_buffer('moving_var', torch.ones(shape))

    def forward(self, X):
        if (
            not isinstance(X, torch.Tensor)
            or X.dim() != self.num_dims
            or X.shape[1] != self.num_features
        ):
            got = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
            want = ('(batch, {})' if self.num_dims == 2 else '(batch, {}, height, width)').format(
                self.num_features
            )
            raise ValueError(
                f'BatchNorm({self.num_features}, num_dims={self.num_dims}) expects '
                f'input of shape {want}, got {got}.'
            )
        # Assigning to a registered buffer's name replaces the buffer's value.
        Y, self.moving_mean, self.moving_var = batch_norm(
            X,
            self.gamma,
            self.beta,
            self.moving_mean,
            self.moving_var,
            eps=self.eps,
            momentum=self.momentum,
            training=self.training,
        )
        return Y

    def extra_repr(self):
        return f'{self.num_features}, num_dims={self.num_dims}, eps={self.eps}, momentum={self.momentum}'


# LeNet's first convolution here has no padding (unlike section 7.6's), so sizes go
# n -> n-4 -> (n-4)//2 -> (n-4)//2 - 4 -> ((n-4)//2 - 4)//2, which is >= 1 from n = 16.
_LENET_SPEC = InputSpec(channels=1, min_size=16, example=(1, 1, 28, 28))


class _BNLeNet(Classifier):
    """LeNet with a normalisation layer after each convolution and hidden dense layer,
    before the sigmoid; a subclass says which layer (``norm``)."""

    input_spec = _LENET_SPEC

    @staticmethod
    def norm(num_features, num_dims):
        raise NotImplementedError

    def __init__(self, lr=0.1, num_classes=10):
        super().__init__()
        check_int(num_classes, 'num_classes', low=1)
        self.save_hyperparameters()
        norm = self.norm
        self.net = nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5),
            norm(6, 4),
            nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.LazyConv2d(16, kernel_size=5),
            norm(16, 4),
            nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.LazyLinear(120),
            norm(120, 2),
            nn.Sigmoid(),
            nn.LazyLinear(84),
            norm(84, 2),
            nn.Sigmoid(),
            nn.LazyLinear(num_classes),
        )


class BNLeNetScratch(_BNLeNet):
    """LeNet with our ``BatchNorm`` after each convolution and dense layer, before the sigmoid."""

    @staticmethod
    def norm(num_features, num_dims):
        return BatchNorm(num_features, num_dims=num_dims)


class BNLeNet(_BNLeNet):
    """The same network with PyTorch's ``LazyBatchNorm2d``/``LazyBatchNorm1d``."""

    @staticmethod
    def norm(num_features, num_dims):
        return nn.LazyBatchNorm2d() if num_dims == 4 else nn.LazyBatchNorm1d()
