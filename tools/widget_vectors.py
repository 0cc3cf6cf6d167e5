"""Write the test vectors that check the browser widgets' maths against the Python maths.

The kernel-free widgets recompute in the browser (widgets_js/src/maths.js) what the live
widgets compute in Python (book_utils/widgets/conv_geometry.py, pooling_maths.py, image_kernels.py and
book_utils.teaching.ops.conv_output_shape). This tool runs the Python functions on seeded random
settings, as the widgets' controls name them, and writes inputs and results (or the
sentence of the ValueError) to widgets_js/test/vectors.json; ``node --test widgets_js/test``
checks the JS against them, word for word for the sentences. Run it after changing the
Python maths: ``python tools/widget_vectors.py`` (tests/test_widget_js.py checks that the
committed file is what this writes).
"""

import json
import random
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from book_utils.teaching.ops import conv_output_shape  # noqa: E402  (after the path is set)
from book_utils.widgets import conv_geometry, image_kernels, pooling_maths  # noqa: E402
from book_utils.widgets.html_parts import uint8_image  # noqa: E402

VECTORS = ROOT / 'widgets_js' / 'test' / 'vectors.json'
CASES = 150  # per function family: seeded, so the file changes only when the maths does


def _error(call, *args, **kwargs):
    """(result, None) or (None, the ValueError's sentence)."""
    try:
        return call(*args, **kwargs), None
    except ValueError as err:
        return None, str(err)


def output_size_cases(rng):
    cases = []
    for _ in range(CASES):
        n, k, p, s, d = (
            rng.randint(1, 12),
            rng.randint(1, 7),
            rng.randint(0, 3),
            rng.randint(1, 4),
            rng.choice([1, 1, 2, 3]),
        )
        ceil = rng.random() < 0.4
        dim = rng.choice(['height', 'width'])
        sizes = (
            ((n, 5), (k, 1), (p, 0), (s, 1), (d, 1))
            if dim == 'height'
            else ((5, n), (1, k), (0, p), (1, s), (1, d))
        )
        out, error = _error(conv_output_shape, *sizes, ceil_mode=ceil)
        index = 0 if dim == 'height' else 1
        cases.append(
            {
                'args': [n, k, p, s, d, ceil, dim],
                'size': None if out is None else out[index],
                'error': error,
            }
        )
    return cases


def conv_values(rng):
    """Random settings of the shape explorer's controls (their names and ranges)."""
    return {
        'in_h': rng.randint(1, 12),
        'in_w': rng.randint(1, 12),
        'k_h': rng.randint(1, 5),
        'k_w': rng.randint(1, 5),
        'pad_h': rng.randint(0, 4),
        'pad_w': rng.randint(0, 4),
        's_h': rng.choice([1, 1, 2, 3]),
        's_w': rng.choice([1, 1, 2, 3]),
        'd_h': rng.choice([1, 1, 2, 3]),
        'd_w': rng.choice([1, 1, 2, 3]),
        'padding': rng.choice(['numbers'] * 3 + ['same', 'valid']),
        'padding_mode': rng.choice(['zeros', 'zeros', 'reflect', 'replicate', 'circular']),
        'c_in': rng.choice([1, 2, 3, 4, 6, 8]),
        'c_out': rng.choice([1, 2, 3, 4, 6, 8]),
        'groups': rng.choice([1, 1, 1, 2, 3, 4]),
    }


def conv_geometry_of(v):
    s = conv_geometry.settings_from_controls(v)
    out = conv_geometry.output_size(s)
    sources = conv_geometry.padding_sources(s)
    standard = conv_geometry.ConvSettings(**{**vars(s), 'groups': 1})
    return {
        'out': list(out),
        'pads': [list(p) for p in conv_geometry.pad_amounts(s)],
        'sources': [list(x) for x in sources],
        'field': list(conv_geometry.receptive_field(s)),
        'coverage': conv_geometry.coverage(s).tolist(),
        'formula': conv_geometry.formula(s),
        'call': conv_geometry.conv2d_call(s),
        'params': conv_geometry.param_count(s),
        'madds': conv_geometry.mult_adds(s),
        'standardParams': conv_geometry.param_count(standard),
        'standardMadds': conv_geometry.mult_adds(standard),
    }


def conv_cases(rng):
    cases = []
    for _ in range(CASES):
        v = conv_values(rng)
        result, error = _error(conv_geometry_of, v)
        cases.append({'values': v, 'result': result, 'error': error})
    return cases


