/**
 * The feature contract's reading rules, one decision at a time: what counts as missing, what
 * reads as a number, a boolean, a category or a date, what is invalid and of which kind, and what
 * each kind of feature becomes (the fill, the scaling, the one-hot slot, the date parts). Every
 * fill is counted; under `on-invalid: error` an invalid value is an error naming row and column.
 * The expected values are worked by hand from the documented rules (the scikit-learn goldens are
 * in preprocessing-sklearn.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import {
  applyPreprocessing,
  contractInputs,
  FeatureCounts,
  fitPreprocessing,
  InvalidFeatureValueError,
  type OnInvalid,
  type Preprocessing,
  parsePreprocessing,
} from '../../../shared/src/models/preprocessing.js';

function specOf(features: unknown[], missing = ['', 'NA', 'NaN']): Preprocessing {
  return parsePreprocessing({
    schema: 'mlops-preprocessing/v2',
    missing,
    features,
    target: 'y',
    task: 'regression',
  });
}

const NUMERIC = specOf([{ name: 'x', kind: 'numeric', mean: 10, std: 2, fill: 4 }]);
const BOOLEAN = specOf([{ name: 'b', kind: 'boolean', fill: 1 }]);
const CATEGORY = specOf([{ name: 'c', kind: 'categorical', categories: ['1', 'a', 'b'], fill: 'b' }]);
const NO_FILL = specOf([{ name: 'c', kind: 'categorical', categories: ['a', 'b'], fill: null }]);

/** Transforms one column of values under `impute`; returns the values and the counts. */
function read(spec: Preprocessing, values: unknown[], onInvalid: OnInvalid = 'impute') {
  const counts = new FeatureCounts();
  const seen: [number, string, string][] = [];
  const out = applyPreprocessing(spec, { [spec.features[0]!.name]: values }, values.length, {
    onInvalid,
    counts,
    onInvalidValue: (r, column, kind) => seen.push([r, column, kind]),
  });
  return { out: Array.from(out), counts: counts.toJSON(), seen };
}

function invalidError(run: () => unknown): InvalidFeatureValueError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFeatureValueError);
    return error as InvalidFeatureValueError;
  }
  throw new Error('expected an InvalidFeatureValueError');
}

describe('missing values: null, undefined, a token after trimming, NaN only when "NaN" is a token', () => {
  it('each is filled and counted as missing, never as invalid', () => {
    const { out, counts } = read(NUMERIC, [null, undefined, '', '  NA ', Number.NaN, 'NaN']);
    // fill 4 -> (4 - 10) / 2 = -3
    expect(out).toEqual([-3, -3, -3, -3, -3, -3]);
    expect(counts).toEqual({ rows: 6, missing: { x: 6 }, invalid: {} });
  });

  it('without the "NaN" token a NaN number is not missing but not finite', () => {
    const spec = specOf([{ name: 'x', kind: 'numeric', mean: 0, std: 1, fill: 7 }], ['']);
    const { out, counts } = read(spec, [Number.NaN, 'NaN']);
    expect(out).toEqual([7, 7]);
    expect(counts.invalid).toEqual({ x: { non_finite: 1, unparseable: 1 } });
    expect(counts.missing).toEqual({});
  });

  it('a token is matched whole: "NAN" and "N A" are not missing', () => {
    expect(read(CATEGORY, ['NAN', 'N A']).counts.invalid).toEqual({ c: { unseen_category: 2 } });
  });
});

