"""diagrams.py: the figures show the numbers they are given, in the right places."""

import matplotlib
import pytest
import torch
from matplotlib import patches
from matplotlib import pyplot as plt

import book_utils as d2l
from book_utils.teaching.diagrams import WINDOW_COLOURS, Grid, draw_stack, show_grids, show_pipeline

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
    assert colours.count(WINDOW_COLOURS[0]) == 4  # the 2x2 window
    assert colours.count('#e5e5e5') == 12 - 3  # the border, less the window's 3 cells
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
    texts = [t.get_text() for t in ax.texts if t.get_text()]  # (arrows are empty texts)
    assert texts[:3] == [
        'image 224x224',
        '11x11 conv, 96 ch, stride 4, pad 1',
        '3x3 max-pool, stride 2',
    ]
    assert texts[-1] == 'dense, 10' and len(texts) == 1 + 5 + 3 + 3
    plt.close(fig)


def test_layer_stack_frames_each_block():
    """VGG-11: one dashed frame a block of several layers (five blocks of conv + pool)."""
    fig, ax = plt.subplots()
    draw_stack(ax, 'VGG-11', d2l.VGG('vgg11'), (1, 1, 224, 224), '#c7e9c0', height=17)
    frames = [
        p
        for p in ax.patches
        if isinstance(p, patches.Rectangle) and not isinstance(p, patches.FancyBboxPatch)
    ]
    assert len(frames) == 5
    assert ax.get_ylim()[1] == 17
    plt.close(fig)


# -- 7.3 dilation, 7.4 the kernel tensor and 1x1 channel mixing (nb7) ---------------------------
from book_utils.teaching.diagrams import (
    dilation_taps,
    show_dilation,
    show_kernel_tensor,
    show_pixel_mixing,
)


def _cells(fig, colour):
    return [
        p
        for p in fig.axes[0].patches
        if isinstance(p, patches.Rectangle)
        and matplotlib.colors.same_color(p.get_facecolor(), colour)
    ]


@pytest.mark.parametrize('dilation', [1, 2, 3])
def test_dilation_taps_are_the_inputs_pytorch_reads(dilation):
    taps = dilation_taps(9, 3, dilation, out_pixel=(1, 2))
    X = torch.zeros(1, 1, 9, 9)
    for i, j in taps:  # a one-hot image at each tap moves that output; elsewhere nothing does
        X[0, 0, i, j] = 1.0
    Y = torch.nn.functional.conv2d(X, torch.ones(1, 1, 3, 3), dilation=dilation)
    assert len(taps) == 9 and Y[0, 0, 1, 2] == 9
    rows = sorted({i for i, _ in taps})
    assert rows == [1 + dilation * k for k in range(3)]


def test_dilation_figure_shades_the_taps_and_names_span_and_output():
    fig = show_dilation(in_size=7, kernel_size=3, dilations=(1, 2, 3))
    from book_utils.teaching.diagrams import TAP_COLOUR

    assert len(_cells(fig, TAP_COLOUR)) == 3 * 9
    texts = _texts(fig)
    assert {'dilation 2: span 5x5', 'output 3x3', 'dilation 3: span 7x7', 'output 1x1'} <= set(
        texts
    )
    plt.close(fig)
    with pytest.raises(ValueError, match='span'):
        show_dilation(in_size=5, kernel_size=3, dilations=(3,))


def test_kernel_tensor_draws_every_weight_in_its_row_and_column():
    weight = torch.arange(2 * 3 * 2 * 2, dtype=torch.float32).reshape(2, 3, 2, 2)
    fig = show_kernel_tensor(weight)
    texts = _texts(fig)
    assert all(str(v) in texts for v in range(weight.numel()))
    assert texts.count('+') == 2 * 2  # c_i - 1 plus signs in each of the c_o rows
    assert {'input channel 2', 'output\nchannel 1'} <= set(texts)
    assert any('2 x 3 x 2 x 2' in t.get_text() for t in fig.axes[0].texts + [fig.axes[0].title])
    plt.close(fig)
    with pytest.raises(ValueError, match='4-D'):
        show_kernel_tensor(torch.zeros(3, 3))


def test_pixel_mixing_shows_pytorchs_1x1_output_at_the_pixel():
    X = torch.tensor([[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [1.0, 0.0]]])  # 2 channels, 2x2
    W = torch.tensor([[1.0, 1.0], [2.0, -1.0], [0.5, 0.0]])  # 3 out, 2 in
    fig = show_pixel_mixing(X, W, pixel=(1, 0))
    texts = _texts(fig)
    y = torch.nn.functional.conv2d(X[None], W[:, :, None, None])[0, :, 1, 0]  # [4, 5, 1.5]
    assert [float(v) for v in y] == [4.0, 5.0, 1.5]
    assert {'4', '5', '1.5', 'W', 'x', 'y', 'out 2', '×'} <= set(texts)
    shaded = _cells(fig, WINDOW_COLOURS[0])
    assert len(shaded) == 2 + 3  # the pixel in every input and output map
    plt.close(fig)
    with pytest.raises(ValueError, match='c_i = 2'):
        show_pixel_mixing(X, torch.zeros(3, 3))


# --- 8.4-8.6: Inception, normalization axes, residual blocks ---------------------------------
from book_utils.teaching.diagrams import (
    draw_inception,
    draw_layer_row,
    draw_normalization_axes,  # noqa: E402
    draw_residual_blocks,
    layer_rows,
    residual_path,
    shared_statistics,
)


