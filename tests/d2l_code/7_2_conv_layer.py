# D2L 1.0.3 (Dive into Deep Learning, Zhang, Lipton, Li and Smola), section 7.2
# "Convolutions for Images": the PyTorch version of every code cell, in order, verbatim.
# Source: d2l-ai/d2l-en, chapter_convolutional-neural-networks/conv-layer.md
# License: the book's code is MIT-0 (its text, not copied here, is CC BY-SA 4.0).
# Each cell starts with a "# %%" line that repeats the cell's d2lbook tab marker; how the
# cells were extracted, and how they are run, is in tests/test_d2l_chapter_code.py.

# %% %%tab pytorch
from d2l import torch as d2l
import torch
from torch import nn

# %% %%tab pytorch
def corr2d(X, K):  #@save
    """Compute 2D cross-correlation."""
    h, w = K.shape
    Y = d2l.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = d2l.reduce_sum((X[i: i + h, j: j + w] * K))
    return Y

# %% %%tab all
X = d2l.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = d2l.tensor([[0.0, 1.0], [2.0, 3.0]])
corr2d(X, K)

# %% %%tab pytorch
class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias

# %% %%tab mxnet, pytorch
X = d2l.ones((6, 8))
X[:, 2:6] = 0
X

# %% %%tab all
K = d2l.tensor([[1.0, -1.0]])

# %% %%tab all
Y = corr2d(X, K)
Y

# %% %%tab all
corr2d(d2l.transpose(X), K)

# %% %%tab pytorch
# Construct a two-dimensional convolutional layer with 1 output channel and a
# kernel of shape (1, 2). For the sake of simplicity, we ignore the bias here
conv2d = nn.LazyConv2d(1, kernel_size=(1, 2), bias=False)

# The two-dimensional convolutional layer uses four-dimensional input and
# output in the format of (example, channel, height, width), where the batch
# size (number of examples in the batch) and the number of channels are both 1
X = X.reshape((1, 1, 6, 8))
Y = Y.reshape((1, 1, 6, 7))
lr = 3e-2  # Learning rate

for i in range(10):
    Y_hat = conv2d(X)
    l = (Y_hat - Y) ** 2
    conv2d.zero_grad()
    l.sum().backward()
    # Update the kernel
    conv2d.weight.data[:] -= lr * conv2d.weight.grad
    if (i + 1) % 2 == 0:
        print(f'epoch {i + 1}, loss {l.sum():.3f}')

# %% %%tab pytorch
d2l.reshape(conv2d.weight.data, (1, 2))
