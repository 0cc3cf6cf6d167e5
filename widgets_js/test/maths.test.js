// The browser widgets' maths (src/maths.js) against vectors written from the Python maths
// by tools/widget_vectors.py. Run: node --test widgets_js/test  (Node 18+, no dependency).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const SRC = path.join(__dirname, '..', 'src', 'maths.js');
// A classic script, as in the page (no module system): evaluate it and take its one const.
const M = new vm.Script(`${fs.readFileSync(SRC, 'utf8')}\nBookMaths;`, {filename: SRC})
  .runInThisContext();
const V = JSON.parse(fs.readFileSync(path.join(__dirname, 'vectors.json'), 'utf8'));

// The JS result, or the sentence of the Error it throws.
function attempt(call) {
  try {
    return {result: call(), error: null};
  } catch (err) {
    return {result: null, error: err.message};
  }
}

// Numbers equal to `tol` (float32 in Python, float64 here), everything else exactly.
function close(actual, expected, tol, where = '') {
  if (typeof expected === 'number') {
    assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
              `${where}: ${actual} != ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.equal(actual.length, expected.length, `${where}: length`);
    expected.forEach((e, i) => close(actual[i], e, tol, `${where}[${i}]`));
  } else {
    assert.deepEqual(actual, expected, where);
  }
}

function bothRefuseOrAgree(name, cases, run, check) {
  test(name, () => {
    assert.ok(cases.length > 20, 'too few vectors');
    let refused = 0;
    cases.forEach((c, n) => {
      const got = attempt(() => run(c));
      assert.equal(got.error, c.error, `case ${n}: ${JSON.stringify(c.values || c.args)}`);
      if (c.error) refused += 1;
      else check(got.result, c, `case ${n}`);
    });
    assert.ok(refused > 0 && refused < cases.length, `refusals exercised: ${refused}`);
  });
}

bothRefuseOrAgree('outputSize is conv_output_shape, with its sentence for an empty output',
                  V.outputSize, (c) => M.outputSize(...c.args),
                  (size, c, where) => assert.equal(size, c.size, where));

bothRefuseOrAgree('convGeometry, coverage, formula, call and costs are conv_geometry.py\'s',
                  V.convGeometry, (c) => {
                    const g = M.convGeometry(c.values);
                    return {g, coverage: M.coverage(g), formula: M.formulaLines(g),
                            call: M.conv2dCall(c.values, g), cost: M.convCosts(c.values, g)};
                  }, (r, c, where) => {
                    const e = c.result;
                    assert.deepEqual(r.g.out, e.out, `${where} out`);
                    assert.deepEqual(r.g.pads, e.pads, `${where} pads`);
                    assert.deepEqual(r.g.sources, e.sources, `${where} sources`);
                    assert.deepEqual(r.g.field, e.field, `${where} field`);
                    const [rows, cols] = r.coverage;
                    assert.deepEqual(rows.map((a) => cols.map((b) => a * b)), e.coverage,
                                     `${where} coverage`);
                    assert.deepEqual(r.formula, e.formula, `${where} formula`);
                    assert.equal(r.call, e.call, `${where} call`);
                    assert.deepEqual([r.cost.params, r.cost.madds, r.cost.standardParams,
                                      r.cost.standardMadds],
                                     [e.params, e.madds, e.standardParams, e.standardMadds],
                                     `${where} costs`);
                  });

bothRefuseOrAgree('pool gives pooling_maths.pool\'s values, winners and layer call',
                  V.pool, (c) => ({res: M.pool(c.result.X, c.values), call: M.poolCall(c.values)}),
                  (r, c, where) => {
                    close(r.res.Y, c.result.Y, 1e-6, `${where} Y`);
                    assert.deepEqual(r.res.winners, c.result.winners, `${where} winners`);
                    assert.equal(r.call, c.result.call, `${where} call`);
                  });

test('outputColour is pooling_maths.output_colour in 0-255', () => {
  V.outputColour.forEach((c) => assert.deepEqual(M.outputColour(...c.args), c.rgb, String(c.args)));
});

// Python sums a kernel in float32: a sum near zero (0.01 from nine weights near 1) is good to
// about 1e-5 of itself, hence the tolerance.
test('normalise divides by kernels.normalise\'s divisor', () => {
  V.normalise.forEach((c, n) => {
    const r = M.normalise(c.K);
    close(r.divisor, c.divisor, 1e-4, `case ${n} divisor`);
    close(r.K, c.normalised, 1e-4, `case ${n} K`);
  });
});

test('correlate is kernels.apply_kernel (F.conv2d, no padding)', () => {
  V.correlate.forEach((c, n) => close(M.correlate(c.X, c.K), c.Y, 1e-5, `case ${n}`));
});

test('resizeKernel keeps the centre as kernels.resize does', () => {
  V.resizeKernel.forEach((c, n) => close(M.resizeKernel(c.K, c.size), c.resized, 0, `case ${n}`));
});

test('sameKernel: a preset is itself, one weight off by 0.01 is not', () => {
  V.resizeKernel.forEach((c) => {
    assert.ok(M.sameKernel(c.K, c.K));
    const edited = c.K.map((row) => row.slice());
    edited[0][0] += 0.01;
    assert.ok(!M.sameKernel(edited, c.K));
  });
});

test('decodeImage reads html_parts.uint8_image back to the values Python rounded', () => {
  V.decodeImage.forEach((c) => close(M.decodeImage(c.image), c.values, 1e-7, 'image'));
});

test('checkWholeNumber takes whole numbers in range and names the box otherwise', () => {
  assert.equal(M.checkWholeNumber('k_h', ' 3 ', [1, 6]), 3);
  for (const raw of ['', '2.5', 'x', '7', '0']) {
    assert.throws(() => M.checkWholeNumber('k_h', raw, [1, 6]),
                  {message: `k_h must be a whole number from 1 to 6, got "${raw}". Type a number in that range.`});
  }
});
