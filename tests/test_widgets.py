"""The widgets: their maths against torch, and the widgets driven as a reader would.

Runs under ipywidgets 8 (the venv) and 7.7.1 (Colab's; ``make test-widgets-ipyw7``).
"""

import base64
import html
import json
import os
import random
import re
import warnings
from pathlib import Path

import ipywidgets
import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

import book_utils as d2l
from book_utils.engine.profiles import SMOKE_BATCHES
from book_utils.widgets import conv_geometry as G
from book_utils.widgets import (
    conv_shape_explorer,
    image_kernels,
    kernel_designer,
    pooling_explorer,
    runs,
    training_dashboard,
)
from book_utils.widgets import pooling_maths as P
from book_utils.widgets.base import BookWidget
from book_utils.widgets.dashboard import draw_runs
from book_utils.widgets.html_parts import STATIC_NOTE

PNG = b'\x89PNG\r\n\x1a\n'


def test_runs_under_the_expected_ipywidgets():
    """The ipywidgets-7 target sets BOOK_EXPECT_IPYWIDGETS, so it cannot silently test 8.x."""
    expected = os.environ.get('BOOK_EXPECT_IPYWIDGETS')
    if expected is None:
        assert ipywidgets.__version__.split('.')[0] in ('7', '8')
    else:
        assert ipywidgets.__version__ == expected


def _static_bundle_ok(widget):
    data = widget._repr_mimebundle_()
    assert data['application/vnd.jupyter.widget-view+json']['model_id'] == widget.model_id
    assert base64.b64decode(data['image/png']) == widget.static_png
    assert widget.static_png.startswith(PNG)
    assert STATIC_NOTE in data['text/html'] and STATIC_NOTE in data['text/plain']
    assert STATIC_NOTE in widget.static_note.value and widget.children[-1] is widget.static_note


# -- kernels -------------------------------------------------------------------
@pytest.fixture(scope='module')
def boot():
    return image_kernels.fashion_image('ankle boot', 0)


@pytest.mark.parametrize('size', image_kernels.SIZES)
@pytest.mark.parametrize('name', list(image_kernels.PRESETS))
def test_presets_match_conv2d_and_d2l_corr2d(oracle, boot, name, size):
    K = image_kernels.preset(name, size)
    assert K.shape == (size, size)
    Y, difference = image_kernels.apply_and_check(boot, K)
    torch.testing.assert_close(Y, F.conv2d(boot[None, None], K[None, None])[0, 0])
    torch.testing.assert_close(Y, oracle.corr2d(boot, K), rtol=1e-5, atol=1e-5)
    assert difference < 1e-5


