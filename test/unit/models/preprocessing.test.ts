import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import {
  applyPreprocessing,
  FeatureCounts,
  fitPreprocessing,
  inputNames,
  inputWidth,
  parsePreprocessing,
} from '../../../shared/src/models/preprocessing.js';

const penguins = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as Record<
  string,
  unknown
>[];

function columnsOf(rows: Record<string, unknown>[], names: string[]) {
  return Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n] ?? null)]));
}

describe('preprocessing', () => {
  const names = ['Beak Length (mm)', 'Island', 'Sex'];
  const columns = columnsOf(penguins, names);
  const spec = fitPreprocessing(columns, penguins.length, {
    features: [
      { name: 'Beak Length (mm)', kind: 'numeric' },
      { name: 'Island', kind: 'categorical' },
      { name: 'Sex', kind: 'categorical' },
    ],
    target: 'Species',
    task: 'classification',
    classes: ['Adelie', 'Chinstrap', 'Gentoo'],
  });

  it('fits population mean/std over finite values and sorted categories', () => {
    const xs = penguins.map((r) => r['Beak Length (mm)']).filter((v): v is number => typeof v === 'number');
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    const numeric = spec.features[0];
    expect(numeric.kind).toBe('numeric');
    if (numeric.kind !== 'numeric') return;
    expect(numeric.mean).toBeCloseTo(mean, 10);
    expect(numeric.std).toBeCloseTo(std, 10);
    expect(spec.features[1]).toMatchObject({ categories: ['Biscoe', 'Dream', 'Torgersen'], fill: 'Biscoe' });
    expect(inputWidth(spec)).toBe(1 + 3 + (spec.features[2] as { categories: string[] }).categories.length);
    expect(inputNames(spec).slice(0, 4)).toEqual([
      'Beak Length (mm)',
      'Island=Biscoe',
      'Island=Dream',
      'Island=Torgersen',
    ]);
  });

  it('standardises, one-hot encodes, fills nulls, and with on-invalid: impute fills and counts what it cannot read', () => {
    const numeric = spec.features[0] as { mean: number; std: number };
    const raw = {
      'Beak Length (mm)': [numeric.mean + numeric.std, null, 'abc'],
      Island: ['Dream', null, 'Atlantis'],
      Sex: ['MALE', 'FEMALE', null],
    };
    expect(() => applyPreprocessing(spec, raw, 3)).toThrow(
      /row 3: 'Beak Length \(mm\)' is "abc", which is not a number/,
    );
    const counts = new FeatureCounts();
    const x = applyPreprocessing(spec, raw, 3, { onInvalid: 'impute', counts });
    expect(counts.toJSON()).toEqual({
      rows: 3,
      missing: { 'Beak Length (mm)': 1, Island: 1, Sex: 1 },
      invalid: { 'Beak Length (mm)': { unparseable: 1 }, Island: { unseen_category: 1 } },
    });
    const w = inputWidth(spec);
    expect(x.length).toBe(3 * w);
    expect(x[0]).toBeCloseTo(1, 6);
    expect(x[w]).toBe(0); // null -> fill = mean -> 0
    expect(x[2 * w]).toBe(0); // non-numeric string -> fill
    expect(Array.from(x.slice(1, 4))).toEqual([0, 1, 0]);
    expect(Array.from(x.slice(w + 1, w + 4))).toEqual([1, 0, 0]); // null -> fill Biscoe
    expect(Array.from(x.slice(2 * w + 1, 2 * w + 4))).toEqual([1, 0, 0]); // unseen -> fill Biscoe
  });

  it('rejects a malformed spec and a missing column with a UserError', () => {
    expect(() => parsePreprocessing({ schema: 'mlops-preprocessing/v1', features: [] }, 'p.json')).toThrow(
      UserError,
    );
    expect(() =>
      parsePreprocessing(
        {
          schema: 'mlops-preprocessing/v1',
          features: [{ name: 'a', kind: 'numeric', mean: 0, std: 1, fill: 0 }],
          target: 'y',
          task: 'classification',
        },
        'p.json',
      ),
    ).toThrow(/classes/);
    expect(() => applyPreprocessing(spec, { Island: [] }, 0)).toThrow(
      /no column 'Beak Length \(mm\)', which the model takes/,
    );
  });

  it('treats a zero std as 1, like StandardScaler', () => {
    const s = parsePreprocessing({
      schema: 'mlops-preprocessing/v2',
      features: [{ name: 'c', kind: 'numeric', mean: 2, std: 0, fill: 2 }],
      missing: [],
      target: 'y',
      task: 'regression',
    });
    expect(Array.from(applyPreprocessing(s, { c: [5, 2] }, 2))).toEqual([3, 0]);
  });
});
