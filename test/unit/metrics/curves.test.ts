import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  precisionRecallCurve,
  regressionBins,
  reliabilityBins,
  rocCurve,
} from '../../../shared/src/metrics/curves.js';

interface Case {
  y: number[];
  score: number[];
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  k: number;
  probs: number[];
  labels: number[];
  reliability: { upper: number; rows: number; confidence: number; accuracy: number }[];
}

interface RegressionCase {
  actual: number[];
  predicted: number[];
  bins: { rows: number; from: number; to: number; predicted: number; actual: number }[];
}

// Made by test/golden/curves.py (scikit-learn 1.2.1, numpy).
const golden = JSON.parse(readFileSync('test/fixtures/golden/curves.json', 'utf8')) as {
  cases: Case[];
  regression: RegressionCase[];
};

function close(actual: number[], expected: number[], label: string) {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((v, i) => {
    expect(Math.abs(v - expected[i]), `${label}[${i}]`).toBeLessThanOrEqual(1e-12);
  });
}

describe('curves (scikit-learn definitions)', () => {
  golden.cases.forEach((c, i) => {
    it(`ROC, precision-recall and reliability of case ${i} match scikit-learn`, () => {
      const score = Float64Array.from(c.score);
      const positive = Uint8Array.from(c.y);
      const roc = rocCurve(score, positive)!;
      close(roc.fpr, c.roc.fpr, 'fpr');
      close(roc.tpr, c.roc.tpr, 'tpr');
      close(roc.thresholds, c.roc.thresholds, 'roc thresholds');
      const pr = precisionRecallCurve(score, positive)!;
      close(pr.precision, c.pr.precision, 'precision');
      close(pr.recall, c.pr.recall, 'recall');
      close(pr.thresholds, c.pr.thresholds, 'pr thresholds');
      const bins = reliabilityBins(Float64Array.from(c.probs), Int32Array.from(c.labels), c.k);
      expect(bins.map((b) => b.rows)).toEqual(c.reliability.map((b) => b.rows));
      close(
        bins.map((b) => b.confidence),
        c.reliability.map((b) => b.confidence),
        'confidence',
      );
      close(
        bins.map((b) => b.accuracy),
        c.reliability.map((b) => b.accuracy),
        'accuracy',
      );
    });
  });

  it('has no ROC curve with a single class, and no PR curve without positives', () => {
    const score = Float64Array.from([0.1, 0.4, 0.9]);
    expect(rocCurve(score, Uint8Array.from([1, 1, 1]))).toBeNull();
    expect(precisionRecallCurve(score, Uint8Array.from([0, 0, 0]))).toBeNull();
  });

  golden.regression.forEach((c, i) => {
    it(`regression bins of case ${i} (${c.actual.length} rows) match numpy's stable argsort and array_split`, () => {
      const bins = regressionBins(Float64Array.from(c.actual), Float64Array.from(c.predicted));
      expect(bins.map((b) => b.rows)).toEqual(c.bins.map((b) => b.rows));
      expect(bins.map((b) => b.from)).toEqual(c.bins.map((b) => b.from));
      expect(bins.map((b) => b.to)).toEqual(c.bins.map((b) => b.to));
      // Means are sums in another order than numpy's pairwise sums: equal to rounding.
      for (const key of ['predicted', 'actual'] as const) {
        bins.forEach((b, j) => {
          expect(Math.abs(b[key] - c.bins[j][key]), `${key}[${j}]`).toBeLessThanOrEqual(
            1e-12 * Math.max(1, Math.abs(c.bins[j][key])),
          );
        });
      }
    });
  });

  it('cuts fewer rows than bins into one bin a row, and no rows into no bins', () => {
    const bins = regressionBins(Float64Array.from([1, 2, 3]), Float64Array.from([3, 1, 2]));
    expect(bins.map((b) => [b.rows, b.predicted, b.actual])).toEqual([
      [1, 1, 2],
      [1, 2, 3],
      [1, 3, 1],
    ]);
    expect(regressionBins(new Float64Array(0), new Float64Array(0))).toEqual([]);
  });
});