def pool_values(rng):
    return {
        'mode': rng.choice(pooling_maths.MODES),
        'k_h': rng.randint(1, 6),
        'k_w': rng.randint(1, 6),
        's_h': rng.randint(1, 6),
        's_w': rng.randint(1, 6),
        'p_h': rng.choice([0, 0, 1, 1, 2, 3]),
        'p_w': rng.choice([0, 0, 1, 1, 2, 3]),
        'ceil_mode': rng.random() < 0.5,
        'count_include_pad': rng.random() < 0.5,
        'rows': rng.randint(1, 10),
        'cols': rng.randint(1, 10),
        'seed': rng.randint(0, 99),
    }


def pool_of(v):
    s = pooling_maths.settings_from_controls(v)
    X = pooling_maths.sample_matrix(v['rows'], v['cols'], v['seed'])
    Y, winners = pooling_maths.pool(X, s)
    return {
        'X': X.int().tolist(),
        'Y': Y.tolist(),
        'winners': [[list(w) if w is not None else None for w in row] for row in winners],
        'call': s.layer_call(),
    }


def pool_cases(rng):
    cases = []
    for _ in range(CASES):
        v = pool_values(rng)
        result, error = _error(pool_of, v)
        if error is not None:  # the matrix is still needed to call the JS
            result = {
                'X': pooling_maths.sample_matrix(v['rows'], v['cols'], v['seed']).int().tolist()
            }
        cases.append({'values': v, 'result': result, 'error': error})
    return cases


def colour_cases(rng):
    cases = []
    for _ in range(CASES):
        i, j, ow = rng.randint(0, 9), rng.randint(0, 9), rng.randint(1, 10)
        cases.append(
            {
                'args': [i, j, ow],
                'rgb': [round(255 * c) for c in pooling_maths.output_colour(i, j, ow)],
            }
        )
    return cases


def _random_kernel(rng, k):
    return torch.tensor([[round(rng.uniform(-2, 2), 2) for _ in range(k)] for _ in range(k)])


def kernel_cases(rng):
    """normalise, correlate (= F.conv2d without padding), resize, on presets and random grids."""
    normalised, correlated, resized = [], [], []
    grids = [
        image_kernels.preset(name, k) for name in image_kernels.PRESETS for k in image_kernels.SIZES
    ]
    grids += [_random_kernel(rng, rng.choice(image_kernels.SIZES)) for _ in range(40)]
    grids += [torch.zeros(3, 3), -torch.ones(3, 3)]
    for K in grids:
        N, divisor = image_kernels.normalise(K)
        normalised.append({'K': K.tolist(), 'normalised': N.tolist(), 'divisor': divisor})
        resized.append(
            {
                'K': K.tolist(),
                'size': 8 - K.shape[0],
                'resized': image_kernels.resize(K, 8 - K.shape[0]).tolist(),
            }
        )
    for _ in range(40):
        k = rng.choice(image_kernels.SIZES)
        gen = torch.Generator().manual_seed(rng.randint(0, 10_000))
        X = torch.rand(rng.randint(k, 9), rng.randint(k, 9), generator=gen)
        K = _random_kernel(rng, k)
        correlated.append(
            {'X': X.tolist(), 'K': K.tolist(), 'Y': image_kernels.apply_kernel(X, K).tolist()}
        )
    return normalised, correlated, resized


def image_cases():
    """uint8_image of real Fashion-MNIST images and their values, as the browser decodes them."""
    cases = []
    for label in ('ankle boot', 'bag'):
        X = image_kernels.fashion_image(label, 0)
        cases.append({'image': uint8_image(X), 'values': (torch.round(X * 255) / 255).tolist()})
    return cases


def vectors():
    rng = random.Random(2024)
    normalised, correlated, resized = kernel_cases(rng)
    return {
        'outputSize': output_size_cases(rng),
        'convGeometry': conv_cases(rng),
        'pool': pool_cases(rng),
        'outputColour': colour_cases(rng),
        'normalise': normalised,
        'correlate': correlated,
        'resizeKernel': resized,
        'decodeImage': image_cases(),
    }


def text():
    return json.dumps(vectors(), separators=(',', ':'), allow_nan=False) + '\n'


if __name__ == '__main__':
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    VECTORS.write_text(text())
    print(f'wrote {VECTORS.relative_to(ROOT)} ({VECTORS.stat().st_size // 1024} KB)')