def test_preset_meanings(boot):
    r = 1
    torch.testing.assert_close(
        image_kernels.apply_kernel(boot, image_kernels.preset('identity')), boot[r:-r, r:-r]
    )
    torch.testing.assert_close(
        image_kernels.apply_kernel(boot, image_kernels.preset('box blur', 5)),
        F.avg_pool2d(boot[None, None], 5, stride=1)[0, 0],
    )
    g = torch.tensor([1.0, 2, 1])
    torch.testing.assert_close(image_kernels.preset('Gaussian blur'), torch.outer(g, g) / 16)
    torch.testing.assert_close(
        image_kernels.preset('Sobel y', 5), image_kernels.preset('Sobel x', 5).T
    )
    assert torch.equal(
        image_kernels.preset('sharpen'), torch.tensor([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    )
    for name in ('Sobel x', 'Laplacian', 'horizontal edge', 'vertical edge', 'diagonal edge'):
        for size in image_kernels.SIZES:
            assert abs(float(image_kernels.preset(name, size).sum())) < 1e-6, name
    X = image_kernels.edge_image()
    vertical = image_kernels.apply_kernel(X, image_kernels.preset('vertical edge'))
    assert vertical[0].tolist() == [3.0, 3.0, 0.0, 0.0, -3.0, -3.0]  # signed, not clamped
    assert image_kernels.apply_kernel(X, image_kernels.preset('horizontal edge')).abs().max() == 0


def test_normalise():
    box, divisor = image_kernels.normalise(torch.ones(3, 3))
    assert divisor == 9 and torch.allclose(box.sum(), torch.tensor(1.0))
    sobel, divisor = image_kernels.normalise(image_kernels.preset('Sobel x'))
    assert divisor == 4 and torch.allclose(sobel.clamp(min=0).sum(), torch.tensor(1.0))
    zero, divisor = image_kernels.normalise(torch.zeros(3, 3))
    assert divisor == 1.0 and not zero.any()


def test_kernel_helpers_reject_bad_input():
    with pytest.raises(ValueError, match='Unknown kernel preset .*Sobel x'):
        image_kernels.preset('sobel')
    with pytest.raises(ValueError, match='sizes'):
        image_kernels.preset('identity', 4)
    with pytest.raises(ValueError, match='index must be 0 to'):
        image_kernels.fashion_image('bag', 10_000)
    with pytest.raises(ValueError, match='Unknown class'):
        image_kernels.fashion_image('hat')
    with pytest.raises(ValueError, match='does not fit'):
        image_kernels.apply_kernel(torch.ones(2, 2), torch.ones(3, 3))


def test_kernel_designer_is_driven_by_its_controls(oracle):
    w = kernel_designer()
    _static_bundle_ok(w)
    assert '26×26' in w.info.value and 'agrees with' in w.info.value
    assert w.message.value == ''
    first = w.figure_view.value
    w.preset_picker.value = 'Sobel y'
    assert w.static_note.value == ''  # a live reader has touched a control
    w.size_picker.value = 5
    assert len(w.grid.children) == 25
    torch.testing.assert_close(w.kernel(), image_kernels.preset('Sobel y', 5), atol=1e-4, rtol=0)
    assert '24×24' in w.info.value and w.figure_view.value != first
    X, K, Y = w.result['X'], w.result['K'], w.result['Y']
    torch.testing.assert_close(Y, oracle.corr2d(X, K), rtol=1e-5, atol=1e-5)
    w.cells[0].value = 7.0  # a reader's edit makes it a custom kernel
    assert w.preset_picker.value == '(custom)' and w.result['K'][0, 0] == 7.0
    w.size_picker.value = 3  # 5 -> 3 keeps the centre of a custom kernel
    assert w.preset_picker.value == '(custom)' and w.result['K'].shape == (3, 3)
    w.preset_picker.value = 'box blur'
    w.normalise_box.value = True
    assert torch.allclose(w.result['K'].sum(), torch.tensor(1.0)) and '÷ 9' not in w.info.value
    w.source_picker.value = 'edge image (7.2)'
    assert w.class_picker.disabled and w.result['Y'].shape == (4, 6)
    w.class_picker.value, w.source_picker.value = 'trouser', 'Fashion-MNIST'
    assert torch.equal(w.result['X'], image_kernels.fashion_image('trouser', w.index_slider.value))


def test_kernel_designer_rejects_bad_arguments():
    with pytest.raises(ValueError, match='Unknown kernel preset'):
        kernel_designer(preset='blur')
    with pytest.raises(ValueError, match='source must be'):
        kernel_designer(source='camera')


# -- convolution geometry --------------------------------------------------------
def _random_settings(rng, channels=True):
    padding = rng.choice(['same', 'valid', (rng.randint(0, 3), rng.randint(0, 3))])
    stride = (
        (1, 1)
        if padding == 'same' and rng.random() < 0.8
        else (rng.randint(1, 4), rng.randint(1, 4))
    )
    groups = rng.choice([1, 1, 2, 4]) if channels else 1
    c_in = groups * rng.randint(1, 2) if channels else 1
    c_out = groups * rng.randint(1, 3) if channels else 1
    return dict(
        in_size=(rng.randint(1, 11), rng.randint(1, 11)),
        kernel_size=(rng.randint(1, 5), rng.randint(1, 5)),
        padding=padding,
        padding_mode=rng.choice(G.PADDING_MODES),
        stride=stride,
        dilation=(rng.randint(1, 3), rng.randint(1, 3)),
        in_channels=c_in,
        out_channels=c_out,
        groups=groups,
    )


def _torch_shape_or_none(kw):
    """A real nn.Conv2d forward on random data: (C, H, W), or None if PyTorch refuses."""
    try:
        layer = nn.Conv2d(
            kw['in_channels'],
            kw['out_channels'],
            kw['kernel_size'],
            stride=kw['stride'],
            padding=kw['padding'],
            dilation=kw['dilation'],
            groups=kw['groups'],
            padding_mode=kw['padding_mode'],
        )
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # 'same' with an even kernel warns about a copy
            Y = layer(torch.randn(1, kw['in_channels'], *kw['in_size']))
    except (RuntimeError, ValueError):
        return None
    return tuple(Y.shape[1:]) if Y.numel() else None


def test_shape_arithmetic_agrees_with_nn_conv2d_on_random_settings():
    rng = random.Random(0)
    accepted = refused = 0
    for _ in range(300):
        kw = _random_settings(rng)
        expected = _torch_shape_or_none(kw)
        s = G.ConvSettings(**kw)
        try:
            out = G.check(s)['out_size']
        except ValueError:
            assert expected is None, kw
            refused += 1
            continue
        assert expected == (kw['out_channels'], *out), kw
        assert G.output_size(s) == d2l.conv_output_shape(
            s.in_size, s.kernel_size, s.padding, s.stride, s.dilation
        )
        accepted += 1
    assert accepted > 100 and refused > 30  # both branches really exercised


@pytest.mark.parametrize('mode', G.PADDING_MODES)
def test_padding_sources_match_F_pad(mode):
    torch_mode = 'constant' if mode == 'zeros' else mode
    for h, w, pads in [(4, 5, (1, 2, 2, 1)), (3, 3, (2, 2, 1, 0)), (6, 2, (1, 1, 3, 2))]:
        top, bottom, left, right = pads
        if (
            mode == 'reflect'
            and max(pads) >= min(h, w)
            or mode == 'circular'
            and (max(top, bottom) > h or max(left, right) > w)
        ):
            continue
        index = torch.arange(1, h * w + 1, dtype=torch.float32).reshape(1, 1, h, w)
        padded = F.pad(index, (left, right, top, bottom), mode=torch_mode)[0, 0]
        rows = G.padding_source(h, top, bottom, mode)
        cols = G.padding_source(w, left, right, mode)
        ours = torch.tensor(
            [[0.0 if r is None or c is None else r * w + c + 1 for c in cols] for r in rows]
        )
        assert torch.equal(ours, padded), (mode, h, w, pads)


def test_padding_sources_refuse_what_torch_refuses():
    with pytest.raises(ValueError, match='reflect'):
        G.padding_source(3, 3, 0, 'reflect')
    with pytest.raises(ValueError, match='circular'):
        G.padding_source(3, 4, 0, 'circular')
    for mode, pad in (('reflect', 3), ('circular', 4)):
        with pytest.raises(RuntimeError):
            nn.Conv2d(1, 1, 3, padding=pad, padding_mode=mode)(torch.zeros(1, 1, 3, 3))


def test_same_padding_amounts_reproduce_nn_conv2d():
    for k, d in [((4, 3), (1, 2)), ((2, 5), (3, 1)), ((3, 3), (1, 1))]:
        s = G.ConvSettings(in_size=(6, 7), kernel_size=k, padding='same', dilation=d)
        layer = nn.Conv2d(1, 1, k, padding='same', dilation=d, bias=False)
        X = torch.randn(1, 1, 6, 7)
        (top, bottom), (left, right) = G.pad_amounts(s)
        manual = F.conv2d(F.pad(X, (left, right, top, bottom)), layer.weight, dilation=d)
        torch.testing.assert_close(manual, layer(X))


def test_coverage_counts_the_taps_of_every_window():
    rng = random.Random(1)
    for _ in range(100):
        s = G.ConvSettings(**_random_settings(rng, channels=False))
        try:
            out = G.output_size(s)
            G.padding_sources(s)
        except ValueError:
            continue
        # conv_transpose of ones spreads every output position over the cells its taps read
        spread = F.conv_transpose2d(
            torch.ones(1, 1, *out),
            torch.ones(1, 1, *s.kernel_size),
            stride=s.stride,
            dilation=s.dilation,
        )[0, 0]
        expected = torch.zeros(G.coverage(s).shape)
        expected[: spread.shape[0], : spread.shape[1]] = spread
        assert torch.equal(G.coverage(s), expected.long()), s


def test_d2l_example_leaves_unread_rows_and_says_why():
    s = G.ConvSettings(in_size=(8, 8), kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))
    assert G.output_size(s) == (2, 2)
    assert (G.coverage(s)[6:] == 0).all() and (G.coverage(s)[:6, 1:9] > 0).all()
    height, width = G.formula(s)
    assert '⌊5 / 3⌋ + 1 = 2' in height and 'last 2 rows' in height
    assert '⌊5 / 4⌋ + 1 = 2' in width and 'last 1 columns' in width


def test_costs_and_layer_line_match_torch():
    for kw in [
        dict(
            in_size=(9, 7),
            kernel_size=(3, 5),
            padding=(1, 2),
            stride=(2, 1),
            in_channels=4,
            out_channels=8,
            groups=1,
        ),
        dict(
            in_size=(8, 8),
            kernel_size=3,
            padding='same',
            dilation=2,
            in_channels=6,
            out_channels=6,
            groups=6,
            padding_mode='reflect',
        ),
    ]:
        s = G.ConvSettings(**kw)
        layer = eval(G.conv2d_call(s), {'nn': nn})  # the line the widget prints builds it
        assert sum(p.numel() for p in layer.parameters()) == G.param_count(s)
        X = torch.randn(1, s.in_channels, *s.in_size)
        with FlopCounterMode(display=False) as counter:
            Y = layer(X)
        assert counter.get_total_flops() == 2 * G.mult_adds(s)  # a multiply-add is 2 flops
        assert tuple(Y.shape[1:]) == G.torch_output_shape(s)


def test_conv_settings_reject_bad_input():
    with pytest.raises(ValueError, match='not divisible by groups'):
        G.ConvSettings(in_channels=4, out_channels=6, groups=4)
    with pytest.raises(ValueError, match='padding_mode'):
        G.ConvSettings(padding_mode='mirror')
    with pytest.raises(ValueError, match='stride must be at least 1'):
        G.ConvSettings(stride=(0, 1))


def test_conv_shape_explorer_follows_nn_conv2d():
    w = conv_shape_explorer()
    _static_bundle_ok(w)
    assert w.result['out_size'] == (2, 2) and '(1, 1, 2, 2)' in w.info.value
    assert 'nn.Conv2d(1, 1, kernel_size=(3, 5), stride=(3, 4), padding=(0, 1))' in w.info.value
    rng = random.Random(2)
    names = {
        'in_size': ('in_h', 'in_w'),
        'kernel_size': ('k_h', 'k_w'),
        'stride': ('s_h', 's_w'),
        'dilation': ('d_h', 'd_w'),
    }
    shown = 0
    for _ in range(12):
        kw = _random_settings(rng)
        values = {name: v for key, pair in names.items() for name, v in zip(pair, kw[key])}
        if isinstance(kw['padding'], str):
            values['padding'] = kw['padding']
        else:
            values.update(padding='numbers', pad_h=kw['padding'][0], pad_w=kw['padding'][1])
        values.update(
            padding_mode=kw['padding_mode'],
            groups=1,
            c_in=kw['in_channels'],
            c_out=kw['out_channels'],
        )
        values['groups'] = kw['groups']
        w.set_values(**values)
        expected = _torch_shape_or_none(kw)
        if expected is None:
            assert w.result is None and 'color:#8b0000' in w.message.value, kw
        else:
            assert w.message.value == '' and w.result['torch_shape'] == expected, kw
            assert f'(1, {expected[0]}, {expected[1]}, {expected[2]})' in w.info.value
            shown += 1
    assert shown >= 4


@pytest.mark.parametrize(
    'values,reason',
    [
        (dict(k_h=11), 'Empty output along the height'),
        (dict(padding='same', s_w=2), "padding='same' needs stride 1"),
        (dict(c_in=4, groups=3), 'not divisible by groups'),
        (dict(padding='numbers', pad_w=8, padding_mode='reflect'), 'reflect'),
    ],
)
def test_conv_shape_explorer_explains_impossible_settings(values, reason):
    w = conv_shape_explorer()
    before = w.figure_view.value
    w.set_values(**values)  # no exception escapes: the widget says why instead
    assert reason in html.unescape(w.message.value) and w.result is None and w.info.value == ''
    assert w.figure_view.value != before
    w.set_values(
        **{
            'k_h': 3,
            'padding': 'numbers',
            's_w': 4,
            'c_in': 1,
            'groups': 1,
            'pad_w': 1,
            'padding_mode': 'zeros',
        }
    )
    assert w.message.value == '' and w.result['out_size'] == (2, 2)


def test_depthwise_and_standard_buttons():
    w = conv_shape_explorer(in_channels=8, out_channels=16)
    standard = w.result['params']
    w.depthwise_button.click()
    c = w.controls
    assert c['groups'].value == c['c_in'].value == c['c_out'].value == 8
    assert w.result['params'] == 8 * 3 * 5 + 8 < standard and '8× more' in w.info.value
    w.standard_button.click()
    assert c['groups'].value == 1


# -- pooling -------------------------------------------------------------------------
def test_conv_output_shape_ceil_mode_matches_pooling_layers():
    rng = random.Random(3)
    for _ in range(400):
        n, k, s = rng.randint(1, 12), rng.randint(1, 5), rng.randint(1, 4)
        p, ceil = rng.randint(0, k // 2), rng.random() < 0.5
        try:
            ours = d2l.conv_output_shape(n, k, p, s, ceil_mode=ceil)
        except ValueError:
            ours = None
        try:
            theirs = nn.MaxPool2d(k, s, p, ceil_mode=ceil)(torch.zeros(1, 1, n, n)).shape[-1]
        except RuntimeError:
            theirs = None
        assert ours == (theirs or None), (n, k, s, p, ceil)


def test_pool_values_and_winners_match_torch_layers():
    rng = random.Random(4)
    compared = 0
    for _ in range(400):
        X = torch.randint(0, 4, (rng.randint(1, 7), rng.randint(1, 7))).float()  # many ties
        k = (rng.randint(1, 4), rng.randint(1, 4))
        s = P.PoolSettings(
            k,
            (rng.randint(1, 3), rng.randint(1, 3)),
            (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2)),
            rng.choice(P.MODES),
            rng.random() < 0.5,
            rng.random() < 0.5,
        )
        try:
            Y, winners = P.pool(X, s)
        except ValueError:
            with pytest.raises(RuntimeError):
                s.torch_layer()(X[None, None])
            continue
        if s.mode == 'max':
            layer = nn.MaxPool2d(
                s.kernel_size, s.stride, s.padding, ceil_mode=s.ceil_mode, return_indices=True
            )
            expected, indices = layer(X[None, None])
            flat = torch.tensor([[r * X.shape[1] + c for r, c in row] for row in winners])
            assert torch.equal(flat, indices[0, 0]), (X, s)
        else:
            expected = nn.AvgPool2d(
                s.kernel_size,
                s.stride,
                s.padding,
                ceil_mode=s.ceil_mode,
                count_include_pad=s.count_include_pad,
            )(X[None, None])
        torch.testing.assert_close(Y, expected[0, 0])
        compared += 1
    assert compared > 300


def test_pool_settings_refuse_what_torch_refuses():
    with pytest.raises(ValueError, match='more than half the window'):
        P.PoolSettings(kernel_size=3, padding=2)
    with pytest.raises(RuntimeError, match='pad should be at most half'):
        nn.MaxPool2d(3, padding=2)(torch.zeros(1, 1, 5, 5))
    with pytest.raises(ValueError, match="mode must be one of 'max', 'avg'"):
        P.PoolSettings(mode='min')
    with pytest.raises(ValueError, match='matrix'):
        P.pool(torch.zeros(1, 4, 4), P.PoolSettings())


def test_pooling_explorer_is_driven_by_its_controls():
    w = pooling_explorer()
    _static_bundle_ok(w)
    assert w.result['Y'].shape == (2, 2) and 'match' in w.info.value
    assert 'nn.MaxPool2d(kernel_size=2, stride=2)' in w.info.value
    assert w.result['image_out'].shape == (14, 14)
    w.controls['ceil_mode'].value = True  # 5x5 with 2x2/2: the partial window counts
    assert w.result['Y'].shape == (3, 3) and 'ceil_mode=True' in w.info.value
    X, Y = w.result['X'], w.result['Y']
    for (i, j), value in zip([(i, j) for i in range(3) for j in range(3)], Y.flatten()):
        r, c = w.result['winners'][i][j]
        assert X[r, c] == value
    w.set_values(mode='avg', p_h=1, p_w=1, k_h=3, k_w=3, count_include_pad=False)
    expected = nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False)(X[None, None])
    torch.testing.assert_close(w.result['Y'], expected[0, 0])
    assert not w.controls['count_include_pad'].disabled
    w.controls['p_h'].value = 2  # more than half a 3-window: explained
    assert 'more than half the window' in w.message.value and w.result is None
    w.controls['p_h'].value = 1
    assert w.message.value == '' and w.result is not None


