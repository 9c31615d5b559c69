import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import {
  chiSquareHomogeneity,
  jensenShannonDistance,
  ksTwoSample,
  normedWasserstein,
  proportionsWithZeroFill,
  psiQuantileBinned,
  twoProportionZTest,
} from '../../../shared/src/stats/index.js';
import { expectClose } from '../stats/golden.js';
import { categories, normals, tempDir, writeCsv } from './helpers.js';

const count = (values: string[], labels: string[]) => labels.map((l) => values.filter((v) => v === l).length);

describe('every method in SQL equals the in-memory statistic on the same data', () => {
  let dir: string;
  const ref = { x: normals(1, 3000, 0, 1), c: categories(2, 3000, { a: 5, b: 3, c: 2 }) };
  const cur = { x: normals(3, 2500, 0.15, 1.1), c: categories(4, 2500, { a: 4, b: 3, c: 3 }) };
  let refPath: string;
  let curPath: string;
  beforeAll(() => {
    dir = tempDir();
    refPath = writeCsv(dir, 'ref', ref);
    curPath = writeCsv(dir, 'cur', cur);
  });

  const column = async (name: string, method: string, exact?: boolean) => {
    const result = await runDriftCheck(
      {
        reference: refPath,
        current: curPath,
        columns: [name],
        method,
        driftShare: 0.5,
        reportPath: join(dir, `${name}-${method}.json`),
        workingDirectory: dir,
        exact,
      },
      silentLog,
    );
    return result.report.columns[0];
  };

  it('ks: statistic bit-identical, p-value to 1e-9', async () => {
    const expected = ksTwoSample(ref.x, cur.x);
    const got = await column('x', 'ks');
    expect(got.test_statistic).toBe(expected.statistic);
    expectClose(got.p_value!, expected.pValue, 1e-9, 1e-300, 'p');
    expect(got.drifted).toBe(true);
  });

  it('wasserstein (normed), psi, jensenshannon on 30 equal-width bins', async () => {
    const exactW = normedWasserstein(ref.x, cur.x);
    const exact = await column('x', 'wasserstein', true);
    expect([exact.path, exact.error_bound]).toEqual(['exact', 0]);
    expectClose(exact.statistic, exactW, 1e-9, 0, 'W1');
    // By default the 3,000-value reference takes the sketch, within its stated bound.
    const sketched = await column('x', 'wasserstein');
    expect(sketched.path).toBe('sketch');
    expect(sketched.error_bound).toBeGreaterThan(0);
    expect(Math.abs(sketched.statistic - exactW)).toBeLessThanOrEqual(sketched.error_bound! * (1 + 1e-9));
    expectClose((await column('x', 'psi')).statistic, psiQuantileBinned(ref.x, cur.x), 1e-9, 0, 'PSI');
    const js = await column('x', 'jensenshannon');
    expect(js.statistic).toBeGreaterThan(0);
    expect(js.statistic).toBeLessThan(1);
  });

  it('chi2, z and jensenshannon on categories', async () => {
    const labels = ['a', 'b', 'c'];
    const r = count(ref.c, labels);
    const k = count(cur.c, labels);
    const chi = await column('c', 'chi2');
    expectClose(chi.p_value!, chiSquareHomogeneity(r, k).pValue, 1e-9, 1e-300, 'chi2');
    const z = await column('c', 'z');
    expectClose(z.p_value!, twoProportionZTest(r[0], 3000, k[0], 2500).pValue, 1e-9, 1e-300, 'z');
    const js = await column('c', 'jensenshannon');
    expectClose(
      js.statistic,
      jensenShannonDistance(proportionsWithZeroFill(r, 3000), proportionsWithZeroFill(k, 2500)),
      1e-9,
      0,
      'js',
    );
  });
});

describe('synthetic shifts of known size', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  const check = async (
    name: string,
    reference: Record<string, unknown[]>,
    current: Record<string, unknown[]>,
  ) => {
    const result = await runDriftCheck(
      {
        reference: writeCsv(dir, `${name}-ref`, reference as never),
        current: writeCsv(dir, `${name}-cur`, current as never),
        method: 'auto',
        driftShare: 0.5,
        reportPath: join(dir, `${name}.json`),
        workingDirectory: dir,
      },
      silentLog,
    );
    return result.report.columns[0];
  };

  it('large reference: normed Wasserstein ≈ shift / std, drift above 0.1 only', async () => {
    const base = normals(10, 5000, 0, 2);
    const small = await check('w-small', { x: base }, { x: normals(11, 5000, 0.05, 2) });
    const large = await check('w-large', { x: base }, { x: normals(12, 5000, 1, 2) });
    expect(small.method).toBe('wasserstein');
    expect(small.drifted).toBe(false);
    expect(large.statistic).toBeGreaterThan(0.4);
    expect(large.statistic).toBeLessThan(0.6);
    expect(large.drifted).toBe(true);
  });

  it('small reference: KS flags a 1-sd shift, not a null one', async () => {
    const same = await check('ks-same', { x: normals(20, 400) }, { x: normals(21, 400) });
    const moved = await check('ks-moved', { x: normals(20, 400) }, { x: normals(22, 400, 1) });
    expect(same.method).toBe('ks');
    expect(same.drifted).toBe(false);
    expect(moved.drifted).toBe(true);
  });

  it('categories: chi2 (small, 3 values), z (small, 2 values), Jensen-Shannon (large)', async () => {
    const chi = await check(
      'chi',
      { c: categories(30, 800, { a: 1, b: 1, c: 1 }) },
      { c: categories(31, 800, { a: 2, b: 1, c: 1 }) },
    );
    expect(chi.method).toBe('chi2');
    expect(chi.drifted).toBe(true);
    const z = await check(
      'z',
      { c: categories(40, 900, { y: 1, n: 1 }) },
      { c: categories(41, 900, { y: 1, n: 1 }) },
    );
    expect(z.method).toBe('z');
    expect(z.drifted).toBe(false);
    const js = await check(
      'js',
      { c: categories(34, 5000, { a: 1, b: 1, c: 1 }) },
      { c: categories(35, 5000, { a: 3, b: 1, c: 1 }) },
    );
    expect(js.method).toBe('jensenshannon');
    expect(js.drifted).toBe(true);
  });
});
