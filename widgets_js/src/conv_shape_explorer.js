// The convolution shape explorer (conv_shapes.py), kernel-free: a table of settings, the
// padded input with its first two windows, the coverage map and the output grid.
const BookConvShapeExplorer = (() => {
  const M = BookMaths, D = BookDom;
  const NUMBERS = ['in_h', 'in_w', 'k_h', 'k_w', 'pad_h', 'pad_w', 's_h', 's_w', 'd_h', 'd_w',
                   'c_in', 'c_out', 'groups'];

  // The control values, as the Python widget's `controls` name them.
  function readSettings(root, limits) {
    const v = {};
    NUMBERS.forEach((name) => { v[name] = D.readInt(root, name, limits[name]); });
    v.padding = D.field(root, 'padding').value;
    v.padding_mode = D.field(root, 'padding_mode').value;
    return v;
  }

  function drawInput(v, g) {
    const [rows, cols] = g.sources, H = rows.length, W = cols.length;
    const top = g.pads[0][0], left = g.pads[1][0], label = Math.max(H, W) <= 16;
    const input = D.panel(`input ${g.n[0]}×${g.n[1]} + padding (${v.padding_mode}); blue: the ` +
                          'first window (tinted: its taps), dashed: the next', H, W);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const real = i >= top && i < top + g.n[0] && j >= left && j < left + g.n[1];
        const zero = rows[i] === null || cols[j] === null;
        D.rect(input.svg, j, i, 1, 1, {fill: real ? '#fff' : zero ? '#dbdbdb' : '#ffdba8',
                                       stroke: '#999', 'stroke-width': '0.03'});
        if (label) {
          D.text(input.svg, j + 0.5, i + 0.5, zero ? '0' : String(rows[i] * g.n[1] + cols[j] + 1),
                 {fill: '#222'});
        }
      }
    }
    D.rect(input.svg, left, top, g.n[1], g.n[0], {fill: 'none', stroke: 'black', 'stroke-width': '0.1'});
    for (let a = 0; a < g.k[0]; a++) {
      for (let b = 0; b < g.k[1]; b++) {
        D.rect(input.svg, b * g.d[1], a * g.d[0], 1, 1, {fill: 'rgba(31,119,180,0.3)'});
      }
    }
    const next = nextWindow(g);
    D.rect(input.svg, 0, 0, g.field[1], g.field[0], {fill: 'none', stroke: '#1f77b4', 'stroke-width': '0.12'});
    if (next) {
      D.rect(input.svg, next[1], next[0], g.field[1], g.field[0],
             {fill: 'none', stroke: '#1f77b4', 'stroke-width': '0.12', 'stroke-dasharray': '0.3 0.2'});
    }
    return input.figure;
  }

  // Where the dashed second window starts: to the right if there is room, else below.
  const nextWindow = (g) => (g.out[1] > 1 ? [0, g.s[1]] : g.out[0] > 1 ? [g.s[0], 0] : null);

  function drawCoverage(g) {
    const H = g.sources[0].length, W = g.sources[1].length;
    const top = g.pads[0][0], left = g.pads[1][0], label = Math.max(H, W) <= 16;
    const counts = M.coverage(g);
    const peak = Math.max(1, Math.max(...counts[0]) * Math.max(...counts[1]));
    const inside = (i, j) => i >= top && i < top + g.n[0] && j >= left && j < left + g.n[1];
    let unread = 0;
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) if (!(counts[0][i] * counts[1][j]) && inside(i, j)) unread += 1;
    }
    const cover = D.panel(`coverage: taps reading each cell; red: never read (${unread} of ` +
                          `${g.n[0] * g.n[1]} input pixels)`, H, W);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const c = counts[0][i] * counts[1][j], t = c / peak;
        const fill = c ? D.rgb([Math.round(255 * (1 - 0.75 * t)), Math.round(255 * (1 - 0.45 * t)), 255])
          : '#ffc7c7';
        D.rect(cover.svg, j, i, 1, 1, {fill, stroke: '#999', 'stroke-width': '0.03'});
        if (label && c) D.text(cover.svg, j + 0.5, i + 0.5, String(c), {fill: '#222'});
      }
    }
    D.rect(cover.svg, left, top, g.n[1], g.n[0], {fill: 'none', stroke: 'black', 'stroke-width': '0.1'});
    return cover.figure;
  }

  function drawOutput(v, g) {
    const next = nextWindow(g);
    const out = D.panel(`output ${v.c_out}×${g.out[0]}×${g.out[1]} (from the two blue windows)`,
                        g.out[0], g.out[1], 160);
    for (let i = 0; i < g.out[0]; i++) {
      for (let j = 0; j < g.out[1]; j++) {
        const first = i === 0 && j === 0;
        const second = !!next && (next[1] ? i === 0 && j === 1 : i === 1 && j === 0);
        D.rect(out.svg, j, i, 1, 1, {fill: first ? '#8cbff2' : second ? '#c7def7' : '#ededed',
                                     stroke: '#999', 'stroke-width': '0.03'});
      }
    }
    return out.figure;
  }

  function build(root) {
    const config = D.readJSON(root, 'config'), v = config.values, limits = config.limits;
    const form = D.el('div', {className: 'book-widget-controls'});
    const table = D.el('div', {className: 'book-widget-table'},
                       [D.el('span'), D.el('b', {text: 'height'}), D.el('b', {text: 'width'})]);
    [['input', 'in_h', 'in_w'], ['kernel', 'k_h', 'k_w'], ['padding', 'pad_h', 'pad_w'],
     ['stride', 's_h', 's_w'], ['dilation', 'd_h', 'd_w']].forEach(([label, h, w]) => {
      table.appendChild(D.el('span', {text: label}));
      table.appendChild(D.numberInput(h, v[h], limits[h]));
      table.appendChild(D.numberInput(w, v[w], limits[w]));
    });
    form.appendChild(table);
    const right = D.el('div', {className: 'book-widget-column'});
    right.appendChild(D.labelled('padding', D.select('padding', config.options.padding, v.padding)));
    right.appendChild(D.labelled('mode', D.select('padding_mode', config.options.padding_mode, v.padding_mode)));
    const channels = D.el('div', {className: 'book-widget-row'}, [
      D.labelled('channels in', D.numberInput('c_in', v.c_in, limits.c_in)),
      D.labelled('out', D.numberInput('c_out', v.c_out, limits.c_out)),
      D.labelled('groups', D.numberInput('groups', v.groups, limits.groups))]);
    const standard = D.el('button', {type: 'button', title: 'groups = 1', text: 'standard'});
    const depthwise = D.el('button', {type: 'button', title: 'groups = in = out channels', text: 'depthwise'});
    channels.appendChild(D.el('span', {className: 'book-widget-row'}, [standard, depthwise]));
    right.appendChild(channels);
    form.appendChild(right);
    root.appendChild(form);
    const figures = D.el('div', {className: 'book-widget-figures'});
    root.appendChild(figures);
    const out = D.outputs(root);
    const field = (name) => D.field(root, name);

    function redraw() {
      field('pad_h').disabled = field('pad_w').disabled = field('padding').value !== 'numbers';
      figures.textContent = '';
      D.clear(out, ['details', 'message']);
      try {
        const s = readSettings(root, limits), g = M.convGeometry(s);
        [drawInput(s, g), drawCoverage(g), drawOutput(s, g)].forEach((f) => figures.appendChild(f));
        out.shape.textContent = `Output shape (1, ${s.c_out}, ${g.out[0]}, ${g.out[1]}) for an ` +
            `input (1, ${s.c_in}, ${g.n[0]}, ${g.n[1]}).`;
        const cost = M.convCosts(s, g);
        const saving = s.groups > 1 ? ` (a standard convolution, groups = 1: ${M.thousands(cost.standardParams)} ` +
            `parameters, ${M.thousands(cost.standardMadds)} multiply-adds; ${s.groups}× more)` : '';
        out.details.appendChild(D.el('div', {className: 'book-widget-formula',
                                             text: M.formulaLines(g).join('\n')}));
        out.details.appendChild(D.el('div', {text: `Receptive field of one output value: ${g.field[0]}×` +
            `${g.field[1]} input pixels. Parameters: ${M.thousands(cost.params)}; multiply-adds: ` +
            `${M.thousands(cost.madds)}${saving}.`}));
        out.details.appendChild(D.el('code', {text: M.conv2dCall(s, g)}));
      } catch (err) {
        out.shape.textContent = 'No output for these settings.';
        out.message.textContent = err.message;
      }
    }
    standard.addEventListener('click', () => {
      field('groups').value = '1';
      redraw();
    });
    depthwise.addEventListener('click', () => {
      field('groups').value = field('c_in').value;
      field('c_out').value = field('c_in').value;
      redraw();
    });
    D.watch(root, redraw);
    redraw();
  }

  return Object.freeze({build, readSettings});
})();