def test_set_values_checks_menus_and_is_not_the_readers_touch():
    """set_values (a page, a test) keeps the note for static pages; a reader's change clears
    it. A value that is not on a menu is refused before anything changes."""
    w = pooling_explorer()
    w.set_values(mode='avg', k_h=3)
    assert STATIC_NOTE in w.static_note.value
    with pytest.raises(ValueError, match="mode='median' is not on the menu"):
        w.set_values(k_h=2, mode='median')
    assert (w.controls['mode'].value, w.controls['k_h'].value) == ('avg', 3)
    with pytest.raises(ValueError, match=r"Unknown setting\(s\) \['window'\]"):
        w.set_values(window=2)
    w.controls['k_w'].value = 3  # the reader
    assert w.static_note.value == ''


def _redraw_counter(widget):
    """Count the widget's redraws from now on (each one replaces the picture)."""
    counts = []
    widget.figure_view.observe(lambda change: counts.append(1), names='value')
    return counts


def test_hold_redraws_once_for_many_changes_nested_or_not():
    w = pooling_explorer()
    counts = _redraw_counter(w)
    with w.hold():
        w.controls['k_h'].value = 3
        with w.hold():  # nested: no redraw when it closes
            w.controls['k_w'].value = 3
            w.controls['mode'].value = 'avg'
        assert not counts and w.holding
    assert len(counts) == 1 and not w.holding and w.result['Y'].shape == (2, 2)  # stride 2
    w.set_values(k_h=2, k_w=2, s_h=1)
    assert len(counts) == 2 and w.result['Y'].shape == (4, 2)


