"""Facts about D2L 1.0.3's chapter 7-8 models, written as data for the tests.

The oracle package ``d2l.torch`` ships only some of these models (``LeNet``,
``Residual``, ``ResNeXtBlock``); the others exist only as code in the book's
text. The repository keeps no copy of that code. Instead the tests compare
``book_utils`` with two kinds of facts:

* ``SUMMARIES``: the (layer, output shape) rows of ``layer_summary``, for the
  input shape the book uses. Rows marked ``printed`` are shown in D2L's own
  output for that section; the others follow from the same layer tables.
* ``PARAMETER_COUNTS``: the number of parameters once every lazy layer knows
  its shape (one input channel, ten classes).

``tests/test_d2l_chapter_code.py`` checks every fact here against D2L's own
code when a d2l-en checkout is named by ``D2L_EN_DIR`` (an opt-in run).
"""

import contextlib
import io
import re

# -- layer_summary rows ---------------------------------------------------------------

_LENET_BN_SHAPES = [  # LeNet with batch norm, 28x28 input, batch of 2 (D2L 8.5)
    ('Conv2d', (2, 6, 24, 24)),
    ('BatchNorm', (2, 6, 24, 24)),
    ('Sigmoid', (2, 6, 24, 24)),
    ('AvgPool2d', (2, 6, 12, 12)),
    ('Conv2d', (2, 16, 8, 8)),
    ('BatchNorm', (2, 16, 8, 8)),
    ('Sigmoid', (2, 16, 8, 8)),
    ('AvgPool2d', (2, 16, 4, 4)),
    ('Flatten', (2, 256)),
    ('Linear', (2, 120)),
    ('BatchNorm', (2, 120)),
    ('Sigmoid', (2, 120)),
    ('Linear', (2, 84)),
    ('BatchNorm', (2, 84)),
    ('Sigmoid', (2, 84)),
    ('Linear', (2, 10)),
]


def _concise_bn(rows):
    """The same rows with PyTorch's layers in place of the scratch ``BatchNorm``."""
    return [
        ({2: 'BatchNorm1d', 4: 'BatchNorm2d'}[len(shape)] if name == 'BatchNorm' else name, shape)
        for name, shape in rows
    ]


_DENSE_HEAD = [('Linear', (1, 4096)), ('ReLU', (1, 4096)), ('Dropout', (1, 4096))] * 2 + [
    ('Linear', (1, 10))
]  # AlexNet's and VGG's classifier (D2L 8.1, 8.2)

_RESNET_SHAPES = [  # ResNet-18 and ResNet-34 at 96x96 (D2L 8.6): stem, four stages, head
    ('Sequential', (1, 64, 24, 24)),
    ('Sequential', (1, 64, 24, 24)),
    ('Sequential', (1, 128, 12, 12)),
    ('Sequential', (1, 256, 6, 6)),
    ('Sequential', (1, 512, 3, 3)),
    ('Sequential', (1, 10)),
]

