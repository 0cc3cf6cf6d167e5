"""Write the submitted notebooks the grading tests use (run it again after changing them).

They look like what students hand in: a section retyped in part, then answers in the
student edition's answer cells, some right (written in their own ways), some wrong in the
ways students get them wrong, one that hangs, one that crashes and deletes files, one that
never defines the function its check needs.

    .venv/bin/python tests/submissions/make_submissions.py
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
SETUP = 'import book_utils as d2l\nimport torch\nfrom torch import nn\nfrom torch.nn import functional as F'


def answer(id, source):
    return new_code_cell(source.strip('\n'), metadata={'tags': [f'answer-{id}']})


def notebook(title, *cells):
    return new_notebook(
        cells=[
            new_markdown_cell(title),
            new_code_cell(SETUP, metadata={'tags': ['book-setup']}),
            *cells,
        ],
        metadata={
            'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
        },
    )


RETYPED_75 = new_code_cell("""
def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = X[i:i + p_h, j:j + p_w].max() if mode == 'max' else X[i:i + p_h, j:j + p_w].mean()
    return Y

X = torch.arange(9.0).reshape(3, 3)
pool2d(X, (2, 2))""")

ALICE_MAXPOOL = '''
class MaxPoolByConv(nn.Module):
    """Each window's values are pulled out as channels by a fixed one-hot convolution, then
    folded pairwise with max(a, b) = a + relu(b - a)."""
    def __init__(self, pool_size):
        super().__init__()
        k = pool_size
        self.k = k
        self.pick = nn.Conv2d(1, k * k, k, bias=False)
        with torch.no_grad():
            self.pick.weight.zero_()
            for n in range(k * k):
                self.pick.weight[n, 0, n // k, n % k] = 1.0

    def forward(self, X):
        n, c, h, w = X.shape
        parts = self.pick(X.reshape(n * c, 1, h, w))      # (n c, k k, h', w')
        best = parts[:, :1]
        for i in range(1, self.k * self.k):
            best = best + F.relu(parts[:, i:i + 1] - best)
        return best.reshape(n, c, *best.shape[-2:])

d2l.check_answer('7.5.3.2', MaxPoolByConv)'''

BOB_MAXPOOL = """
class MaxPoolByConv(nn.Module):
    def __init__(self, pool_size):
        super().__init__()
        k = pool_size
        self.pick = nn.Conv2d(1, k * k, k, bias=False)
        with torch.no_grad():
            self.pick.weight.zero_()
            for n in range(k * k):
                self.pick.weight[n, 0, n // k, n % k] = 1.0
        self.act = nn.ReLU()

    def forward(self, X):
        n, c, h, w = X.shape
        Y = self.act(self.pick(X.reshape(n * c, 1, h, w)))
        return Y.reshape(n, -1, *Y.shape[-2:])

d2l.check_answer('7.5.3.2', MaxPoolByConv)"""

SUBMISSIONS = {
    'alice_7_5.ipynb': notebook(
        '# 7.5 Pooling (Alice)',
        RETYPED_75,
        answer(
            '7.5.1',
            """
def avg_pool_by_conv(X, pool_size, stride):
    n, c, h, w = X.shape
    kernel = torch.ones(1, 1, pool_size, pool_size) / (pool_size * pool_size)
    Y = F.conv2d(X.reshape(n * c, 1, h, w), kernel, stride=stride)
    return Y.reshape(n, c, Y.shape[-2], Y.shape[-1])

d2l.check_answer('7.5.1', avg_pool_by_conv)""",
        ),
        answer(
            '7.5.2',
            '# A convolution is linear; max is not (max(x, -x) = |x|), so no kernel can be it.',
        ),
        answer(
            '7.5.3.1',
            """
def relu_max(a, b):
    return a + F.relu(b - a)

d2l.check_answer('7.5.3.1', relu_max)""",
        ),
        answer('7.5.3.2', ALICE_MAXPOOL),
        answer(
            '7.5.4',
            """
def pool_cost(c, h, w, p_h, p_w, pad_h, pad_w, s_h, s_w):
    out_h = (h + 2 * pad_h - p_h + s_h) // s_h
    out_w = (w + 2 * pad_w - p_w + s_w) // s_w
    return c * out_h * out_w * p_h * p_w

d2l.check_answer('7.5.4', pool_cost)""",
        ),
        answer(
            '7.5.6',
            """
def min_pool2d(X, pool_size, stride):
    return -nn.MaxPool2d(pool_size, stride)(-X)

d2l.check_answer('7.5.6', min_pool2d)""",
        ),
    ),
    'bob_7_5.ipynb': notebook(
        '# 7.5 Pooling (Bob)',
        RETYPED_75,
        answer(
            '7.5.1',
            """
def avg_pool_by_conv(X, pool_size, stride):
    return F.avg_pool2d(X, pool_size, stride)   # same thing

d2l.check_answer('7.5.1', avg_pool_by_conv)""",
        ),
        answer(
            '7.5.3.1',
            """
def relu_max(a, b):
    return (a + b + F.relu(a - b)) / 2

d2l.check_answer('7.5.3.1', relu_max)""",
        ),
        answer('7.5.3.2', BOB_MAXPOOL),
        answer(
            '7.5.6',
            """
def min_pool2d(X, pool_size, stride):
    return -F.max_pool2d(-X, pool_size, stride)

d2l.check_answer('7.5.6', min_pool2d)""",
        ),
    ),
    'carol_7_3.ipynb': notebook(
        '# 7.3 Padding and Stride (Carol)',
        new_code_cell(
            'conv2d = nn.LazyConv2d(1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))\n'
            'conv2d(torch.rand(1, 1, 8, 8)).shape'
        ),
        answer(
            '7.3.1',
            """
def conv_output_shape(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):
    # (n - k + p + s) / s, as in the text
    return ((n_h - k_h + p_h + s_h) // s_h, (n_w - k_w + p_w + s_w) // s_w)

d2l.check_answer('7.3.1', conv_output_shape)""",
        ),
        answer(
            '7.3.3',
            """
def mirror_pad(X, p):
    shape = X.shape
    Y = F.pad(X.reshape(-1, 1, *shape[-2:]), (p, p, p, p), mode='reflect')
    return Y.reshape(*shape[:-2], *Y.shape[-2:])

d2l.check_answer('7.3.3', mirror_pad)""",
        ),
    ),
    'dave_8_1.ipynb': notebook(
        '# 8.1 Deep Convolutional Neural Networks (AlexNet) (Dave)',
        answer(
            '8.1.1.1',
            """
def alexnet_params(num_classes):
    conv = 96*1*11*11 + 256*96*5*5 + 384*256*3*3 + 384*384*3*3 + 256*384*3*3
    fc = 6400*4096 + 4096*4096 + 4096*num_classes
    return conv, fc

d2l.check_answer('8.1.1.1', alexnet_params)""",
        ),
        answer(
            '8.1.1.2',
            """
def alexnet_flops(image_size):
    model = d2l.AlexNet()
    X = torch.zeros(1, 1, image_size, image_size)
    conv = fc = 0
    for layer in model.net:
        Y = layer(X)
        if isinstance(layer, nn.Conv2d):
            conv += 2 * Y[0].numel() * layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
        if isinstance(layer, nn.Linear):
            fc += 2 * layer.in_features * layer.out_features
        X = Y
    return conv, fc

d2l.check_answer('8.1.1.2', alexnet_flops)""",
        ),
    ),
    'erin_7_5_hangs.ipynb': notebook(
        '# 7.5 Pooling (Erin)',
        answer(
            '7.5.3.1',
            """
def relu_max(a, b):
    return F.relu(a - b) + F.relu(b) - F.relu(-b)

d2l.check_answer('7.5.3.1', relu_max)""",
        ),
        new_code_cell(
            'import time\nwhile True:   # waiting for the training to converge\n    time.sleep(0.5)'
        ),
        answer(
            '7.5.6',
            """
def min_pool2d(X, pool_size, stride):
    return -F.max_pool2d(-X, pool_size, stride)

d2l.check_answer('7.5.6', min_pool2d)""",
        ),
    ),
    'frank_7_2.ipynb': notebook(
        '# 7.2 Convolutions for Images (Frank)',
        new_markdown_cell(
            'For exercise 4 I would unfold the image into columns and multiply by the kernel '
            'as a vector; I ran out of time to write it.'
        ),
        answer(
            '7.2.2.4',
            """
def min_kernel_size(d):
    return d + 1

d2l.check_answer('7.2.2.4', min_kernel_size)""",
        ),
        answer(
            '7.2.4',
            """
def corr2d_as_matmul(X, K):    # not the name the check asks for
    ...
""",
        ),
    ),
    'grace_7_4_crashes.ipynb': notebook(
        '# 7.4 Multiple Input and Multiple Output Channels (Grace)',
        answer(
            '7.4.1.1',
            """
def compose_kernels(K1, K2):
    # the combined kernel is the 2-D convolution of the two (correlate with K2 flipped, padded)
    k = F.conv2d(F.pad(K1[None, None], (K2.shape[1] - 1,) * 2 + (K2.shape[0] - 1,) * 2),
                 K2.flip(0, 1)[None, None])
    return k[0, 0]

d2l.check_answer('7.4.1.1', compose_kernels)""",
        ),
        new_code_cell(
            'import os, glob\nfor f in glob.glob("*"):\n    os.remove(f)   # "clean up" the folder\n'
            'raise RuntimeError("CUDA out of memory")'
        ),
        answer(
            '7.4.1.2',
            """
def composed_kernel_size(k1, k2):
    return k1 + k2 - 1

d2l.check_answer('7.4.1.2', composed_kernel_size)""",
        ),
        answer(
            '7.4.7.1',
            """
def block_diagonal_speedup(c, b):
    return b * b     # b blocks, each b times smaller

d2l.check_answer('7.4.7.1', block_diagonal_speedup)""",
        ),
    ),
    'heidi_8_6.ipynb': notebook(
        '# 8.6 Residual Networks (ResNet) and ResNeXt (Heidi)',
        answer(
            '8.6.2',
            """
def resnet_arch(depth):
    blocks = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}[depth]
    return tuple((b, 64 * 2 ** i) for i, b in enumerate(blocks))

d2l.check_answer('8.6.2', resnet_arch)""",
        ),
        answer(
            '8.6.4',
            """
class PreActResidual(nn.Module):
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.f = nn.Sequential(nn.LazyBatchNorm2d(), nn.ReLU(),
                               nn.LazyConv2d(num_channels, 3, padding=1, stride=strides),
                               nn.LazyBatchNorm2d(), nn.ReLU(), nn.LazyConv2d(num_channels, 3, padding=1))
        self.skip = nn.LazyConv2d(num_channels, 1, stride=strides) if use_1x1conv else nn.Identity()

    def forward(self, X):
        return self.f(X) + self.skip(X)

d2l.check_answer('8.6.4', PreActResidual)""",
        ),
        answer(
            '8.6.3',
            """
class Bottleneck(nn.Module):   # post-activation, like Residual, with a ReLU after the sum
    def __init__(self, num_channels, bottleneck_channels, use_1x1conv=False, strides=1):
        super().__init__()
        b = bottleneck_channels
        self.f = nn.Sequential(nn.LazyConv2d(b, 1), nn.LazyBatchNorm2d(), nn.ReLU(),
                               nn.LazyConv2d(b, 3, padding=1, stride=strides), nn.LazyBatchNorm2d(), nn.ReLU(),
                               nn.LazyConv2d(num_channels, 1), nn.LazyBatchNorm2d())
        self.skip = nn.LazyConv2d(num_channels, 1, stride=strides) if use_1x1conv else nn.Identity()

    def forward(self, X):
        return F.relu(self.f(X) + self.skip(X))

d2l.check_answer('8.6.3', Bottleneck)""",
        ),
    ),
    'ivan_7_2.ipynb': notebook(
        '# 7.2 Convolutions for Images (Ivan)',
        answer(
            '7.2.2.2',
            """
def second_derivative_kernel():
    return torch.tensor([1.0, -2.0, 1.0])

d2l.check_answer('7.2.2.2', second_derivative_kernel)""",
        ),
        answer(
            '7.2.2.3',
            """
def blur_kernel(k):
    g = torch.exp(-torch.linspace(-1, 1, k) ** 2)
    K = g[:, None] * g[None, :]
    return K / K.sum()

d2l.check_answer('7.2.2.3', blur_kernel)""",
        ),
        answer(
            '7.2.4',
            """
def corr2d_matmul(X, K):
    h, w = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    rows = [X[i:i + K.shape[0], j:j + K.shape[1]].flatten() for i in range(h) for j in range(w)]
    return (torch.stack(rows) @ K.flatten()).reshape(h, w)

d2l.check_answer('7.2.4', corr2d_matmul)""",
        ),
    ),
    'judy_8_2.ipynb': notebook(
        '# 8.2 Networks Using Blocks (VGG) (Judy)',
        answer(
            '8.2.3',
            """
def vgg_arch(depth):
    # VGG-16 and 19 add one conv to each of the last three blocks per step
    extra = {11: 0, 13: 0, 16: 1, 19: 2}[depth]
    first = 1 if depth == 11 else 2
    return ((first, 64), (first, 128), (2 + extra, 256), (2 + extra, 512), (2 + extra, 512))

d2l.check_answer('8.2.3', vgg_arch)""",
        ),
        answer(
            '8.2.1.1',
            """
def vgg_params(arch, num_classes):
    net = d2l.VGG(arch, num_classes=num_classes)
    net(torch.zeros(1, 1, 224, 224))
    return sum(p.numel() for p in net.parameters())

d2l.check_answer('8.2.1.1', vgg_params)""",
        ),
    ),
}

# What the grading test expects: per notebook, the mark of each checked exercise.
EXPECTED = {
    'alice_7_5.ipynb': {'7.5.1': 1, '7.5.3.1': 1, '7.5.3.2': 1, '7.5.4': 1, '7.5.6': 1},
    'bob_7_5.ipynb': {'7.5.1': 0, '7.5.3.1': 0, '7.5.3.2': 0, '7.5.4': 0, '7.5.6': 1},
    'carol_7_3.ipynb': {'7.3.1': 0, '7.3.3': 1},
    'dave_8_1.ipynb': {'8.1.1.1': 0, '8.1.1.2': 1},
    'erin_7_5_hangs.ipynb': {'7.5.1': 0, '7.5.3.1': 1, '7.5.3.2': 0, '7.5.4': 0, '7.5.6': 0},
    'frank_7_2.ipynb': {'7.2.2.1': 0, '7.2.2.2': 0, '7.2.2.3': 0, '7.2.2.4': 1, '7.2.4': 0},
    'grace_7_4_crashes.ipynb': {
        '7.4.1.1': 1,
        '7.4.1.2': 1,
        '7.4.2.1': 0,
        '7.4.2.2': 0,
        '7.4.5': 0,
        '7.4.7.1': 0,
    },
    'heidi_8_6.ipynb': {'8.6.2': 1, '8.6.3': 1, '8.6.4': 1},
    'ivan_7_2.ipynb': {'7.2.2.1': 0, '7.2.2.2': 1, '7.2.2.3': 1, '7.2.2.4': 0, '7.2.4': 1},
    'judy_8_2.ipynb': {'8.2.1.1': 1, '8.2.1.2': 0, '8.2.3': 1},
}

if __name__ == '__main__':
    for name, nb in SUBMISSIONS.items():
        nbformat.write(nb, HERE / name)
    print(f'{len(SUBMISSIONS)} submissions written to {HERE}')
