/**
 * A schema inferred on a random 70% of a table must accept the other 30% (no errors), for every
 * vega-datasets table of at least 300 rows and 20 random splits each; and the same 20 splits with
 * an anomaly injected into the 30% must still report it. Everything runs in one DuckDB: each table
 * is read once, each split is materialised once as two temporary tables, profiled and validated by
 * the product's own code (profileDataset, inferSchema, schema.yaml written and read back,
 * validateDataset).
 *
 * Cost: the schema inferred for a split serves its clean validation and all its injections; an
 * injection is validated against the schema narrowed to the column it touches. validateDataset
 * judges each column by its own value counts (one query per column, nothing shared across
 * columns), so the narrowed run finds exactly what the full run finds for that column, at the cost
 * of one column instead of all.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, quoteIdent } from '../../../shared/src/data/database.js';
import { type Dataset, openDataset } from '../../../shared/src/data/open-dataset.js';
import { profileDataset } from '../../../shared/src/data/profile.js';
import { inferSchema } from '../../../shared/src/validate/infer-schema.js';
import type { DataSchema } from '../../../shared/src/validate/schema.js';
import { parseSchemaYaml, renderSchemaYaml } from '../../../shared/src/validate/schema-yaml.js';
import { type Anomaly, validateDataset } from '../../../shared/src/validate/validate-dataset.js';
import { DATA } from '../../unit/validate/helpers.js';

const SEEDS = 20;
const MIN_ROWS = 300;
/** Power is checked on the same splits as the false alarms. */
const POWER_SEEDS = SEEDS;

let db: Database;
beforeAll(async () => {
  db = await Database.open({ memoryLimit: '2GB', threads: 2 });
});
afterAll(() => db.close());

/** Every vega-datasets file DuckDB reads as a flat table (no nested JSON such as topologies). */
function tableFiles(): string[] {
  return readdirSync(DATA)
    .filter((f) => /\.(csv|tsv|json|arrow|parquet)$/.test(f))
    .sort();
}

/** Opens a file once as table `src` with a row number `__rn`. */
async function loadTable(file: string): Promise<Dataset | undefined> {
  const ds = await openDataset(db, join(DATA, file), { name: 'src_raw' });
  if (ds.columns.some((c) => /[[\]]|STRUCT|MAP/.test(c.type))) return undefined;
  await db.run('DROP TABLE IF EXISTS src');
  await db.run('CREATE TABLE src AS SELECT *, row_number() OVER () AS __rn FROM src_raw');
  return ds;
}

/**
 * A random 70/30 split of `src` for `seed`: each row goes to `train` with probability 0.7, by a
 * seeded hash of its number (views without the helper column, so no copy of the data is made).
 */
function inTrain(seed: number): string {
  return `hash(__rn, ${seed}) % 1000 < 700`;
}

/**
 * The split as two temporary tables: the profile and the validations read them many times, and a
 * view would hash every row of `src` again on each read. `holdout` keeps `__rn` for the
 * injections; its dataset view leaves it out.
 */