def test_inception_figure_reads_the_block():
    block = d2l.Inception(64, (96, 128), (16, 32), 32)
    block(torch.zeros(1, 192, 6, 6))
    texts = _texts(draw_inception(block, 192))
    assert texts[0] == 'input: 192 channels'
    assert texts[1] == 'concatenate along channels: 256 channels'
    assert '1x1 conv\n192 -> 16' in texts and '5x5 conv\n16 -> 32' in texts
    assert '3x3 max-pool' in texts
    plt.close('all')


def test_inception_figure_refuses_unrun_and_wrong_blocks():
    with pytest.raises(ValueError, match='lazy layers'):
        draw_inception(d2l.Inception(4, (4, 4), (4, 4), 4), 3)
    with pytest.raises(TypeError, match='Inception'):
        draw_inception(torch.nn.Conv2d(1, 1, 1), 1)
    with pytest.raises(ValueError, match='in_channels'):
        draw_inception(d2l.Inception(4, (4, 4), (4, 4), 4), 0)


def test_layer_row_shows_each_layer_and_its_shape():
    rows = layer_rows(d2l.BNLeNetScratch(), torch.zeros(2, 1, 28, 28))
    assert rows[:3] == [('conv', '6x24x24'), ('BatchNorm', '6x24x24'), ('Sigmoid', '6x24x24')]
    assert rows[-1] == ('dense', '10')
    fig = draw_layer_row(rows, {'conv': '#9ecae1'}, 'BN-LeNet')
    assert _texts(fig)[:2] == ['conv', '6x24x24'] and len(fig.axes[0].patches) == len(rows)
    plt.close(fig)
    with pytest.raises(ValueError, match='at least one'):
        draw_layer_row([], {}, 'empty')


@pytest.mark.parametrize(
    'kind, expected',
    [
        ('batch', [(n, 0) for n in range(4)]),  # one channel, every example
        ('layer', [(0, c) for c in range(6)]),  # one example, every channel
        ('instance', [(0, 0)]),  # one channel of one example
        ('group', [(0, 0), (0, 1), (0, 2)]),  # 6 channels in 2 groups of 3
    ],
)
def test_shared_statistics_match_the_textbook_definitions(kind, expected):
    shared = shared_statistics(kind, batch=4, channels=6, groups=2)
    assert sorted(map(tuple, shared.nonzero().tolist())) == expected


def test_normalization_figure_shades_the_shared_maps():
    fig = draw_normalization_axes(batch=4, channels=6, groups=3)
    shaded = [
        sum(p.get_facecolor()[:3] != (0.9411764705882353,) * 3 for p in ax.patches)
        for ax in fig.axes
    ]
    assert shaded == [4, 6, 1, 2]
    plt.close(fig)
    with pytest.raises(ValueError, match='groups must divide'):
        shared_statistics('group', channels=6, groups=4)
    with pytest.raises(ValueError, match='kind must be'):
        shared_statistics('weight')


def test_residual_paths_read_the_blocks():
    basic, bottleneck = d2l.Residual(8), d2l.ResNeXtBlock(16, 4, 0.5, use_1x1conv=True, strides=2)
    basic(torch.zeros(2, 8, 4, 4)), bottleneck(torch.zeros(2, 16, 4, 4))
    path, shortcut = residual_path(basic)
    assert (
        path == ['3x3 conv\n8 -> 8', 'BN, ReLU', '3x3 conv\n8 -> 8', 'BN']
        and shortcut == 'identity'
    )
    path, shortcut = residual_path(bottleneck)
    assert path[0] == '1x1 conv\n16 -> 8' and path[2] == '3x3 conv, stride 2\n8 -> 8, 4 groups'
    assert path[4] == '1x1 conv\n8 -> 16' and shortcut == '1x1 conv, stride 2, 16 -> 16'
    fig = draw_residual_blocks({'basic': basic, 'ResNeXt': bottleneck})
    assert 'shortcut:\nidentity' in [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    with pytest.raises(ValueError, match='lazy layers'):
        residual_path(d2l.Residual(8))


def test_kernel_responses_one_column_per_kernel_on_a_symmetric_scale():
    import numpy as np

    """8.1's first-layer figure: the image, then each kernel above its map, red/blue symmetric."""
    from book_utils.teaching.diagrams import show_kernel_responses

    torch.manual_seed(0)
    kernels, maps = torch.randn(3, 11, 11), torch.rand(3, 16, 16)
    fig = show_kernel_responses(torch.rand(72, 72), 'Sneaker', kernels, maps, ['a', 'b', 'c'])
    axes = fig.axes
    assert len(axes) == 2 * 4 and not axes[4].get_visible()  # 2 rows x (image + 3 columns)
    assert [ax.get_title() for ax in axes[:4]] == ['Sneaker', 'a', 'b', 'c']
    for col in range(3):
        low, high = axes[1 + col].images[0].get_clim()
        assert high == -low == pytest.approx(float(kernels[col].abs().max()))
        assert np.array_equal(np.asarray(axes[5 + col].images[0].get_array()), maps[col].numpy())
    plt.close(fig)


def test_kernel_responses_refuse_mismatched_stacks():
    from book_utils.teaching.diagrams import show_kernel_responses

    with pytest.raises(ValueError, match='same n'):
        show_kernel_responses(torch.rand(8, 8), 'x', torch.rand(2, 3, 3), torch.rand(3, 4, 4))
    with pytest.raises(ValueError, match='one title per kernel'):
        show_kernel_responses(
            torch.rand(8, 8), 'x', torch.rand(2, 3, 3), torch.rand(2, 4, 4), ['a']
        )
