import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { categories, normals, tempDir, writeCsv } from './helpers.js';

/** max |F_ref − F_cur| over the distinct values (the two-sample KS statistic). */
function ksStatistic(reference: number[], current: number[]): number {
  const values = [...new Set([...reference, ...current])].sort((a, b) => a - b);
  const upTo = (sorted: number[], v: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const r = [...reference].sort((a, b) => a - b);
  const c = [...current].sort((a, b) => a - b);
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(upTo(r, v) / r.length - upTo(c, v) / c.length));
  return max;
}

describe('a dataset wider than one counting scan (61 columns; 48 per scan)', () => {
  it('compares every column on its own values', async () => {
    const dir = tempDir();
    const rows = 400;
    const reference: Record<string, (number | string)[]> = {};
    const current: Record<string, (number | string)[]> = {};
    for (let i = 0; i < 60; i++) {
      reference[`x${i}`] = normals(100 + i, rows, i);
      // Odd columns shift by one standard deviation; each column has its own mean, so a column
      // compared against another's values would show as drifted.
      current[`x${i}`] = normals(200 + i, rows, i + (i % 2));
    }
    reference.kind = categories(1, rows, { a: 1, b: 1 });
    current.kind = categories(2, rows, { a: 1, b: 1 });
    const result = await runDriftCheck(
      {
        reference: writeCsv(dir, 'reference', reference),
        current: writeCsv(dir, 'current', current),
        method: 'ks',
        driftShare: 0.5,
        reportPath: join(dir, 'report.json'),
        workingDirectory: dir,
      },
      silentLog,
    );
    const columns = new Map(result.report.columns.map((c) => [c.name, c]));
    expect(columns.size).toBe(61);
    for (let i = 0; i < 60; i++) {
      const column = columns.get(`x${i}`)!;
      const ref = reference[`x${i}`] as number[];
      // Exactness against scipy is methods.test.ts's business; here: each column got its own values.
      expect(column.test_statistic).toBeCloseTo(ksStatistic(ref, current[`x${i}`] as number[]), 12);
      expect(column.reference.mean).toBeCloseTo(ref.reduce((s, x) => s + x, 0) / rows, 10);
      if (i % 2 === 1) expect(column.drifted).toBe(true);
    }
    expect(result.report.current.rows).toBe(rows);
  });
});