async function split(ds: Dataset, seed: number): Promise<{ train: Dataset; holdout: Dataset }> {
  const columns = ds.columns.map((c) => quoteIdent(c.name)).join(', ');
  await db.run(`CREATE OR REPLACE TEMP TABLE train AS SELECT ${columns} FROM src WHERE ${inTrain(seed)}`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE holdout_rn AS SELECT * FROM src WHERE NOT (${inTrain(seed)}) ORDER BY __rn`,
  );
  await db.run(`CREATE OR REPLACE TEMP VIEW holdout AS SELECT ${columns} FROM holdout_rn`);
  const [{ n }] = await db.all<{ n: unknown }>('SELECT count(*) AS n FROM train');
  const cut = Number(n);
  const side = (view: string, rows: number): Dataset => ({ ...ds, view, rows, notes: [] });
  return { train: side('train', cut), holdout: side('holdout', ds.rows - cut) };
}

/** The schema as data-validate would write it and read it back. */
async function inferOn(train: Dataset): Promise<DataSchema> {
  const profile = await profileDataset(db, train);
  return parseSchemaYaml(renderSchemaYaml(inferSchema(profile)), 'schema.yaml').schema;
}

function describeErrors(anomalies: Anomaly[]): string {
  return anomalies
    .filter((a) => a.severity === 'error')
    .map((a) => `${a.kind} ${a.column}: ${a.found}`)
    .join('; ');
}

type Injection = {
  kind: Anomaly['kind'];
  column: string;
  /** The holdout's select list with the anomaly in it. */
  select: string[];
  /** Must it be an error (else found at any severity)? */
  error: boolean;
};

/** The first `k` holdout rows (by row number) of the current split, as SQL condition on `__rn`. */
function firstHoldoutRows(k: number): string {
  return `__rn IN (SELECT __rn FROM holdout_rn ORDER BY __rn LIMIT ${k})`;
}

/** One injection of each kind, into columns the inferred schema has a rule for. */
function injections(ds: Dataset, schema: DataSchema, seed: number): Injection[] {
  const q = (name: string) => quoteIdent(name);
  const plain = ds.columns.map((c) => q(c.name));
  const replace = (name: string, expr: string) =>
    ds.columns.map((c) => (c.name === name ? `${expr} AS ${q(c.name)}` : q(c.name)));
  const out: Injection[] = [];
  const domain = schema.columns.find((c) => c.allowed_values && c.type === 'categorical');
  if (domain) {
    const col = q(domain.name);
    out.push({
      kind: 'unexpected_value',
      column: domain.name,
      select: replace(domain.name, `CASE WHEN ${firstHoldoutRows(5)} THEN 'injected-value' ELSE ${col} END`),
      error: false,
    });
  }
  const ranged = schema.columns.find((c) => typeof c.min === 'number' && typeof c.max === 'number');
  if (ranged) {
    const type = ds.columns.find((c) => c.name === ranged.name)!.type;
    const col = q(ranged.name);
    const min = ranged.min as number;
    const max = ranged.max as number;
    out.push({
      kind: 'wrong_type',
      column: ranged.name,
      select: replace(
        ranged.name,
        `CASE WHEN ${firstHoldoutRows(3)} THEN 'n/a' ELSE CAST(${col} AS VARCHAR) END`,
      ),
      error: true,
    });
    // A sentinel far above the range (ten widths), in 4 rows.
    const far = Math.ceil(max + 10 * (max - min || Math.abs(max) || 1));
    out.push({
      kind: 'out_of_range',
      column: ranged.name,
      select: replace(
        ranged.name,
        `CASE WHEN ${firstHoldoutRows(4)} THEN CAST(${far} AS ${type}) ELSE ${col} END`,
      ),
      error: true,
    });
  }
  const required = schema.columns[0]!;
  out.push({
    kind: 'missing_column',
    column: required.name,
    select: plain.filter((_, i) => ds.columns[i]!.name !== required.name),
    error: true,
  });
  out.push({
    kind: 'new_column',
    column: 'injected column',
    select: [...plain, `42 AS "injected column"`],
    error: false,
  });
  const sparse = schema.columns.find((c) => (c.max_null_fraction ?? 1) < 0.1);
  if (sparse) {
    out.push({
      kind: 'too_many_nulls',
      column: sparse.name,
      select: replace(
        sparse.name,
        `CASE WHEN hash(__rn, ${seed}, 'nulls') % 4 = 0 THEN NULL ELSE ${q(sparse.name)} END`,
      ),
      error: true,
    });
  }
  return out;
}

/** The schema's rules for the injected column only (none for new_column: every column is then new, the injected one too). */
function narrowed(schema: DataSchema, injection: Injection): DataSchema {
  return { ...schema, columns: schema.columns.filter((c) => c.name === injection.column) };
}

async function validateInjected(ds: Dataset, schema: DataSchema, injection: Injection) {
  await db.run(
    `CREATE OR REPLACE TEMP VIEW injected AS SELECT ${injection.select.join(', ')} FROM holdout_rn`,
  );
  const columns = (await db.all<{ column_name: string; column_type: string }>('DESCRIBE injected')).map(
    (r) => ({
      name: r.column_name,
      type: r.column_type,
    }),
  );
  const [{ n }] = await db.all<{ n: unknown }>('SELECT count(*) AS n FROM injected');
  return validateDataset(
    db,
    { ...ds, view: 'injected', columns, rows: Number(n), notes: [] },
    narrowed(schema, injection),
  );
}

describe('holdout property: a schema inferred on a random 70% accepts the other 30%', () => {
  it(`every vega-datasets table of at least ${MIN_ROWS} rows, ${SEEDS} seeds each: 0 errors; anomalies injected into the 30% are found`, async () => {
    const failures: string[] = [];
    const missed: string[] = [];
    const found = new Map<string, { runs: number; errors: number }>();
    const tested: string[] = [];
    let warnings = 0;
    for (const file of tableFiles()) {
      const ds = await loadTable(file);
      if (!ds || ds.rows < MIN_ROWS) continue;
      tested.push(file);
      for (let seed = 1; seed <= SEEDS; seed++) {
        const { train, holdout } = await split(ds, seed);
        const schema = await inferOn(train);
        const anomalies = await validateDataset(db, holdout, schema);
        warnings += anomalies.length - anomalies.filter((a) => a.severity === 'error').length;
        const errors = describeErrors(anomalies);
        if (errors) failures.push(`${file} seed ${seed}: ${errors}`);
        if (seed > POWER_SEEDS) continue;
        for (const injection of injections(ds, schema, seed)) {
          const hit = (await validateInjected(ds, schema, injection)).find(
            (a) => a.kind === injection.kind && a.column === injection.column,
          );
          const tally = found.get(injection.kind) ?? { runs: 0, errors: 0 };
          tally.runs++;
          if (hit?.severity === 'error') tally.errors++;
          found.set(injection.kind, tally);
          if (!hit || (injection.error && hit.severity !== 'error'))
            missed.push(
              `${file} seed ${seed}: ${injection.kind} in ${injection.column} ${hit ? `only a ${hit.severity}` : 'not found'}`,
            );
        }
      }
    }
    console.log(`holdout property: ${tested.length} tables x ${SEEDS} seeds, ${warnings} warnings`);
    console.log(`power (${POWER_SEEDS} seeds per table): ${JSON.stringify(Object.fromEntries(found))}`);
    expect(tested.length).toBeGreaterThanOrEqual(30);
    expect(failures).toEqual([]);
    expect(missed).toEqual([]);
    // Every kind was injected into most tables (a domain needs a categorical column of <= 100 values).
    const runs = (kind: Anomaly['kind']) => found.get(kind)?.runs ?? 0;
    expect(runs('unexpected_value')).toBeGreaterThanOrEqual(15 * POWER_SEEDS);
    for (const kind of [
      'wrong_type',
      'out_of_range',
      'missing_column',
      'new_column',
      'too_many_nulls',
    ] as const)
      expect(runs(kind), kind).toBeGreaterThanOrEqual(30 * POWER_SEEDS);
  }, 1_800_000);
});