describe('numbers', () => {
  it('read JSON numbers, bigints and decimal text (signs, exponents, leading or trailing dot, spaces)', () => {
    const spec = specOf([{ name: 'x', kind: 'numeric', mean: 0, std: 1, fill: 0 }]);
    const { out, counts } = read(spec, [2.5, 3n, ' -1.5e2 ', '+.5', '7.', '1E1']);
    expect(out).toEqual([2.5, 3, -150, 0.5, 7, 10]);
    expect(counts.invalid).toEqual({});
  });

  it('standardise as (x - mean) / std, a std of 0 as 1', () => {
    expect(read(NUMERIC, [12, 10, 7]).out).toEqual([1, 0, -1.5]);
    const flat = specOf([{ name: 'x', kind: 'numeric', mean: 3, std: 0, fill: 3 }]);
    expect(read(flat, [5]).out).toEqual([2]);
  });

  it('multi-digit integer parts, a fraction without an integer part and signed exponents read as numbers', () => {
    const spec = specOf([{ name: 'x', kind: 'numeric', mean: 0, std: 1, fill: 0 }]);
    const { out, counts } = read(spec, ['12.5', '.25', '1e-3', '2E+2', '-10.75e-1']);
    expect(out).toEqual([12.5, 0.25, Math.fround(0.001), 200, Math.fround(-1.075)]);
    expect(counts.invalid).toEqual({});
  });

  it('the words inf/infinity are matched whole, with a sign and in any case: "xinf" and "infinite" are unparseable', () => {
    const { seen } = read(NUMERIC, ['+inf', ' -INFINITY ', 'xinf', 'infinite']);
    expect(seen.map(([, , kind]) => kind)).toEqual([
      'non_finite',
      'non_finite',
      'unparseable',
      'unparseable',
    ]);
  });

  it('infinite numbers and the words inf/infinity are non_finite; other text, objects and booleans unparseable', () => {
    const { out, counts, seen } = read(NUMERIC, [
      Number.POSITIVE_INFINITY,
      '-Infinity',
      'inf',
      '1e999',
      'abc',
      '1,5',
      true,
      { v: 1 },
      '0x10',
    ]);
    expect(out).toEqual(Array(9).fill(-3));
    expect(counts.invalid).toEqual({ x: { non_finite: 4, unparseable: 5 } });
    expect(counts.missing).toEqual({});
    expect(seen.slice(0, 2)).toEqual([
      [0, 'x', 'non_finite'],
      [1, 'x', 'non_finite'],
    ]);
    expect(seen[4]).toEqual([4, 'x', 'unparseable']);
  });

  it('under on-invalid: error the first invalid value is an error naming the row, column, kind and value', () => {
    const error = invalidError(() => read(NUMERIC, [1, 2, 'abc'], 'error'));
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ column: 'x', kind: 'unparseable', row: 2, value: 'abc' });
    expect(error.message).toBe(`row 3: 'x' is "abc", which is not a number nor a missing-value token.`);
    expect(invalidError(() => read(NUMERIC, ['inf'], 'error')).message).toBe(
      `row 1: 'x' is "inf", not a finite number.`,
    );
  });

  it('the error names the row as the caller describes it (describeRow), e.g. a file line', () => {
    const error = invalidError(() =>
      applyPreprocessing(NUMERIC, { x: [1, 'abc'] }, 2, {
        onInvalid: 'error',
        describeRow: (r) => `data.csv line ${r + 2}`,
      }),
    );
    expect(error.message).toBe(
      `data.csv line 3: 'x' is "abc", which is not a number nor a missing-value token.`,
    );
  });

  it('warn fills and counts exactly as impute does', () => {
    expect(read(NUMERIC, ['abc', null], 'warn')).toEqual(read(NUMERIC, ['abc', null], 'impute'));
  });
});

describe('booleans', () => {
  it('read true/false, 1/0 and the words true t yes 1 / false f no 0 in any case', () => {
    const { out, counts } = read(BOOLEAN, [
      true,
      false,
      1,
      0,
      1n,
      0n,
      ' TRUE ',
      'f',
      'Yes',
      'no',
      '1',
      '0',
      'T',
      'F',
    ]);
    expect(out).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(counts.invalid).toEqual({});
  });

  it('another number is unparseable (a non-finite one non_finite), other text unparseable; each takes the fill', () => {
    const { out, counts } = read(BOOLEAN, [2, 0.5, -1, Number.POSITIVE_INFINITY, 'y', 'on', {}, null]);
    expect(out).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(counts.invalid).toEqual({ b: { unparseable: 6, non_finite: 1 } });
    expect(counts.missing).toEqual({ b: 1 });
    expect(invalidError(() => read(BOOLEAN, ['y'], 'error')).message).toBe(
      `row 1: 'b' is "y", which is not a boolean (true/false) nor a missing-value token.`,
    );
  });

  it('fitting: the fill is the more frequent value, a tie going to false (0)', () => {
    const fill = (values: unknown[]) =>
      (
        fitPreprocessing({ b: values }, values.length, {
          features: [{ name: 'b', kind: 'boolean' }],
          target: 'y',
          task: 'regression',
        }).features[0] as { fill: number }
      ).fill;
    expect(fill([true, true, false])).toBe(1);
    expect(fill([true, false])).toBe(0);
    expect(fill([true, false, false, null, 'x'])).toBe(0);
    expect(fill([true, null, null])).toBe(1);
  });
});

