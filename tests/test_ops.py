"""ops.py against D2L's loops and torch.nn.functional."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import book_utils as d2l


def conv_ref(X, K):
    """F.conv2d on a single matrix: the library twin of corr2d."""
    return F.conv2d(X[None, None], K[None, None])[0, 0]


@pytest.mark.parametrize(
    'xs,ks', [((6, 8), (1, 2)), ((7, 7), (3, 3)), ((5, 9), (4, 2)), ((3, 3), (3, 3))]
)
def test_corr2d_matches_d2l_and_conv2d(oracle, xs, ks):
    X, K = torch.randn(xs), torch.randn(ks)
    ours = d2l.corr2d(X, K)
    assert ours.shape == oracle.corr2d(X, K).shape
    torch.testing.assert_close(ours, oracle.corr2d(X, K), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(ours, conv_ref(X, K), rtol=1e-5, atol=1e-5)


def test_corr2d_edge_example(oracle):
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    assert torch.equal(d2l.corr2d(X, K), oracle.corr2d(X, K))
    assert torch.equal(d2l.corr2d(X.t(), K), oracle.corr2d(X.t(), K))


def test_corr2d_learns_kernel():
    """The gradient flows to K, so the 7.2 experiment can learn [1, -1]."""
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    Y = d2l.corr2d(X, torch.tensor([[1.0, -1.0]]))
    K = torch.randn((1, 2), requires_grad=True)
    for _ in range(200):
        loss = ((d2l.corr2d(X, K) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            K -= 0.02 * K.grad
            K.grad.zero_()
    torch.testing.assert_close(K.detach(), torch.tensor([[1.0, -1.0]]), atol=1e-3, rtol=0)


def test_multi_channel_ops_match_conv2d():
    X, K = torch.randn(3, 7, 6), torch.randn(4, 3, 2, 3)
    torch.testing.assert_close(
        d2l.corr2d_multi_in(X, K[0]), F.conv2d(X[None], K[:1])[0, 0], rtol=1e-5, atol=1e-5
    )
    torch.testing.assert_close(
        d2l.corr2d_multi_in_out(X, K), F.conv2d(X[None], K)[0], rtol=1e-5, atol=1e-5
    )
    K1 = torch.randn(5, 3, 1, 1)
    torch.testing.assert_close(
        d2l.corr2d_multi_in_out_1x1(X, K1), F.conv2d(X[None], K1)[0], rtol=1e-5, atol=1e-5
    )
    torch.testing.assert_close(
        d2l.corr2d_multi_in_out_1x1(X, K1), d2l.corr2d_multi_in_out(X, K1), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize('mode', ['max', 'avg'])
def test_pool2d_matches_torch(mode):
    X = torch.randn(7, 9)
    ref = F.max_pool2d if mode == 'max' else F.avg_pool2d
    torch.testing.assert_close(
        d2l.pool2d(X, (2, 3), mode), ref(X[None, None], (2, 3), stride=1)[0, 0]
    )
    torch.testing.assert_close(
        d2l.pool2d(X, (3, 3), mode, padding=1, stride=2),
        ref(X[None, None], 3, stride=2, padding=1)[0, 0],
    )


def test_pool2d_d2l_example():
    X = torch.arange(9.0).reshape(3, 3)
    assert d2l.pool2d(X, (2, 2)).tolist() == [[4.0, 5.0], [7.0, 8.0]]
    assert d2l.pool2d(X, (2, 2), 'avg').tolist() == [[2.0, 3.0], [5.0, 6.0]]


def test_comp_conv2d_shapes():
    X = torch.rand(size=(8, 8))
    assert d2l.comp_conv2d(nn.LazyConv2d(1, kernel_size=3, padding=1), X).shape == (8, 8)
    assert d2l.comp_conv2d(nn.LazyConv2d(1, kernel_size=(5, 3), padding=(2, 1)), X).shape == (8, 8)
    assert d2l.comp_conv2d(
        nn.LazyConv2d(1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)), X
    ).shape == (2, 2)


def test_conv_output_shape_matches_conv2d_on_random_settings():
    g = torch.Generator().manual_seed(1)
    checked = 0
    for _ in range(300):
        n = torch.randint(1, 20, (2,), generator=g).tolist()
        k = torch.randint(1, 7, (2,), generator=g).tolist()
        p = torch.randint(0, 4, (2,), generator=g).tolist()
        s = torch.randint(1, 5, (2,), generator=g).tolist()
        d = torch.randint(1, 4, (2,), generator=g).tolist()
        try:
            ours = d2l.conv_output_shape(tuple(n), tuple(k), tuple(p), tuple(s), tuple(d))
        except ValueError:
            with pytest.raises(RuntimeError):
                F.conv2d(
                    torch.zeros(1, 1, *n),
                    torch.zeros(1, 1, *k),
                    padding=tuple(p),
                    stride=tuple(s),
                    dilation=tuple(d),
                )
            continue
        out = F.conv2d(
            torch.zeros(1, 1, *n),
            torch.zeros(1, 1, *k),
            padding=tuple(p),
            stride=tuple(s),
            dilation=tuple(d),
        )
        assert tuple(out.shape[-2:]) == ours
        checked += 1
    assert checked > 100


def test_conv_output_shape_scalars_and_modes():
    assert d2l.conv_output_shape(224, 11, padding=1, stride=4) == 54
    assert d2l.conv_output_shape(8, 3, padding='same') == 8
    assert d2l.conv_output_shape((8, 6), (3, 3), padding='valid') == (6, 4)
    with pytest.raises(ValueError, match='width'):
        d2l.conv_output_shape((8, 2), (3, 3))
    with pytest.raises(ValueError, match='stride 1'):
        d2l.conv_output_shape(8, 3, padding='same', stride=2)


# -- bad input: every op says what it received and what it expected ------------------------------


@pytest.mark.parametrize(
    'call,err,words',
    [
        (
            lambda: d2l.corr2d(torch.ones(1, 5, 5), torch.ones(2, 2)),
            ValueError,
            ['X', '2 dimensions', '(1, 5, 5)'],
        ),
        (
            lambda: d2l.corr2d(torch.ones(3, 3), torch.ones(4, 2)),
            ValueError,
            ['(4, 2)', '(3, 3)', 'larger'],
        ),
        (
            lambda: d2l.corr2d([[1, 2], [3, 4]], torch.ones(1, 1)),
            TypeError,
            ['torch.Tensor', 'list'],
        ),
        (
            lambda: d2l.corr2d_multi_in(torch.ones(3, 5, 5), torch.ones(2, 2, 2)),
            ValueError,
            ['3 input channels', 'K has 2'],
        ),
        (
            lambda: d2l.corr2d_multi_in_out(torch.ones(3, 5, 5), torch.ones(3, 2, 2)),
            ValueError,
            ['4 dimensions'],
        ),
        (
            lambda: d2l.corr2d_multi_in_out_1x1(torch.ones(3, 5, 5), torch.ones(2, 4, 1, 1)),
            ValueError,
            ['3 input channels', 'expects 4'],
        ),
        (lambda: d2l.pool2d(torch.ones(2, 2), (3, 3)), ValueError, ['(3, 3)', 'larger']),
        (
            lambda: d2l.pool2d(torch.ones(4, 4), 2, mode='median'),
            ValueError,
            ["mode must be one of 'max', 'avg'"],
        ),
        (
            lambda: d2l.comp_conv2d(nn.LazyConv2d(1, 3), torch.ones(1, 8, 8)),
            ValueError,
            ['(height, width)', '(1, 8, 8)'],
        ),
        (lambda: d2l.conv_output_shape(5, 7), ValueError, ['height', 'spans 7']),
        (lambda: d2l.conv_output_shape(5, 'x'), TypeError, ['kernel_size']),
    ],
)
def test_ops_reject_bad_input_clearly(call, err, words):
    with pytest.raises(err) as info:
        call()
    for word in words:
        assert word in str(info.value)