#: name: (D2L section, input shape, printed in D2L's output, [(layer, output shape)]).
SUMMARIES = {
    'LeNet': (
        '7.6',
        (1, 1, 28, 28),
        True,
        [
            ('Conv2d', (1, 6, 28, 28)),
            ('Sigmoid', (1, 6, 28, 28)),
            ('AvgPool2d', (1, 6, 14, 14)),
            ('Conv2d', (1, 16, 10, 10)),
            ('Sigmoid', (1, 16, 10, 10)),
            ('AvgPool2d', (1, 16, 5, 5)),
            ('Flatten', (1, 400)),
            ('Linear', (1, 120)),
            ('Sigmoid', (1, 120)),
            ('Linear', (1, 84)),
            ('Sigmoid', (1, 84)),
            ('Linear', (1, 10)),
        ],
    ),
    'AlexNet': (
        '8.1',
        (1, 1, 224, 224),
        True,
        [
            ('Conv2d', (1, 96, 54, 54)),
            ('ReLU', (1, 96, 54, 54)),
            ('MaxPool2d', (1, 96, 26, 26)),
            ('Conv2d', (1, 256, 26, 26)),
            ('ReLU', (1, 256, 26, 26)),
            ('MaxPool2d', (1, 256, 12, 12)),
            ('Conv2d', (1, 384, 12, 12)),
            ('ReLU', (1, 384, 12, 12)),
            ('Conv2d', (1, 384, 12, 12)),
            ('ReLU', (1, 384, 12, 12)),
            ('Conv2d', (1, 256, 12, 12)),
            ('ReLU', (1, 256, 12, 12)),
            ('MaxPool2d', (1, 256, 5, 5)),
            ('Flatten', (1, 6400)),
        ]
        + _DENSE_HEAD,
    ),
    'VGG-11': (
        '8.2',
        (1, 1, 224, 224),
        True,
        [
            ('Sequential', (1, 64, 112, 112)),
            ('Sequential', (1, 128, 56, 56)),
            ('Sequential', (1, 256, 28, 28)),
            ('Sequential', (1, 512, 14, 14)),
            ('Sequential', (1, 512, 7, 7)),
            ('Flatten', (1, 25088)),
        ]
        + _DENSE_HEAD,
    ),
    'VGG-11/4': (
        '8.2',
        (1, 1, 224, 224),
        False,
        [  # the quarter-width network D2L trains
            ('Sequential', (1, 16, 112, 112)),
            ('Sequential', (1, 32, 56, 56)),
            ('Sequential', (1, 64, 28, 28)),
            ('Sequential', (1, 128, 14, 14)),
            ('Sequential', (1, 128, 7, 7)),
            ('Flatten', (1, 6272)),
        ]
        + _DENSE_HEAD,
    ),
    'NiN': (
        '8.3',
        (1, 1, 224, 224),
        True,
        [
            ('Sequential', (1, 96, 54, 54)),
            ('MaxPool2d', (1, 96, 26, 26)),
            ('Sequential', (1, 256, 26, 26)),
            ('MaxPool2d', (1, 256, 12, 12)),
            ('Sequential', (1, 384, 12, 12)),
            ('MaxPool2d', (1, 384, 5, 5)),
            ('Dropout', (1, 384, 5, 5)),
            ('Sequential', (1, 10, 5, 5)),
            ('AdaptiveAvgPool2d', (1, 10, 1, 1)),
            ('Flatten', (1, 10)),
        ],
    ),
    'GoogleNet': (
        '8.4',
        (1, 1, 96, 96),
        True,
        [
            ('Sequential', (1, 64, 24, 24)),
            ('Sequential', (1, 192, 12, 12)),
            ('Sequential', (1, 480, 6, 6)),
            ('Sequential', (1, 832, 3, 3)),
            ('Sequential', (1, 1024)),
            ('Linear', (1, 10)),
        ],
    ),
    'BNLeNetScratch': ('8.5', (2, 1, 28, 28), False, _LENET_BN_SHAPES),
    'BNLeNet': ('8.5', (2, 1, 28, 28), False, _concise_bn(_LENET_BN_SHAPES)),
    'ResNet18': ('8.6', (1, 1, 96, 96), True, _RESNET_SHAPES),
    'ResNet-34': ('8.6', (1, 1, 96, 96), False, _RESNET_SHAPES),
}

#: Parameters of each network with one input channel and ten classes. Conv and
#: linear layers hold (fan_in + 1) * fan_out each, e.g. LeNet's
#: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706; a batch-norm layer adds 2 per channel.
PARAMETER_COUNTS = {
    'LeNet': 61_706,
    'AlexNet': 46_764_746,
    'VGG-11': 128_806_154,
    'VGG-11/4': 43_093_322,
    'NiN': 1_992_166,
    'GoogleNet': 5_977_530,
    'BNLeNetScratch': 44_878,
    'BNLeNet': 44_878,
    'ResNet18': 11_178_378,
    'ResNet-34': 21_290_250,
}

#: ResNet-34's stages (He et al., 2016, Table 1), given as pairs where a test must
#: not go through ``RESNET_ARCHS``.
RESNET34_STAGES = ((3, 64), (4, 128), (6, 256), (3, 512))

# -- reading layer_summary's output -----------------------------------------------------

_SUMMARY_LINE = re.compile(r'(\w+) output shape:\t torch\.Size\(\[([\d, ]*)\]\)')


def parse_summary(text):
    """``[(layer, shape)]`` from ``layer_summary``'s printed lines, which keep D2L's format.

    Other lines (book_utils' one-time ``init_cnn`` notice, say) are skipped; a line
    that mentions an output shape in another format fails the test.
    """
    rows = []
    for line in text.strip().splitlines():
        if ' output shape:' not in line:
            continue
        match = _SUMMARY_LINE.fullmatch(line)
        assert match, f'not a D2L layer_summary line: {line!r}'
        rows.append((match[1], tuple(int(n) for n in match[2].split(', ') if n)))
    return rows


def summary_lines(model, shape):
    """The "... output shape: ..." lines ``model.layer_summary(shape)`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.layer_summary(shape)
    return [line for line in out.getvalue().splitlines() if 'output shape' in line]


def summary_rows(model, shape):
    """``[(layer, shape)]`` that ``model.layer_summary(shape)`` prints."""
    return parse_summary('\n'.join(summary_lines(model, shape)))
