/**
 * Every drift decision at its boundary: exactly at, one double above and one below. DESIGN.md §5:
 * "Drift when p < 0.05 (KS: p <= 0.05) or distance >= 0.1; dataset drift when share of drifted
 * columns >= 0.5"; the method by reference size "n <= 1000" and by ">5 distinct values".
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import {
  DRIFT_METHODS,
  defaultMethod,
  isDrifted,
  METHOD_INFO,
  NUMERIC_AS_CATEGORY_MAX_DISTINCT,
  SMALL_REFERENCE_ROWS,
} from '../../../shared/src/drift/methods.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { nextDown, nextUp } from '../../harness/floats.js';
import { normals, tempDir, writeCsv } from './helpers.js';

describe('column verdict at the threshold (isDrifted)', () => {
  const distances = DRIFT_METHODS.filter((m) => METHOD_INFO[m].kind === 'distance');
  const strictTests = DRIFT_METHODS.filter((m) => METHOD_INFO[m].kind === 'test' && m !== 'ks');

  it.each(distances)(
    '%s: drift when distance >= threshold (at: drift, just below: none, above: drift)',
    (m) => {
      const t = METHOD_INFO[m].threshold;
      expect(isDrifted(m, t, t)).toBe(true);
      expect(isDrifted(m, nextDown(t), t)).toBe(false);
      expect(isDrifted(m, nextUp(t), t)).toBe(true);
    },
  );

  it.each(strictTests)('%s: drift when p < threshold (at: none, just below: drift, above: none)', (m) => {
    const t = METHOD_INFO[m].threshold;
    expect(isDrifted(m, t, t)).toBe(false);
    expect(isDrifted(m, nextDown(t), t)).toBe(true);
    expect(isDrifted(m, nextUp(t), t)).toBe(false);
  });

  it('ks: drift when p <= threshold, as Evidently (at: drift, just below: drift, above: none)', () => {
    const t = METHOD_INFO.ks.threshold;
    expect(isDrifted('ks', t, t)).toBe(true);
    expect(isDrifted('ks', nextDown(t), t)).toBe(true);
    expect(isDrifted('ks', nextUp(t), t)).toBe(false);
  });

  it('a NaN statistic is never a drift verdict, for tests and distances alike', () => {
    for (const m of DRIFT_METHODS) expect(isDrifted(m, Number.NaN, METHOD_INFO[m].threshold)).toBe(false);
  });

  it('the documented default thresholds: p 0.05 for tests, 0.1 for distances, 0.25 for PSI', () => {
    expect(Object.fromEntries(DRIFT_METHODS.map((m) => [m, METHOD_INFO[m].threshold]))).toEqual({
      ks: 0.05,
      chi2: 0.05,
      z: 0.05,
      wasserstein: 0.1,
      jensenshannon: 0.1,
      psi: 0.25,
      linf: 0.1,
      jsd_log2: 0.1,
    });
  });
});

describe('method choice by reference size: statistical tests when n <= 1000', () => {
  it('the documented boundary is 1000 rows and more than 5 distinct values is continuous', () => {
    expect(SMALL_REFERENCE_ROWS).toBe(1000);
    expect(NUMERIC_AS_CATEGORY_MAX_DISTINCT).toBe(5);
  });

  it('numeric, continuous: ks at 999 and 1000 rows (n <= 1000), wasserstein at 1001', () => {
    expect(defaultMethod('numeric', 999, 50)).toBe('ks');
    expect(defaultMethod('numeric', 1000, 50)).toBe('ks');
    expect(defaultMethod('numeric', 1001, 50)).toBe('wasserstein');
  });

  it('categorical with > 2 values: chi2 at 999 and 1000 rows (n <= 1000), jensenshannon at 1001', () => {
    expect(defaultMethod('categorical', 999, 3)).toBe('chi2');
    expect(defaultMethod('categorical', 1000, 3)).toBe('chi2');
    expect(defaultMethod('categorical', 1001, 3)).toBe('jensenshannon');
  });

  it('two values: z at 1000 rows (n <= 1000) and chi2 from 3 values (> 2 is chi-square)', () => {
    expect(defaultMethod('categorical', 1000, 2)).toBe('z');
    expect(defaultMethod('categorical', 1000, 1)).toBe('z');
    expect(defaultMethod('categorical', 1001, 2)).toBe('jensenshannon');
  });

  it('numeric with 5 distinct values is compared as categories (continuous only when > 5)', () => {
    expect(defaultMethod('numeric', 1000, 5)).toBe('chi2');
    expect(defaultMethod('numeric', 1000, 6)).toBe('ks');
    expect(defaultMethod('numeric', 1001, 5)).toBe('jensenshannon');
    expect(defaultMethod('numeric', 1001, 6)).toBe('wasserstein');
    expect(defaultMethod('numeric', 1000, 2)).toBe('z');
  });
});

describe('through runDriftCheck', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  const run = async (
    reference: string,
    current: string,
    extra: { driftShare?: number; threshold?: number; method?: string } = {},
  ) =>
    (
      await runDriftCheck(
        {
          reference,
          current,
          method: extra.method ?? 'auto',
          driftShare: extra.driftShare ?? 0.5,
          threshold: extra.threshold,
          reportPath: join(dir, `report-${Math.random()}.json`),
          workingDirectory: dir,
        },
        silentLog,
      )
    ).report;

  it('n counts reference rows after dropping missing values: 1001 rows with one empty is 1000 -> ks (n <= 1000)', async () => {
    const x = normals(11, 1001);
    const cur = writeCsv(dir, 'n-cur', { x: normals(12, 300) });
    const withGap = writeCsv(dir, 'n-gap', { x: x.map((v, i) => (i === 500 ? null : v)) });
    const full1000 = writeCsv(dir, 'n-1000', { x: x.slice(0, 1000) });
    const full1001 = writeCsv(dir, 'n-1001', { x });
    expect((await run(withGap, cur)).columns[0].method).toBe('ks');
    expect((await run(full1000, cur)).columns[0].method).toBe('ks');
    expect((await run(full1001, cur)).columns[0].method).toBe('wasserstein');
  });

  // Reference a,a,b,b and current a,a,a,b: every frequency is a dyadic fraction, so the
  // L-infinity distance is exactly 0.25 in doubles.
  const ref = { c: ['a', 'a', 'b', 'b'], d: ['p', 'p', 'q', 'q'] };
  const cur = { c: ['a', 'a', 'a', 'b'], d: ['p', 'p', 'q', 'q'] };

  it('a column at exactly its distance threshold drifts (distance >= threshold), one double above does not', async () => {
    const r = writeCsv(dir, 'linf-ref', ref);
    const c = writeCsv(dir, 'linf-cur', cur);
    const at = await run(r, c, { method: 'linf', threshold: 0.25 });
    expect(at.columns.find((x) => x.name === 'c')).toMatchObject({ statistic: 0.25, drifted: true });
    const above = await run(r, c, { method: 'linf', threshold: nextUp(0.25) });
    expect(above.columns.find((x) => x.name === 'c')?.drifted).toBe(false);
    const below = await run(r, c, { method: 'linf', threshold: nextDown(0.25) });
    expect(below.columns.find((x) => x.name === 'c')?.drifted).toBe(true);
  });

  it('dataset drift when share >= drift-share: 1 of 2 columns at 0.5 alerts; one double above 0.5 does not', async () => {
    const r = writeCsv(dir, 'share-ref', ref);
    const c = writeCsv(dir, 'share-cur', cur);
    const at = await run(r, c, { method: 'linf', threshold: 0.25, driftShare: 0.5 });
    expect(at.share).toBe(0.5);
    expect(at.drifted_columns).toEqual(['c']);
    expect(at.drift_detected).toBe(true);
    const above = await run(r, c, { method: 'linf', threshold: 0.25, driftShare: nextUp(0.5) });
    expect(above.drift_detected).toBe(false);
    const below = await run(r, c, { method: 'linf', threshold: 0.25, driftShare: nextDown(0.5) });
    expect(below.drift_detected).toBe(true);
  });

  it('drift-share is in (0, 1]: 1 is allowed (every column must drift), 0 and above 1 are refused', async () => {
    const r = writeCsv(dir, 'range-ref', ref);
    const c = writeCsv(dir, 'range-cur', cur);
    expect((await run(r, c, { method: 'linf', threshold: 0.25, driftShare: 1 })).drift_detected).toBe(false);
    await expect(run(r, c, { driftShare: 0 })).rejects.toThrow(/drift-share must be in \(0, 1\]/);
    await expect(run(r, c, { driftShare: nextUp(1) })).rejects.toThrow(/drift-share must be in \(0, 1\]/);
  });
});
