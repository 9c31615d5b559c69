import { describe, expect, it } from 'vitest';
import { compareMetrics } from '../../../shared/src/compare/gate.js';
import { type MetricsFile, metricsFileFromObject } from '../../../shared/src/compare/metrics-file.js';
import { parseThresholdsText } from '../../../shared/src/compare/thresholds.js';

const file = (
  metrics: Record<string, unknown>,
  task = 'binary_classification',
  slices?: unknown,
): MetricsFile => metricsFileFromObject({ schema: 'mlops-metrics/v1', task, metrics, slices }, 'test.json');

const row = (diff: ReturnType<typeof compareMetrics>, metric: string) =>
  diff.rows.find((r) => r.metric === metric)!;

describe('compareMetrics (TFMA gating semantics)', () => {
  it('value bounds are inclusive', () => {
    const thresholds = parseThresholdsText('accuracy: {min: 0.8, max: 0.95}', 't.yml');
    expect(compareMetrics(file({ accuracy: 0.8 }), undefined, thresholds).passed).toBe(true);
    expect(compareMetrics(file({ accuracy: 0.95 }), undefined, thresholds).passed).toBe(true);
    expect(compareMetrics(file({ accuracy: 0.7999 }), undefined, thresholds).passed).toBe(false);
    expect(compareMetrics(file({ accuracy: 0.9501 }), undefined, thresholds).passed).toBe(false);
  });

  it('absolute and relative change bounds follow the direction, inclusive at the bound', () => {
    const thresholds = parseThresholdsText(
      'accuracy: {tolerance: 0.02}\nlog_loss: {tolerance-pct: 10}',
      't.yml',
    );
    const baseline = file({ accuracy: 0.92, log_loss: 0.5 });
    // 0.90 - 0.92 is -0.020000000000000018 in floats: still exactly at the bound.
    const atBound = compareMetrics(file({ accuracy: 0.9, log_loss: 0.55 }), baseline, thresholds);
    expect(atBound.passed).toBe(true);
    const beyond = compareMetrics(file({ accuracy: 0.899, log_loss: 0.551 }), baseline, thresholds);
    expect(beyond.regressions.sort()).toEqual(['accuracy', 'log_loss']);
    // Lower is better for log_loss: going down is an improvement, whatever its size.
    const better = compareMetrics(file({ accuracy: 0.95, log_loss: 0.2 }), baseline, thresholds);
    expect(row(better, 'log_loss').verdict).toBe('improved');
    expect(row(better, 'accuracy').verdict).toBe('improved');
  });

  it('divides the relative change by |baseline| so a worse negative r2 is not a pass', () => {
    const thresholds = parseThresholdsText('r2: {tolerance-pct: 5}', 't.yml');
    const diff = compareMetrics(
      file({ r2: -0.3 }, 'regression'),
      file({ r2: -0.2 }, 'regression'),
      thresholds,
    );
    expect(diff.regressions).toEqual(['r2']);
    expect(row(diff, 'r2').deltaPct).toBeCloseTo(-50, 10);
  });

  it('a thresholded metric that is missing or NaN fails; unthresholded ones only report', () => {
    const thresholds = parseThresholdsText('f1: {min: 0.5}\nacuracy: {min: 0.5}', 't.yml');
    const diff = compareMetrics(file({ f1: null, accuracy: 0.9, recall: 'NaN' }), undefined, thresholds);
    expect(diff.regressions.sort()).toEqual(['acuracy', 'f1']);
    expect(row(diff, 'acuracy').failures[0]).toContain('missing');
    expect(row(diff, 'recall').verdict).toBe('not comparable');
    expect(diff.rows[0]!.verdict).toBe('regressed');
  });

  it('first model: no baseline, only value thresholds', () => {
    const thresholds = parseThresholdsText('accuracy: {min: 0.5, tolerance: 0}', 't.yml');
    const diff = compareMetrics(file({ accuracy: 0.6 }), undefined, thresholds);
    expect(diff).toMatchObject({ firstModel: true, passed: true });
  });

  it('a baseline for another task is not comparable and fails change thresholds', () => {
    const thresholds = parseThresholdsText('accuracy: {tolerance: 0.01}', 't.yml');
    const diff = compareMetrics(file({ accuracy: 0.9 }), file({ accuracy: 0.9 }, 'regression'), thresholds);
    expect(diff.notComparableReason).toContain('"regression"');
    expect(diff.passed).toBe(false);
    expect(row(diff, 'accuracy').verdict).toBe('not comparable');
  });

  it('with significance, a drop inside the noise is "not significant", a real one regresses', () => {
    const thresholds = parseThresholdsText('accuracy: {tolerance: 0.01}', 't.yml');
    const baseline = file({ accuracy: { value: 0.9, ci: [0.88, 0.92] } });
    const noisy = compareMetrics(
      file({ accuracy: { value: 0.885, ci: [0.865, 0.905] } }),
      baseline,
      thresholds,
      {
        significance: 0.05,
      },
    );
    expect(row(noisy, 'accuracy').verdict).toBe('not significant');
    expect(noisy.passed).toBe(true);
    const real = compareMetrics(file({ accuracy: { value: 0.8, ci: [0.78, 0.82] } }), baseline, thresholds, {
      significance: 0.05,
    });
    expect(real.passed).toBe(false);
    expect(row(real, 'accuracy').test!.pValue).toBeLessThan(1e-6);
    // Without CIs significance cannot be judged: the change counts, and says why.
    const blind = compareMetrics(file({ accuracy: 0.885 }), file({ accuracy: 0.9 }), thresholds, {
      significance: 0.05,
    });
    expect(blind.passed).toBe(false);
    expect(row(blind, 'accuracy').failures.join()).toContain('could not be tested');
  });

  it('lists slices that regressed beyond the tolerance', () => {
    const thresholds = parseThresholdsText('accuracy: {tolerance: 0.02}', 't.yml');
    const diff = compareMetrics(
      file({ accuracy: 0.9 }, 'binary_classification', {
        'sex=F': { metrics: { accuracy: { value: 0.7 } } },
      }),
      file({ accuracy: 0.9 }, 'binary_classification', [
        { column: 'sex', value: 'F', metrics: { accuracy: 0.85 } },
      ]),
      thresholds,
    );
    expect(diff.passed).toBe(true);
    expect(diff.sliceRegressions).toMatchObject([
      { slice: 'sex=F', metric: 'accuracy', baseline: 0.85, current: 0.7 },
    ]);
  });
});
