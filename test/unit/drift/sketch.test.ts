/**
 * drift-check's sketch path (#19): Wasserstein on large samples from the binned sketch
 * (drift/binned.ts), within its stated error bound of scipy on real data
 * (test/golden/drift_sketch.py -> test/fixtures/golden/drift_sketch.json); the cut between the
 * exact and the sketch path; exact whenever asked; and a verdict the bound could flip computed
 * exactly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database, quoteLiteral } from '../../../shared/src/data/database.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import { profileDataset } from '../../../shared/src/data/profile.js';
import { SKETCH_BINS } from '../../../shared/src/drift/binned.js';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import type { ColumnDrift, DriftReport } from '../../../shared/src/drift/report.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import {
  binnedWasserstein,
  normedWasserstein,
  wassersteinDistance,
} from '../../../shared/src/stats/index.js';
import { expectClose } from '../stats/golden.js';
import { normals, random, tempDir, writeCsv } from './helpers.js';

interface GoldenCase {
  name: string;
  file: string;
  reference_where: string;
  rows: [number, number];
  columns: Record<string, { wasserstein_normed?: number; jensenshannon?: number }>;
}
const golden = JSON.parse(
  readFileSync(join(process.cwd(), 'test/fixtures/golden/drift_sketch.json'), 'utf8'),
) as { cases: GoldenCase[] };
const DATA = join(process.cwd(), 'node_modules', 'vega-datasets', 'data');

/** Writes the rows of `file` where `where` holds, and where it does not, as two CSVs. */
async function split(dir: string, c: GoldenCase): Promise<{ reference: string; current: string }> {
  const db = await Database.open();
  const out = { reference: join(dir, `${c.name}-ref.csv`), current: join(dir, `${c.name}-cur.csv`) };
  try {
    const from = `read_csv(${quoteLiteral(join(DATA, c.file))}, header = true)`;
    for (const [path, where] of [
      [out.reference, c.reference_where],
      [out.current, `NOT (${c.reference_where})`],
    ]) {
      await db.run(`COPY (SELECT * FROM ${from} WHERE ${where}) TO ${quoteLiteral(path)} (HEADER)`);
    }
  } finally {
    db.close();
  }
  return out;
}

async function drift(
  dir: string,
  reference: string,
  current: string,
  options: { columns?: string[]; method?: string; exact?: boolean; threshold?: number } = {},
): Promise<DriftReport> {
  const result = await runDriftCheck(
    {
      reference,
      current,
      columns: options.columns,
      method: options.method ?? 'auto',
      threshold: options.threshold,
      exact: options.exact,
      driftShare: 0.5,
      reportPath: join(dir, `report-${Math.random()}.json`),
      workingDirectory: dir,
    },
    silentLog,
  );
  return result.report;
}

const byName = (report: DriftReport, name: string): ColumnDrift => {
  const column = report.columns.find((c) => c.name === name);
  if (!column) throw new Error(`no column ${name} in the report`);
  return column;
};

/** |ours − exact| <= bound, with room for floating-point summation (1e-12 relative). */
function expectWithinBound(column: ColumnDrift, exact: number): void {
  expect(column.error_bound).not.toBeNull();
  const slack = 1e-12 * Math.max(1, Math.abs(exact));
  expect(Math.abs(column.statistic - exact)).toBeLessThanOrEqual(column.error_bound! + slack);
}

