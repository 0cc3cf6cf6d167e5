// The book's widgets on a page read without a kernel: plain DOM, SVG, no framework.
//
// book_utils/widgets/static_view.py writes, for each widget, a root element
//   <div class="book-widget" data-book-widget="kernel-designer | conv-shape-explorer |
//        pooling-explorer"> with <script type="application/json" data-role="config"> (and data)
// and this file turns it into native <input>/<select> controls named by the Python widget's
// control keys. Every change recomputes in the browser with the maths of the Python modules
// (kernels.py, conv_geometry.py and ops.conv_output_shape, pool_maps.py) and writes the results
// into [data-output="shape"], [data-output="range"], [data-output="image"] and
// [data-output="message"]. tests/test_static_widgets.py checks them against PyTorch.
(function () {
  'use strict';

  // ---- small DOM helpers ------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key === 'className') node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function readJSON(root, role) {
    var node = root.querySelector('script[data-role="' + role + '"]');
    return node ? JSON.parse(node.textContent) : null;
  }

  function numberInput(name, value, limits, step) {
    var attrs = {type: 'number', name: name, value: String(value), step: step || '1',
                 'aria-label': name.replace(/_/g, ' ')};
    if (limits) { attrs.min = String(limits[0]); attrs.max = String(limits[1]); }
    return el('input', attrs);
  }

  function select(name, options, value) {
    var node = el('select', {name: name, 'aria-label': name.replace(/_/g, ' ')});
    options.forEach(function (option) {
      var pair = Array.isArray(option) ? option : [option, option];
      var item = el('option', {value: String(pair[1]), text: String(pair[0])});
      if (String(pair[1]) === String(value)) item.selected = true;
      node.appendChild(item);
    });
    return node;
  }

  function checkbox(name, checked, text) {
    var box = el('input', {type: 'checkbox', name: name});
    box.checked = !!checked;
    return el('label', {className: 'book-widget-check'}, [box, ' ' + (text || name)]);
  }

  function labelled(text, control) {
    return el('label', {className: 'book-widget-control'}, [text + ' ', control]);
  }

  // A whole number from a box, or an Error whose sentence names the control and what it allows.
  function readInt(root, name, limits) {
    var raw = root.querySelector('[name="' + name + '"]').value.trim();
    var value = Number(raw);
    if (raw === '' || !Number.isInteger(value) || (limits && (value < limits[0] || value > limits[1]))) {
      throw new Error(name + ' must be a whole number' +
                      (limits ? ' from ' + limits[0] + ' to ' + limits[1] : '') +
                      ', got "' + raw + '". Type a number in that range.');
    }
    return value;
  }

  function fmt(v, digits) { return String(Number(v.toPrecision(digits || 3))); }
  function tuple(a, b) { return '(' + a + ', ' + b + ')'; }
  function pair(a) { return a[0] === a[1] ? String(a[0]) : tuple(a[0], a[1]); }
  function thousands(n) { return n.toLocaleString('en-US'); }

  // ---- colours and SVG drawing ----------------------------------------------------------------
  // matplotlib's RdBu_r at five stops: blue below zero, white at zero, red above.
  var DIVERGING = [[5, 48, 97], [67, 147, 195], [247, 247, 247], [214, 96, 77], [103, 0, 31]];
  function diverging(t) {          // t in [0, 1], 0.5 = zero
    var x = Math.min(Math.max(t, 0), 1) * 4, i = Math.min(Math.floor(x), 3), f = x - i;
    var a = DIVERGING[i], b = DIVERGING[i + 1];
    return [0, 1, 2].map(function (c) { return Math.round(a[c] + (b[c] - a[c]) * f); });
  }
  function rgb(c) { return 'rgb(' + c.join(',') + ')'; }
  function grey(t) { var g = Math.round(255 * Math.min(Math.max(t, 0), 1)); return [g, g, g]; }

  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // A panel: a title above an SVG of `cols` x `rows` unit cells (one SVG unit = one cell).
  function panel(title, rows, cols, maxPx, maxCell) {
    var cell = Math.max(4, Math.min(maxCell || 28, Math.floor((maxPx || 260) / Math.max(rows, cols))));
    var picture = svg('svg', {viewBox: [-0.05, -0.05, cols + 0.1, rows + 0.1].join(' '),
                              width: String(cols * cell), height: String(rows * cell),
                              role: 'img', 'aria-label': title});
    var figure = el('figure', {className: 'book-widget-panel'},
                    [el('figcaption', {text: title})]);
    figure.appendChild(picture);
    return {figure: figure, svg: picture};
  }

  function rect(picture, x, y, w, h, attrs) {
    var a = {x: x, y: y, width: w, height: h};
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    picture.appendChild(svg('rect', a));
  }

  function text(picture, x, y, value, attrs) {
    var a = {x: x, y: y, 'text-anchor': 'middle', 'dominant-baseline': 'central',
             'font-size': '0.42'};
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    var node = svg('text', a);
    node.textContent = value;
    picture.appendChild(node);
  }

  // A matrix as coloured cells: grey for non-negative values, diverging around zero otherwise.
  function matrixPanel(title, M, signed, maxPx) {
    var rows = M.length, cols = M[0].length, p = panel(title, rows, cols, maxPx);
    var flat = [].concat.apply([], M);
    var bound = signed ? Math.max(1e-6, Math.max.apply(null, flat.map(Math.abs)))
                       : Math.max(1e-6, Math.max.apply(null, flat));
    var annotate = rows * cols <= 64;
    for (var i = 0; i < rows; i++) {
      for (var j = 0; j < cols; j++) {
        var t = signed ? 0.5 + M[i][j] / (2 * bound) : M[i][j] / bound;
        rect(p.svg, j, i, 1.02, 1.02, {fill: rgb(signed ? diverging(t) : grey(t))});
        if (annotate) {
          var dark = signed ? (t < 0.25 || t > 0.75) : t < 0.5;
          text(p.svg, j + 0.5, i + 0.5, fmt(M[i][j], 2), {fill: dark ? 'white' : 'black',
                                                           'font-size': '0.32'});
        }
      }
    }
    return p.figure;
  }

  function outputs(root) {
    var lines = el('div', {className: 'book-widget-info'});
    ['shape', 'range', 'image', 'details', 'message'].forEach(function (name) {
      lines.appendChild(el('div', {'data-output': name, className: 'book-widget-' + name}));
    });
    root.appendChild(lines);
    return function (name) { return lines.querySelector('[data-output="' + name + '"]'); };
  }

  function decodeImage(image) {    // {h, w, b64 of uint8} -> rows of values in [0, 1]
    var bytes = atob(image.b64), M = [];
    for (var i = 0; i < image.h; i++) {
      var row = [];
      for (var j = 0; j < image.w; j++) row.push(bytes.charCodeAt(i * image.w + j) / 255);
      M.push(row);
    }
    return M;
  }

  function watch(root, redraw) {
    root.addEventListener('input', redraw);
    root.addEventListener('change', redraw);
  }

  // ---- the size formula shared by convolution and pooling (book_utils.ops.conv_output_shape) --
  function outputSize(n, k, p, s, d, ceil, dim) {
    var span = d * (k - 1) + 1, room = n + 2 * p - span;
    var size = Math.floor(room / s) + 1;
    if (ceil) {
      size = Math.ceil(room / s) + 1;
      if ((size - 1) * s >= n + p) size -= 1;   // the last window must start inside the input
    }
    if (size < 1) {
      throw new Error('Empty output along the ' + dim + ': the kernel spans ' + span +
                      ' pixels (size ' + k + ', dilation ' + d + ') but the padded input has only ' +
                      n + ' + 2*' + p + ' = ' + (n + 2 * p) + '. Add padding, shrink the kernel ' +
                      'or dilation, or use a larger input.');
    }
    return size;
  }

  // ---- convolution shape explorer (conv_geometry.py) ------------------------------------------
  var DIMS = ['height', 'width'];

  function convSettings(root, limits) {
    var v = {};
    ['in_h', 'in_w', 'k_h', 'k_w', 'pad_h', 'pad_w', 's_h', 's_w', 'd_h', 'd_w', 'c_in', 'c_out',
     'groups'].forEach(function (name) { v[name] = readInt(root, name, limits[name]); });
    v.padding = root.querySelector('[name="padding"]').value;
    v.padding_mode = root.querySelector('[name="padding_mode"]').value;
    ['c_in', 'c_out'].forEach(function (name) {
      if (v[name] % v.groups) {
        throw new Error((name === 'c_in' ? 'in_channels' : 'out_channels') + ' = ' + v[name] +
                        ' is not divisible by groups = ' + v.groups + ': each group needs the ' +
                        'same number of input and of output channels. Pick groups that divide both.');
      }
    });
    return v;
  }

  function convGeometry(v) {
    var n = [v.in_h, v.in_w], k = [v.k_h, v.k_w], s = [v.s_h, v.s_w], d = [v.d_h, v.d_w];
    var pads, out;
    if (v.padding === 'same') {
      if (s[0] !== 1 || s[1] !== 1) {
        throw new Error("padding='same' needs stride 1 (as in nn.Conv2d); got stride " +
                        tuple(s[0], s[1]) + '. Give the padding as numbers instead.');
      }
      pads = [0, 1].map(function (i) { var t = d[i] * (k[i] - 1); return [Math.floor(t / 2), t - Math.floor(t / 2)]; });
      out = n.slice();
    } else {
      var p = v.padding === 'valid' ? [0, 0] : [v.pad_h, v.pad_w];
      pads = [[p[0], p[0]], [p[1], p[1]]];
      out = [0, 1].map(function (i) { return outputSize(n[i], k[i], p[i], s[i], d[i], false, DIMS[i]); });
    }
    var sources = [0, 1].map(function (i) { return paddingSource(n[i], pads[i][0], pads[i][1], v.padding_mode); });
    return {n: n, k: k, s: s, d: d, pads: pads, out: out, sources: sources,
            field: [0, 1].map(function (i) { return d[i] * (k[i] - 1) + 1; })};
  }

  function paddingSource(n, before, after, mode) {
    var most = Math.max(before, after);
    if (mode === 'reflect' && most >= n) {
      throw new Error("padding_mode='reflect' needs padding smaller than the input: padding " +
                      most + ' on an input of ' + n + ' has nothing left to mirror.');
    }
    if (mode === 'circular' && most > n) {
      throw new Error("padding_mode='circular' can wrap around at most once: padding " + most +
                      ' is more than the input size ' + n + '.');
    }
    var sources = [];
    for (var i = -before; i < n + after; i++) {
      if (i >= 0 && i < n) sources.push(i);
      else if (mode === 'zeros') sources.push(null);
      else if (mode === 'reflect') sources.push(i < 0 ? -i : 2 * (n - 1) - i);
      else if (mode === 'replicate') sources.push(Math.min(Math.max(i, 0), n - 1));
      else sources.push(((i % n) + n) % n);
    }
    return sources;
  }

  function coverage(g) {           // taps reading each padded cell: a row count times a column count
    return [0, 1].map(function (i) {
      var c = new Array(g.pads[i][0] + g.n[i] + g.pads[i][1]).fill(0);
      for (var o = 0; o < g.out[i]; o++) {
        for (var t = 0; t < g.k[i]; t++) c[o * g.s[i] + t * g.d[i]] += 1;
      }
      return c;
    });
  }

  function formulaLines(g) {
    return [0, 1].map(function (i) {
      var n = g.n[i], b = g.pads[i][0], a = g.pads[i][1], k = g.k[i], st = g.s[i], d = g.d[i];
      var pad = a === b ? '2·' + b : b + ' + ' + a;
      var inner = n + b + a - d * (k - 1) - 1, lost = inner % st;
      return DIMS[i] + ': ⌊(' + n + ' + ' + pad + ' − ' + d + '·(' + k + ' − 1) − 1) / ' + st +
             '⌋ + 1 = ⌊' + inner + ' / ' + st + '⌋ + 1 = ' + g.out[i] +
             (lost ? '  (remainder ' + lost + ' dropped: the last ' + lost + ' ' +
                     (i === 0 ? 'rows' : 'columns') + ' are never read)' : '');
    });
  }

  function conv2dCall(v, g) {
    var padding = v.padding === 'numbers' ? pair([v.pad_h, v.pad_w]) : "'" + v.padding + "'";
    var parts = [v.c_in, v.c_out, 'kernel_size=' + pair(g.k)];
    if (g.s[0] !== 1 || g.s[1] !== 1) parts.push('stride=' + pair(g.s));
    parts.push('padding=' + padding);
    if (g.d[0] !== 1 || g.d[1] !== 1) parts.push('dilation=' + pair(g.d));
    if (v.groups !== 1) parts.push('groups=' + v.groups);
    if (v.padding_mode !== 'zeros') parts.push("padding_mode='" + v.padding_mode + "'");
    return 'nn.Conv2d(' + parts.join(', ') + ')';
  }

  function drawConv(v, g) {
    var rows = g.sources[0], cols = g.sources[1], H = rows.length, W = cols.length;
    var top = g.pads[0][0], left = g.pads[1][0], label = Math.max(H, W) <= 16;
    var input = panel('input ' + g.n[0] + '×' + g.n[1] + ' + padding (' + v.padding_mode +
                      '); blue: the first window (tinted: its taps), dashed: the next', H, W);
    for (var i = 0; i < H; i++) {
      for (var j = 0; j < W; j++) {
        var real = i >= top && i < top + g.n[0] && j >= left && j < left + g.n[1];
        var zero = rows[i] === null || cols[j] === null;
        rect(input.svg, j, i, 1, 1, {fill: real ? '#fff' : zero ? '#dbdbdb' : '#ffdba8',
                                     stroke: '#999', 'stroke-width': '0.03'});
        if (label) text(input.svg, j + 0.5, i + 0.5, zero ? '0' : String(rows[i] * g.n[1] + cols[j] + 1), {fill: '#222'});
      }
    }
    rect(input.svg, left, top, g.n[1], g.n[0], {fill: 'none', stroke: 'black', 'stroke-width': '0.1'});
    for (var a = 0; a < g.k[0]; a++) {
      for (var b = 0; b < g.k[1]; b++) {
        rect(input.svg, b * g.d[1], a * g.d[0], 1, 1, {fill: 'rgba(31,119,180,0.3)'});
      }
    }
    var next = g.out[1] > 1 ? [0, g.s[1]] : g.out[0] > 1 ? [g.s[0], 0] : null;
    rect(input.svg, 0, 0, g.field[1], g.field[0], {fill: 'none', stroke: '#1f77b4', 'stroke-width': '0.12'});
    if (next) rect(input.svg, next[1], next[0], g.field[1], g.field[0], {fill: 'none', stroke: '#1f77b4',
                   'stroke-width': '0.12', 'stroke-dasharray': '0.3 0.2'});

    var counts = coverage(g), peak = Math.max(1, Math.max.apply(null, counts[0]) * Math.max.apply(null, counts[1]));
    var unread = 0;
    var cover = panel('', H, W);
    for (i = 0; i < H; i++) {
      for (j = 0; j < W; j++) {
        var c = counts[0][i] * counts[1][j], t = c / peak;
        var inside = i >= top && i < top + g.n[0] && j >= left && j < left + g.n[1];
        if (!c && inside) unread += 1;
        rect(cover.svg, j, i, 1, 1, {fill: c ? rgb([Math.round(255 * (1 - 0.75 * t)), Math.round(255 * (1 - 0.45 * t)), 255]) : '#ffc7c7',
                                     stroke: '#999', 'stroke-width': '0.03'});
        if (label && c) text(cover.svg, j + 0.5, i + 0.5, String(c), {fill: '#222'});
      }
    }
    rect(cover.svg, left, top, g.n[1], g.n[0], {fill: 'none', stroke: 'black', 'stroke-width': '0.1'});
    cover.figure.firstChild.textContent = 'coverage: taps reading each cell; red: never read (' +
        unread + ' of ' + g.n[0] * g.n[1] + ' input pixels)';

    var out = panel('output ' + v.c_out + '×' + g.out[0] + '×' + g.out[1] + ' (from the two blue windows)',
                    g.out[0], g.out[1], 160);
    for (i = 0; i < g.out[0]; i++) {
      for (j = 0; j < g.out[1]; j++) {
        var first = i === 0 && j === 0;
        var second = !!next && (next[1] ? i === 0 && j === 1 : i === 1 && j === 0);
        rect(out.svg, j, i, 1, 1, {fill: first ? '#8cbff2' : second ? '#c7def7' : '#ededed',
                                   stroke: '#999', 'stroke-width': '0.03'});
      }
    }
    return [input.figure, cover.figure, out.figure];
  }

  function convExplorer(root) {
    var config = readJSON(root, 'config'), v = config.values, limits = config.limits;
    var form = el('div', {className: 'book-widget-controls'});
    var table = el('div', {className: 'book-widget-table'},
                   [el('span'), el('b', {text: 'height'}), el('b', {text: 'width'})]);
    [['input', 'in_h', 'in_w'], ['kernel', 'k_h', 'k_w'], ['padding', 'pad_h', 'pad_w'],
     ['stride', 's_h', 's_w'], ['dilation', 'd_h', 'd_w']].forEach(function (row) {
      table.appendChild(el('span', {text: row[0]}));
      table.appendChild(numberInput(row[1], v[row[1]], limits[row[1]]));
      table.appendChild(numberInput(row[2], v[row[2]], limits[row[2]]));
    });
    form.appendChild(table);
    var right = el('div', {className: 'book-widget-column'});
    right.appendChild(labelled('padding', select('padding', config.options.padding, v.padding)));
    right.appendChild(labelled('mode', select('padding_mode', config.options.padding_mode, v.padding_mode)));
    var channels = el('div', {className: 'book-widget-row'}, [
      labelled('channels in', numberInput('c_in', v.c_in, limits.c_in)),
      labelled('out', numberInput('c_out', v.c_out, limits.c_out)),
      labelled('groups', numberInput('groups', v.groups, limits.groups))]);
    var standard = el('button', {type: 'button', title: 'groups = 1', text: 'standard'});
    var depthwise = el('button', {type: 'button', title: 'groups = in = out channels', text: 'depthwise'});
    channels.appendChild(el('span', {className: 'book-widget-row'}, [standard, depthwise]));
    right.appendChild(channels);
    form.appendChild(right);
    root.appendChild(form);
    var figures = el('div', {className: 'book-widget-figures'});
    root.appendChild(figures);
    var out = outputs(root);
    var field = function (name) { return root.querySelector('[name="' + name + '"]'); };
    standard.addEventListener('click', function () { field('groups').value = '1'; redraw(); });
    depthwise.addEventListener('click', function () {
      field('groups').value = field('c_in').value; field('c_out').value = field('c_in').value; redraw();
    });

    function redraw() {
      var kind = field('padding').value;
      field('pad_h').disabled = field('pad_w').disabled = kind !== 'numbers';
      figures.textContent = '';
      ['details', 'message'].forEach(function (n) { out(n).textContent = ''; });
      try {
        var s = convSettings(root, limits), g = convGeometry(s);
        drawConv(s, g).forEach(function (f) { figures.appendChild(f); });
        out('shape').textContent = 'Output shape (1, ' + s.c_out + ', ' + g.out[0] + ', ' + g.out[1] +
            ') for an input (1, ' + s.c_in + ', ' + g.n[0] + ', ' + g.n[1] + ').';
        var perOut = (s.c_in / s.groups) * g.k[0] * g.k[1];
        var params = s.c_out * perOut + s.c_out, madds = g.out[0] * g.out[1] * s.c_out * perOut;
        var saving = s.groups > 1 ? ' (a standard convolution, groups = 1: ' +
            thousands(s.c_out * s.c_in * g.k[0] * g.k[1] + s.c_out) + ' parameters, ' +
            thousands(madds * s.groups) + ' multiply-adds; ' + s.groups + '× more)' : '';
        var details = out('details');
        details.appendChild(el('div', {className: 'book-widget-formula', text: formulaLines(g).join('\n')}));
        details.appendChild(el('div', {text: 'Receptive field of one output value: ' + g.field[0] + '×' +
            g.field[1] + ' input pixels. Parameters: ' + thousands(params) + '; multiply-adds: ' +
            thousands(madds) + saving + '.'}));
        details.appendChild(el('code', {text: conv2dCall(s, g)}));
      } catch (err) {
        out('shape').textContent = 'No output for these settings.';
        out('message').textContent = err.message;
      }
    }
    watch(root, redraw);
    redraw();
  }

  // ---- pooling explorer (pool_maps.py) -------------------------------------------------------
  function poolSettings(root, limits) {
    var v = {};
    ['k_h', 'k_w', 's_h', 's_w', 'p_h', 'p_w', 'rows', 'cols'].forEach(function (name) {
      v[name] = readInt(root, name, limits[name]);
    });
    v.mode = root.querySelector('[name="mode"]').value;
    v.ceil_mode = root.querySelector('[name="ceil_mode"]').checked;
    v.count_include_pad = root.querySelector('[name="count_include_pad"]').checked;
    if (2 * v.p_h > v.k_h || 2 * v.p_w > v.k_w) {
      throw new Error('Padding ' + tuple(v.p_h, v.p_w) + ' is more than half the window ' +
                      tuple(v.k_h, v.k_w) + ': a window could then hold padding only. ' +
                      'PyTorch requires padding <= kernel_size / 2.');
    }
    return v;
  }

  // Pool the matrix X like nn.MaxPool2d / nn.AvgPool2d; winners of each max (first in reading order).
  function pool(X, v) {
    var H = X.length, W = X[0].length;
    var oh = outputSize(H, v.k_h, v.p_h, v.s_h, 1, v.ceil_mode, 'height');
    var ow = outputSize(W, v.k_w, v.p_w, v.s_w, 1, v.ceil_mode, 'width');
    var Y = [], winners = [];
    for (var i = 0; i < oh; i++) {
      var row = [], wins = [];
      for (var j = 0; j < ow; j++) {
        var top = i * v.s_h - v.p_h, left = j * v.s_w - v.p_w;
        var bottom = Math.min(top + v.k_h, H + v.p_h), right = Math.min(left + v.k_w, W + v.p_w);
        var t = Math.max(top, 0), b = Math.min(bottom, H), l = Math.max(left, 0), r = Math.min(right, W);
        var best = -Infinity, at = null, sum = 0;
        for (var a = t; a < b; a++) {
          for (var c = l; c < r; c++) {
            sum += X[a][c];
            if (X[a][c] > best) { best = X[a][c]; at = [a, c]; }
          }
        }
        var divisor = v.count_include_pad ? (bottom - top) * (right - left) : (b - t) * (r - l);
        row.push(v.mode === 'max' ? best : sum / divisor);
        wins.push(v.mode === 'max' ? at : null);
      }
      Y.push(row);
      winners.push(wins);
    }
    return {Y: Y, winners: winners};
  }

  function hueColour(i, j, ow) {   // golden-ratio steps in hue, as in pooling.py
    var h = (((i * ow + j) * 0.618034) % 1) * 6, s = 0.8, val = 0.85;
    var f = h - Math.floor(h), p = val * (1 - s), q = val * (1 - s * f), t = val * (1 - s * (1 - f));
    var c = [[val, t, p], [q, val, p], [p, val, t], [p, q, val], [t, p, val], [val, p, q]][Math.floor(h) % 6];
    return c.map(function (x) { return Math.round(255 * x); });
  }
  function light(c) { return c.map(function (x) { return Math.round(x + (255 - x) * 0.55); }); }

  function drawPoolMatrix(X, v, res) {
    var H = X.length, W = X[0].length, oh = res.Y.length, ow = res.Y[0].length;
    var reachB = Math.max((oh - 1) * v.s_h - v.p_h + v.k_h, H + v.p_h);
    var reachR = Math.max((ow - 1) * v.s_w - v.p_w + v.k_w, W + v.p_w);
    var read = X.map(function (row) { return row.map(function () { return false; }); });
    for (var i = 0; i < oh; i++) {
      for (var j = 0; j < ow; j++) {
        var top = i * v.s_h - v.p_h, left = j * v.s_w - v.p_w;
        for (var a = Math.max(top, 0); a < Math.min(top + v.k_h, H); a++) {
          for (var c = Math.max(left, 0); c < Math.min(left + v.k_w, W); c++) read[a][c] = true;
        }
      }
    }
    var padText = v.mode === 'max' ? '−∞' : '0';
    var p = panel('input ' + H + '×' + W + ' (padding shows ' + padText + '); ' +
                  (v.mode === 'max' ? 'frames: the winner of each max' : 'average of each window') +
                  '; red: never read', reachB + v.p_h, reachR + v.p_w);
    var g = svg('g', {transform: 'translate(' + v.p_w + ' ' + v.p_h + ')'});
    p.svg.appendChild(g);
    for (var r = -v.p_h; r < reachB; r++) {
      for (var k = -v.p_w; k < reachR; k++) {
        var real = r >= 0 && r < H && k >= 0 && k < W, inPad = r < H + v.p_h && k < W + v.p_w;
        rect(g, k, r, 1, 1, {fill: real ? (read[r][k] ? '#fff' : '#ffc7c7') : inPad ? '#dbdbdb' : '#fff',
                             stroke: '#aaa', 'stroke-width': '0.03',
                             'stroke-dasharray': inPad ? 'none' : '0.1 0.1'});
        if (real || inPad) text(g, k + 0.5, r + 0.5, real ? fmt(X[r][k]) : padText, {fill: real ? '#000' : '#666'});
      }
    }
    rect(g, 0, 0, W, H, {fill: 'none', stroke: 'black', 'stroke-width': '0.06'});
    if (v.mode === 'max') {
      var wins = {};
      for (i = 0; i < oh; i++) {
        for (j = 0; j < ow; j++) {
          var at = res.winners[i][j];
          if (!at) continue;
          var key = at.join(','), inset = 0.08 * (wins[key] || 0);
          wins[key] = (wins[key] || 0) + 1;
          rect(g, at[1] + 0.05 + inset, at[0] + 0.05 + inset, 0.9 - 2 * inset, 0.9 - 2 * inset,
               {fill: 'none', stroke: rgb(hueColour(i, j, ow)), 'stroke-width': '0.08'});
        }
      }
    }
    [[0, 0, 'none'], [oh - 1, ow - 1, '0.25 0.15']].forEach(function (w) {
      rect(g, w[1] * v.s_w - v.p_w + 0.06, w[0] * v.s_h - v.p_h + 0.06, v.k_w - 0.12, v.k_h - 0.12,
           {fill: 'none', stroke: rgb(hueColour(w[0], w[1], ow)), 'stroke-width': '0.06',
            'stroke-dasharray': w[2]});
    });
    var out = panel(v.mode + ' pooled ' + oh + '×' + ow, oh, ow, 200, 40);
    for (i = 0; i < oh; i++) {
      for (j = 0; j < ow; j++) {
        rect(out.svg, j, i, 1, 1, {fill: rgb(light(hueColour(i, j, ow))), stroke: '#888', 'stroke-width': '0.03'});
        text(out.svg, j + 0.5, i + 0.5, fmt(res.Y[i][j]), {fill: '#000', 'font-size': '0.34'});
      }
    }
    return [p.figure, out.figure];
  }

  function poolingExplorer(root) {
    var config = readJSON(root, 'config'), v = config.values, limits = config.limits;
    var matrices = readJSON(root, 'matrices'), images = readJSON(root, 'images');
    var form = el('div', {className: 'book-widget-controls'});
    var table = el('div', {className: 'book-widget-table'},
                   [el('span'), el('b', {text: 'height'}), el('b', {text: 'width'})]);
    [['window', 'k_h', 'k_w'], ['stride', 's_h', 's_w'], ['padding', 'p_h', 'p_w']].forEach(function (row) {
      table.appendChild(el('span', {text: row[0]}));
      table.appendChild(numberInput(row[1], v[row[1]], limits[row[1]]));
      table.appendChild(numberInput(row[2], v[row[2]], limits[row[2]]));
    });
    form.appendChild(table);
    var column = el('div', {className: 'book-widget-column'}, [
      labelled('mode', select('mode', config.options.mode, v.mode)),
      el('div', {className: 'book-widget-row'}, [checkbox('ceil_mode', v.ceil_mode),
                                                checkbox('count_include_pad', v.count_include_pad, 'count_include_pad (avg)')]),
      el('div', {className: 'book-widget-row'}, [labelled('matrix rows', numberInput('rows', v.rows, limits.rows)),
                                                labelled('cols', numberInput('cols', v.cols, limits.cols)),
                                                el('span', {text: 'seed ' + v.seed})]),
      labelled('image', select('label', config.labels, v.label))]);
    form.appendChild(column);
    root.appendChild(form);
    var figures = el('div', {className: 'book-widget-figures'});
    root.appendChild(figures);
    var out = outputs(root);

    function redraw() {
      var mode = root.querySelector('[name="mode"]').value;
      root.querySelector('[name="count_include_pad"]').disabled = mode !== 'avg';
      figures.textContent = '';
      ['range', 'image', 'details', 'message'].forEach(function (n) { out(n).textContent = ''; });
      try {
        var s = poolSettings(root, limits);
        var flat = matrices[s.rows + 'x' + s.cols], X = [];
        for (var i = 0; i < s.rows; i++) X.push(flat.slice(i * s.cols, (i + 1) * s.cols));
        var res = pool(X, s);
        var label = root.querySelector('[name="label"]').value;
        var img = decodeImage(images[label]), pooled = pool(img, s).Y;
        drawPoolMatrix(X, s, res).forEach(function (f) { figures.appendChild(f); });
        figures.appendChild(matrixPanel(label + ' 28×28', img, false, 140));
        figures.appendChild(matrixPanel('pooled ' + pooled.length + '×' + pooled[0].length, pooled, false, 140));
        out('shape').textContent = 'Output shape (1, 1, ' + res.Y.length + ', ' + res.Y[0].length +
            ') from a (1, 1, ' + s.rows + ', ' + s.cols + ') matrix.';
        out('image').textContent = 'The image (' + label + '): 28×28 → ' + pooled.length + '×' + pooled[0].length + '.';
        var call = 'nn.' + (s.mode === 'max' ? 'MaxPool2d' : 'AvgPool2d') + '(kernel_size=' +
            pair([s.k_h, s.k_w]) + ', stride=' + pair([s.s_h, s.s_w]) +
            (s.p_h || s.p_w ? ', padding=' + pair([s.p_h, s.p_w]) : '') +
            (s.ceil_mode ? ', ceil_mode=True' : '') +
            (s.mode === 'avg' && !s.count_include_pad ? ', count_include_pad=False' : '') + ')';
        out('details').appendChild(el('span', {text: '(n + 2p − k) / s + 1 rounded with ' +
            (s.ceil_mode ? '⌈…⌉ (ceil_mode, a last window may overhang)' : '⌊…⌋') + ': '}));
        out('details').appendChild(el('code', {text: call}));
      } catch (err) {
        out('shape').textContent = 'No output for these settings.';
        out('message').textContent = err.message;
      }
    }
    watch(root, redraw);
    redraw();
  }

  // ---- kernel designer (kernels.py) ----------------------------------------------------------
  function normalise(K) {          // kernels.normalise: by the sum, or by the positive weights
    var flat = [].concat.apply([], K), total = flat.reduce(function (a, b) { return a + b; }, 0);
    var divisor = 1;
    if (Math.abs(total) > 1e-6) divisor = total;
    else {
      var positive = flat.reduce(function (a, b) { return a + Math.max(b, 0); }, 0);
      if (positive > 0) divisor = positive;
    }
    return {K: K.map(function (row) { return row.map(function (x) { return x / divisor; }); }), divisor: divisor};
  }

  function correlate(X, K) {       // corr2d / F.conv2d without padding
    var kh = K.length, kw = K[0].length, Y = [];
    for (var i = 0; i + kh <= X.length; i++) {
      var row = [];
      for (var j = 0; j + kw <= X[0].length; j++) {
        var s = 0;
        for (var a = 0; a < kh; a++) for (var b = 0; b < kw; b++) s += X[i + a][j + b] * K[a][b];
        row.push(s);
      }
      Y.push(row);
    }
    return Y;
  }

  function kernelDesigner(root) {
    var config = readJSON(root, 'config'), v = config.values;
    var presets = readJSON(root, 'presets'), images = readJSON(root, 'images'), edge = readJSON(root, 'edge');
    var field = function (name) { return root.querySelector('[name="' + name + '"]'); };
    var form = el('div', {className: 'book-widget-controls'});
    var column = el('div', {className: 'book-widget-column'}, [
      labelled('preset', select('preset', Object.keys(presets).concat([config.custom]), v.preset)),
      el('div', {className: 'book-widget-row'}, [
        labelled('size', select('size', config.sizes.map(function (k) { return [k + '×' + k, k]; }), v.size)),
        checkbox('normalise', v.normalise)]),
      labelled('image', select('source', config.sources, v.source)),
      labelled('class', select('label', config.labels, v.label)),
      labelled('#', select('index', [], v.index))]);
    form.appendChild(column);
    var grid = el('div', {className: 'book-widget-weights'});
    form.appendChild(el('div', {className: 'book-widget-column'}, [
      el('div', {}, [el('b', {text: 'kernel weights'}), ' (edit any)']), grid]));
    root.appendChild(form);
    var figures = el('div', {className: 'book-widget-figures'});
    root.appendChild(figures);
    var out = outputs(root);

    function indexOptions() {
      var label = field('label').value, index = field('index'), keep = index.value || String(v.index);
      index.textContent = '';
      images[label].forEach(function (_, i) { index.appendChild(el('option', {value: String(i), text: String(i)})); });
      index.value = Number(keep) < images[label].length ? keep : '0';
    }

    function fillGrid(K) {
      var k = K.length;
      grid.textContent = '';
      grid.style.gridTemplateColumns = 'repeat(' + k + ', minmax(3.2em, 4.2em))';
      for (var i = 0; i < k; i++) {
        for (var j = 0; j < k; j++) {
          grid.appendChild(numberInput('w_' + i + '_' + j, Math.round(K[i][j] * 1e4) / 1e4, null, 'any'));
        }
      }
    }

    function kernel() {
      var k = Number(field('size').value), K = [];
      for (var i = 0; i < k; i++) {
        var row = [];
        for (var j = 0; j < k; j++) {
          var raw = field('w_' + i + '_' + j).value.trim(), x = Number(raw);
          if (raw === '' || !isFinite(x)) {
            throw new Error('w_' + i + '_' + j + ' must be a number, got "' + raw + '". Type a number.');
          }
          row.push(x);
        }
        K.push(row);
      }
      return K;
    }

    function colourGrid(K) {
      var bound = Math.max(1e-6, Math.max.apply(null, [].concat.apply([], K).map(Math.abs)));
      K.forEach(function (row, i) {
        row.forEach(function (x, j) {
          var t = 0.5 + x / (2 * bound), box = field('w_' + i + '_' + j);
          box.style.background = rgb(diverging(t));
          box.style.color = t < 0.25 || t > 0.75 ? 'white' : 'black';
        });
      });
    }

    function onChange(event) {
      var name = event.target.name, k = Number(field('size').value), preset = field('preset').value;
      if (name === 'preset' && preset !== config.custom) fillGrid(presets[preset][k]);
      else if (name === 'size') {
        var old = grid.children.length === 9 ? 3 : 5;
        if (preset !== config.custom) fillGrid(presets[preset][k]);
        else {                       // keep a custom kernel's centre: crop 5 -> 3, pad 3 -> 5
          var K = [], o = Math.abs(old - k) / 2;
          for (var i = 0; i < k; i++) {
            var row = [];
            for (var j = 0; j < k; j++) {
              var a = k > old ? i - o : i + o, b = k > old ? j - o : j + o;
              var box = a >= 0 && a < old && b >= 0 && b < old ? field('w_' + a + '_' + b) : null;
              row.push(box ? Number(box.value) || 0 : 0);
            }
            K.push(row);
          }
          fillGrid(K);
        }
      } else if (name === 'label') indexOptions();
      else if (/^w_/.test(name) && preset !== config.custom) {
        try {
          var P = presets[preset][k], same = kernel().every(function (row, i) {
            return row.every(function (x, j) { return Math.abs(x - P[i][j]) <= 1e-4 + 1e-5 * Math.abs(P[i][j]); });
          });
          if (!same) field('preset').value = config.custom;
        } catch (err) { field('preset').value = config.custom; }
      }
      redraw();
    }

    function redraw() {
      var fashion = field('source').value === config.sources[0];
      field('label').disabled = field('index').disabled = !fashion;
      figures.textContent = '';
      ['shape', 'range', 'image', 'details', 'message'].forEach(function (n) { out(n).textContent = ''; });
      var X, title;
      if (fashion) {
        var label = field('label').value, index = Number(field('index').value);
        X = decodeImage(images[label][index]);
        title = label + ' #' + index + ' (28×28)';
      } else {
        X = edge;
        title = 'D2L edge image 6×8';
      }
      out('image').textContent = 'Image: ' + title + '.';
      try {
        var raw = kernel();
        colourGrid(raw);
        var norm = field('normalise').checked ? normalise(raw) : {K: raw, divisor: 1};
        var Y = correlate(X, norm.K), flat = [].concat.apply([], Y);
        var lo = Math.min.apply(null, flat), hi = Math.max.apply(null, flat), signed = lo < 0;
        var name = field('preset').value;
        figures.appendChild(matrixPanel(title, X, false, 200));
        figures.appendChild(matrixPanel('kernel: ' + name + (norm.divisor !== 1 ? ' ÷ ' + fmt(norm.divisor) : ''),
                                        norm.K, true, 120));
        figures.appendChild(matrixPanel('output ' + Y.length + '×' + Y[0].length +
                                        (signed ? ' (blue < 0 < red)' : ' (all ≥ 0)'), Y, signed, 200));
        var h = X.length, w = X[0].length, k = raw.length;
        out('shape').textContent = 'Input ' + h + '×' + w + ', kernel ' + k + '×' + k + ' → output (1, 1, ' +
            Y.length + ', ' + Y[0].length + ') (' + h + ' − ' + k + ' + 1 = ' + (h - k + 1) + ', ' +
            w + ' − ' + k + ' + 1 = ' + (w - k + 1) + ').';
        out('range').textContent = 'Output values from ' + lo.toFixed(3) + ' to ' + hi.toFixed(3) + '.';
      } catch (err) {
        out('shape').textContent = 'No output for these settings.';
        out('message').textContent = err.message;
      }
    }

    fillGrid(config.weights);
    indexOptions();
    field('index').value = String(v.index);
    root.addEventListener('change', onChange);
    root.addEventListener('input', function (event) { if (/^w_/.test(event.target.name)) onChange(event); });
    redraw();
  }

  // ---- start ---------------------------------------------------------------------------------
  var BUILDERS = {'kernel-designer': kernelDesigner, 'conv-shape-explorer': convExplorer,
                  'pooling-explorer': poolingExplorer};

  function start() {
    document.querySelectorAll('[data-book-widget]').forEach(function (root) {
      var build = BUILDERS[root.getAttribute('data-book-widget')];
      if (!build || root.hasAttribute('data-ready')) return;
      var fallback = root.querySelector('[data-role="fallback"]');
      try {
        build(root);
        if (fallback) fallback.remove();
        root.setAttribute('data-ready', '');
      } catch (err) {
        console.error('book_widgets.js: could not start ' + root.getAttribute('data-book-widget'), err);
      }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