describe('categories', () => {
  it('one-hot in the spec’s category order; numbers as JavaScript writes them, text as it is (no trimming)', () => {
    const { out, counts } = read(CATEGORY, ['a', 1, 'b', ' a']);
    expect(out).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1]);
    // ' a' is not 'a': an unseen category, filled with 'b'.
    expect(counts.invalid).toEqual({ c: { unseen_category: 1 } });
  });

  it('a missing or unseen value takes the fill; with no fill (null) it is a row of zeros', () => {
    expect(read(CATEGORY, [null, 'z']).out).toEqual([0, 0, 1, 0, 0, 1]);
    const { out, counts } = read(NO_FILL, [null, 'z', 'b']);
    expect(out).toEqual([0, 0, 0, 0, 0, 1]);
    expect(counts).toEqual({ rows: 3, missing: { c: 1 }, invalid: { c: { unseen_category: 1 } } });
  });

  it('an unseen category under error names what the model knows', () => {
    const error = invalidError(() => read(CATEGORY, ['z'], 'error'));
    expect(error).toMatchObject({ kind: 'unseen_category', row: 0, value: 'z' });
    expect(error.message).toBe(
      `row 1: 'c' is "z", a category the model never saw in training (it knows "1", "a", "b").`,
    );
  });

  it('dates become ISO 8601 UTC text, objects JSON text, booleans their word', () => {
    const spec = specOf([
      {
        name: 'c',
        kind: 'categorical',
        categories: ['2024-01-31T00:00:00.000Z', '{"k":1}', 'true', 'Invalid Date'],
        fill: null,
      },
    ]);
    const { out, counts } = read(spec, [
      new Date(Date.UTC(2024, 0, 31)),
      { k: 1 },
      true,
      new Date(Number.NaN),
    ]);
    expect(out).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(counts.invalid).toEqual({});
  });

  it('a bigint (a DuckDB BIGINT) is its digits, a NaN number "NaN" unless NaN is a missing token', () => {
    const spec = specOf([{ name: 'c', kind: 'categorical', categories: ['3', 'NaN'], fill: null }], ['']);
    const { out, counts } = read(spec, [3n, Number.NaN, 3]);
    expect(out).toEqual([1, 0, 0, 1, 1, 0]);
    expect(counts.invalid).toEqual({});
  });

  it('fitting reads only the first `rows` values: a value after them is no category', () => {
    const spec = fitPreprocessing({ c: ['a', 'b', 'z', 'z'] }, 2, {
      features: [{ name: 'c', kind: 'categorical' }],
      target: 'y',
      task: 'regression',
    });
    expect(spec.features[0]).toMatchObject({ categories: ['a', 'b'], fill: 'a' });
  });

  it('fitting: categories sorted by code unit, the fill the most frequent, a tie going to the smallest', () => {
    const fit = (values: unknown[]) =>
      fitPreprocessing({ c: values }, values.length, {
        features: [{ name: 'c', kind: 'categorical' }],
        target: 'y',
        task: 'regression',
      }).features[0];
    expect(fit(['b', 'a', 'b', 'B', null, 'NA'])).toMatchObject({ categories: ['B', 'a', 'b'], fill: 'b' });
    expect(fit(['b', 'a', 'c', 'c', 'a', 'b'])).toMatchObject({ categories: ['a', 'b', 'c'], fill: 'a' });
    expect(fit(['z', 'y', 'y', 'z', 'x'])).toMatchObject({ fill: 'y' });
  });
});