describe('sketched Wasserstein and Jensen-Shannon agree with scipy on real data within the stated bound', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });

  for (const c of golden.cases) {
    it(`${c.name}: ${c.rows[0]} reference vs ${c.rows[1]} current rows`, async () => {
      const { reference, current } = await split(dir, c);
      const columns = Object.keys(c.columns);
      const sketched = await drift(dir, reference, current, { columns });
      const exact = await drift(dir, reference, current, { columns, exact: true });
      expect(sketched.reference.rows).toBe(c.rows[0]);
      for (const [name, expected] of Object.entries(c.columns)) {
        const s = byName(sketched, name);
        const e = byName(exact, name);
        if (expected.wasserstein_normed !== undefined) {
          expect([s.method, s.path]).toEqual(['wasserstein', 'sketch']);
          expectWithinBound(s, expected.wasserstein_normed);
          // The documented ceiling: one sketch bin's width over the reference std; and not vacuous.
          const width =
            (Math.max(s.reference.max!, s.current.max!) - Math.min(s.reference.min!, s.current.min!)) /
            SKETCH_BINS;
          expect(s.error_bound!).toBeLessThanOrEqual((width / s.reference.std!) * (1 + 1e-12));
          expect(s.error_bound!).toBeLessThan(s.threshold / 5);
          expect([e.method, e.path, e.error_bound]).toEqual(['wasserstein', 'exact', 0]);
          expectClose(e.statistic, expected.wasserstein_normed, 1e-9, 0, `${c.name} ${name} exact`);
          expect(s.drifted).toBe(e.drifted);
        } else {
          // Categories are counted exactly on both paths: the counts are the sketch.
          expect([s.method, s.path, s.error_bound]).toEqual(['jensenshannon', 'exact', 0]);
          expectClose(s.statistic, expected.jensenshannon!, 1e-9, 0, `${c.name} ${name}`);
        }
      }
      if (c.name === 'seattle_2015') {
        // One decimal: every sketch bin holds one value, so the sketch is exact (bound 0).
        for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind'])
          expect(byName(sketched, name).error_bound).toBe(0);
      }
      if (c.name === 'zip_parity') {
        // Continuous coordinates: bins hold several values, the bound is positive and honest.
        expect(byName(sketched, 'latitude').error_bound!).toBeGreaterThan(0);
      }
    });
  }

  it('a stored profile reference: compared on its histogram with the bound of one bin width', async () => {
    const c = golden.cases.find((x) => x.name === 'zip_parity')!;
    const { reference, current } = await split(dir, c);
    const db = await Database.open();
    let width = 0;
    let std = 0;
    try {
      const profile = await profileDataset(db, await openDataset(db, reference));
      const latitude = profile.columns.find((x) => x.name === 'latitude')!;
      width = 2 ** latitude.numeric!.histogram!.width_log2;
      std = Math.sqrt(latitude.numeric!.m2 / latitude.numeric!.count);
      writeFileSync(join(dir, 'zip-profile.json'), JSON.stringify(profile));
    } finally {
      db.close();
    }
    const report = await drift(dir, join(dir, 'zip-profile.json'), current, { columns: ['latitude'] });
    const latitude = byName(report, 'latitude');
    expect([latitude.path, latitude.approximate]).toEqual(['sketch', true]);
    expectClose(latitude.error_bound!, width / std, 1e-12, 0, 'profile bound');
    expectWithinBound(latitude, c.columns.latitude.wasserstein_normed!);
  });
});

