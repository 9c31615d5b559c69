/**
 * The feature transform against scikit-learn (test/golden/preprocessing_sklearn.py): SimpleImputer
 * (mean; most_frequent with ties going to the smallest value), StandardScaler and OneHotEncoder
 * on a CSV with missing values.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyPreprocessing,
  FeatureCounts,
  type FeatureKind,
  fitPreprocessing,
  inputWidth,
} from '../../../shared/src/models/preprocessing.js';

interface Golden {
  csv: string;
  features: ({ name: string; kind: FeatureKind } & Record<string, unknown>)[];
  matrix: number[][];
}
const golden = JSON.parse(readFileSync('test/fixtures/golden/preprocessing-sklearn.json', 'utf8')) as Golden;

// The CSV as raw text cells, as a reader hands them to the transform ('' for an empty cell).
const [header, ...lines] = golden.csv.trimEnd().split('\n');
const names = header!.split(',');
const cells = lines.map((l) => l.split(','));
const columns = Object.fromEntries(names.map((n, j) => [n, cells.map((row) => row[j]!)]));
const rows = cells.length;

const spec = fitPreprocessing(columns, rows, {
  features: golden.features.map(({ name, kind }) => ({ name, kind })),
  target: 'y',
  task: 'regression',
});

describe('fitPreprocessing equals scikit-learn', () => {
  it.each(golden.features.map((f) => [f.name, f] as const))('%s', (name, expected) => {
    const got = spec.features.find((f) => f.name === name)!;
    expect(got.kind).toBe(expected.kind);
    if (expected.kind === 'numeric') {
      const g = got as { mean: number; std: number; fill: number };
      expect(g.mean).toBeCloseTo(expected.mean as number, 12);
      expect(g.std).toBeCloseTo(expected.std as number, 12);
      expect(g.fill).toBeCloseTo(expected.fill as number, 12);
    } else {
      expect(got).toMatchObject(
        expected.kind === 'categorical'
          ? { categories: expected.categories, fill: expected.fill }
          : { fill: expected.fill },
      );
    }
  });

  it('most_frequent breaks ties by the smallest value, as SimpleImputer: a over b, "10" over "9", 0 over 1', () => {
    const fill = (n: string) => (spec.features.find((f) => f.name === n) as { fill: unknown }).fill;
    expect([fill('cat_tie'), fill('cat_text_num'), fill('flag')]).toEqual(['a', '10', 0]);
  });
});

describe('applyPreprocessing equals StandardScaler / SimpleImputer / OneHotEncoder', () => {
  const counts = new FeatureCounts();
  const out = applyPreprocessing(spec, columns, rows, { onInvalid: 'error', counts });
  const width = inputWidth(spec);

  it('every cell of the matrix, to float32 precision', () => {
    expect(width).toBe(golden.matrix[0]!.length);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) {
        const want = golden.matrix[r]![c]!;
        expect(Math.abs(out[r * width + c]! - want), `row ${r + 1}, input ${c}`).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(want)),
        );
      }
    }
  });

  it('counts the filled missing values per column (nothing is imputed silently)', () => {
    expect(counts.missing).toEqual({ num_a: 2, num_const: 1, cat_tie: 1, cat_text_num: 2, flag: 2 });
    expect(counts.invalidTotal).toBe(0);
  });
});