describe('dates and date-times', () => {
  const DATE = specOf([
    {
      name: 'd',
      kind: 'date',
      parts: ['year', 'month', 'day', 'day_of_week', 'epoch_days'].map((part) => ({
        part,
        mean: 0,
        std: 1,
        fill: -1,
      })),
    },
  ]);
  const DATETIME = specOf([
    {
      name: 't',
      kind: 'datetime',
      parts: [
        { part: 'hour', mean: 0, std: 0, fill: 0 },
        { part: 'minute', mean: 0, std: 1, fill: 0 },
        { part: 'epoch_days', mean: 0, std: 1, fill: 0 },
      ],
    },
  ]);

  it('a date gives year, month (1-12), day, day of week (Monday 0) and whole days since 1970', () => {
    // 2024-01-31 was a Wednesday, 19753 days after 1970-01-01.
    expect(read(DATE, ['2024-01-31']).out).toEqual([2024, 1, 31, 2, 19753]);
    expect(read(DATE, [new Date(Date.UTC(2024, 1, 4, 23))]).out).toEqual([2024, 2, 4, 6, 19757]);
  });

  it('a date-time gives hours, minutes and fractional days; an offset moves it to UTC', () => {
    expect(read(DATETIME, ['1970-01-02T06:30:00Z']).out).toEqual([6, 30, 1.2708333730697632]);
    expect(read(DATETIME, ['1970-01-02 06:30+02:00']).out).toEqual([4, 30, Math.fround(1 + 4.5 / 24)]);
    expect(read(DATETIME, ['1970-01-02T06:30-0130']).out).toEqual([8, 0, Math.fround(1 + 8 / 24)]);
    expect(read(DATETIME, ['1970-01-01T00:00:00.5Z']).out).toEqual([0, 0, Math.fround(500 / 86_400_000)]);
  });

  it('the clock is checked at its edges: month 1..12, hour <= 23, minute <= 59, second <= 60, a real calendar day', () => {
    // A second of 60 reads (as the next minute), except where it rolls into the next day.
    const ok = [
      '2024-12-01',
      '2024-01-01T10:59:60Z',
      '2024-01-01T23:59:59Z',
      '2024-02-29',
      '2024-01-01T00:00:00.123456789Z',
    ];
    expect(read(DATETIME, ok).counts.invalid).toEqual({});
    const bad = [
      '2024-13-01',
      '2024-00-10',
      '2024-01-01T24:00Z',
      '2024-01-01T10:60Z',
      '2024-01-01T10:00:61Z',
      '2024-01-01T23:59:60Z',
      '2023-02-29',
      '2024-04-31',
      '31/01/2024',
      '2024-1-5',
      20240131,
    ];
    const { out, counts } = read(DATETIME, bad);
    expect(counts.invalid).toEqual({ t: { unparseable: bad.length } });
    // Each takes the parts' fills: (0 - 0) / 1 (a std of 0 read as 1).
    expect(out).toEqual(Array(bad.length * 3).fill(0));
    expect(invalidError(() => read(DATE, ['2024-13-01'], 'error')).message).toBe(
      `row 1: 'd' is "2024-13-01", which is not a date (ISO 8601, e.g. 2024-01-31) nor a missing-value token.`,
    );
    expect(read(DATE, [new Date(Number.NaN)]).counts.invalid).toEqual({ d: { unparseable: 1 } });
  });

  it('an ISO date is matched whole: text before or after it, an hour without minutes, a tenth digit of a second are unparseable', () => {
    const bad = [
      'x2024-01-31',
      '12024-01-31',
      '2024-01-31x',
      '2024-01-31T10',
      '2024-01-01T00:00:00.1234567891Z',
    ];
    expect(read(DATETIME, bad).counts.invalid).toEqual({ t: { unparseable: bad.length } });
  });

  it('spaces around the date are trimmed, as around any other value', () => {
    expect(read(DATE, [' 2024-01-31 ']).out).toEqual([2024, 1, 31, 2, 19753]);
  });

  it('spaces may separate the time from its zone: "06:30 +02:00" is 04:30 UTC, "06:30 Z" 06:30', () => {
    expect(read(DATETIME, ['1970-01-02T06:30 +02:00']).out).toEqual([4, 30, Math.fround(1 + 4.5 / 24)]);
    expect(read(DATETIME, ['1970-01-02 06:30  Z']).out).toEqual([6, 30, Math.fround(1 + 6.5 / 24)]);
  });

  it('a missing date takes every part’s fill and is counted as missing', () => {
    const { out, counts } = read(DATE, ['NA', null]);
    expect(out).toEqual(Array(10).fill(-1));
    expect(counts).toEqual({ rows: 2, missing: { d: 2 }, invalid: {} });
  });

  it('fitting: each part’s population mean and std over the dates that read, the mean as fill', () => {
    const spec = fitPreprocessing({ d: ['2024-01-01', '2024-03-01', 'x', null] }, 4, {
      features: [{ name: 'd', kind: 'date' }],
      target: 'y',
      task: 'regression',
    });
    const month = (
      spec.features[0] as { parts: { part: string; mean: number; std: number; fill: number }[] }
    ).parts.find((p) => p.part === 'month');
    expect(month).toEqual({ part: 'month', mean: 2, std: 1, fill: 2 });
  });
});