def test_kernel_designer_redraws_once_for_a_preset_or_a_size():
    """Filling 9 or 25 cells used to be batched by a flag of its own; now by hold()."""
    w = kernel_designer()
    counts = _redraw_counter(w)
    w.preset_picker.value = 'Laplacian'
    assert len(counts) == 1 and w.preset_picker.value == 'Laplacian'
    w.size_picker.value = 5
    assert len(counts) == 2 and w.preset_picker.value == 'Laplacian'  # not turned custom
    w.set_values(preset='Sobel x', size=3, normalise=True)
    assert len(counts) == 3
    torch.testing.assert_close(w.kernel(), image_kernels.preset('Sobel x', 3), atol=1e-4, rtol=0)
    w.cells[4].value = 2.5  # one cell: one redraw, now custom
    assert len(counts) == 4 and w.preset_picker.value == '(custom)'


def test_kernel_resize_keeps_the_centre():
    K = torch.arange(25.0).reshape(5, 5)
    assert torch.equal(image_kernels.resize(K, 3), K[1:4, 1:4])
    grown = image_kernels.resize(K[1:4, 1:4], 5)
    assert torch.equal(grown[1:4, 1:4], K[1:4, 1:4]) and grown.sum() == K[1:4, 1:4].sum()


@pytest.mark.parametrize(
    'make, attribute, value, needle',
    [
        (lambda: training_dashboard(), 'lr_slider', 1000, 'lr must be between 0.001 and 10.0'),
        (lambda: training_dashboard(), 'epochs_slider', -3, 'epochs must be between 1 and 30'),
        (lambda: training_dashboard(), 'seed_box', 2**40, 'seed must be between 0 and 2147483647'),
        (lambda: kernel_designer(), 'index_slider', 250, 'index must be between 0 and 199'),
    ],
)
def test_a_control_set_from_code_refuses_what_ipywidgets_would_clamp(
    make, attribute, value, needle
):
    """Issue 26: ipywidgets clamped lr 1000 to 10, epochs -3 to 1, seed 2**40 to 2**31 - 1
    without a word. Set directly on the control, the value is refused and nothing changes."""
    w = make()
    control = getattr(w, attribute)
    before = control.value
    with pytest.raises(ValueError, match=needle):
        control.value = value
    assert control.value == before
    control.value = control.max if not isinstance(control.value, float) else 1.0  # in range
    assert control.value in (control.max, 1.0)


