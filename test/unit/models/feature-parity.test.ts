/**
 * The feature contract's parity property: a raw row becomes the same model input, bit for bit,
 * whichever path reads it: train (readTrainingTable), evaluate on CSV, Parquet and JSON files
 * (readEvaluationRows, the DuckDB streaming path), and the server's row and columnar requests
 * (parsePredictRequest, then the contract as the server applies it), with values sent as JSON
 * numbers or as text. The filled-value counts agree too. On today's main these differ for dates
 * (three spellings), "?" tokens and unseen categories.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, quoteLiteral } from '../../../shared/src/data/database.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import { readEvaluationRows } from '../../../shared/src/evaluate/inference.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import {
  applyPreprocessing,
  FeatureCounts,
  featureDtype,
  fitPreprocessing,
  inputWidth,
  type Preprocessing,
} from '../../../shared/src/models/preprocessing.js';
import { parsePredictRequest } from '../../../shared/src/serve/predict-request.js';
import { readTrainingTable } from '../../../shared/src/train/tabularData.js';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');

let temp: string;
let db: Database;
beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'mlops-parity-'));
  db = await Database.open({ memoryLimit: '1GB', threads: 1 });
});
afterAll(() => {
  db.close();
  rmSync(temp, { recursive: true, force: true });
});

interface Matrix {
  values: Float32Array;
  counts: ReturnType<FeatureCounts['toJSON']>;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    )
  );
}

/** Fits the contract on `trainFile` the way train does; returns it with the train path's matrix. */
async function trainPath(
  trainFile: string,
  target: string,
): Promise<{ spec: Preprocessing; matrix: Matrix }> {
  const table = await readTrainingTable(trainFile, target, 'auto', silentLog);
  const classes = table.task === 'classification' ? [...new Set(table.target.map(String))].sort() : undefined;
  const spec = fitPreprocessing(table.columns, table.rows, {
    features: table.features,
    target,
    task: table.task,
    classes,
    missing: table.missing,
    dropped: table.dropped,
  });
  const counts = new FeatureCounts();
  const values = applyPreprocessing(spec, table.columns, table.rows, { onInvalid: 'impute', counts });
  return { spec, matrix: { values, counts: counts.toJSON() } };
}

async function evaluatePath(file: string, spec: Preprocessing, name: string): Promise<Matrix> {
  const dataset = await openDataset(db, file, { name });
  const parts: Float32Array[] = [];
  const read = await readEvaluationRows(
    db,
    dataset,
    spec,
    { target: spec.target, slices: [], log: silentLog, onInvalid: 'impute', modelPath: 'model' },
    async (features) => {
      parts.push(features);
    },
  );
  await db.run(`DROP VIEW IF EXISTS "${name}"`).catch(() => {});
  return { values: concat(parts), counts: read.featureCounts.toJSON() };
}

/** The server's path: a request body parsed as TF Serving's, then the contract as servingModel applies it. */
function servePath(
  instances: Record<string, unknown>[],
  spec: Preprocessing,
  format: 'row' | 'columnar',
): Matrix {
  const inputs = spec.features.map((f) => ({ name: f.name, dtype: featureDtype(f.kind), shape: [-1] }));
  const names = inputs.map((i) => i.name);
  const rows = instances.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
  const body =
    format === 'row'
      ? { instances: rows }
      : { inputs: Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n])])) };
  const request = parsePredictRequest(JSON.stringify(body), inputs, 1_000_000);
  expect(request.format).toBe(format);
  const counts = new FeatureCounts();
  const values = applyPreprocessing(spec, request.columns, request.rows, { onInvalid: 'impute', counts });
  return { values, counts: counts.toJSON() };
}

