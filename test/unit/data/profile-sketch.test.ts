import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { streamNumericColumns } from '../../../shared/src/data/numeric-stream.js';
import { numericColumnPaths, profileDataset } from '../../../shared/src/data/profile.js';
import type { ColumnProfile, DatasetProfile } from '../../../shared/src/data/profile-format.js';
import { mergeProfiles } from '../../../shared/src/data/profile-merge.js';
import { HLL_RELATIVE_ERROR, HllSketch } from '../../../shared/src/stats/hll.js';
import { KLL_RANK_ERROR } from '../../../shared/src/stats/kll.js';

const ROWS = 150_000;

/**
 * Deterministic columns from DuckDB's hash of the row number: normal, lognormal (skewed), heavy
 * ties, all-null, one distinct value, floats with NaN and infinities, and a negative-zero mix.
 */
const TABLE_SQL = `
CREATE TABLE t AS
WITH u AS (
  SELECT i,
    (hash(i, 1) % 1000000 + 0.5) / 1000000.0 AS u1,
    (hash(i, 2) % 1000000 + 0.5) / 1000000.0 AS u2
  FROM range(${ROWS}) r(i))
SELECT
  sqrt(-2 * ln(u1)) * cos(2 * pi() * u2) AS normal,
  exp(3 * sqrt(-2 * ln(u1)) * sin(2 * pi() * u2)) AS skewed,
  CAST(floor(u1 * u1 * u1 * 5) AS BIGINT) AS ties,
  CAST(NULL AS DOUBLE) AS empty,
  CAST(7.5 AS DOUBLE) AS constant,
  CASE WHEN i % 1000 = 0 THEN 'nan'::DOUBLE WHEN i % 1777 = 0 THEN 'inf'::DOUBLE
       WHEN i % 1999 = 0 THEN '-inf'::DOUBLE WHEN i % 7 = 0 THEN NULL ELSE u1 * 100 - 50 END AS special,
  CAST(i AS INTEGER) AS id
FROM u`;

let db: Database;
beforeAll(async () => {
  db = await Database.open({ threads: 1 });
  await db.run(TABLE_SQL);
  for (const [name, where] of [
    ['s0', 'rowid < 40000'],
    ['s1', 'rowid >= 40000 AND rowid < 41000'],
    ['s2', 'rowid >= 41000'],
  ] as const)
    await db.run(`CREATE VIEW ${name} AS SELECT * FROM t WHERE ${where}`);
}, 60_000);
afterAll(() => db.close());

const col = (p: DatasetProfile, name: string): ColumnProfile => p.columns.find((c) => c.name === name)!;

/** The exact rank interval [#x < v, #x <= v] of a value among a column's finite values. */
async function ranks(column: string, v: number): Promise<[number, number]> {
  const [row] = await db.all<{ lo: number; hi: number }>(
    `SELECT count(*) FILTER (WHERE x < CAST('${v}' AS DOUBLE)) AS lo, count(*) FILTER (WHERE x <= CAST('${v}' AS DOUBLE)) AS hi
     FROM (SELECT "${column}" AS x FROM t WHERE isfinite("${column}"))`,
  );
  return [Number(row!.lo), Number(row!.hi)];
}

async function expectQuantilesWithinRankError(c: ColumnProfile): Promise<void> {
  const n = c.numeric!.count;
  for (const { q, value } of c.numeric!.quantiles) {
    const [lo, hi] = await ranks(c.name, value);
    expect(hi).toBeGreaterThan(lo); // a value of the data
    const target = q * (n - 1);
    const off = target < lo ? lo - target : target > hi - 1 ? target - (hi - 1) : 0;
    expect(Math.max(0, off - 1) / n, `${c.name} q=${q}`).toBeLessThanOrEqual(KLL_RANK_ERROR);
  }
}

function expectExactFieldsEqual(a: ColumnProfile, b: ColumnProfile): void {
  expect([a.rows, a.nulls, a.nan, a.pos_inf, a.neg_inf]).toEqual([
    b.rows,
    b.nulls,
    b.nan,
    b.pos_inf,
    b.neg_inf,
  ]);
  expect(a.numeric!.count).toBe(b.numeric!.count);
  expect(a.numeric!.min).toBe(b.numeric!.min);
  expect(a.numeric!.max).toBe(b.numeric!.max);
  expect(a.numeric!.histogram).toEqual(b.numeric!.histogram);
  for (const key of ['mean', 'std'] as const) {
    const x = a.numeric![key];
    const y = b.numeric![key];
    if (y === null) expect(x).toBeNull();
    else expect(Math.abs(x! - y)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(y)));
  }
}