describe('a column the data does not have', () => {
  const TWO = specOf([
    { name: 'x', kind: 'numeric', mean: 10, std: 2, fill: 4 },
    { name: 'c', kind: 'categorical', categories: ['a', 'b'], fill: 'b' },
    { name: 'b', kind: 'boolean', fill: 1 },
    { name: 'd', kind: 'date', parts: [{ part: 'year', mean: 2000, std: 10, fill: 2010 }] },
  ]);

  it('each feature fills its own inputs, in the spec’s order: a number after a one-hot block', () => {
    const spec = specOf([
      { name: 'c', kind: 'categorical', categories: ['a', 'b'], fill: 'a' },
      { name: 'x', kind: 'numeric', mean: 10, std: 2, fill: 10 },
      { name: 'b', kind: 'boolean', fill: 0 },
    ]);
    const out = applyPreprocessing(spec, { c: ['b', 'a'], x: [14, 6], b: [true, false] }, 2);
    expect(Array.from(out)).toEqual([0, 1, 2, 1, 1, 0, -2, 0]);
  });

  it('under error is an error naming it and the model’s inputs', () => {
    expect(() => applyPreprocessing(TWO, { x: [1] }, 1)).toThrow(
      "The data has no column 'c', which the model takes as input (inputs: x, c, b, d).",
    );
  });

  it('under impute takes every fill, counted once per row as missing_column and never as missing', () => {
    const counts = new FeatureCounts();
    const seen: string[] = [];
    const out = applyPreprocessing(TWO, {}, 2, {
      onInvalid: 'impute',
      counts,
      onInvalidValue: (r, column, kind) => seen.push(`${r}:${column}:${kind}`),
    });
    expect(Array.from(out)).toEqual([-3, 0, 1, 1, 1, -3, 0, 1, 1, 1]);
    expect(counts.toJSON()).toEqual({
      rows: 2,
      missing: {},
      invalid: {
        x: { missing_column: 2 },
        c: { missing_column: 2 },
        b: { missing_column: 2 },
        d: { missing_column: 2 },
      },
    });
    expect(seen).toEqual([
      '0:x:missing_column',
      '1:x:missing_column',
      '0:c:missing_column',
      '1:c:missing_column',
      '0:b:missing_column',
      '1:b:missing_column',
      '0:d:missing_column',
      '1:d:missing_column',
    ]);
  });

  it('a categorical column without a fill (null) that the data lacks is a row of zeros, counted as missing_column only', () => {
    const counts = new FeatureCounts();
    const out = applyPreprocessing(NO_FILL, {}, 2, { onInvalid: 'impute', counts });
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    expect(counts.toJSON()).toEqual({ rows: 2, missing: {}, invalid: { c: { missing_column: 2 } } });
  });

  it('counts accumulate over batches', () => {
    const counts = new FeatureCounts();
    applyPreprocessing(NUMERIC, { x: [null, 'abc'] }, 2, { onInvalid: 'impute', counts });
    applyPreprocessing(NUMERIC, { x: [null] }, 1, { onInvalid: 'impute', counts });
    expect(counts.toJSON()).toEqual({ rows: 3, missing: { x: 2 }, invalid: { x: { unparseable: 1 } } });
    expect([counts.missingTotal, counts.invalidTotal]).toEqual([2, 1]);
  });
});

