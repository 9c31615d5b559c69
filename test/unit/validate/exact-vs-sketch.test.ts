import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { type DataValidateOptions, runDataValidate } from '../../../shared/src/validate/index.js';
import { DATA, type Row, readRows, split70, writeCsv, writeJson } from './helpers.js';

/**
 * data-validate's anomalies must not depend on the profile path: `exact: true` (value counts of
 * every column) and `exact: false` (numeric columns streamed and sketched, their schema checks run
 * over raw rows) give the same report on every dataset the validate tests use, and more.
 */
const JSON_DATASETS = [
  'penguins.json',
  'cars.json',
  'movies.json',
  'flights-2k.json',
  'gapminder.json',
  'normal-2d.json',
];
const CSV_DATASETS = ['seattle-weather.csv', 'stocks.csv', 'airports.csv', 'weather.csv', 'disasters.csv'];

let wd: string;
beforeAll(() => {
  wd = mkdtempSync(join(tmpdir(), 'exact-vs-sketch-'));
});
afterAll(() => rmSync(wd, { recursive: true, force: true }));

/** Breaks rows in every way a schema catches: out of range, new categories, nulls, wrong types. */
function perturb(rows: Row[]): Row[] {
  return rows.map((row, i) => {
    const out: Row = { ...row };
    for (const [key, value] of Object.entries(row)) {
      if (typeof value === 'number' && i % 13 === 0) out[key] = value * 50 + 1000;
      if (typeof value === 'number' && i % 29 === 1) out[key] = -value - 1e6;
      if (typeof value === 'string' && i % 17 === 0) out[key] = `new-${i % 3}`;
      if (i % 19 === 0) out[key] = null;
    }
    return out;
  });
}

async function validate(options: Partial<DataValidateOptions>, exact: boolean | undefined) {
  const result = await runDataValidate(
    {
      data: '',
      failOn: 'never',
      reportPath: `report-${exact}.json`,
      profilePath: `profile-${exact}.json`,
      workingDirectory: wd,
      repositoryRoot: wd,
      exact,
      ...options,
    } as DataValidateOptions,
    memoryLog(),
  );
  return result;
}

async function expectSameAnomalies(train: string, test: string, stem: string): Promise<void> {
  const exact = await validate({ data: train, inferSchema: true, writeSchema: `${stem}-exact.yaml` }, true);
  const sketch = await validate(
    { data: train, inferSchema: true, writeSchema: `${stem}-sketch.yaml` },
    false,
  );
  // The schema inferred from either profile is the same, rule for rule.
  expect(readFileSync(join(wd, `${stem}-sketch.yaml`), 'utf8')).toBe(
    readFileSync(join(wd, `${stem}-exact.yaml`), 'utf8'),
  );
  expect(sketch.anomalies).toEqual(exact.anomalies);
  // The sketch run did take the other path: its numeric columns were streamed and sketched.
  expect(sketch.profile.columns.some((c) => c.sketches)).toBe(true);
  expect(exact.profile.columns.some((c) => c.sketches)).toBe(false);
  const onExact = await validate({ data: test, schema: `${stem}-exact.yaml` }, true);
  const onSketch = await validate({ data: test, schema: `${stem}-exact.yaml` }, false);
  expect(onSketch.anomalies).toEqual(onExact.anomalies);
  expect(onExact.anomalies.length).toBeGreaterThan(0);
}

describe('data-validate anomalies: exact path = sketch path', () => {
  for (const file of JSON_DATASETS) {
    it(`on ${file}`, async () => {
      const [train, holdout] = split70(readRows(file));
      const stem = file.replace(/\W/g, '_');
      writeJson(wd, `${stem}-train.json`, train);
      writeJson(wd, `${stem}-test.json`, perturb(holdout));
      await expectSameAnomalies(`${stem}-train.json`, `${stem}-test.json`, stem);
    }, 60_000);
  }
  for (const file of CSV_DATASETS) {
    it(`on ${file}`, async () => {
      const stem = file.replace(/\W/g, '_');
      copyFileSync(join(DATA, file), join(wd, `${stem}.csv`));
      const text = readFileSync(join(DATA, file), 'utf8').trim().split('\n');
      const columns = text[0]!.split(',');
      const rows = text.slice(1).map((line) => {
        const cells = line.split(',');
        return Object.fromEntries(
          columns.map((c, i) => {
            const v = cells[i] ?? '';
            return [c, v !== '' && Number.isFinite(Number(v)) ? Number(v) : v];
          }),
        );
      });
      writeCsv(wd, `${stem}-test.csv`, perturb(rows), columns);
      await expectSameAnomalies(`${stem}.csv`, `${stem}-test.csv`, stem);
    }, 60_000);
  }
});

