// ESLint (flat config) for the book's own JavaScript: the widget sources in widgets_js/.
// Run: npx eslint widgets_js   (make lint). The generated book_widgets.js is not linted:
// it is the concatenation of these files (tests/test_widget_js.py checks that).
import js from '@eslint/js';
import globals from 'globals';

// Each source file defines one const the later files use (see tools/offline_assets.py).
const SHARED = {BookMaths: 'readonly', BookDom: 'readonly', BookConvShapeExplorer: 'readonly',
                BookPoolingExplorer: 'readonly', BookKernelDesigner: 'readonly'};

export default [
  js.configs.recommended,
  {
    files: ['widgets_js/src/**/*.js'],
    languageOptions: {ecmaVersion: 2022, sourceType: 'script',
                      globals: {...globals.browser, ...SHARED}},
    rules: {
      // the const a file defines is used by the next files, which ESLint does not see
      'no-unused-vars': ['error', {varsIgnorePattern: '^Book'}],
      'no-redeclare': ['error', {builtinGlobals: false}],
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: 'error',
    },
  },
  {
    files: ['widgets_js/test/**/*.js'],
    languageOptions: {ecmaVersion: 2022, sourceType: 'commonjs', globals: globals.node},
    rules: {'no-var': 'error', 'prefer-const': 'error', eqeqeq: 'error'},
  },
];
