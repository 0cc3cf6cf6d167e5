// BookMaths: the pure maths of the kernel-free widgets. No DOM, so `node --test` runs it.
//
// Each function mirrors one in the Python package, and widgets_js/test/maths.test.js checks
// it against vectors that tools/widget_vectors.py writes from those Python functions:
//   outputSize           book_utils.ops.conv_output_shape (one dimension, ceil_mode too)
//   paddingSource, convGeometry, coverage, formulaLines, conv2dCall, convCosts
//                        book_utils/widgets/conv_geometry.py
//   checkPoolPadding, pool, poolCall, outputColour
//                        book_utils/widgets/pooling_maths.py
//   normalise, correlate, resizeKernel, decodeImage
//                        book_utils/widgets/image_kernels.py and html_parts.uint8_image
// Sentences the reader sees are the Python ones, word for word; the vectors hold them.
const BookMaths = (() => {
  const DIMS = ['height', 'width'];

  const fmt = (v, digits = 3) => String(Number(v.toPrecision(digits)));
  const tuple = (a, b) => `(${a}, ${b})`;
  const pair = (a) => (a[0] === a[1] ? String(a[0]) : tuple(a[0], a[1]));
  const thousands = (n) => n.toLocaleString('en-US');
  const flatten = (M) => M.flat();

  // A whole number typed in a box, or an Error whose sentence names the box and its range.
  function checkWholeNumber(name, raw, limits) {
    const text = String(raw).trim();
    const value = Number(text);
    if (text === '' || !Number.isInteger(value) ||
        (limits && (value < limits[0] || value > limits[1]))) {
      throw new Error(`${name} must be a whole number` +
                      (limits ? ` from ${limits[0]} to ${limits[1]}` : '') +
                      `, got "${text}". Type a number in that range.`);
    }
    return value;
  }

  // ---- the size formula shared by convolution and pooling ---------------------------------
  function outputSize(n, k, p, s, d, ceil, dim) {
    const span = d * (k - 1) + 1;
    const room = n + 2 * p - span;
    let size = Math.floor(room / s) + 1;
    if (ceil) {
      size = Math.ceil(room / s) + 1;
      if ((size - 1) * s >= n + p) size -= 1;   // the last window must start inside the input
    }
    if (size < 1) {
      throw new Error(`Empty output along the ${dim}: the kernel spans ${span} pixels ` +
                      `(size ${k}, dilation ${d}) but the padded input has only ${n} + 2*${p} = ` +
                      `${n + 2 * p}. Add padding, shrink the kernel or dilation, or use a larger input.`);
    }
    return size;
  }

  // ---- convolution geometry (conv_geometry.py) --------------------------------------------
  // v: the shape explorer's control values (in_h, in_w, k_h, ..., padding, padding_mode, c_in,
  // c_out, groups), as the Python widget names them.
  function checkGroups(v) {
    [['c_in', 'in_channels'], ['c_out', 'out_channels']].forEach(([key, name]) => {
      if (v[key] % v.groups) {
        throw new Error(`${name} = ${v[key]} is not divisible by groups = ${v.groups}: each ` +
                        'group needs the same number of input and of output channels. ' +
                        'Pick groups that divide both.');
      }
    });
  }

  function paddingSource(n, before, after, mode) {
    const most = Math.max(before, after);
    if (mode === 'reflect' && most >= n) {
      throw new Error("padding_mode='reflect' needs padding smaller than the input: padding " +
                      `${most} on an input of ${n} has nothing left to mirror.`);
    }
    if (mode === 'circular' && most > n) {
      throw new Error("padding_mode='circular' can wrap around at most once: padding " +
                      `${most} is more than the input size ${n}.`);
    }
    const sources = [];
    for (let i = 0 - before; i < n + after; i++) {   // 0 - 0 is 0, where -0 would be -0
      if (i >= 0 && i < n) sources.push(i);
      else if (mode === 'zeros') sources.push(null);
      else if (mode === 'reflect') sources.push(i < 0 ? -i : 2 * (n - 1) - i);
      else if (mode === 'replicate') sources.push(Math.min(Math.max(i, 0), n - 1));
      else sources.push(((i % n) + n) % n);
    }
    return sources;
  }

  function convGeometry(v) {
    checkGroups(v);
    const n = [v.in_h, v.in_w], k = [v.k_h, v.k_w], s = [v.s_h, v.s_w], d = [v.d_h, v.d_w];
    let pads, out;
    if (v.padding === 'same') {
      if (s[0] !== 1 || s[1] !== 1) {
        throw new Error("padding='same' needs stride 1 (as in nn.Conv2d); got stride " +
                        `${tuple(s[0], s[1])}. Give the padding as numbers instead.`);
      }
      pads = [0, 1].map((i) => {
        const total = d[i] * (k[i] - 1);
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      });
      out = n.slice();
    } else {
      const p = v.padding === 'valid' ? [0, 0] : [v.pad_h, v.pad_w];
      pads = [[p[0], p[0]], [p[1], p[1]]];
      out = [0, 1].map((i) => outputSize(n[i], k[i], p[i], s[i], d[i], false, DIMS[i]));
    }
    const sources = [0, 1].map((i) => paddingSource(n[i], pads[i][0], pads[i][1], v.padding_mode));
    return {n, k, s, d, pads, out, sources, field: [0, 1].map((i) => d[i] * (k[i] - 1) + 1)};
  }

  // Taps reading each padded cell, per dimension: the count of a cell is rows[i] * cols[j].
  function coverage(g) {
    return [0, 1].map((i) => {
      const c = new Array(g.pads[i][0] + g.n[i] + g.pads[i][1]).fill(0);
      for (let o = 0; o < g.out[i]; o++) {
        for (let t = 0; t < g.k[i]; t++) c[o * g.s[i] + t * g.d[i]] += 1;
      }
      return c;
    });
  }

  function formulaLines(g) {
    return [0, 1].map((i) => {
      const n = g.n[i], b = g.pads[i][0], a = g.pads[i][1], k = g.k[i], st = g.s[i], d = g.d[i];
      const pad = a === b ? `2·${b}` : `${b} + ${a}`;
      const inner = n + b + a - d * (k - 1) - 1, lost = inner % st;
      return `${DIMS[i]}: ⌊(${n} + ${pad} − ${d}·(${k} − 1) − 1) / ${st}⌋ + 1 = ` +
             `⌊${inner} / ${st}⌋ + 1 = ${g.out[i]}` +
             (lost ? `  (remainder ${lost} dropped: the last ${lost} ` +
                     `${i === 0 ? 'rows' : 'columns'} are never read)` : '');
    });
  }

  function conv2dCall(v, g) {
    const padding = v.padding === 'numbers' ? pair([v.pad_h, v.pad_w]) : `'${v.padding}'`;
    const parts = [v.c_in, v.c_out, `kernel_size=${pair(g.k)}`];
    if (g.s[0] !== 1 || g.s[1] !== 1) parts.push(`stride=${pair(g.s)}`);
    parts.push(`padding=${padding}`);
    if (g.d[0] !== 1 || g.d[1] !== 1) parts.push(`dilation=${pair(g.d)}`);
    if (v.groups !== 1) parts.push(`groups=${v.groups}`);
    if (v.padding_mode !== 'zeros') parts.push(`padding_mode='${v.padding_mode}'`);
    return `nn.Conv2d(${parts.join(', ')})`;
  }

  // Parameters and multiply-adds of this layer, and of the same layer with groups = 1.
  function convCosts(v, g) {
    const perOut = (v.c_in / v.groups) * g.k[0] * g.k[1];
    const madds = g.out[0] * g.out[1] * v.c_out * perOut;
    return {params: v.c_out * perOut + v.c_out, madds,
            standardParams: v.c_out * v.c_in * g.k[0] * g.k[1] + v.c_out,
            standardMadds: madds * v.groups};
  }

  // ---- pooling (pooling_maths.py) ----------------------------------------------------------
  // v: the pooling explorer's control values (k_h, k_w, s_h, s_w, p_h, p_w, mode, ceil_mode,
  // count_include_pad).
  function checkPoolPadding(v) {
    if (2 * v.p_h > v.k_h || 2 * v.p_w > v.k_w) {
      throw new Error(`Padding ${tuple(v.p_h, v.p_w)} is more than half the window ` +
                      `${tuple(v.k_h, v.k_w)}: a window could then hold padding only. ` +
                      'PyTorch requires padding <= kernel_size / 2.');
    }
  }

  // Pool the matrix X like nn.MaxPool2d / nn.AvgPool2d; winners of each max (first in
  // reading order, as PyTorch reports), null under average pooling.
  function pool(X, v) {
    checkPoolPadding(v);
    const H = X.length, W = X[0].length;
    const oh = outputSize(H, v.k_h, v.p_h, v.s_h, 1, v.ceil_mode, 'height');
    const ow = outputSize(W, v.k_w, v.p_w, v.s_w, 1, v.ceil_mode, 'width');
    const Y = [], winners = [];
    for (let i = 0; i < oh; i++) {
      const row = [], wins = [];
      for (let j = 0; j < ow; j++) {
        const top = i * v.s_h - v.p_h, left = j * v.s_w - v.p_w;
        const bottom = Math.min(top + v.k_h, H + v.p_h), right = Math.min(left + v.k_w, W + v.p_w);
        const t = Math.max(top, 0), b = Math.min(bottom, H), l = Math.max(left, 0), r = Math.min(right, W);
        let best = -Infinity, at = null, sum = 0;
        for (let a = t; a < b; a++) {
          for (let c = l; c < r; c++) {
            sum += X[a][c];
            if (X[a][c] > best) { best = X[a][c]; at = [a, c]; }
          }
        }
        const divisor = v.count_include_pad ? (bottom - top) * (right - left) : (b - t) * (r - l);
        row.push(v.mode === 'max' ? best : sum / divisor);
        wins.push(v.mode === 'max' ? at : null);
      }
      Y.push(row);
      winners.push(wins);
    }
    return {Y, winners};
  }

  function poolCall(v) {
    return `nn.${v.mode === 'max' ? 'MaxPool2d' : 'AvgPool2d'}(kernel_size=${pair([v.k_h, v.k_w])}, ` +
           `stride=${pair([v.s_h, v.s_w])}` +
           (v.p_h || v.p_w ? `, padding=${pair([v.p_h, v.p_w])}` : '') +
           (v.ceil_mode ? ', ceil_mode=True' : '') +
           (v.mode === 'avg' && !v.count_include_pad ? ', count_include_pad=False' : '') + ')';
  }

  // Output (i, j)'s colour as 0-255 rgb: golden-ratio steps in hue (pooling_maths.output_colour).
  function outputColour(i, j, ow) {
    const h = (((i * ow + j) * 0.618034) % 1) * 6, s = 0.8, val = 0.85;
    const f = h - Math.floor(h), p = val * (1 - s), q = val * (1 - s * f), t = val * (1 - s * (1 - f));
    const c = [[val, t, p], [q, val, p], [p, val, t], [p, q, val], [t, p, val], [val, p, q]][Math.floor(h) % 6];
    return c.map((x) => Math.round(255 * x));
  }
  const lighter = (c) => c.map((x) => Math.round(x + (255 - x) * 0.55));

  // ---- kernels (image_kernels.py) ----------------------------------------------------------
  // By the sum, or (a kernel summing to zero) by its positive weights.
  function normalise(K) {
    const flat = flatten(K), total = flat.reduce((a, b) => a + b, 0);
    let divisor = 1;
    if (Math.abs(total) > 1e-6) divisor = total;
    else {
      const positive = flat.reduce((a, b) => a + Math.max(b, 0), 0);
      if (positive > 0) divisor = positive;
    }
    return {K: K.map((row) => row.map((x) => x / divisor)), divisor};
  }

  // corr2d / F.conv2d without padding.
  function correlate(X, K) {
    const kh = K.length, kw = K[0].length, Y = [];
    for (let i = 0; i + kh <= X.length; i++) {
      const row = [];
      for (let j = 0; j + kw <= X[0].length; j++) {
        let s = 0;
        for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) s += X[i + a][j + b] * K[a][b];
        row.push(s);
      }
      Y.push(row);
    }
    return Y;
  }

  // A square kernel grown (with zeros) or cut to size x size around its centre.
  function resizeKernel(K, size) {
    const old = K.length, o = Math.abs(old - size) / 2;
    return Array.from({length: size}, (_, i) => Array.from({length: size}, (_, j) => {
      const a = size > old ? i - o : i + o, b = size > old ? j - o : j + o;
      return a >= 0 && a < old && b >= 0 && b < old ? K[a][b] : 0;
    }));
  }

  // Whether the weights typed in the grid are still the preset (to 4 decimals, as shown).
  const sameKernel = (K, P) => K.every((row, i) => row.every(
    (x, j) => Math.abs(x - P[i][j]) <= 1e-4 + 1e-5 * Math.abs(P[i][j])));

  // {h, w, b64 of uint8} (html_parts.uint8_image) -> rows of values in [0, 1].
  function decodeImage(image) {
    const bytes = atob(image.b64);
    return Array.from({length: image.h}, (_, i) => Array.from(
      {length: image.w}, (_, j) => bytes.charCodeAt(i * image.w + j) / 255));
  }

  // ---- colour maps -------------------------------------------------------------------------
  // matplotlib's RdBu_r at five stops: blue below zero, white at zero, red above.
  const DIVERGING = [[5, 48, 97], [67, 147, 195], [247, 247, 247], [214, 96, 77], [103, 0, 31]];
  function diverging(t) {          // t in [0, 1], 0.5 = zero
    const x = Math.min(Math.max(t, 0), 1) * 4, i = Math.min(Math.floor(x), 3), f = x - i;
    const a = DIVERGING[i], b = DIVERGING[i + 1];
    return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f));
  }
  const grey = (t) => {
    const g = Math.round(255 * Math.min(Math.max(t, 0), 1));
    return [g, g, g];
  };

  return Object.freeze({
    DIMS, fmt, tuple, pair, thousands, flatten, checkWholeNumber, outputSize, checkGroups,
    paddingSource, convGeometry, coverage, formulaLines, conv2dCall, convCosts, checkPoolPadding,
    pool, poolCall, outputColour, lighter, normalise, correlate, resizeKernel, sameKernel,
    decodeImage, diverging, grey,
  });
})();
