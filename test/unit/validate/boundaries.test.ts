/**
 * Each hand-written schema bound at its boundary (README "Data validation", DESIGN.md §4): the null
 * fraction is nulls / all rows and passes while <= max_null_fraction; new categories are a share
 * of the non-null values and pass while <= max_new_category_fraction; min/max are inclusive;
 * min_rows/max_rows are inclusive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import type { ColumnRules, DataSchema } from '../../../shared/src/validate/schema.js';
import { type Anomaly, validateDataset } from '../../../shared/src/validate/validate-dataset.js';
import { nextDown, nextUp } from '../../harness/floats.js';
import { type Row, writeCsv } from './helpers.js';

let db: Database;
let temp: string;
beforeAll(async () => {
  db = await Database.open({ memoryLimit: '1GB', threads: 1 });
  temp = mkdtempSync(join(tmpdir(), 'mlops-validate-bounds-'));
});
afterAll(() => {
  db.close();
  rmSync(temp, { recursive: true, force: true });
});

let files = 0;
async function check(
  rows: Row[],
  column: Omit<ColumnRules, 'name' | 'required'> & { name?: string },
  table: Partial<DataSchema['table']> = {},
): Promise<Anomaly[]> {
  const path = writeCsv(temp, `d${files++}.csv`, rows);
  const ds = await openDataset(db, path, { name: 'candidate' });
  const schema: DataSchema = {
    schema: 'mlops-schema/v1',
    table: { extra_columns: 'ignore', ...table },
    columns: [{ name: 'x', required: true, ...column }],
  };
  return validateDataset(db, ds, schema, {});
}
const kinds = (anomalies: Anomaly[]) => anomalies.map((a) => a.kind);

describe('max_null_fraction: nulls / all rows <= the limit passes', () => {
  // 2 nulls in 8 rows: 0.25 of all rows (it would be 1/3 of the non-null rows).
  const rows = [1, 2, null, 4, 5, null, 7, 8].map((x) => ({ x }));

  it('at the limit (0.25 <= 0.25): no anomaly', async () => {
    expect(kinds(await check(rows, { type: 'numeric', max_null_fraction: 0.25 }))).toEqual([]);
  });
  it('limit one double below 0.25: too_many_nulls, counted 2 of 8 rows', async () => {
    const [a] = await check(rows, { type: 'numeric', max_null_fraction: nextDown(0.25) });
    expect(a).toMatchObject({ kind: 'too_many_nulls', count: 2, of: 8, severity: 'error' });
  });
  it('limit one double above: no anomaly', async () => {
    expect(kinds(await check(rows, { type: 'numeric', max_null_fraction: nextUp(0.25) }))).toEqual([]);
  });
  it('the fraction is of all rows, not of the non-null ones: 0.3 passes (2/8 = 0.25, 2/6 would not)', async () => {
    expect(kinds(await check(rows, { type: 'numeric', max_null_fraction: 0.3 }))).toEqual([]);
    expect(kinds(await check(rows, { type: 'numeric', max_null_fraction: 0.2 }))).toEqual(['too_many_nulls']);
  });
});

describe("an inferred max_null_fraction: an excess within the batch's noise is said, not an anomaly", () => {
  // Nulls in 100 rows against a bound of 0.04 inferred from 1,000 rows, binomial p(>= k | 100,
  // 0.04) by scipy: 7 nulls p = 0.106 and 5 nulls p = 0.37, noise; 8 nulls p = 0.0475, a warning;
  // 11 nulls p = 0.0022, a warning; 12 nulls p = 6.7e-4, an error.
  const batch = (nulls: number) => Array.from({ length: 100 }, (_, i) => ({ x: i < nulls ? null : i }));
  const inferred = {
    type: 'numeric' as const,
    max_null_fraction: 0.04,
    inferred_from: { rows: 1000, values: 960 },
  };
  async function checkInferred(nulls: number) {
    const notes: string[] = [];
    const path = writeCsv(temp, `n${files++}.csv`, batch(nulls));
    const ds = await openDataset(db, path, { name: 'candidate' });
    const anomalies = await validateDataset(
      db,
      ds,
      {
        schema: 'mlops-schema/v1',
        table: { extra_columns: 'ignore' },
        columns: [{ name: 'x', required: true, ...inferred }],
      },
      { onWithinNoise: (m) => notes.push(m) },
    );
    return { anomalies, notes };
  }
  it('p >= 0.05: no anomaly, one note naming the column, the counts and p', async () => {
    const { anomalies, notes } = await checkInferred(5);
    expect(anomalies).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /Column 'x' has 5 nulls in 100 rows .*within this batch's sampling noise \(p = 0\.37\)/,
    );
  });
  it('0.001 <= p < 0.05: a warning; p < 0.001: an error; p just above 0.05: noise', async () => {
    for (const nulls of [8, 11])
      expect((await checkInferred(nulls)).anomalies, `${nulls}`).toMatchObject([
        { kind: 'too_many_nulls', severity: 'warning' },
      ]);
    expect((await checkInferred(12)).anomalies).toMatchObject([
      { kind: 'too_many_nulls', severity: 'error' },
    ]);
    expect((await checkInferred(7)).anomalies).toEqual([]);
  });
  it('a hand-written bound stays a hard limit, however small the excess', async () => {
    expect(kinds(await check(batch(5), { type: 'numeric', max_null_fraction: 0.04 }))).toEqual([
      'too_many_nulls',
    ]);
  });
});

describe('max_new_category_fraction: new values / non-null values <= the limit passes', () => {
  // 8 non-null values, 2 outside the domain (0.25 of non-null; 0.2 of all 10 rows), 2 nulls.
  const rows = ['a', 'b', 'a', null, 'z', 'b', 'a', null, 'y', 'b'].map((x) => ({ x }));
  const rules = (limit?: number) => ({
    type: 'categorical' as const,
    allowed_values: ['a', 'b'],
    ...(limit === undefined ? {} : { max_new_category_fraction: limit }),
  });

  it('at the limit (0.25 <= 0.25): no anomaly', async () => {
    expect(kinds(await check(rows, rules(0.25)))).toEqual([]);
  });
  it('limit one double below: unexpected_value, 2 of 8 non-null values', async () => {
    const [a] = await check(rows, rules(nextDown(0.25)));
    expect(a).toMatchObject({ kind: 'unexpected_value', count: 2, of: 8 });
  });
  it('the share is of the non-null values, not of all rows: a limit of 0.24 fails (2/8 > 0.24 though 2/10 < 0.24)', async () => {
    expect(kinds(await check(rows, rules(0.24)))).toEqual(['unexpected_value']);
  });
  it('default limit 0: a single new value fails; none passes', async () => {
    expect(kinds(await check(rows, rules()))).toEqual(['unexpected_value']);
    expect(
      kinds(
        await check(
          rows.filter((r) => r.x !== 'z' && r.x !== 'y'),
          rules(),
        ),
      ),
    ).toEqual([]);
  });
});

describe('min and max are inclusive (min <= x <= max passes)', () => {
  const rows = [0.5, 1, 2.5].map((x) => ({ x }));
  it('values exactly at min and max: no anomaly', async () => {
    expect(kinds(await check(rows, { type: 'numeric', min: 0.5, max: 2.5 }))).toEqual([]);
  });
  it('min one double above the smallest value: out_of_range (key min)', async () => {
    const [a] = await check(rows, { type: 'numeric', min: nextUp(0.5), max: 2.5 });
    expect(a).toMatchObject({ kind: 'out_of_range', count: 1 });
  });
  it('max one double below the largest value: out_of_range', async () => {
    const [a] = await check(rows, { type: 'numeric', min: 0.5, max: nextDown(2.5) });
    expect(a).toMatchObject({ kind: 'out_of_range', count: 1 });
  });
});

describe('min_rows and max_rows are inclusive', () => {
  const rows = [1, 2, 3].map((x) => ({ x }));
  it('3 rows with min_rows 3 and max_rows 3: no anomaly', async () => {
    expect(kinds(await check(rows, { type: 'numeric' }, { min_rows: 3, max_rows: 3 }))).toEqual([]);
  });
  it('3 rows with min_rows 4: row_count; with max_rows 2: row_count', async () => {
    expect(kinds(await check(rows, { type: 'numeric' }, { min_rows: 4 }))).toEqual(['row_count']);
    expect(kinds(await check(rows, { type: 'numeric' }, { max_rows: 2 }))).toEqual(['row_count']);
  });
});
