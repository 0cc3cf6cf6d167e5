# D2L 1.0.3 (Dive into Deep Learning, Zhang, Lipton, Li and Smola), section 7.3
# "Padding and Stride": the PyTorch version of every code cell, in order, verbatim.
# Source: d2l-ai/d2l-en, chapter_convolutional-neural-networks/padding-and-strides.md
# License: the book's code is MIT-0 (its text, not copied here, is CC BY-SA 4.0).
# Each cell starts with a "# %%" line that repeats the cell's d2lbook tab marker; how the
# cells were extracted, and how they are run, is in tests/test_d2l_chapter_code.py.
# (This section's PyTorch code does not import d2l at all.)

# %% %%tab pytorch
import torch
from torch import nn

# %% %%tab pytorch
# We define a helper function to calculate convolutions. It initializes the
# convolutional layer weights and performs corresponding dimensionality
# elevations and reductions on the input and output
def comp_conv2d(conv2d, X):
    # (1, 1) indicates that batch size and the number of channels are both 1
    X = X.reshape((1, 1) + X.shape)
    Y = conv2d(X)
    # Strip the first two dimensions: examples and channels
    return Y.reshape(Y.shape[2:])

# 1 row and column is padded on either side, so a total of 2 rows or columns
# are added
conv2d = nn.LazyConv2d(1, kernel_size=3, padding=1)
X = torch.rand(size=(8, 8))
comp_conv2d(conv2d, X).shape

# %% %%tab pytorch
# We use a convolution kernel with height 5 and width 3. The padding on either
# side of the height and width are 2 and 1, respectively
conv2d = nn.LazyConv2d(1, kernel_size=(5, 3), padding=(2, 1))
comp_conv2d(conv2d, X).shape

# %% %%tab pytorch
conv2d = nn.LazyConv2d(1, kernel_size=3, padding=1, stride=2)
comp_conv2d(conv2d, X).shape

# %% %%tab pytorch
conv2d = nn.LazyConv2d(1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))
comp_conv2d(conv2d, X).shape