def test_number_boxes_refuse_what_they_would_clamp():
    w = pooling_explorer()
    with pytest.raises(ValueError, match='k_h must be between 1 and 6, got 50'):
        w.controls['k_h'].value = 50
    c = conv_shape_explorer()
    with pytest.raises(ValueError, match='groups must be between 1 and 512, got 0'):
        c.controls['groups'].value = 0
    assert c.controls['groups'].value == 1


# -- the kernel-free views -----------------------------------------------------------------
CHAPTERS = Path(__file__).resolve().parent.parent / 'chapters'
# The cells whose committed outputs embed a kernel-free view that the browser runs.
VIEW_CELLS = [
    ('7_2_conv_layer', 'kernel_designer('),
    ('7_3_padding_and_strides', 'conv_shape_explorer('),
    ('7_5_pooling', 'pooling_explorer('),
    ('8_6_resnet', 'conv_shape_explorer('),
]
PNG_DATA = re.compile(r'data:image/png;base64,[A-Za-z0-9+/=]+')


def _committed_view(notebook, call):
    cells = json.loads((CHAPTERS / f'{notebook}.ipynb').read_text())['cells']
    cell = next(c for c in cells if c['cell_type'] == 'code' and call in ''.join(c['source']))
    data = next(o['data'] for o in cell['outputs'] if 'data' in o)
    view = data['text/html']
    return ''.join(cell['source']), ''.join(view) if isinstance(view, list) else view


