# D2L 1.0.3 (Dive into Deep Learning, Zhang, Lipton, Li and Smola), section 7.5
# "Pooling": the PyTorch version of every code cell, in order, verbatim.
# Source: d2l-ai/d2l-en, chapter_convolutional-neural-networks/pooling.md
# License: the book's code is MIT-0 (its text, not copied here, is CC BY-SA 4.0).
# Each cell starts with a "# %%" line that repeats the cell's d2lbook tab marker; how the
# cells were extracted, and how they are run, is in tests/test_d2l_chapter_code.py.

# %% %%tab pytorch
from d2l import torch as d2l
import torch
from torch import nn

# %% %%tab mxnet, pytorch
def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = d2l.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == 'avg':
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
    return Y

# %% %%tab all
X = d2l.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
pool2d(X, (2, 2))

# %% %%tab all
pool2d(X, (2, 2), 'avg')

# %% %%tab mxnet, pytorch
X = d2l.reshape(d2l.arange(16, dtype=d2l.float32), (1, 1, 4, 4))
X

# %% %%tab pytorch
pool2d = nn.MaxPool2d(3)
# Pooling has no model parameters, hence it needs no initialization
pool2d(X)

# %% %%tab pytorch
pool2d = nn.MaxPool2d(3, padding=1, stride=2)
pool2d(X)

# %% %%tab pytorch
pool2d = nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))
pool2d(X)

# %% %%tab mxnet, pytorch
X = d2l.concat((X, X + 1), 1)
X

# %% %%tab pytorch
pool2d = nn.MaxPool2d(3, padding=1, stride=2)
pool2d(X)
