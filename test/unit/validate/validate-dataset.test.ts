import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import { profileDataset } from '../../../shared/src/data/profile.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { inferSchema } from '../../../shared/src/validate/infer-schema.js';
import type { DataSchema } from '../../../shared/src/validate/schema.js';
import {
  type LoadedSchema,
  parseSchemaYaml,
  renderSchemaYaml,
} from '../../../shared/src/validate/schema-yaml.js';
import {
  ANOMALY_KINDS,
  type Anomaly,
  validateDataset,
} from '../../../shared/src/validate/validate-dataset.js';
import { type Row, readRows, readSeattle, split70, writeCsv, writeJson } from './helpers.js';

let db: Database;
let temp: string;
beforeAll(async () => {
  db = await Database.open({ memoryLimit: '1GB', threads: 2 });
  temp = mkdtempSync(join(tmpdir(), 'mlops-validate-'));
});
afterAll(() => {
  db.close();
  rmSync(temp, { recursive: true, force: true });
});

/** Infers a schema from a file and returns it as written to schema.yaml and read back (with lines). */
async function inferFrom(path: string): Promise<LoadedSchema & { text: string }> {
  const profile = await profileDataset(db, await openDataset(db, path, { name: 'train' }));
  const text = renderSchemaYaml(inferSchema(profile));
  return { ...parseSchemaYaml(text, 'schema.yaml'), text };
}

async function validate(path: string, loaded: LoadedSchema | DataSchema): Promise<Anomaly[]> {
  const ds = await openDataset(db, path, { name: 'candidate' });
  const { schema, locations } =
    'schema' in loaded && typeof loaded.schema === 'object'
      ? loaded
      : { schema: loaded as DataSchema, locations: undefined };
  return validateDataset(db, ds, schema, { locations });
}

