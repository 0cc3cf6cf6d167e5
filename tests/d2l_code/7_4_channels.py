# D2L 1.0.3 (Dive into Deep Learning, Zhang, Lipton, Li and Smola), section 7.4
# "Multiple Input and Multiple Output Channels": the PyTorch version of every code cell,
# in order, verbatim.
# Source: d2l-ai/d2l-en, chapter_convolutional-neural-networks/channels.md
# License: the book's code is MIT-0 (its text, not copied here, is CC BY-SA 4.0).
# Each cell starts with a "# %%" line that repeats the cell's d2lbook tab marker; how the
# cells were extracted, and how they are run, is in tests/test_d2l_chapter_code.py.

# %% %%tab pytorch
from d2l import torch as d2l
import torch

# %% %%tab mxnet, pytorch
def corr2d_multi_in(X, K):
    # Iterate through the 0th dimension (channel) of K first, then add them up
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))

# %% %%tab all
X = d2l.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
               [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = d2l.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])

corr2d_multi_in(X, K)

# %% %%tab all
def corr2d_multi_in_out(X, K):
    # Iterate through the 0th dimension of `K`, and each time, perform
    # cross-correlation operations with input `X`. All of the results are
    # stacked together
    return d2l.stack([corr2d_multi_in(X, k) for k in K], 0)

# %% %%tab all
K = d2l.stack((K, K + 1, K + 2), 0)
K.shape

# %% %%tab all
corr2d_multi_in_out(X, K)

# %% %%tab all
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = d2l.reshape(X, (c_i, h * w))
    K = d2l.reshape(K, (c_o, c_i))
    # Matrix multiplication in the fully connected layer
    Y = d2l.matmul(K, X)
    return d2l.reshape(Y, (c_o, h, w))

# %% %%tab mxnet, pytorch
X = d2l.normal(0, 1, (3, 3, 3))
K = d2l.normal(0, 1, (2, 3, 1, 1))

# %% %%tab all
Y1 = corr2d_multi_in_out_1x1(X, K)
Y2 = corr2d_multi_in_out(X, K)
assert float(d2l.reduce_sum(d2l.abs(Y1 - Y2))) < 1e-6
