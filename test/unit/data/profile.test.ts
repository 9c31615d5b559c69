import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { type Histogram, histogramFromBins } from '../../../shared/src/data/histogram.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import { profileDataset } from '../../../shared/src/data/profile.js';
import type { ColumnProfile, DatasetProfile } from '../../../shared/src/data/profile-format.js';
import { mergeProfiles } from '../../../shared/src/data/profile-merge.js';
import { HLL_RELATIVE_ERROR } from '../../../shared/src/stats/hll.js';
import { KLL_RANK_ERROR } from '../../../shared/src/stats/kll.js';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');

interface GoldenNumeric {
  kind: 'numeric';
  rows: number;
  nulls: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  quantiles: number[];
  distinct: number;
}
interface GoldenText {
  kind: 'text';
  rows: number;
  nulls: number;
  distinct: number;
  value_counts: Record<string, number>;
}
const golden = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/golden/profile.json'), 'utf8')) as {
  quantiles: number[];
  datasets: Record<string, { rows: number; columns: Record<string, GoldenNumeric | GoldenText> }>;
};

function close(actual: number | null | undefined, expected: number, rel = 1e-9): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

function column(profile: DatasetProfile, name: string): ColumnProfile {
  const c = profile.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

/** A histogram coarsened to width 2^k (k at least its own): for comparing histograms of different widths. */
function coarsen(h: Histogram, k: number): Histogram {
  const f = 2 ** (k - h.width_log2);
  return histogramFromBins(
    k,
    h.counts.map((n, i): [number, number] => [Math.floor((h.start + i) / f), n]),
  );
}

let db: Database;
let temp: string;
beforeAll(async () => {
  db = await Database.open({ memoryLimit: '1GB', threads: 2 });
  temp = mkdtempSync(join(tmpdir(), 'mlops-profile-'));
});
afterAll(() => {
  db.close();
  rmSync(temp, { recursive: true, force: true });
});

describe('profileDataset against pandas (test/golden/profile_golden.py)', () => {
  for (const [file, expected] of Object.entries(golden.datasets)) {
    it(`matches pandas on ${file}`, async () => {
      const profile = await profileDataset(db, await openDataset(db, join(DATA, file)));
      expect(profile.rows).toBe(expected.rows);
      expect(profile.columns.map((c) => c.name).sort()).toEqual(Object.keys(expected.columns).sort());
      for (const [name, g] of Object.entries(expected.columns)) {
        const c = column(profile, name);
        expect(c.rows, name).toBe(g.rows);
        expect(c.nulls, name).toBe(g.nulls);
        expect(c.distinct, name).toBe(g.distinct);
        expect(c.distinct_exact).toBe(true);
        if (g.kind === 'numeric') {
          const n = c.numeric!;
          expect(n.count, name).toBe(g.count);
          close(n.min, g.min);
          close(n.max, g.max);
          close(n.mean, g.mean);
          close(n.std, g.std);
          expect(n.quantiles.map((q) => q.q)).toEqual(golden.quantiles);
          expect(n.quantiles_exact).toBe(true);
          for (const [i, q] of n.quantiles.entries()) close(q.value, g.quantiles[i]!);
          expect(n.histogram!.counts.reduce((s, x) => s + x, 0)).toBe(g.count);
          expect(n.histogram!.counts.length).toBeLessThanOrEqual(256);
          expect(n.histogram!.edges[0]!).toBeLessThanOrEqual(g.min);
          expect(n.histogram!.edges.at(-1)!).toBeGreaterThan(g.max);
        } else {
          const expectedCounts = Object.entries(g.value_counts);
          if (c.top_values_complete) {
            expect(Object.fromEntries(c.top_values.map((v) => [String(v.value), v.count])), name).toEqual(
              g.value_counts,
            );
          } else {
            // Only the most frequent values are kept: each must carry its exact count, in order.
            for (const v of c.top_values)
              expect(g.value_counts[String(v.value)], `${name}=${v.value}`).toBe(v.count);
            const sorted = expectedCounts.map(([, n]) => n).sort((x, y) => y - x);
            expect(c.top_values.map((v) => v.count)).toEqual(sorted.slice(0, c.top_values.length));
          }
        }
      }
    });
  }

  it('types columns as numeric, categorical, datetime and string', async () => {
    const cars = await profileDataset(db, await openDataset(db, join(DATA, 'cars.json')));
    expect(column(cars, 'Miles_per_Gallon').type).toBe('numeric');
    expect(column(cars, 'Origin').type).toBe('categorical');
    expect(column(cars, 'Name').type).toBe('string');
    expect(column(cars, 'Year').type).toBe('datetime');
    expect(column(cars, 'Year').datetime!.min).toBe('1970-01-01');
  });

  it('counts NaN and infinities apart from the statistics', async () => {
    const file = join(temp, 'nonfinite.csv');
    await db.run(
      `COPY (SELECT CASE WHEN i = 0 THEN 'nan'::DOUBLE WHEN i = 1 THEN 'inf'::DOUBLE WHEN i = 2 THEN '-inf'::DOUBLE WHEN i = 3 THEN NULL ELSE i::DOUBLE END AS x FROM range(10) t(i)) TO '${file}' (HEADER)`,
    );
    const c = column(await profileDataset(db, await openDataset(db, file)), 'x');
    expect([c.nan, c.pos_inf, c.neg_inf, c.nulls]).toEqual([1, 1, 1, 1]);
    expect(c.numeric!.count).toBe(6);
    close(c.numeric!.mean, 6.5); // 4..9
    close(c.numeric!.std, Math.sqrt(3.5));
  });

  it('profiles an all-null column and a header-only file without failing', async () => {
    const file = join(temp, 'nulls.csv');
    await db.run(`COPY (SELECT i AS id, NULL::DOUBLE AS empty FROM range(5) t(i)) TO '${file}' (HEADER)`);
    const empty = column(await profileDataset(db, await openDataset(db, file)), 'empty');
    expect(empty.nulls).toBe(5);
    expect(empty.distinct).toBe(0);
    const header = join(temp, 'header.csv');
    await db.run(`COPY (SELECT 1 AS a, 'x' AS b WHERE false) TO '${header}' (HEADER)`);
    const profile = await profileDataset(db, await openDataset(db, header));
    expect(profile.rows).toBe(0);
    expect(profile.columns.map((c) => c.rows)).toEqual([0, 0]);
  });
});

describe('mergeProfiles', () => {
  it('merge(profile(shard1), profile(shard2)) equals profile(union) within sketch error', async () => {
    const src = join(DATA, 'seattle-weather.csv');
    const a = join(temp, 'seattle-a.parquet');
    const b = join(temp, 'seattle-b.parquet');
    const all = join(temp, 'seattle-all.parquet');
    // Uneven shards with different ranges (one year against three), so their histogram widths differ.
    await db.run(`COPY (SELECT * FROM read_csv('${src}') WHERE year(date) = 2012) TO '${a}'`);
    await db.run(`COPY (SELECT * FROM read_csv('${src}') WHERE year(date) > 2012) TO '${b}'`);
    await db.run(`COPY (SELECT * FROM read_csv('${src}')) TO '${all}'`);
    const pa = await profileDataset(db, await openDataset(db, a, { name: 'a' }));
    const pb = await profileDataset(db, await openDataset(db, b, { name: 'b' }));
    const union = await profileDataset(db, await openDataset(db, all, { name: 'u' }));
    const merged = mergeProfiles(pa, pb);

    expect(merged.rows).toBe(union.rows);
    expect(merged.parts).toBe(2);
    for (const u of union.columns) {
      const m = column(merged, u.name);
      expect(m.type, u.name).toBe(u.type);
      expect([m.rows, m.nulls, m.nan, m.pos_inf, m.neg_inf]).toEqual([
        u.rows,
        u.nulls,
        u.nan,
        u.pos_inf,
        u.neg_inf,
      ]);
      if (u.top_values_complete) {
        expect(m.top_values, u.name).toEqual(u.top_values);
        expect(m.distinct).toBe(u.distinct);
      }
      if (u.numeric) {
        const mn = m.numeric!;
        const un = u.numeric;
        expect(mn.count).toBe(un.count);
        expect(mn.min).toBe(un.min);
        expect(mn.max).toBe(un.max);
        close(mn.mean, un.mean!, 1e-12);
        close(mn.std, un.std!, 1e-12);
        // Histograms agree bin for bin once brought to the same width.
        const k = Math.max(mn.histogram!.width_log2, un.histogram!.width_log2);
        expect(coarsen(mn.histogram!, k)).toEqual(coarsen(un.histogram!, k));
        // Low-cardinality columns (all of these) keep every value: merged quantiles are exact.
        expect(mn.quantiles_exact).toBe(true);
        for (const [i, q] of mn.quantiles.entries()) close(q.value, un.quantiles[i]!.value, 1e-12);
      }
      if (u.datetime) {
        expect(m.datetime!.min).toBe(u.datetime.min);
        expect(m.datetime!.max).toBe(u.datetime.max);
        expect(m.distinct).toBe(u.distinct);
      }
    }
  });

  it('reads quantiles of many-valued columns from the merged histogram, within one bin width', async () => {
    const a = join(temp, 'wide-a.parquet');
    const b = join(temp, 'wide-b.parquet');
    const all = join(temp, 'wide-*.parquet');
    // 20,000 distinct values: more than the profile keeps frequencies for.
    await db.run(`COPY (SELECT sqrt(i) * 3.7 AS x FROM range(0, 12000) t(i)) TO '${a}'`);
    await db.run(`COPY (SELECT 500 - sqrt(i) AS x FROM range(0, 8000) t(i)) TO '${b}'`);
    const merged = mergeProfiles(
      await profileDataset(db, await openDataset(db, a, { name: 'a' })),
      await profileDataset(db, await openDataset(db, b, { name: 'b' })),
    );
    const union = await profileDataset(db, await openDataset(db, all, { name: 'u' }));
    const m = column(merged, 'x');
    const u = column(union, 'x');
    expect(m.distinct_exact).toBe(false);
    expect(m.numeric!.quantiles_exact).toBe(false);
    const width = 2 ** m.numeric!.histogram!.width_log2;
    m.numeric!.quantiles.forEach((q, i) => {
      expect(Math.abs(q.value - u.numeric!.quantiles[i]!.value)).toBeLessThanOrEqual(width);
    });
    close(m.numeric!.std, u.numeric!.std!, 1e-12);
  });

  it('treats a column missing from one shard as null there, and refuses a type clash', async () => {
    const a = join(temp, 'cols-a.csv');
    const b = join(temp, 'cols-b.csv');
    await db.run(`COPY (SELECT i AS id, i * 2 AS extra FROM range(4) t(i)) TO '${a}' (HEADER)`);
    await db.run(`COPY (SELECT i AS id FROM range(6) t(i)) TO '${b}' (HEADER)`);
    const merged = mergeProfiles(
      await profileDataset(db, await openDataset(db, a, { name: 'a' })),
      await profileDataset(db, await openDataset(db, b, { name: 'b' })),
    );
    expect(column(merged, 'extra').nulls).toBe(6);
    expect(column(merged, 'extra').rows).toBe(10);
    const c = join(temp, 'cols-c.csv');
    await db.run(`COPY (SELECT 'text' || i AS id FROM range(3) t(i)) TO '${c}' (HEADER)`);
    const pc = await profileDataset(db, await openDataset(db, c, { name: 'c' }));
    expect(() => mergeProfiles(merged, pc)).toThrow(/column 'id' is BIGINT in one and VARCHAR/);
  });
});

describe('profiling beyond the memory limit', () => {
  it('profiles 2M rows (unique ids, unique strings, floats) under a 64MB DuckDB memory limit', async () => {
    const small = await Database.open({
      memoryLimit: '64MB',
      threads: 2,
      tempDirectory: join(temp, 'spill'),
    });
    try {
      const file = join(temp, 'big.parquet');
      await small.run(
        `COPY (SELECT i AS id, hash(i) % 100000 / 7.0 AS x, 'name-' || i AS name, (i % 7)::VARCHAR AS grp FROM range(2000000) t(i)) TO '${file}'`,
      );
      const dataset = await openDataset(small, file);
      const profile = await profileDataset(small, dataset, { exact: true });
      expect(profile.rows).toBe(2_000_000);
      expect(column(profile, 'id').distinct).toBe(2_000_000);
      expect(column(profile, 'name').distinct).toBe(2_000_000);
      expect(
        column(profile, 'grp')
          .top_values.map((v) => v.count)
          .reduce((s, n) => s + n, 0),
      ).toBe(2_000_000);
      close(column(profile, 'id').numeric!.quantiles.find((q) => q.q === 0.5)!.value, 999_999.5);
      // By default (over SKETCH_MIN_ROWS rows) numeric columns are sketched in one streamed pass.
      const sketched = await profileDataset(small, dataset);
      const id = column(sketched, 'id');
      expect(id.distinct_exact).toBe(false);
      expect(Math.abs(id.distinct - 2_000_000) / 2_000_000).toBeLessThanOrEqual(HLL_RELATIVE_ERROR);
      const median = id.numeric!.quantiles.find((q) => q.q === 0.5)!.value;
      expect(Math.abs(median - 999_999.5) / 2_000_000).toBeLessThanOrEqual(KLL_RANK_ERROR);
      expect(column(sketched, 'name').distinct).toBe(2_000_000);
      expect(column(sketched, 'x').numeric!.min).toBe(column(profile, 'x').numeric!.min);
      expect(column(sketched, 'x').numeric!.histogram).toEqual(column(profile, 'x').numeric!.histogram);
    } finally {
      small.close();
    }
  });
});
