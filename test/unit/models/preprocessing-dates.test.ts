/**
 * Date features on real data against pandas' date parts and scikit-learn's SimpleImputer(mean) and
 * StandardScaler (test/golden/preprocessing_dates.py): vega-datasets seattle-weather.csv's daily
 * dates (a `date` feature, with every 97th date replaced by a missing token) and
 * seattle-weather-hourly-normals.csv's hourly date-times (a `datetime` feature, no zone: UTC).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyPreprocessing,
  DATE_PARTS,
  DATETIME_PARTS,
  FeatureCounts,
  fitPreprocessing,
} from '../../../shared/src/models/preprocessing.js';

interface GoldenPart {
  part: string;
  mean: number;
  std: number;
  fill: number;
}
interface GoldenFeature {
  file: string;
  column: string;
  kind: 'date' | 'datetime';
  rows: number;
  missing: Record<string, string>;
  parts: GoldenPart[];
  sample: number[];
  matrix: number[][];
}
const golden = JSON.parse(readFileSync('test/fixtures/golden/preprocessing-dates.json', 'utf8')) as {
  features: GoldenFeature[];
};

/** The golden's column as text cells, read from the CSV as a reader hands them over. */
function cellsOf(feature: GoldenFeature): string[] {
  const [header, ...lines] = readFileSync(feature.file, 'utf8').trimEnd().split('\n');
  const j = header!.split(',').indexOf(feature.column);
  const cells = lines.map((line) => line.split(',')[j]!);
  for (const [i, token] of Object.entries(feature.missing)) cells[Number(i)] = token;
  return cells;
}

function close(actual: number, expected: number, tolerance: number, label: string): void {
  expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tolerance * Math.max(1, Math.abs(expected)),
  );
}

describe.each(golden.features.map((f) => [`${f.kind}: ${f.file}`, f] as const))('%s', (_, feature) => {
  const cells = cellsOf(feature);
  const spec = fitPreprocessing({ [feature.column]: cells }, cells.length, {
    features: [{ name: feature.column, kind: feature.kind }],
    target: 'y',
    task: 'regression',
  });
  const fitted = spec.features[0] as { kind: string; parts: GoldenPart[] };

  it('reads every row of the file', () => {
    expect(cells).toHaveLength(feature.rows);
  });

  it('fits the parts of its kind, each with the population mean and std of pandas/StandardScaler and the mean as fill', () => {
    expect(fitted.kind).toBe(feature.kind);
    expect(fitted.parts.map((p) => p.part)).toEqual([
      ...(feature.kind === 'date' ? DATE_PARTS : DATETIME_PARTS),
    ]);
    for (const [i, want] of feature.parts.entries()) {
      const got = fitted.parts[i]!;
      expect(got.part).toBe(want.part);
      close(got.mean, want.mean, 1e-12, `${want.part} mean`);
      close(got.std, want.std, 1e-10, `${want.part} std`);
      close(got.fill, want.fill, 1e-12, `${want.part} fill`);
    }
  });

  it('transforms each sampled row as SimpleImputer + StandardScaler do, a std of 0 scaled by 1, and counts every missing date', () => {
    const counts = new FeatureCounts();
    const out = applyPreprocessing(spec, { [feature.column]: cells }, cells.length, {
      onInvalid: 'error',
      counts,
    });
    const width = feature.parts.length;
    for (const [s, row] of feature.sample.entries()) {
      for (let j = 0; j < width; j++) {
        close(
          out[row * width + j]!,
          feature.matrix[s]![j]!,
          1e-6,
          `row ${row + 1}, ${feature.parts[j]!.part}`,
        );
      }
    }
    const missing = Object.keys(feature.missing).length;
    expect(counts.toJSON()).toEqual({
      rows: feature.rows,
      missing: missing > 0 ? { [feature.column]: missing } : {},
      invalid: {},
    });
  });
});
