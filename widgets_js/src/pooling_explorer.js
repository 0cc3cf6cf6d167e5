// The pooling explorer (pooling.py), kernel-free: max or average pooling of the seed's
// small matrix, the winner of each max framed in its output's colour, and an image pooled.
const BookPoolingExplorer = (() => {
  const M = BookMaths, D = BookDom;
  const NUMBERS = ['k_h', 'k_w', 's_h', 's_w', 'p_h', 'p_w', 'rows', 'cols'];

  function readSettings(root, limits) {
    const v = {};
    NUMBERS.forEach((name) => { v[name] = D.readInt(root, name, limits[name]); });
    v.mode = D.field(root, 'mode').value;
    v.ceil_mode = D.field(root, 'ceil_mode').checked;
    v.count_include_pad = D.field(root, 'count_include_pad').checked;
    M.checkPoolPadding(v);
    return v;
  }

  function drawMatrix(X, v, res) {
    const H = X.length, W = X[0].length, oh = res.Y.length, ow = res.Y[0].length;
    const reachB = Math.max((oh - 1) * v.s_h - v.p_h + v.k_h, H + v.p_h);
    const reachR = Math.max((ow - 1) * v.s_w - v.p_w + v.k_w, W + v.p_w);
    const read = X.map((row) => row.map(() => false));
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const top = i * v.s_h - v.p_h, left = j * v.s_w - v.p_w;
        for (let a = Math.max(top, 0); a < Math.min(top + v.k_h, H); a++) {
          for (let c = Math.max(left, 0); c < Math.min(left + v.k_w, W); c++) read[a][c] = true;
        }
      }
    }
    const padText = v.mode === 'max' ? '−∞' : '0';
    const p = D.panel(`input ${H}×${W} (padding shows ${padText}); ` +
                      (v.mode === 'max' ? 'frames: the winner of each max' : 'average of each window') +
                      '; red: never read', reachB + v.p_h, reachR + v.p_w);
    const g = D.svg('g', {transform: `translate(${v.p_w} ${v.p_h})`});
    p.svg.appendChild(g);
    for (let r = -v.p_h; r < reachB; r++) {
      for (let k = -v.p_w; k < reachR; k++) {
        const real = r >= 0 && r < H && k >= 0 && k < W, inPad = r < H + v.p_h && k < W + v.p_w;
        D.rect(g, k, r, 1, 1, {fill: real ? (read[r][k] ? '#fff' : '#ffc7c7') : inPad ? '#dbdbdb' : '#fff',
                               stroke: '#aaa', 'stroke-width': '0.03',
                               'stroke-dasharray': inPad ? 'none' : '0.1 0.1'});
        if (real || inPad) {
          D.text(g, k + 0.5, r + 0.5, real ? M.fmt(X[r][k]) : padText, {fill: real ? '#000' : '#666'});
        }
      }
    }
    D.rect(g, 0, 0, W, H, {fill: 'none', stroke: 'black', 'stroke-width': '0.06'});
    if (v.mode === 'max') {   // a frame around each winner, nested if it won several outputs
      const wins = {};
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const at = res.winners[i][j];
          if (!at) continue;
          const key = at.join(','), inset = 0.08 * (wins[key] || 0);
          wins[key] = (wins[key] || 0) + 1;
          D.rect(g, at[1] + 0.05 + inset, at[0] + 0.05 + inset, 0.9 - 2 * inset, 0.9 - 2 * inset,
                 {fill: 'none', stroke: D.rgb(M.outputColour(i, j, ow)), 'stroke-width': '0.08'});
        }
      }
    }
    [[0, 0, 'none'], [oh - 1, ow - 1, '0.25 0.15']].forEach(([i, j, dash]) => {
      D.rect(g, j * v.s_w - v.p_w + 0.06, i * v.s_h - v.p_h + 0.06, v.k_w - 0.12, v.k_h - 0.12,
             {fill: 'none', stroke: D.rgb(M.outputColour(i, j, ow)), 'stroke-width': '0.06',
              'stroke-dasharray': dash});
    });
    const out = D.panel(`${v.mode} pooled ${oh}×${ow}`, oh, ow, 200, 40);
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        D.rect(out.svg, j, i, 1, 1, {fill: D.rgb(M.lighter(M.outputColour(i, j, ow))),
                                     stroke: '#888', 'stroke-width': '0.03'});
        D.text(out.svg, j + 0.5, i + 0.5, M.fmt(res.Y[i][j]), {fill: '#000', 'font-size': '0.34'});
      }
    }
    return [p.figure, out.figure];
  }

  function build(root) {
    const config = D.readJSON(root, 'config'), v = config.values, limits = config.limits;
    const matrices = D.readJSON(root, 'matrices'), images = D.readJSON(root, 'images');
    const form = D.el('div', {className: 'book-widget-controls'});
    const table = D.el('div', {className: 'book-widget-table'},
                       [D.el('span'), D.el('b', {text: 'height'}), D.el('b', {text: 'width'})]);
    [['window', 'k_h', 'k_w'], ['stride', 's_h', 's_w'], ['padding', 'p_h', 'p_w']].forEach(([label, h, w]) => {
      table.appendChild(D.el('span', {text: label}));
      table.appendChild(D.numberInput(h, v[h], limits[h]));
      table.appendChild(D.numberInput(w, v[w], limits[w]));
    });
    form.appendChild(table);
    const column = D.el('div', {className: 'book-widget-column'}, [
      D.labelled('mode', D.select('mode', config.options.mode, v.mode)),
      D.el('div', {className: 'book-widget-row'}, [
        D.checkbox('ceil_mode', v.ceil_mode),
        D.checkbox('count_include_pad', v.count_include_pad, 'count_include_pad (avg)')]),
      D.el('div', {className: 'book-widget-row'}, [
        D.labelled('matrix rows', D.numberInput('rows', v.rows, limits.rows)),
        D.labelled('cols', D.numberInput('cols', v.cols, limits.cols)),
        D.el('span', {text: `seed ${v.seed}`})]),
      D.labelled('image', D.select('label', config.labels, v.label))]);
    form.appendChild(column);
    root.appendChild(form);
    const figures = D.el('div', {className: 'book-widget-figures'});
    root.appendChild(figures);
    const out = D.outputs(root);

    function redraw() {
      D.field(root, 'count_include_pad').disabled = D.field(root, 'mode').value !== 'avg';
      figures.textContent = '';
      D.clear(out, ['range', 'image', 'details', 'message']);
      try {
        const s = readSettings(root, limits);
        const flat = matrices[`${s.rows}x${s.cols}`];
        const X = Array.from({length: s.rows}, (_, i) => flat.slice(i * s.cols, (i + 1) * s.cols));
        const res = M.pool(X, s);
        const label = D.field(root, 'label').value;
        const img = M.decodeImage(images[label]), pooled = M.pool(img, s).Y;
        drawMatrix(X, s, res).forEach((f) => figures.appendChild(f));
        figures.appendChild(D.matrixPanel(`${label} 28×28`, img, false, 140));
        figures.appendChild(D.matrixPanel(`pooled ${pooled.length}×${pooled[0].length}`, pooled, false, 140));
        out.shape.textContent = `Output shape (1, 1, ${res.Y.length}, ${res.Y[0].length}) from a ` +
            `(1, 1, ${s.rows}, ${s.cols}) matrix.`;
        out.image.textContent = `The image (${label}): 28×28 → ${pooled.length}×${pooled[0].length}.`;
        out.details.appendChild(D.el('span', {text: '(n + 2p − k) / s + 1 rounded with ' +
            (s.ceil_mode ? '⌈…⌉ (ceil_mode, a last window may overhang)' : '⌊…⌋') + ': '}));
        out.details.appendChild(D.el('code', {text: M.poolCall(s)}));
      } catch (err) {
        out.shape.textContent = 'No output for these settings.';
        out.message.textContent = err.message;
      }
    }
    D.watch(root, redraw);
    redraw();
  }

  return Object.freeze({build, readSettings});
})();