describe('the cut between the exact and the sketch path', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  // Six decimals: about a thousand distinct values per unit, so sketch bins hold several values.
  const continuous = (seed: number, n: number, mean = 0) => {
    const u = random(seed);
    return Array.from({ length: n }, () => Math.round((mean + 4 * u()) * 1e6) / 1e6);
  };

  it('1,000 reference values: KS on the exact path; 1,001: Wasserstein on the sketch', async () => {
    const x = continuous(1, 1001);
    const cur = writeCsv(dir, 'cut-cur', { x: continuous(2, 800, 0.05) });
    const at = byName(await drift(dir, writeCsv(dir, 'cut-1000', { x: x.slice(0, 1000) }), cur), 'x');
    expect([at.method, at.path, at.error_bound]).toEqual(['ks', 'exact', 0]);
    const above = byName(await drift(dir, writeCsv(dir, 'cut-1001', { x }), cur), 'x');
    expect([above.method, above.path]).toEqual(['wasserstein', 'sketch']);
    expect(above.error_bound!).toBeGreaterThan(0);
    const curValues = continuous(2, 800, 0.05);
    expectWithinBound(above, normedWasserstein(x, curValues));
  });

  it('exact: true and method ks stay exact on large data', async () => {
    const x = continuous(3, 5000);
    const y = continuous(4, 5000, 0.02);
    const ref = writeCsv(dir, 'big-ref', { x });
    const cur = writeCsv(dir, 'big-cur', { x: y });
    const exact = byName(await drift(dir, ref, cur, { exact: true }), 'x');
    expect([exact.method, exact.path, exact.error_bound]).toEqual(['wasserstein', 'exact', 0]);
    expectClose(exact.statistic, normedWasserstein(x, y), 1e-9, 0, 'exact W');
    const ks = byName(await drift(dir, ref, cur, { method: 'ks' }), 'x');
    expect([ks.method, ks.path, ks.error_bound]).toEqual(['ks', 'exact', 0]);
    const sketched = byName(await drift(dir, ref, cur), 'x');
    expect(sketched.path).toBe('sketch');
    expectWithinBound(sketched, normedWasserstein(x, y));
  });

  it('a sketched distance within its bound of the threshold is recomputed exactly, and says so', async () => {
    const x = continuous(5, 4000);
    const y = continuous(6, 4000, 0.3);
    const ref = writeCsv(dir, 'near-ref', { x });
    const cur = writeCsv(dir, 'near-cur', { x: y });
    const sketched = byName(await drift(dir, ref, cur), 'x');
    expect(sketched.path).toBe('sketch');
    // A threshold inside the sketch's interval: only the exact value can decide.
    const threshold = sketched.statistic + sketched.error_bound! / 2;
    const near = byName(await drift(dir, ref, cur, { threshold }), 'x');
    expect([near.path, near.error_bound]).toEqual(['exact', 0]);
    expect(near.note).toMatch(/computed exactly: the sketch gave .* reaches across the threshold/);
    expectClose(near.statistic, normedWasserstein(x, y), 1e-9, 0, 'exact W');
    expect(near.drifted).toBe(near.statistic >= threshold);
  });

  it('few distinct reference values (<= 5) still go to Jensen-Shannon on categories, exactly', async () => {
    const u = random(7);
    const k = Array.from({ length: 3000 }, () => Math.floor(u() * 4));
    const report = await drift(
      dir,
      writeCsv(dir, 'few-ref', { k }),
      writeCsv(dir, 'few-cur', { k: k.map((v, i) => (i % 10 === 0 ? 3 : v)) }),
    );
    expect(byName(report, 'k')).toMatchObject({ method: 'jensenshannon', path: 'exact', error_bound: 0 });
  });
});

describe('binnedWasserstein: the bound holds on its own', () => {
  it('equals the exact distance when each bin holds one value; within the bound otherwise', () => {
    const a = normals(8, 500);
    const b = normals(9, 400, 0.2);
    const bins = (width: number) => {
      const map = new Map<number, { referenceCount: number; currentCount: number; lo: number; hi: number }>();
      const add = (v: number, side: 'referenceCount' | 'currentCount') => {
        const k = Math.floor(v / width);
        const bin = map.get(k) ?? { referenceCount: 0, currentCount: 0, lo: v, hi: v };
        bin[side]++;
        bin.lo = Math.min(bin.lo, v);
        bin.hi = Math.max(bin.hi, v);
        map.set(k, bin);
      };
      for (const v of a) add(v, 'referenceCount');
      for (const v of b) add(v, 'currentCount');
      const sorted = [...map.entries()].sort((x, y) => x[0] - y[0]).map(([, bin]) => bin);
      return {
        referenceCount: sorted.map((bin) => bin.referenceCount),
        currentCount: sorted.map((bin) => bin.currentCount),
        lo: sorted.map((bin) => bin.lo),
        hi: sorted.map((bin) => bin.hi),
      };
    };
    const exact = wassersteinDistance(a, b);
    // normals() rounds to 1e-4: bins of 1e-4 hold one value each.
    const fine = binnedWasserstein(bins(1e-4 / 2));
    expect(fine.bound).toBe(0);
    expectClose(fine.distance, exact, 1e-12, 0, 'fine');
    // The bound is attained: one value at each end of one bin, on opposite sides.
    const worst = binnedWasserstein({ referenceCount: [1], currentCount: [1], lo: [0], hi: [0.75] });
    expect(worst).toEqual({ distance: 0, bound: 0.75 });
    expect(wassersteinDistance([0], [0.75])).toBe(0.75);
    for (const width of [0.01, 0.1, 0.5, 2]) {
      const coarse = binnedWasserstein(bins(width));
      expect(coarse.bound).toBeGreaterThan(0);
      expect(coarse.bound).toBeLessThanOrEqual(width);
      expect(Math.abs(coarse.distance - exact)).toBeLessThanOrEqual(coarse.bound + 1e-12);
    }
  });
});