@pytest.mark.parametrize('notebook, call', VIEW_CELLS, ids=[n for n, _ in VIEW_CELLS])
def test_views_are_the_committed_notebook_outputs(notebook, call):
    """The widget in the notebook's state gives the very view the chapter committed (its saved
    picture aside, which depends on the matplotlib version): the page works as published."""
    source, committed = _committed_view(notebook, call)
    widget = eval(source.split('\n\n', 1)[1], {'d2l': d2l})  # the cell's last expression
    fresh = widget._repr_mimebundle_()['text/html']
    assert PNG_DATA.sub('PNG', fresh) == PNG_DATA.sub('PNG', committed)


def test_each_widget_builds_its_own_view():
    """No switch on class names: the view is a method, and the base class has none of its own."""
    assert BookWidget().static_html('note') is None
    kinds = {
        kernel_designer: 'kernel-designer',
        conv_shape_explorer: 'conv-shape-explorer',
        pooling_explorer: 'pooling-explorer',
        training_dashboard: 'training-dashboard',
    }
    for make, kind in kinds.items():
        w = make()
        assert type(w).static_html is not BookWidget.static_html
        assert f'data-book-widget="{kind}"' in w.static_html('a note.')


# -- training dashboard -------------------------------------------------------
def test_confusion_matrix_counts_pairs():
    gen = torch.Generator().manual_seed(0)
    y, y_hat = (
        torch.randint(0, 4, (200,), generator=gen),
        torch.randint(0, 4, (200,), generator=gen),
    )
    C = runs.confusion_matrix(y, y_hat, 4)
    for i in range(4):
        for j in range(4):
            assert C[i, j] == int(((y == i) & (y_hat == j)).sum())
    assert C.sum() == 200
    with pytest.raises(ValueError, match='0..3'):
        runs.confusion_matrix(torch.tensor([4]), torch.tensor([0]), 4)


