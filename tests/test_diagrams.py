"""diagrams.py: the figures show the numbers they are given, in the right places."""
import matplotlib
import pytest
import torch
from matplotlib import patches
from matplotlib import pyplot as plt

import book_utils as d2l

from book_utils.diagrams import WINDOW_COLOURS, Grid, draw_stack, show_grids, show_pipeline

matplotlib.use('Agg')


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts if t.get_text()]


def test_grid_writes_every_value_and_the_symbols():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    Y = d2l.corr2d(X, K)
    fig = show_grids([Grid(X, 'input'), Grid(K, 'kernel'), Grid(Y, 'output')], between=['⋆', '='])
    texts = _texts(fig)
    for value in [*range(9), 19, 25, 37, 43]:
        assert str(value) in texts
    assert texts.count('⋆') == 1 and texts.count('=') == 1
    assert {'input', 'kernel', 'output'} <= set(texts)
    plt.close(fig)


def test_window_and_padding_colours():
    X = torch.nn.functional.pad(torch.ones(2, 2), (1, 1, 1, 1))
    fig = show_grids([Grid(X, windows=[(0, 0, 2, 2)], pad=1)])
    cells = [p for p in fig.axes[0].patches if p.get_fill()]
    assert len(cells) == 16
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in cells]
    assert colours.count(WINDOW_COLOURS[0]) == 4          # the 2x2 window
    assert colours.count('#e5e5e5') == 12 - 3              # the border, less the window's 3 cells
    plt.close(fig)


def test_fractions_and_negative_infinity_are_readable():
    fig = show_grids([[[0.5, float('-inf')], [2.0, -1.25]]])
    assert set(_texts(fig)) == {'0.5', '-∞', '2', '-1.25'}
    plt.close(fig)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match='one matrix'):
        show_grids([torch.zeros(2, 2, 2)])
    with pytest.raises(ValueError, match='one symbol for each gap'):
        show_grids([torch.zeros(2, 2), torch.zeros(2, 2)], between=['+', '='])
    with pytest.raises(ValueError, match='at least one'):
        show_pipeline([])


def test_pipeline_labels():
    fig = show_pipeline([('input', '1x28x28'), ('conv', '6x28x28')])
    assert _texts(fig)[:4] == ['input', '1x28x28', 'conv', '6x28x28']
    plt.close(fig)


def test_layer_stack_reads_the_model():
    """AlexNet's stack: the image, then each conv/pool/dense layer bottom to top."""
    fig, ax = plt.subplots()
    draw_stack(ax, 'AlexNet', d2l.AlexNet(), (1, 1, 224, 224), '#fdd0a2')
    texts = [t.get_text() for t in ax.texts if t.get_text()]   # (arrows are empty texts)
    assert texts[:3] == ['image 224x224', '11x11 conv, 96 ch, stride 4, pad 1',
                         '3x3 max-pool, stride 2']
    assert texts[-1] == 'dense, 10' and len(texts) == 1 + 5 + 3 + 3
    plt.close(fig)


def test_layer_stack_frames_each_block():
    """VGG-11: one dashed frame a block of several layers (five blocks of conv + pool)."""
    fig, ax = plt.subplots()
    draw_stack(ax, 'VGG-11', d2l.VGG('vgg11'), (1, 1, 224, 224), '#c7e9c0', height=17)
    frames = [p for p in ax.patches if isinstance(p, patches.Rectangle)
              and not isinstance(p, patches.FancyBboxPatch)]
    assert len(frames) == 5
    assert ax.get_ylim()[1] == 17
    plt.close(fig)


def test_kernel_responses_one_column_per_kernel_on_a_symmetric_scale():
    import numpy as np
    """8.1's first-layer figure: the image, then each kernel above its map, red/blue symmetric."""
    from book_utils.diagrams import show_kernel_responses
    torch.manual_seed(0)
    kernels, maps = torch.randn(3, 11, 11), torch.rand(3, 16, 16)
    fig = show_kernel_responses(torch.rand(72, 72), 'Sneaker', kernels, maps, ['a', 'b', 'c'])
    axes = fig.axes
    assert len(axes) == 2 * 4 and not axes[4].get_visible()       # 2 rows x (image + 3 columns)
    assert [ax.get_title() for ax in axes[:4]] == ['Sneaker', 'a', 'b', 'c']
    for col in range(3):
        low, high = axes[1 + col].images[0].get_clim()
        assert high == -low == pytest.approx(float(kernels[col].abs().max()))
        assert np.array_equal(np.asarray(axes[5 + col].images[0].get_array()), maps[col].numpy())
    plt.close(fig)


def test_kernel_responses_refuse_mismatched_stacks():
    from book_utils.diagrams import show_kernel_responses
    with pytest.raises(ValueError, match='same n'):
        show_kernel_responses(torch.rand(8, 8), 'x', torch.rand(2, 3, 3), torch.rand(3, 4, 4))
    with pytest.raises(ValueError, match='one title per kernel'):
        show_kernel_responses(torch.rand(8, 8), 'x', torch.rand(2, 3, 3), torch.rand(2, 4, 4), ['a'])
