// The kernel designer (kernel_designer.py), kernel-free: a preset or hand-typed 3x3 / 5x5
// kernel applied to a Fashion-MNIST image or D2L's edge image, with the output's range.
const BookKernelDesigner = (() => {
  const M = BookMaths, D = BookDom;

  function build(root) {
    const config = D.readJSON(root, 'config'), v = config.values;
    const presets = D.readJSON(root, 'presets'), images = D.readJSON(root, 'images');
    const edge = D.readJSON(root, 'edge');
    const field = (name) => D.field(root, name);
    const form = D.el('div', {className: 'book-widget-controls'});
    form.appendChild(D.el('div', {className: 'book-widget-column'}, [
      D.labelled('preset', D.select('preset', Object.keys(presets).concat([config.custom]), v.preset)),
      D.el('div', {className: 'book-widget-row'}, [
        D.labelled('size', D.select('size', config.sizes.map((k) => [`${k}×${k}`, k]), v.size)),
        D.checkbox('normalise', v.normalise)]),
      D.labelled('image', D.select('source', config.sources, v.source)),
      D.labelled('class', D.select('label', config.labels, v.label)),
      D.labelled('#', D.select('index', [], v.index))]));
    const grid = D.el('div', {className: 'book-widget-weights'});
    form.appendChild(D.el('div', {className: 'book-widget-column'}, [
      D.el('div', {}, [D.el('b', {text: 'kernel weights'}), ' (edit any)']), grid]));
    root.appendChild(form);
    const figures = D.el('div', {className: 'book-widget-figures'});
    root.appendChild(figures);
    const out = D.outputs(root);
    let gridSize = 0;   // the size of the grid on screen, kept here rather than read off the DOM

    function indexOptions() {
      const label = field('label').value, index = field('index'), keep = index.value || String(v.index);
      index.textContent = '';
      images[label].forEach((_, i) => index.appendChild(D.el('option', {value: String(i), text: String(i)})));
      index.value = Number(keep) < images[label].length ? keep : '0';
    }

    function fillGrid(K) {
      gridSize = K.length;
      grid.textContent = '';
      grid.style.gridTemplateColumns = `repeat(${gridSize}, minmax(3.2em, 4.2em))`;
      K.forEach((row, i) => row.forEach((x, j) => {
        grid.appendChild(D.numberInput(`w_${i}_${j}`, Math.round(x * 1e4) / 1e4, null, 'any'));
      }));
    }

    // The weights as typed; an Error names the first box that holds no number.
    function kernel() {
      return Array.from({length: gridSize}, (_, i) => Array.from({length: gridSize}, (_, j) => {
        const raw = field(`w_${i}_${j}`).value.trim(), x = Number(raw);
        if (raw === '' || !isFinite(x)) {
          throw new Error(`w_${i}_${j} must be a number, got "${raw}". Type a number.`);
        }
        return x;
      }));
    }

    // The weights as typed, a box that holds no number read as 0 (to carry over a resize).
    const lenientKernel = () => Array.from({length: gridSize}, (_, i) => Array.from(
      {length: gridSize}, (_, j) => Number(field(`w_${i}_${j}`).value) || 0));

    function colourGrid(K) {
      const bound = Math.max(1e-6, Math.max(...M.flatten(K).map(Math.abs)));
      K.forEach((row, i) => row.forEach((x, j) => {
        const t = 0.5 + x / (2 * bound), box = field(`w_${i}_${j}`);
        box.style.background = D.rgb(M.diverging(t));
        box.style.color = t < 0.25 || t > 0.75 ? 'white' : 'black';
      }));
    }

    function onChange(event) {
      const name = event.target.name, k = Number(field('size').value), preset = field('preset').value;
      if (name === 'preset' && preset !== config.custom) fillGrid(presets[preset][k]);
      else if (name === 'size') {   // keep a custom kernel's centre: crop 5 -> 3, pad 3 -> 5
        fillGrid(preset !== config.custom ? presets[preset][k] : M.resizeKernel(lenientKernel(), k));
      } else if (name === 'label') indexOptions();
      else if (/^w_/.test(name) && preset !== config.custom) {
        let same;
        try {
          same = M.sameKernel(kernel(), presets[preset][k]);
        } catch {   // a box without a number is no preset either
          same = false;
        }
        if (!same) field('preset').value = config.custom;
      }
      redraw();
    }

    function redraw() {
      const fashion = field('source').value === config.sources[0];
      field('label').disabled = field('index').disabled = !fashion;
      figures.textContent = '';
      D.clear(out, ['shape', 'range', 'image', 'details', 'message']);
      let X, title;
      if (fashion) {
        const label = field('label').value, index = Number(field('index').value);
        X = M.decodeImage(images[label][index]);
        title = `${label} #${index} (28×28)`;
      } else {
        X = edge;
        title = 'D2L edge image 6×8';
      }
      out.image.textContent = `Image: ${title}.`;
      try {
        const raw = kernel();
        colourGrid(raw);
        const norm = field('normalise').checked ? M.normalise(raw) : {K: raw, divisor: 1};
        const Y = M.correlate(X, norm.K), flat = M.flatten(Y);
        const lo = Math.min(...flat), hi = Math.max(...flat), signed = lo < 0;
        const name = field('preset').value;
        figures.appendChild(D.matrixPanel(title, X, false, 200));
        figures.appendChild(D.matrixPanel(`kernel: ${name}` +
                                          (norm.divisor !== 1 ? ` ÷ ${M.fmt(norm.divisor)}` : ''), norm.K, true, 120));
        figures.appendChild(D.matrixPanel(`output ${Y.length}×${Y[0].length}` +
                                          (signed ? ' (blue < 0 < red)' : ' (all ≥ 0)'), Y, signed, 200));
        const h = X.length, w = X[0].length, k = raw.length;
        out.shape.textContent = `Input ${h}×${w}, kernel ${k}×${k} → output (1, 1, ${Y.length}, ` +
            `${Y[0].length}) (${h} − ${k} + 1 = ${h - k + 1}, ${w} − ${k} + 1 = ${w - k + 1}).`;
        out.range.textContent = `Output values from ${lo.toFixed(3)} to ${hi.toFixed(3)}.`;
      } catch (err) {
        out.shape.textContent = 'No output for these settings.';
        out.message.textContent = err.message;
      }
    }

    fillGrid(config.weights);
    indexOptions();
    field('index').value = String(v.index);
    root.addEventListener('change', onChange);
    root.addEventListener('input', (event) => { if (/^w_/.test(event.target.name)) onChange(event); });
    redraw();
  }

  return Object.freeze({build});
})();