def test_speed_and_time_left():
    speed = runs.Speedometer(total_batches=10)
    assert speed.eta is None
    for _ in range(5):
        speed.update(32)
    speed.start -= 10.0  # as if the 5 batches took 10 s
    assert speed.examples == 160 and speed.eta == pytest.approx(10.0, abs=0.5)
    assert speed.examples_per_sec == pytest.approx(16.0, rel=0.05)
    assert runs.format_seconds(75) == '1 min 15 s' and runs.format_seconds(None) == '?'
    assert runs.format_seconds(3 * 3600 + 120) == '3 h 02 min'


def _legend_of(fig):
    (legend,) = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return legend


def test_dashboard_smoke_run_with_lenet():
    w = training_dashboard(d2l.LeNet, epochs=3, threaded=False)  # smoke caps: 1 epoch, 5 batches
    _static_bundle_ok(w)
    before = w.figure_view.value
    w.run_button.click()
    run = w.runs[0]
    assert run.status == 'finished' and len(run.history) == 1 == run.max_epochs
    assert run.config.batch_size == 16 and 'val_acc' in run.curves
    assert int(run.confusion.sum()) == SMOKE_BATCHES * 16 and run.confusion.shape == (10, 10)
    assert w.figure_view.value != before and 'finished' in w.table.value
    assert not w.run_button.disabled and w.stop_button.disabled


class _Linear(nn.Module):
    """A reader's own plain module; it can press Stop from inside its forward pass."""

    def __init__(self, press_stop_at=None):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
        self.training_calls, self.press_stop_at, self.dashboard = 0, press_stop_at, None

    def forward(self, X):
        if self.training:
            self.training_calls += 1
            if self.training_calls == self.press_stop_at:
                self.dashboard.stop_button.click()
        return self.net(X)


@pytest.fixture
def small_data(profile):
    profile('cpu')  # no smoke caps: 10 batches of 32 per epoch
    return d2l.FashionMNIST(batch_size=32, num_train=320, num_val=64)


def test_dashboard_stop_is_read_between_batches(small_data):
    model = _Linear(press_stop_at=4)
    w = training_dashboard(lambda: model, small_data, epochs=2, batch_size=32, threaded=True)
    model.dashboard = w
    w.run_button.click()
    assert w.wait(timeout=120)
    run = w.runs[0]
    assert run.status == 'stopped' and w.trainer.stop_reason == 'interrupted'
    assert model.training_calls == 4 and w.trainer.train_batch_idx == 4  # no 5th batch
    assert run.history == [] and 'stopped' in w.table.value
    assert w.status.value and not w.run_button.disabled


