"""Chapters 3 and 4 of D2L: linear and softmax regression, in both of D2L's styles.

Function style (D2L 0.x, still in d2l 1.0.3): ``synthetic_data``, ``load_array``,
``linreg``, ``squared_loss``, ``sgd``. Class style (D2L 1.0):
``SyntheticRegressionData``, ``LinearRegressionScratch``, ``SGD``,
``LinearRegression``, ``SoftmaxRegression``. CNN homework reuses them for warm-up
exercises, so they keep D2L's names, signatures and, seed for seed, its numbers.

Two changes: ``load_array`` batches in-memory tensors with ``TensorLoader``
instead of collating one example at a time through a ``DataLoader``; and
``LinearRegression`` really starts from weights drawn from N(0, 0.01^2) and a zero
bias, as D2L's text says (D2L's code writes them into a lazy layer that has no
shape yet, so PyTorch's default init replaces them).
"""

import torch
from torch import nn

from ..checks import check_int
from ..data import DataModule, TensorLoader
from ..engine.module import Classifier, Module
from ..hparams import HyperParameters

__all__ = [
    'synthetic_data',
    'load_array',
    'linreg',
    'squared_loss',
    'sgd',
    'SyntheticRegressionData',
    'LinearRegressionScratch',
    'SGD',
    'LinearRegression',
    'SoftmaxRegression',
]


def _check_weights(w, where):
    if not isinstance(w, torch.Tensor) or w.dim() not in (1, 2) or w.numel() == 0:
        raise TypeError(
            f'{where}: w must be a 1-D tensor of weights (e.g. torch.tensor([2, -3.4])), got {w!r}.'
        )


def synthetic_data(w, b, num_examples):
    """``num_examples`` rows of X ~ N(0, 1) with labels y = Xw + b + noise of std 0.01;
    returns ``(X, y)`` with y of shape (num_examples, 1)."""
    _check_weights(w, 'synthetic_data')
    num_examples = check_int(num_examples, 'num_examples', low=1)
    X = torch.randn(num_examples, len(w))
    y = X @ w + b
    y += torch.randn(y.shape) * 0.01
    return X, y.reshape(-1, 1)


def load_array(data_arrays, batch_size, is_train=True):
    """Minibatches ``[X, y, ...]`` of the tensors in ``data_arrays`` (shuffled when
    ``is_train``); ``.dataset`` indexes single examples, as a ``DataLoader``'s does."""
    tensors = tuple(data_arrays)
    if not tensors or not all(isinstance(t, torch.Tensor) for t in tensors):
        raise TypeError(
            'load_array: data_arrays must be a tuple of tensors, e.g. (features, '
            f'labels); got {data_arrays!r:.80}. Convert arrays with torch.tensor.'
        )
    lengths = [len(t) for t in tensors]
    if len(set(lengths)) != 1:
        raise ValueError(
            f'load_array: every tensor needs one row per example, but their first '
            f'dimensions differ: {lengths}.'
        )
    loader = TensorLoader(tensors, check_int(batch_size, 'batch_size', low=1), shuffle=is_train)
    loader.dataset = torch.utils.data.TensorDataset(*tensors)
    return loader


def linreg(X, w, b):
    """The linear model Xw + b."""
    return X @ w + b


def squared_loss(y_hat, y):
    """Half the squared error of each prediction (not averaged); y is reshaped like y_hat."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """One step of minibatch SGD on ``params`` (their gradients are sums over a batch of
    ``batch_size``), then zero the gradients."""
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise ValueError(
                    'sgd: a parameter has no gradient; call l.sum().backward() '
                    'before sgd, and create the parameter with requires_grad=True.'
                )
            param -= param.grad * lr / batch_size
            param.grad.zero_()


class SyntheticRegressionData(DataModule):
    """``num_train + num_val`` examples of y = Xw + b + noise, X ~ N(0, 1)."""

    def __init__(self, w, b, noise=0.01, num_train=1000, num_val=1000, batch_size=32):
        super().__init__()
        _check_weights(w, 'SyntheticRegressionData')
        check_int(num_train, 'num_train', low=1)
        check_int(num_val, 'num_val', low=0)
        check_int(batch_size, 'batch_size', low=1)
        self.save_hyperparameters()
        total = num_train + num_val
        self.X = torch.randn(total, len(w))
        noise = torch.randn(total, 1) * noise
        self.y = self.X @ w.reshape(-1, 1) + b + noise

    def get_dataloader(self, train):
        rows = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, rows)


class LinearRegressionScratch(Module):
    """Linear regression with its weights as plain tensors and its own loss."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.w = torch.normal(
            0, sigma, (check_int(num_inputs, 'num_inputs', low=1), 1), requires_grad=True
        )
        self.b = torch.zeros(1, requires_grad=True)

    def forward(self, X):
        return X @ self.w + self.b

    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2 / 2).mean()

    def configure_optimizers(self):
        return SGD([self.w, self.b], self.lr)


class SGD(HyperParameters):
    """Minibatch SGD written out: ``param -= lr * grad`` for each parameter."""

    def __init__(self, params, lr):
        self.save_hyperparameters()
        self.params = list(params)

    @property
    def param_groups(self):
        """What ``torch.optim`` optimisers expose, so code that reads the lr works here too."""
        return [{'params': self.params, 'lr': self.lr}]

    def step(self):
        with torch.no_grad():  # D2L's Trainer wraps the call in no_grad; other loops may not
            for param in self.params:
                param -= param.grad * self.lr

    def zero_grad(self, *, set_to_none=False):
        for param in self.params:
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.zero_()


class _SmallInitLazyLinear(nn.LazyLinear):
    """``nn.LazyLinear`` whose weights, once their shape is known, are drawn from
    N(0, 0.01^2) and whose bias is zero (it becomes a plain ``nn.Linear`` then)."""

    def reset_parameters(self):
        super().reset_parameters()
        if self.in_features and not self.has_uninitialized_params():
            nn.init.normal_(self.weight, 0, 0.01)
            nn.init.zeros_(self.bias)


class LinearRegression(Module):
    """Linear regression with ``nn.LazyLinear(1)``, mean squared error and torch's SGD."""

    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = _SmallInitLazyLinear(1)

    def forward(self, X):
        return self.net(X)

    def loss(self, y_hat, y):
        return nn.functional.mse_loss(y_hat, y)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.lr)

    def get_w_b(self):
        return self.net.weight.data, self.net.bias.data


class SoftmaxRegression(Classifier):
    """Softmax regression: flatten, then one lazy linear layer to ``num_outputs`` scores."""

    def __init__(self, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))

    def forward(self, X):
        return self.net(X)
