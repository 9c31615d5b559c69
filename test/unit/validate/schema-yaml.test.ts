import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import type { DataSchema } from '../../../shared/src/validate/schema.js';
import { parseSchemaYaml, renderSchemaYaml } from '../../../shared/src/validate/schema-yaml.js';

const base = `schema: mlops-schema/v1
table:
  min_rows: 10
  extra_columns: error
columns:
  species:
    type: categorical
    allowed_values: [Adelie, Gentoo]
    max_new_category_fraction: 0.01
  mass:
    type: numeric
    max_null_fraction: 0.05
    min: 0
    max: 10000
`;

function problem(text: string): UserError {
  try {
    parseSchemaYaml(text, 'ml/schema.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected the schema to be rejected');
}

describe('parseSchemaYaml', () => {
  it('reads rules and the line of each one', () => {
    const { schema, locations } = parseSchemaYaml(base, 'schema.yaml');
    expect(schema.table).toEqual({ min_rows: 10, extra_columns: 'error' });
    expect(schema.columns).toEqual([
      {
        name: 'species',
        type: 'categorical',
        required: true,
        allowed_values: ['Adelie', 'Gentoo'],
        max_new_category_fraction: 0.01,
      },
      { name: 'mass', type: 'numeric', required: true, max_null_fraction: 0.05, min: 0, max: 10000 },
    ]);
    expect(locations!.table).toEqual({ min_rows: 3, extra_columns: 4 });
    expect(locations!.columns.mass).toEqual({ _: 10, type: 11, max_null_fraction: 12, min: 13, max: 14 });
  });

  it('names file, line and column of a misspelt key, with the nearest valid key', () => {
    const e = problem(base.replace('allowed_values', 'allowed_valeus'));
    expect(e.message).toContain(
      "ml/schema.yaml:8:5: unknown key 'allowed_valeus' in column 'species'. Did you mean 'allowed_values'?",
    );
    expect(e.location).toEqual({ file: 'ml/schema.yaml', line: 8, column: 5 });
  });

  it('suggests the nearest type and top-level key', () => {
    expect(problem(base.replace('type: numeric', 'type: numerc')).message).toMatch(
      /:11:11: 'type' of column 'mass' must be one of numeric.*not 'numerc'\. Did you mean 'numeric'\?/,
    );
    expect(problem(base.replace('\ncolumns:', '\ncolums:')).message).toMatch(
      /unknown key 'colums'\. Did you mean 'columns'\?/,
    );
  });

  it('lists every problem, each with its line: wrong value types and contradictions', () => {
    const text = base
      .replace('max_null_fraction: 0.05', 'max_null_fraction: lots')
      .replace('min: 0', 'min: 20000')
      .replace('extra_columns: error', 'extra_columns: sometimes');
    const e = problem(text);
    expect(e.message).toContain(
      "ml/schema.yaml:4:18: 'table.extra_columns' must be one of error, warning, ignore",
    );
    expect(e.message).toContain(
      "ml/schema.yaml:12:24: 'max_null_fraction' of column 'mass' must be a number from 0 to 1",
    );
    expect(e.message).toMatch(/column 'mass': 'min' \(20000\) is larger than 'max' \(10000\)/);
    expect(e.location!.line).toBe(4);
  });

  it('reports YAML syntax errors with their line', () => {
    const e = problem('schema: mlops-schema/v1\ncolumns:\n  a:\n    type: [numeric\n');
    expect(e.location!.line).toBeGreaterThanOrEqual(4);
    expect(e.message).toMatch(/ml\/schema\.yaml:\d+/);
  });

  it('requires a type per column and rejects nullable: false with a positive null fraction', () => {
    expect(problem('schema: mlops-schema/v1\ncolumns:\n  a:\n    required: true\n').message).toMatch(
      /:3:3: column 'a' has no 'type'/,
    );
    const e = problem(
      'schema: mlops-schema/v1\ncolumns:\n  a:\n    type: string\n    nullable: false\n    max_null_fraction: 0.2\n',
    );
    expect(e.message).toMatch(/says 'nullable: false' and 'max_null_fraction: 0.2'/);
    const { schema } = parseSchemaYaml(
      'schema: mlops-schema/v1\ncolumns:\n  a:\n    type: string\n    nullable: false\n',
      'x',
    );
    expect(schema.columns[0]!.max_null_fraction).toBe(0);
  });

  it('reads inferred_from and the skew and drift thresholds, and rejects bad ones', () => {
    const text = `${base}    inferred_from: {rows: 240, values: 238}\n    skew_threshold: 0.05\n    drift_threshold: 0.2\n`;
    const { schema, locations } = parseSchemaYaml(text, 'schema.yaml');
    expect(schema.columns[1]).toMatchObject({
      inferred_from: { rows: 240, values: 238 },
      skew_threshold: 0.05,
      drift_threshold: 0.2,
    });
    expect(locations!.columns.mass).toMatchObject({
      inferred_from: 15,
      skew_threshold: 16,
      drift_threshold: 17,
    });
    // A schema without them still reads as before: hand-written bounds are hard limits.
    expect(parseSchemaYaml(base, 'x').schema.columns[1]!.inferred_from).toBeUndefined();
    const bad = problem(
      `${base}    inferred_from: {rows: 10, values: 11}\n    skew_threshold: 0\n    drift_threshold: lots\n`,
    );
    expect(bad.message).toContain("ml/schema.yaml:15:20: 'inferred_from' of column 'mass' must be {rows:");
    expect(bad.message).toContain(
      "ml/schema.yaml:16:21: 'skew_threshold' of column 'mass' must be a number above 0",
    );
    expect(bad.message).toContain("'drift_threshold' of column 'mass' must be a number above 0");
    expect(problem(`${base}    inferred_from: {rows: 10, value: 3}\n`).message).toContain(
      "'inferred_from' of column 'mass'",
    );
  });

  it('rejects a duplicate column and a schema of another version', () => {
    expect(problem(`${base}  mass:\n    type: numeric\n`).message).toMatch(/unique|duplicate/i);
    expect(problem(base.replace('mlops-schema/v1', 'mlops-schema/v2')).message).toMatch(
      /'schema' must be mlops-schema\/v1/,
    );
  });
});

describe('renderSchemaYaml', () => {
  it('round-trips odd column names and values, with a commented header', () => {
    const schema: DataSchema = {
      schema: 'mlops-schema/v1',
      table: { min_rows: 1, max_rows: 500, extra_columns: 'warning' },
      columns: [
        {
          name: 'naïve: "quoted" # not a comment',
          type: 'categorical',
          required: false,
          allowed_values: ['yes', 'true', '123', ' padded', 'a, b', '- dash', '@mention', '<b>x</b>', 'ünï'],
          max_new_category_fraction: 0.05,
          severity: 'warning',
        },
        {
          name: 'true',
          type: 'numeric',
          required: true,
          min: -1.5,
          max: 2,
          allow_nan_or_inf: true,
          unique: false,
        },
        { name: 'when', type: 'datetime', required: true, min: '2020-01-01', regex: '\\d{4}-.*' },
        {
          name: 'sampled',
          type: 'numeric',
          required: true,
          max_null_fraction: 0.0133,
          min: 0,
          max: 10,
          inferred_from: { rows: 344, values: 340 },
          skew_threshold: 0.05,
          drift_threshold: 0.3,
        },
      ],
    };
    const text = renderSchemaYaml(schema, {
      source: { path: 'data/train.csv', rows: 42 },
      now: new Date('2025-01-02T00:00:00Z'),
    });
    expect(
      text.startsWith(
        '# Data schema for the data-validate step (mlops-schema/v1).\n# Inferred from data/train.csv (42 rows) on 2025-01-02.',
      ),
    ).toBe(true);
    expect(parseSchemaYaml(text, 'schema.yaml').schema).toEqual(schema);
  });

  it('says in comments how each inferred bound was derived and from how many rows', () => {
    const schema: DataSchema = {
      schema: 'mlops-schema/v1',
      table: { min_rows: 1, extra_columns: 'warning' },
      columns: [
        {
          name: 'mass',
          type: 'numeric',
          required: true,
          max_null_fraction: 0.0243,
          min: 2430,
          max: 6570,
          inferred_from: { rows: 344, values: 342 },
          derivation: {
            max_null_fraction: '2 nulls in 344 rows: their 99% upper confidence bound (Clopper-Pearson).',
            range: 'observed 2700 to 6300 in 342 values, widened by 10% of the range.',
          },
        },
      ],
    };
    const text = renderSchemaYaml(schema);
    expect(text).toContain(
      '    # 2 nulls in 344 rows: their 99% upper confidence bound (Clopper-Pearson).\n    max_null_fraction: 0.0243\n',
    );
    expect(text).toContain(
      '    # observed 2700 to 6300 in 342 values, widened by 10% of the range.\n    min: 2430\n',
    );
    const { derivation, ...rules } = schema.columns[0]!;
    expect(parseSchemaYaml(text, 'schema.yaml').schema.columns[0]).toEqual(rules);
  });
});