def test_dashboard_overlays_runs_and_flags_divergence(small_data):
    w = training_dashboard(
        lambda: _Linear(), small_data, epochs=1, batch_size=32, lr=0.05, threaded=False
    )
    w.run_button.click()
    w.lr_slider.value = 10.0
    w.run_button.click()
    first, second = w.runs
    assert first.status == 'finished' and first.final('val_acc') is not None
    assert second.status == 'diverged' and 'diverged' in w.message.value
    legend = [t.get_text() for t in _legend_of(draw_runs(w.runs)).get_texts()]
    assert len(legend) == 2 and legend[1].endswith('✗ diverged')
    assert w.table.value.count('<tr>') == 3
    fig = draw_runs(w.runs)
    fig.canvas.draw()
    for ax in fig.axes[:2]:  # the epoch axes: whole epochs only
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_dashboard_reports_a_broken_model_inside_the_widget(small_data):
    w = training_dashboard(
        lambda: nn.Sequential(nn.Flatten(), nn.Linear(100, 10)),
        small_data,
        epochs=1,
        threaded=False,
    )
    w.run_button.click()  # no exception escapes
    assert w.runs[0].status == 'failed' and 'RuntimeError' in w.message.value
    assert 'failed' in w.table.value and not w.run_button.disabled


def test_dashboard_rejects_bad_arguments():
    with pytest.raises(TypeError, match='model_fn must build a model'):
        training_dashboard(42)
    with pytest.raises(ValueError, match='Unknown optimizer'):
        training_dashboard(d2l.LeNet, optimizer='RMSprop')


def test_dashboard_compares_models_picked_from_a_menu():
    """A dict of models adds a menu; each run trains the model picked, and says which."""
    w = training_dashboard({'LeNet': d2l.LeNet, 'BN-LeNet': d2l.BNLeNet}, lr=0.5, threaded=False)
    assert w.model_picker in w.children and w.model_picker.options == ('LeNet', 'BN-LeNet')
    w.run_button.click()
    assert type(w.model).__name__ == 'LeNet'
    w.model_picker.value = 'BN-LeNet'
    w.run_button.click()
    assert type(w.model).__name__ == 'BNLeNet'
    assert [r.config.model for r in w.runs] == ['LeNet', 'BN-LeNet']
    assert all(r.status == 'finished' for r in w.runs)
    legend = [t.get_text() for t in _legend_of(draw_runs(w.runs)).get_texts()]
    assert legend[0].startswith('#1 LeNet, lr 0.5') and legend[1].startswith('#2 BN-LeNet, lr 0.5')
    assert '<th>model</th>' in w.table.value and '<td>BN-LeNet</td>' in w.table.value


def test_dashboard_with_one_model_has_no_menu():
    w = training_dashboard(d2l.LeNet)
    assert w.model_picker not in w.children and w.config().model == ''
    assert w.config().label().startswith('lr ')


def test_dashboard_rejects_a_bad_model_menu():
    with pytest.raises(ValueError, match='empty dict'):
        training_dashboard({})
    with pytest.raises(TypeError, match="must build a model.*'broken' is a str"):
        training_dashboard({'LeNet': d2l.LeNet, 'broken': 'LeNet'})


def test_dashboard_can_open_with_runs_made_by_the_page():
    """``run(...)`` sets the controls and trains; the static picture is then that comparison,
    and the note for readers without a kernel stays."""
    w = training_dashboard({'BN-LeNet': d2l.BNLeNet, 'LeNet': d2l.LeNet}, lr=0.1)
    initial = w.static_png
    first = w.run(model='BN-LeNet', lr=1.0)
    second = w.run(model='LeNet')
    assert (first.config.model, second.config.model) == ('BN-LeNet', 'LeNet')
    assert first.config.lr == second.config.lr == 1.0 and second.status == 'finished'
    assert w.static_png != initial and w.static_png == bytes(w.figure_view.value)
    assert STATIC_NOTE in w.static_note.value
    with pytest.raises(ValueError, match="model='ResNet' is not on the menu"):
        w.run(model='ResNet')
    with pytest.raises(ValueError, match=r"Unknown setting\(s\) \['momentum'\]"):
        w.run(momentum=0.9)
    assert len(w.runs) == 2