describe('profile on the sketch path (one streamed pass)', () => {
  let exact: DatasetProfile;
  let sketched: DatasetProfile;
  beforeAll(async () => {
    exact = await profileDataset(db, 't', { exact: true, now: new Date(0) });
    sketched = await profileDataset(db, 't', { exact: false, now: new Date(0) });
  }, 120_000);

  it('keeps the exact fields exact: counts, NaN/inf, min, max, histogram; moments to 1e-12', () => {
    expect(sketched.rows).toBe(ROWS);
    for (const c of exact.columns) expectExactFieldsEqual(col(sketched, c.name), c);
  });

  it('is exact, top values included, for columns with few distinct values', () => {
    for (const name of ['ties', 'constant', 'empty']) {
      const a = col(sketched, name);
      const b = col(exact, name);
      expect(a.distinct).toBe(b.distinct);
      expect(a.distinct_exact).toBe(true);
      expect(a.top_values_complete).toBe(b.top_values_complete);
      if (b.top_values_complete) expect(a.top_values).toEqual(b.top_values);
      expect(a.numeric!.quantiles).toEqual(b.numeric!.quantiles);
      expect(a.type).toBe(b.type);
    }
    expect(col(sketched, 'empty').numeric!.quantiles).toEqual([]);
  });

  it('sketches many-valued columns: quantiles within the KLL rank error, distinct within the HLL error', async () => {
    for (const name of ['normal', 'skewed', 'id', 'special']) {
      const a = col(sketched, name);
      const b = col(exact, name);
      expect(a.distinct_exact).toBe(false);
      expect(a.numeric!.quantiles_exact).toBe(false);
      expect(Math.abs(a.distinct - b.distinct) / b.distinct).toBeLessThanOrEqual(HLL_RELATIVE_ERROR);
      await expectQuantilesWithinRankError(a);
      expect(a.sketches?.kll.n).toBe(a.numeric!.count);
      // A few times k values are kept, whatever the rows: bounded memory and profile size.
      expect(a.sketches!.kll.levels.flat().length).toBeLessThan(1000);
    }
  });

  it('sketches columns estimated far above the cut from their first value: same exact fields, same bounds', async () => {
    const columns = await db.all<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position`,
    );
    const paths = await numericColumnPaths(db, 't', columns);
    expect(paths.continuous).toEqual(['normal', 'skewed', 'special', 'id']);
    expect([...paths.manyValued].sort()).toEqual(['id', 'normal', 'skewed', 'special']);
    // 70,000 values: over the exact-count cut but within the margin, so still counted from the start.
    await db.run('CREATE OR REPLACE VIEW mid AS SELECT i % 70000 AS m FROM range(150000) r(i)');
    const mid = await numericColumnPaths(db, 'mid', [{ name: 'm', type: 'BIGINT' }]);
    expect(mid.continuous).toEqual(['m']);
    expect(mid.manyValued.size).toBe(0);

    const fromStart = await profileDataset(db, 't', {
      exact: false,
      manyValued: paths.manyValued,
      now: new Date(0),
    });
    for (const c of exact.columns) {
      const a = col(fromStart, c.name);
      if (!paths.manyValued.has(c.name)) {
        expect(a).toEqual(col(sketched, c.name));
        continue;
      }
      expectExactFieldsEqual(a, c);
      expect(a.distinct_exact).toBe(false);
      expect(Math.abs(a.distinct - c.distinct) / c.distinct).toBeLessThanOrEqual(HLL_RELATIVE_ERROR);
      await expectQuantilesWithinRankError(a);
      expect(a.sketches?.kll.n).toBe(a.numeric!.count);
    }
  });

  it('gives the same profile, byte for byte, when a worker thread streams half of the columns', async () => {
    const columns = ['normal', 'skewed', 'ties', 'empty', 'constant', 'special', 'id'];
    const integer = columns.map((c) => c === 'ties' || c === 'id');
    const one = await streamNumericColumns(db, 't', columns, integer, new Set(['id']), 1);
    const two = await streamNumericColumns(db, 't', columns, integer, new Set(['id']), 2);
    // The worker really ran (from source it is started through tsx): else this compares one
    // thread with itself.
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(two.rows).toBe(ROWS);
    const stored = (r: typeof one) =>
      JSON.stringify(r.columns.map((c) => ({ ...c, frequencies: c.frequencies && [...c.frequencies] })));
    expect(stored(two)).toBe(stored(one));
    const profiled = await profileDataset(db, 't', { exact: false, threads: 2, now: new Date(0) });
    expect(JSON.stringify(profiled)).toBe(JSON.stringify(sketched));
  }, 60_000);

  it('is chosen automatically above SKETCH_MIN_ROWS only for datasets, exact for views unless asked', async () => {
    const again = await profileDataset(db, 't', { now: new Date(0) });
    expect(col(again, 'normal').distinct_exact).toBe(true);
  });

  it('merged shard profiles equal the whole-data profile: exact fields bit for bit, sketches within bounds', async () => {
    const shards: DatasetProfile[] = [];
    for (const s of ['s0', 's1', 's2']) shards.push(await profileDataset(db, s, { exact: false }));
    const merged = mergeProfiles(mergeProfiles(shards[0]!, shards[1]!), shards[2]!);
    expect(merged.rows).toBe(ROWS);
    for (const c of sketched.columns) {
      const m = col(merged, c.name);
      expectExactFieldsEqual(m, c);
      if (c.distinct_exact && c.top_values_complete) {
        expect(m.distinct).toBe(c.distinct);
        expect(m.top_values).toEqual(c.top_values);
        expect(m.numeric!.quantiles).toEqual(c.numeric!.quantiles);
        continue;
      }
      // HyperLogLog merges exactly: the registers are the whole data's.
      if (c.sketches && m.sketches)
        expect(HllSketch.fromJSON(m.sketches.hll).registers).toEqual(
          HllSketch.fromJSON(c.sketches.hll).registers,
        );
      const truth = col(exact, c.name).distinct;
      expect(Math.abs(m.distinct - truth) / truth).toBeLessThanOrEqual(HLL_RELATIVE_ERROR);
      if (m.numeric!.count > 0) await expectQuantilesWithinRankError(m);
    }
    // The merged profile survives JSON, sketches included, and merges on.
    const reread = JSON.parse(JSON.stringify(merged)) as DatasetProfile;
    expect(mergeProfiles(reread, shards[1]!).rows).toBe(ROWS + 1000);
  }, 120_000);
});
