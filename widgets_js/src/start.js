// Start every widget root on the page once (data-ready marks a started one).
const BUILDERS = {
  'kernel-designer': BookKernelDesigner.build,
  'conv-shape-explorer': BookConvShapeExplorer.build,
  'pooling-explorer': BookPoolingExplorer.build,
};

function start() {
  document.querySelectorAll('[data-book-widget]').forEach((root) => {
    const build = BUILDERS[root.getAttribute('data-book-widget')];
    if (!build || root.hasAttribute('data-ready')) return;
    const fallback = root.querySelector('[data-role="fallback"]');
    try {
      build(root);
      if (fallback) fallback.remove();
      root.setAttribute('data-ready', '');
    } catch (err) {
      console.error(`book_widgets.js: could not start ${root.getAttribute('data-book-widget')}`, err);
    }
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