/** Writes `source` (read by DuckDB) as CSV, Parquet and NDJSON; returns the paths and the JSON rows. */
async function copies(source: string, stem: string) {
  const dataset = await openDataset(db, source, { name: `${stem}_source` });
  const paths = {
    csv: join(temp, `${stem}.csv`),
    parquet: join(temp, `${stem}.parquet`),
    json: join(temp, `${stem}.ndjson`),
  };
  const from = `"${dataset.view}"`;
  await db.run(`COPY (SELECT * FROM ${from}) TO ${quoteLiteral(paths.csv)} (FORMAT CSV, HEADER)`);
  await db.run(`COPY (SELECT * FROM ${from}) TO ${quoteLiteral(paths.parquet)} (FORMAT PARQUET)`);
  await db.run(`COPY (SELECT * FROM ${from}) TO ${quoteLiteral(paths.json)} (FORMAT JSON)`);
  const rows = readFileSync(paths.json, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { paths, rows };
}

/** Every path's matrix equals the train path's, bit for bit, with the same counts. */
async function expectParity(
  trainFile: string,
  target: string,
  evalSource: string,
  stem: string,
): Promise<{ spec: Preprocessing; train: Matrix; evaluate: Matrix }> {
  const { spec, matrix: train } = await trainPath(trainFile, target);
  const { paths, rows } = await copies(evalSource, stem);
  const evaluated: Record<string, Matrix> = {};
  for (const [format, file] of Object.entries(paths)) {
    evaluated[format] = await evaluatePath(file, spec, `parity_${stem}_${format}`);
  }
  const labelled = rows.filter((r) => r[target] !== null && r[target] !== undefined);
  const asText = labelled.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)])),
  );
  const served = {
    row: servePath(labelled, spec, 'row'),
    columnar: servePath(labelled, spec, 'columnar'),
    text: servePath(asText, spec, 'row'),
  };
  const reference = evaluated.csv!;
  expect(reference.values.length).toBe(labelled.length * inputWidth(spec));
  for (const [path, m] of Object.entries({ ...evaluated, ...served })) {
    expect(sameBits(m.values, reference.values), `${stem}: ${path} differs from csv`).toBe(true);
    expect(m.counts, `${stem}: ${path} counts`).toEqual(reference.counts);
  }
  return { spec, train, evaluate: reference };
}