describe('fitting numbers', () => {
  it('population mean and std (ddof 0) over the values that read, the mean as fill; none readable is an error', () => {
    const spec = fitPreprocessing({ x: [1, '3', null, 'abc', 'inf', 5] }, 6, {
      features: [{ name: 'x', kind: 'numeric' }],
      target: 'y',
      task: 'regression',
    });
    expect(spec.features[0]).toEqual({ name: 'x', kind: 'numeric', mean: 3, std: Math.sqrt(8 / 3), fill: 3 });
    for (const kind of ['numeric', 'boolean', 'categorical', 'date'] as const) {
      expect(() =>
        fitPreprocessing({ x: [null, 'NA'] }, 2, {
          features: [{ name: 'x', kind }],
          target: 'y',
          task: 'regression',
        }),
      ).toThrow(`The ${kind} feature 'x' has no readable value in the 2 training rows`);
    }
    expect(() =>
      fitPreprocessing({}, 2, {
        features: [{ name: 'x', kind: 'numeric' }],
        target: 'y',
        task: 'regression',
      }),
    ).toThrow("The training data has no column 'x'.");
  });

  it('a feature with no readable value: the error names it, shows the first value that did not read and what was expected, or says all were missing', () => {
    const refused = (kind: 'numeric' | 'boolean' | 'date', values: unknown[]) => {
      try {
        fitPreprocessing({ x: values }, values.length, {
          features: [{ name: 'x', kind }],
          target: 'y',
          task: 'regression',
        });
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        return error as UserError;
      }
      throw new Error('expected a UserError');
    };
    const error = refused('numeric', [null, 'abc', 'NA', 'def']);
    expect(error.message).toBe(
      "The numeric feature 'x' has no readable value in the 4 training rows (e.g. \"abc\", expected a number); drop it (features.types: { 'x': text-id } in mlops.yml) or fix the data.",
    );
    expect(error.input).toBe('x');
    expect(refused('boolean', ['', 'maybe']).message).toContain(
      'in the 2 training rows (e.g. "maybe", expected true/false, 1/0, t/f or yes/no);',
    );
    expect(refused('date', ['NA', '']).message).toContain('in the 2 training rows (all missing);');
  });

  it('only the first `rows` values are read', () => {
    const spec = fitPreprocessing({ x: [2, 4, 600] }, 2, {
      features: [{ name: 'x', kind: 'numeric' }],
      target: 'y',
      task: 'regression',
    });
    expect(spec.features[0]).toMatchObject({ mean: 3, std: 1 });
  });

  it('keeps the missing tokens, the dropped columns and the classes it was given', () => {
    const spec = fitPreprocessing({ x: [1, '?'] }, 2, {
      features: [{ name: 'x', kind: 'numeric' }],
      target: 'y',
      task: 'classification',
      classes: ['no', 'yes'],
      missing: ['?'],
      dropped: [{ name: 'id', reason: 'text-id' }],
    });
    expect(spec).toMatchObject({
      missing: ['?'],
      classes: ['no', 'yes'],
      dropped: [{ name: 'id', reason: 'text-id' }],
      features: [{ mean: 1, std: 0 }],
    });
    const plain = fitPreprocessing({ x: [1] }, 1, {
      features: [{ name: 'x', kind: 'numeric' }],
      target: 'y',
      task: 'regression',
      dropped: [],
    });
    expect('dropped' in plain).toBe(false);
    expect('classes' in plain).toBe(false);
    expect(plain.missing).toEqual(['', 'NA', 'N/A', 'n/a', 'null', '?', 'NaN']);
  });
});

describe('contractInputs: a row as the contract read it, for the request log', () => {
  const spec = specOf([
    { name: 'x', kind: 'numeric', mean: 0, std: 1, fill: 0 },
    { name: 'b', kind: 'boolean', fill: 0 },
    { name: 'c', kind: 'categorical', categories: ['a'], fill: 'a' },
  ]);

  it('numbers and booleans become what they read as, missing tokens of any kind null; the rest stays as sent', () => {
    expect(contractInputs(spec, { x: '300', b: 'yes', c: '7', other: 'kept' })).toEqual({
      x: 300,
      b: true,
      c: '7',
      other: 'kept',
    });
    // A category sent as "NA" is filled as missing by the model, so it is logged as missing (drift-check
    // would otherwise count "NA" as a new category).
    expect(contractInputs(spec, { x: 'NA', b: '', c: 'NA' })).toEqual({ x: null, b: null, c: null });
    expect(contractInputs(spec, { x: 'abc', b: 'maybe' })).toEqual({ x: 'abc', b: 'maybe' });
    expect(contractInputs(spec, { b: 0 })).toEqual({ b: false });
  });
});
