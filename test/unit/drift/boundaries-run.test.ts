/**
 * Drift decisions through runDriftCheck at their boundaries (DESIGN.md §5): the reference size n
 * counts rows after dropping missing values (n <= 1000 picks the tests), a column exactly at its
 * distance threshold drifts, dataset drift when share >= drift-share, drift-share in (0, 1].
 * The same rules as pure functions are in boundaries.test.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { nextDown, nextUp } from '../../harness/floats.js';
import { normals, tempDir, writeCsv } from './helpers.js';

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