describe('feature parity: train, evaluate (CSV, Parquet, JSON) and serve (row, columnar, text) agree bit for bit', () => {
  it('cars: Year is a date expanded into numeric parts, Name an identifier, missing Horsepower filled', async () => {
    const source = join(DATA, 'cars.json');
    const { spec, train, evaluate } = await expectParity(source, 'Miles_per_Gallon', source, 'cars');
    expect(sameBits(train.values, evaluate.values)).toBe(true);
    expect(train.counts).toEqual(evaluate.counts);
    const year = spec.features.find((f) => f.name === 'Year');
    expect(year?.kind).toBe('date');
    expect(spec.dropped).toEqual([{ name: 'Name', reason: 'text-id' }]);
    expect(train.counts.missing['Horsepower']).toBeGreaterThan(0);
    expect(train.counts.invalid).toEqual({});
    // The same car as a client sends it: the date as a date or an instant, the number as text.
    const one = (year: string, hp: unknown) =>
      servePath(
        [
          {
            Cylinders: 8,
            Displacement: 307,
            Horsepower: hp,
            Weight_in_lbs: 3504,
            Acceleration: 12,
            Year: year,
            Origin: 'USA',
          },
        ],
        spec,
        'row',
      ).values;
    const base = one('1975-01-01', 130);
    expect(sameBits(one('1975-01-01T00:00:00.000Z', 130), base)).toBe(true);
    expect(sameBits(one('1975-01-01T01:00:00+01:00', '130'), base)).toBe(true);
    expect(sameBits(one('1976-01-01', 130), base)).toBe(false);
  });

  it('penguins: nulls and the categorical Island and Sex', async () => {
    const source = join(DATA, 'penguins.json');
    const { spec, train, evaluate } = await expectParity(source, 'Species', source, 'penguins');
    expect(sameBits(train.values, evaluate.values)).toBe(true);
    expect(spec.features.find((f) => f.name === 'Island')?.kind).toBe('categorical');
  });

  it('seattle-weather: the date column and the weather category', async () => {
    const source = join(DATA, 'seattle-weather.csv');
    const { spec, train, evaluate } = await expectParity(source, 'weather', source, 'seattle');
    expect(sameBits(train.values, evaluate.values)).toBe(true);
    expect(spec.features.find((f) => f.name === 'date')?.kind).toBe('date');
    expect(spec.task).toBe('classification');
  });

  it('a synthetic table with every type, missing tokens, unseen categories, unparseable values and ±Inf', async () => {
    const header = 'num,cat,flag,day,ts,code,id,y';
    const train = [header];
    for (let i = 0; i < 40; i++) {
      const num = i % 7 === 0 ? '?' : i % 11 === 0 ? 'NA' : i % 13 === 0 ? '' : String(i * 1.5 - 3);
      const cat = ['red', 'green', 'blue', ''][i % 4];
      const flag = ['true', 'false', 'True', ''][i % 4];
      const day = i % 9 === 0 ? '' : `2021-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`;
      const ts = `2021-03-0${1 + (i % 9)}T${String(i % 24).padStart(2, '0')}:15:00Z`;
      const code = String(i % 3);
      train.push(`${num},${cat},${flag},${day},${ts},${code},row-${i},${i % 5}`);
    }
    const trainFile = join(temp, 'synthetic-train.csv');
    writeFileSync(trainFile, `${train.join('\n')}\n`);
    const evaluation = [
      header,
      '1.5,red,true,2021-02-03,2021-03-01T10:00:00Z,1,a,1',
      'abc,purple,maybe,2021-13-45,not a time,2,b,2',
      'inf,green,false,,2021-03-02T00:00:00Z,0,c,3',
      '-Infinity,blue,FALSE,2021-02-30,2021-03-02T00:00:00+02:00,7,d,4',
      'NaN,null,yes,2021-05-05,,1,e,0',
      'N/A,n/a,,NA,?,,f,1',
      '1e3,RED,0,2020-01-01,2020-01-01 12:30:00,2,g,',
    ];
    const evalFile = join(temp, 'synthetic-eval.csv');
    writeFileSync(evalFile, `${evaluation.join('\n')}\n`);
    const { spec, evaluate } = await expectParity(trainFile, 'y', evalFile, 'synthetic');
    expect(Object.fromEntries(spec.features.map((f) => [f.name, f.kind]))).toEqual({
      num: 'numeric',
      cat: 'categorical',
      flag: 'boolean',
      day: 'date',
      ts: 'datetime',
      code: 'numeric',
    });
    expect(spec.dropped).toEqual([{ name: 'id', reason: 'text-id' }]);
    expect(evaluate.counts.invalid).toEqual({
      num: { unparseable: 1, non_finite: 2 },
      cat: { unseen_category: 1 },
      flag: { unparseable: 1 },
      day: { unparseable: 2 },
      ts: { unparseable: 1 },
    });
    expect(evaluate.counts.rows).toBe(6);
  });

  it('holds for generated tables (fast-check)', async () => {
    const numeric = fc.oneof(
      fc.integer({ min: -50, max: 50 }).map(String),
      fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((x) => String(x)),
      fc.constantFrom('', 'NA', '?', 'null'),
    );
    const category = fc.constantFrom('a', 'b', 'c', 'dd', '', 'N/A');
    const bool = fc.constantFrom('true', 'false', '');
    const day = fc.oneof(
      fc
        .date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.constant(''),
    );
    const row = fc.tuple(numeric, category, bool, day, fc.integer({ min: 0, max: 9 }));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 8, maxLength: 40 }), async (rows) => {
        run++;
        const lines = ['x,c,b,d,y', '1,a,true,2020-01-01,0', ...rows.map((r) => r.join(','))];
        const file = join(temp, `generated-${run}.csv`);
        writeFileSync(file, `${lines.join('\n')}\n`);
        await expectParity(file, 'y', file, `generated_${run}`);
      }),
      { numRuns: 12, seed: 20261207 },
    );
  });
});