/** The line of `key:` inside column `column`'s block of a rendered schema. */
function lineOf(text: string, column: string, key: string): number {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.replace(/"/g, '') === `  ${column}:`);
  const offset = lines.slice(start).findIndex((l) => l.startsWith(`    ${key}:`));
  return start + offset + 1;
}

describe('no false alarms: a schema inferred on 70% of the rows accepts the other 30%', () => {
  const datasets: [string, () => Row[]][] = [
    ['penguins', () => readRows('penguins.json')],
    ['cars', () => readRows('cars.json')],
    ['seattle-weather', readSeattle],
  ];
  for (const [name, rows] of datasets) {
    it(name, async () => {
      const [train, holdout] = split70(rows());
      const schema = await inferFrom(writeJson(temp, `${name}-train.json`, train));
      expect(await validate(writeJson(temp, `${name}-holdout.json`, holdout), schema)).toEqual([]);
    });
  }
});

describe('each anomaly kind injected into a copy of the data is caught', () => {
  let penguins: Row[];
  let schema: LoadedSchema & { text: string };
  beforeAll(async () => {
    penguins = readRows('penguins.json');
    schema = await inferFrom(writeJson(temp, 'penguins.json', penguins));
  });
  const copy = (change: (rows: Row[]) => Row[]) => change(penguins.map((r) => ({ ...r })));
  const only = (anomalies: Anomaly[], kind: Anomaly['kind']) => {
    expect(anomalies.map((a) => a.kind)).toEqual([kind]);
    return anomalies[0]!;
  };

  it('the untouched data passes', async () => {
    expect(await validate(writeJson(temp, 'same.json', penguins), schema)).toEqual([]);
  });

  it('missing_column', async () => {
    const rows = copy((rs) => rs.map(({ Island, ...rest }) => rest));
    const a = only(await validate(writeJson(temp, 'missing.json', rows), schema), 'missing_column');
    expect(a).toMatchObject({ column: 'Island', severity: 'error', found: 'absent' });
    expect(a.rule).toEqual({ file: 'schema.yaml', line: lineOf(schema.text, 'Island', 'required') });
  });

  it('new_column', async () => {
    const rows = copy((rs) => rs.map((r) => ({ ...r, Colour: 'black' })));
    const a = only(await validate(writeJson(temp, 'new.json', rows), schema), 'new_column');
    expect(a).toMatchObject({ column: 'Colour', severity: 'warning', found: 'new column (VARCHAR)' });
  });

  it('wrong_type', async () => {
    const rows = copy((rs) => {
      rs[5]!['Body Mass (g)'] = 'heavy';
      rs[9]!['Body Mass (g)'] = 'n/a';
      return rs;
    });
    const a = only(await validate(writeJson(temp, 'type.json', rows), schema), 'wrong_type');
    expect(a).toMatchObject({ column: 'Body Mass (g)', severity: 'error', expected: 'numeric', count: 2 });
    expect(a.examples.sort()).toEqual(['heavy', 'n/a']);
    expect(a.rule!.line).toBe(lineOf(schema.text, 'Body Mass (g)', 'type'));
    // The message names the first value that does not convert and its data row (1-based), as
    // evaluate names a row; it used to say only "2 values not numeric".
    expect(a.message).toBe(
      `Column 'Body Mass (g)' should be numeric but is VARCHAR: 2 values not numeric, the first "heavy" at data row 6.`,
    );
  });

  it('wrong_type names the first bad value and its row in a CSV of 1,461 rows (past the first chunks)', async () => {
    const rows = readSeattle();
    const schema = await inferFrom(writeCsv(temp, 'seattle-all.csv', rows));
    rows[1300]!.date = '2015-13-01';
    rows[1400]!.date = 'yesterday';
    rows[1300]!.temp_max = 'abc';
    const anomalies = await validate(writeCsv(temp, 'seattle-bad.csv', rows), schema);
    const messages = anomalies.filter((a) => a.kind === 'wrong_type').map((a) => a.message);
    expect(messages).toEqual([
      `Column 'date' should be datetime but is VARCHAR: 2 values not datetime, the first "2015-13-01" at data row 1301.`,
      `Column 'temp_max' should be numeric but is VARCHAR: 1 value not numeric, the first "abc" at data row 1301.`,
    ]);
  });

  it('too_many_nulls', async () => {
    const rows = copy((rs) => rs.map((r, i) => (i % 20 === 0 ? { ...r, Species: null } : r)));
    const a = only(await validate(writeJson(temp, 'nulls.json', rows), schema), 'too_many_nulls');
    // 0 nulls in 344 rows: the 99% upper bound 1 - 0.01^(1/344) = 0.0133; 18 in 344 is far above it.
    expect(a).toMatchObject({
      column: 'Species',
      severity: 'error',
      count: 18,
      of: 344,
      bound: 0.0133,
      expected: 'null fraction <= 0.0133 (inferred from 344 rows)',
    });
    expect(a.p_value).toBeLessThan(1e-5);
    expect(a.rule!.line).toBe(lineOf(schema.text, 'Species', 'max_null_fraction'));
  });

  it('out_of_range', async () => {
    // A unit change: three flipper lengths in metres... of millimetres times ten.
    const rows = copy((rs) => rs.map((r, i) => (i < 3 ? { ...r, 'Flipper Length (mm)': 1810 + i } : r)));
    const a = only(await validate(writeJson(temp, 'range.json', rows), schema), 'out_of_range');
    expect(a).toMatchObject({ column: 'Flipper Length (mm)', count: 3 });
    expect(a.examples.sort()).toEqual([1810, 1811, 1812]);
    expect(a.rule!.line).toBe(lineOf(schema.text, 'Flipper Length (mm)', 'max'));
  });

  it('out_of_range of an inferred range: a stray value is a warning with its value; far outside or hand-written, an error', async () => {
    const flipper = schema.schema.columns.find((c) => c.name === 'Flipper Length (mm)')!;
    const max = flipper.max as number;
    const width = max - (flipper.min as number);
    const stray = copy((rs) => rs.map((r, i) => (i === 7 ? { ...r, 'Flipper Length (mm)': max + 3 } : r)));
    const a = only(await validate(writeJson(temp, 'stray.json', stray), schema), 'out_of_range');
    // 342 values inferred the range: about 2/343 of new values are expected past its extremes.
    expect(a).toMatchObject({ severity: 'warning', count: 1, of: 342, examples: [max + 3], bound: 2 / 343 });
    expect(a.p_value).toBeGreaterThan(0.001);
    expect(a.message).toContain('not significant');

    const hard = structuredClone(schema.schema);
    delete hard.columns.find((c) => c.name === 'Flipper Length (mm)')!.inferred_from;
    const strict = only(await validate(writeJson(temp, 'stray-hard.json', stray), hard), 'out_of_range');
    expect(strict).toMatchObject({ severity: 'error', count: 1, p_value: null });

    const sentinel = copy((rs) =>
      rs.map((r, i) => (i === 7 ? { ...r, 'Flipper Length (mm)': Math.ceil(max + 5 * width) } : r)),
    );
    const far = only(await validate(writeJson(temp, 'far.json', sentinel), schema), 'out_of_range');
    expect(far).toMatchObject({ severity: 'error', count: 1 });
    expect(far.found).toContain('far outside');
  });

  it('unexpected_value', async () => {
    const rows = copy((rs) => rs.map((r, i) => (i % 50 === 1 ? { ...r, Island: 'Atlantis' } : r)));
    const a = only(await validate(writeJson(temp, 'domain.json', rows), schema), 'unexpected_value');
    expect(a).toMatchObject({ column: 'Island', count: 7, examples: ['Atlantis'] });
    expect(a.rule!.line).toBe(lineOf(schema.text, 'Island', 'allowed_values'));
  });

  it('unexpected_value within max_new_category_fraction: a warning when inferred, tolerated when written by hand', async () => {
    const rows = copy((rs) => rs.map((r, i) => (i === 1 ? { ...r, Island: 'Atlantis' } : r)));
    // Inferred: the new value is named, as a warning, since 1 in 344 is no evidence against the bound.
    const a = only(await validate(writeJson(temp, 'domain-one.json', rows), schema), 'unexpected_value');
    expect(a).toMatchObject({ severity: 'warning', count: 1, of: 344, examples: ['Atlantis'] });
    expect(a.p_value).toBeGreaterThan(0.001);
    const tolerant = structuredClone(schema.schema);
    const island = tolerant.columns.find((c) => c.name === 'Island')!;
    delete island.inferred_from;
    island.max_new_category_fraction = 0.01;
    expect(await validate(writeJson(temp, 'domain-ok.json', rows), tolerant)).toEqual([]);
  });

  it('not_unique', async () => {
    const weather = readSeattle();
    const loaded = await inferFrom(writeJson(temp, 'weather.json', weather));
    expect(loaded.schema.columns.find((c) => c.name === 'date')!.unique).toBe(true);
    const doubled = [...weather, { ...weather[10]! }, { ...weather[20]! }];
    const a = only(await validate(writeJson(temp, 'weather-dup.json', doubled), loaded), 'not_unique');
    expect(a).toMatchObject({ column: 'date', count: 2 });
    expect(a.examples.sort()).toEqual([weather[10]!.date, weather[20]!.date].sort());
  });

  it('uniqueness is inferred for keys (dates, ids), not for an amount that happened to be all distinct', async () => {
    // movies.json: "US DVD Sales" holds 564 distinct dollar figures in its 564 non-null values; a
    // later batch that repeats one is not a broken key. Its "Title" repeats, so it is no key either.
    const movies = readRows('movies.json');
    const loaded = await inferFrom(writeJson(temp, 'movies.json', movies));
    const rule = (name: string) => loaded.schema.columns.find((c) => c.name === name)!;
    expect(rule('US DVD Sales').unique).toBeUndefined();
    const keyed: Row[] = movies.map((m, i) => ({ movie_id: 1000 + i, ...m }));
    const withId = await inferFrom(writeJson(temp, 'movies-id.json', keyed));
    expect(withId.schema.columns.find((c) => c.name === 'movie_id')!.unique).toBe(true);
    const dvd = keyed.filter((m) => m['US DVD Sales'] !== null);
    const repeated = [...keyed, { ...keyed[0]!, movie_id: 5000, 'US DVD Sales': dvd[0]!['US DVD Sales'] }];
    expect(
      (await validate(writeJson(temp, 'movies-repeat.json', repeated), withId)).filter(
        (a) => a.kind === 'not_unique',
      ),
    ).toEqual([]);
  });

  it('regex_mismatch', async () => {
    const cars = readRows('cars.json');
    const loaded = await inferFrom(writeJson(temp, 'cars.json', cars));
    const name = loaded.schema.columns.find((c) => c.name === 'Name')!;
    name.regex = '[a-z][a-z-]*( [^ ]+)*'; // make and model, lower case
    expect(await validate(writeJson(temp, 'cars-same.json', cars), loaded.schema)).toEqual([]);
    const changed = cars.map((r, i) =>
      i === 3 ? { ...r, Name: 'AMC Rebel SST' } : i === 4 ? { ...r, Name: ' ford torino' } : r,
    );
    const a = only(
      await validate(writeJson(temp, 'cars-regex.json', changed), loaded.schema),
      'regex_mismatch',
    );
    expect(a).toMatchObject({ column: 'Name', count: 2 });
    expect(a.examples.sort()).toEqual([' ford torino', 'AMC Rebel SST']);
  });

  it('row_count', async () => {
    const header = writeCsv(temp, 'empty-extract.csv', [], Object.keys(penguins[0]!));
    const anomalies = await validate(header, schema);
    const a = anomalies.find((x) => x.kind === 'row_count')!;
    expect(a).toMatchObject({
      column: null,
      severity: 'error',
      found: '0 rows',
      expected: 'at least 1 rows',
    });
    expect(a.rule).toEqual({
      file: 'schema.yaml',
      line: schema.text.split('\n').indexOf('  min_rows: 1') + 1,
    });
  });

  it('nan_or_inf', async () => {
    const rows = copy((rs) => {
      rs[0]!['Beak Length (mm)'] = 'nan';
      rs[1]!['Beak Length (mm)'] = 'inf';
      return rs;
    });
    const a = only(await validate(writeCsv(temp, 'nan.csv', rows), schema), 'nan_or_inf');
    expect(a).toMatchObject({ column: 'Beak Length (mm)', count: 2, found: '1 NaN, 1 +inf' });
  });

  it('covers every anomaly kind', () => {
    expect([...ANOMALY_KINDS].sort()).toEqual(
      [
        'missing_column',
        'new_column',
        'wrong_type',
        'too_many_nulls',
        'out_of_range',
        'unexpected_value',
        'not_unique',
        'regex_mismatch',
        'row_count',
        'nan_or_inf',
        'skew',
        'drift',
      ].sort(),
    );
  });
});

describe('validateDataset details', () => {
  it('handles column names that look like SQL or its own aliases', async () => {
    const rows = [
      { v: 1, n: 'a', b: true, rows: 3, nn0: 'x', 'we"ird': 'p' },
      { v: 2, n: 'b', b: false, rows: 4, nn0: 'y', 'we"ird': 'q' },
    ];
    const path = writeJson(temp, 'odd.json', rows);
    const loaded = await inferFrom(path);
    expect(await validate(path, loaded)).toEqual([]);
    const changed = writeJson(temp, 'odd2.json', [
      ...rows,
      { v: 3, n: 'zz', b: null, rows: 99, nn0: 'x', 'we"ird': 'r' },
    ]);
    const kinds = (await validate(changed, loaded)).map((a) => `${a.kind}:${a.column}`).sort();
    expect(kinds).toContain('unexpected_value:n');
    expect(kinds).toContain('unexpected_value:we"ird');
  });

  it('rejects a regex that RE2 cannot compile, naming the schema line', async () => {
    const path = writeJson(temp, 'rx.json', [{ s: 'a' }]);
    const text = 'schema: mlops-schema/v1\ncolumns:\n  s:\n    type: string\n    regex: "(?=a)a"\n';
    const loaded = parseSchemaYaml(text, 'schema.yaml');
    await expect(validate(path, loaded)).rejects.toThrow(UserError);
    await expect(validate(path, loaded)).rejects.toThrow(
      /schema\.yaml:5: regex of column 's' is not a valid RE2 pattern/,
    );
  });

  it('reports a numeric column that became text with the values that do not convert, and still checks the rest', async () => {
    const path = writeCsv(temp, 'mixed.csv', [{ x: '1' }, { x: '2' }, { x: 'oops' }, { x: '900' }]);
    const schema: DataSchema = {
      schema: 'mlops-schema/v1',
      table: { extra_columns: 'warning' },
      columns: [{ name: 'x', type: 'numeric', required: true, min: 0, max: 10 }],
    };
    const kinds = (await validate(path, schema)).map((a) => [a.kind, a.count, a.examples]);
    expect(kinds).toEqual([
      ['wrong_type', 1, ['oops']],
      ['out_of_range', 1, [900]],
    ]);
  });
});