describe('default path, chosen per column', () => {
  it('streams a continuous numeric column and groups a low-cardinality one (150,000 rows)', async () => {
    const { Database } = await import('../../../shared/src/data/database.js');
    const db = await Database.open();
    // x and y continuous (about 150,000 distinct values each, a few repeated), k 9 values: the
    // CSV sample's distinct share makes it parsed into a table, where the choice applies. (No
    // unique id: on the sketch path its distinct count is estimated, so it is not inferred unique.)
    const select = (rows: number) =>
      `SELECT i AS id, (hash(i) % 1000000000) / 1000.0 AS x, (hash(i + 7) % 1000000000) / 1000.0 AS y, i % 9 AS k FROM range(${rows}) t(i)`;
    await db.run(`COPY (SELECT x, y, k FROM (${select(150_000)})) TO '${join(wd, 'mixed.csv')}' (HEADER)`);
    await db.run(
      `COPY (SELECT y, CASE WHEN id % 1000 = 0 THEN -x - 5 ELSE x END AS x, CASE WHEN id % 777 = 0 THEN 40 ELSE k END AS k
             FROM (${select(120_000)})) TO '${join(wd, 'mixed-test.csv')}' (HEADER)`,
    );
    db.close();
    const auto = await validate(
      { data: 'mixed.csv', inferSchema: true, writeSchema: 'mixed-auto.yaml' },
      undefined,
    );
    const exact = await validate(
      { data: 'mixed.csv', inferSchema: true, writeSchema: 'mixed-exact.yaml' },
      true,
    );
    const column = (r: typeof auto, name: string) => r.profile.columns.find((c) => c.name === name)!;
    // x: more than 50,000 distinct values, so streamed raw and sketched.
    expect(column(auto, 'x').sketches?.kll.n).toBe(150_000);
    expect(column(auto, 'x').numeric?.quantiles_exact).toBe(false);
    expect(column(auto, 'x').distinct_exact).toBe(false);
    // k: 9 values, so grouped by DuckDB: the exact path's profile field for field, plus the
    // sketches built from its value counts (for shard merges).
    const { sketches, ...k } = column(auto, 'k');
    expect(sketches?.kll.n).toBe(150_000);
    expect([...new Set(sketches?.kll.levels.flat())].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(k).toEqual(column(exact, 'k'));
    expect(readFileSync(join(wd, 'mixed-auto.yaml'), 'utf8')).toBe(
      readFileSync(join(wd, 'mixed-exact.yaml'), 'utf8'),
    );
    // Checks over raw rows (x) and grouped values (k) find the same anomalies as the exact path.
    const onAuto = await validate({ data: 'mixed-test.csv', schema: 'mixed-exact.yaml' }, undefined);
    const onExact = await validate({ data: 'mixed-test.csv', schema: 'mixed-exact.yaml' }, true);
    expect(onAuto.anomalies).toEqual(onExact.anomalies);
    expect(onExact.anomalies.map((a) => a.column).sort()).toEqual(expect.arrayContaining(['k', 'x']));
    // The path each column took: x and y streamed as raw rows, k grouped.
    const { Database: Db } = await import('../../../shared/src/data/database.js');
    const { continuousNumericColumns } = await import('../../../shared/src/data/profile.js');
    const check = await Db.open();
    try {
      await check.run(`CREATE VIEW mixed AS SELECT * FROM read_csv('${join(wd, 'mixed.csv')}')`);
      const columns = await check.all<{ name: string; type: string }>(
        `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = 'mixed'`,
      );
      expect(columns.map((c) => c.name)).toEqual(['x', 'y', 'k']);
      expect(await continuousNumericColumns(check, 'mixed', columns)).toEqual(['x', 'y']);
    } finally {
      check.close();
    }
  }, 120_000);
});

describe('bounded memory', () => {
  it('validates a wide numeric CSV of 300,000 rows under a 128MB DuckDB memory limit, profile sketched', async () => {
    const { Database } = await import('../../../shared/src/data/database.js');
    const db = await Database.open();
    const file = join(wd, 'wide.csv');
    const columns = Array.from(
      { length: 16 },
      (_, c) => `(hash(i * 16 + ${c}) % 1000000000) / 1000.0 AS f${c}`,
    );
    await db.run(
      `COPY (SELECT i AS id, ${columns.join(', ')} FROM range(300000) t(i)) TO '${file}' (HEADER)`,
    );
    db.close();
    const result = await validate({ data: 'wide.csv', inferSchema: true, memoryLimit: '128MB' }, false);
    expect(result.rows).toBe(300_000);
    expect(result.anomalies).toEqual([]);
    const f0 = result.profile.columns.find((c) => c.name === 'f0')!;
    expect(f0.distinct_exact).toBe(false);
    expect(f0.sketches?.kll.n).toBe(300_000);
    expect(Math.abs(f0.distinct - 300_000) / 300_000).toBeLessThanOrEqual(0.049);
  }, 120_000);
});
