// BookDom: DOM and SVG helpers shared by the widgets (no maths, no state).
const BookDom = (() => {
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    Object.entries(attrs).forEach(([key, value]) => {
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else node.setAttribute(key, value);
    });
    children.forEach((child) => {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  // The JSON island the Python view wrote (html_parts.json_script), or null.
  function readJSON(root, role) {
    const node = root.querySelector(`script[data-role="${role}"]`);
    return node ? JSON.parse(node.textContent) : null;
  }

  const field = (root, name) => root.querySelector(`[name="${name}"]`);

  function numberInput(name, value, limits, step = '1') {
    const attrs = {type: 'number', name, value: String(value), step,
                   'aria-label': name.replace(/_/g, ' ')};
    if (limits) {
      attrs.min = String(limits[0]);
      attrs.max = String(limits[1]);
    }
    return el('input', attrs);
  }

  function select(name, options, value) {
    const node = el('select', {name, 'aria-label': name.replace(/_/g, ' ')});
    options.forEach((option) => {
      const [text, optionValue] = Array.isArray(option) ? option : [option, option];
      const item = el('option', {value: String(optionValue), text: String(text)});
      if (String(optionValue) === String(value)) item.selected = true;
      node.appendChild(item);
    });
    return node;
  }

  function checkbox(name, checked, text) {
    const box = el('input', {type: 'checkbox', name});
    box.checked = !!checked;
    return el('label', {className: 'book-widget-check'}, [box, ` ${text || name}`]);
  }

  const labelled = (text, control) => el('label', {className: 'book-widget-control'}, [`${text} `, control]);

  // A whole number from a named box (BookMaths.checkWholeNumber says what is wrong).
  const readInt = (root, name, limits) => BookMaths.checkWholeNumber(name, field(root, name).value, limits);

  const rgb = (c) => `rgb(${c.join(',')})`;

  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs = {}) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, v));
    return node;
  }

  // A panel: a title above an SVG of `cols` x `rows` unit cells (one SVG unit = one cell).
  function panel(title, rows, cols, maxPx = 260, maxCell = 28) {
    const cell = Math.max(4, Math.min(maxCell, Math.floor(maxPx / Math.max(rows, cols))));
    const picture = svg('svg', {viewBox: [-0.05, -0.05, cols + 0.1, rows + 0.1].join(' '),
                                width: String(cols * cell), height: String(rows * cell),
                                role: 'img', 'aria-label': title});
    const caption = el('figcaption', {text: title});
    const figure = el('figure', {className: 'book-widget-panel'}, [caption]);
    figure.appendChild(picture);
    return {figure, svg: picture, caption};
  }

  function rect(picture, x, y, w, h, attrs = {}) {
    picture.appendChild(svg('rect', {x, y, width: w, height: h, ...attrs}));
  }

  function text(picture, x, y, value, attrs = {}) {
    const node = svg('text', {x, y, 'text-anchor': 'middle', 'dominant-baseline': 'central',
                              'font-size': '0.42', ...attrs});
    node.textContent = value;
    picture.appendChild(node);
  }

  // A matrix as coloured cells: grey for non-negative values, diverging around zero otherwise.
  function matrixPanel(title, M, signed, maxPx) {
    const rows = M.length, cols = M[0].length, p = panel(title, rows, cols, maxPx);
    const flat = BookMaths.flatten(M);
    const bound = signed ? Math.max(1e-6, Math.max(...flat.map(Math.abs)))
      : Math.max(1e-6, Math.max(...flat));
    const annotate = rows * cols <= 64;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const t = signed ? 0.5 + M[i][j] / (2 * bound) : M[i][j] / bound;
        rect(p.svg, j, i, 1.02, 1.02, {fill: rgb(signed ? BookMaths.diverging(t) : BookMaths.grey(t))});
        if (annotate) {
          const dark = signed ? (t < 0.25 || t > 0.75) : t < 0.5;
          text(p.svg, j + 0.5, i + 0.5, BookMaths.fmt(M[i][j], 2),
               {fill: dark ? 'white' : 'black', 'font-size': '0.32'});
        }
      }
    }
    return p.figure;
  }

  const OUTPUTS = ['shape', 'range', 'image', 'details', 'message'];

  // The lines under the figures; returns name -> element.
  function outputs(root) {
    const lines = el('div', {className: 'book-widget-info'});
    const byName = {};
    OUTPUTS.forEach((name) => {
      byName[name] = el('div', {'data-output': name, className: `book-widget-${name}`});
      lines.appendChild(byName[name]);
    });
    root.appendChild(lines);
    return byName;
  }

  function clear(out, names) {
    names.forEach((name) => { out[name].textContent = ''; });
  }

  function watch(root, redraw) {
    root.addEventListener('input', redraw);
    root.addEventListener('change', redraw);
  }

  return Object.freeze({el, readJSON, field, numberInput, select, checkbox, labelled, readInt,
                        rgb, svg, panel, rect, text, matrixPanel, outputs, clear, watch});
})();
