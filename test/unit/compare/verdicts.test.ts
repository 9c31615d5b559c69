/**
 * compare-baseline's verdict per metric row (DESIGN.md §5, README "Gates without false alarms"),
 * each rule at the case that separates it from its neighbours:
 * - no usable baseline: a row fails only on its value bounds or an unverifiable change bound; its
 *   verdict is "regressed" when it fails, "within tolerance" when a threshold holds, "not gated"
 *   without a threshold, and "not comparable" when a baseline was given but holds no value for it;
 * - "improved" only when worsening < 0 (an unchanged metric is not an improvement);
 * - a change bound is checked only when it is configured; a relative bound from a baseline of 0
 *   only when the metric got worse;
 * - "no CI, so significance could not be tested" is added only with `significance` and only to a
 *   change that breaks its bound.
 */
import { describe, expect, it } from 'vitest';
import { compareMetrics } from '../../../shared/src/compare/gate.js';
import { type MetricsFile, metricsFileFromObject } from '../../../shared/src/compare/metrics-file.js';
import { parseThresholdsText } from '../../../shared/src/compare/thresholds.js';

const file = (metrics: Record<string, unknown>, task = 'binary_classification'): MetricsFile =>
  metricsFileFromObject({ schema: 'mlops-metrics/v1', task, metrics }, 'test.json');
const one = (
  yaml: string,
  current: Record<string, unknown>,
  baseline?: Record<string, unknown>,
  significance?: number,
  baselineTask?: string,
) => {
  const diff = compareMetrics(
    file(current),
    baseline === undefined ? undefined : file(baseline, baselineTask),
    parseThresholdsText(yaml, 't.yml'),
    { significance },
  );
  return { diff, row: diff.rows.find((r) => r.metric === 'accuracy')! };
};

describe('no usable baseline: value bounds decide, change bounds cannot be checked', () => {
  it('first model with a holding min: "within tolerance", no notes', () => {
    const { diff, row } = one('accuracy: {min: 0.5}', { accuracy: 0.6 });
    expect(diff.passed).toBe(true);
    expect(row.verdict).toBe('within tolerance');
    expect(row.notes).toEqual([]);
  });
  it('first model below its min: "regressed"', () => {
    const { diff, row } = one('accuracy: {min: 0.5}', { accuracy: 0.4 });
    expect(diff.passed).toBe(false);
    expect(row.verdict).toBe('regressed');
  });
  it('first model without a threshold: "not gated"', () => {
    const { row } = one('f1: {min: 0.1}', { accuracy: 0.6, f1: 0.5 });
    expect(row.verdict).toBe('not gated');
  });
  it('a baseline without the metric and no threshold: "not comparable", and the gate passes', () => {
    const { diff, row } = one('f1: {min: 0.1}', { accuracy: 0.6, f1: 0.5 }, { f1: 0.5 });
    expect(diff.passed).toBe(true);
    expect(row.verdict).toBe('not comparable');
  });
  it('a baseline without the metric and a value-only threshold: the min decides ("within tolerance")', () => {
    const { diff, row } = one('accuracy: {min: 0.5}', { accuracy: 0.6 }, { f1: 0.5 });
    expect(diff.passed).toBe(true);
    expect(row.verdict).toBe('within tolerance');
    expect(row.failures).toEqual([]);
  });
  it('a baseline without the metric fails a tolerance: the change cannot be checked', () => {
    const { diff, row } = one('accuracy: {tolerance: 0.1}', { accuracy: 0.6 }, { f1: 0.5 });
    expect(diff.passed).toBe(false);
    expect(row.verdict).toBe('not comparable');
    expect(row.failures).toEqual(['change threshold cannot be checked: the baseline has no value for it']);
  });
  it('a baseline without the metric fails a tolerance-pct alone just as a tolerance', () => {
    const { diff, row } = one('accuracy: {tolerance-pct: 5}', { accuracy: 0.6 }, { f1: 0.5 });
    expect(diff.passed).toBe(false);
    expect(row.failures).toEqual(['change threshold cannot be checked: the baseline has no value for it']);
  });
  it('a change bound that cannot be checked on a row already below its min: "regressed", both reasons', () => {
    const { row } = one('accuracy: {min: 0.7, tolerance: 0.1}', { accuracy: 0.6 }, { f1: 0.5 });
    expect(row.verdict).toBe('regressed');
    expect(row.failures).toHaveLength(2);
  });
  it('a baseline for another task: the change-bound failure names the task mismatch', () => {
    const { row } = one(
      'accuracy: {tolerance: 0.1}',
      { accuracy: 0.6 },
      { accuracy: 0.6 },
      undefined,
      'regression',
    );
    expect(row.failures).toHaveLength(1);
    expect(row.failures[0]).toContain('is for task "regression"');
  });
});

describe('"improved" only when worsening < 0', () => {
  it('an unchanged metric (worsening 0) is "within tolerance", not "improved"', () => {
    expect(one('accuracy: {tolerance: 0.1}', { accuracy: 0.6 }, { accuracy: 0.6 }).row.verdict).toBe(
      'within tolerance',
    );
  });
  it('an unchanged metric without a threshold is "not gated"', () => {
    expect(one('f1: {min: 0}', { accuracy: 0.6, f1: 1 }, { accuracy: 0.6, f1: 1 }).row.verdict).toBe(
      'not gated',
    );
  });
  it('one double better is "improved"', () => {
    expect(
      one('accuracy: {tolerance: 0.1}', { accuracy: 0.6000000000000001 }, { accuracy: 0.6 }).row.verdict,
    ).toBe('improved');
  });
  it('a worsening within tolerance stays "within tolerance"', () => {
    expect(one('accuracy: {tolerance: 0.1}', { accuracy: 0.55 }, { accuracy: 0.6 }).row.verdict).toBe(
      'within tolerance',
    );
  });
});

describe('relative change: undefined from a baseline of 0, checked only when worse', () => {
  it('deltaPct is undefined when the baseline is 0', () => {
    const { row } = one('accuracy: {tolerance: 1}', { accuracy: 0.25 }, { accuracy: 0 });
    expect(row.delta).toBe(0.25);
    expect(row.deltaPct).toBeUndefined();
  });
  it('tolerance-pct from a baseline of 0: unchanged passes, an improvement passes, any worsening fails', () => {
    expect(one('accuracy: {tolerance-pct: 5}', { accuracy: 0 }, { accuracy: 0 }).diff.passed).toBe(true);
    expect(one('accuracy: {tolerance-pct: 5}', { accuracy: 0.1 }, { accuracy: 0 }).diff.passed).toBe(true);
    const worse = one('accuracy: {tolerance-pct: 5}', { accuracy: -1e-9 }, { accuracy: 0 });
    expect(worse.diff.passed).toBe(false);
    expect(worse.row.failures).toEqual([
      'worsened from a baseline of 0, so any relative tolerance is exceeded',
    ]);
  });
  it('tolerance-pct from a non-zero baseline names the relative worsening', () => {
    const { row } = one('accuracy: {tolerance-pct: 25}', { accuracy: 0.35 }, { accuracy: 0.5 });
    expect(row.failures).toEqual(['worsened by 30%, more than the tolerance 25%']);
  });
});

describe('significance: only a change beyond its bound is tested', () => {
  it('with significance and no CIs, a change within tolerance passes with no failure and no note', () => {
    const { diff, row } = one('accuracy: {tolerance: 0.1}', { accuracy: 0.55 }, { accuracy: 0.6 }, 0.05);
    expect(diff.passed).toBe(true);
    expect(row.failures).toEqual([]);
    expect(row.notes).toEqual([]);
  });
  it('with significance and CIs, a change within tolerance gets no "not significant" note', () => {
    const { row } = one(
      'accuracy: {tolerance: 0.1}',
      { accuracy: { value: 0.59, ci: [0.5, 0.68] } },
      { accuracy: { value: 0.6, ci: [0.5, 0.7] } },
      0.05,
    );
    expect(row.verdict).toBe('within tolerance');
    expect(row.notes).toEqual([]);
  });
  it('a change beyond tolerance that is not significant is noted with its p-value, not failed', () => {
    const { diff, row } = one(
      'accuracy: {tolerance: 0.01}',
      { accuracy: { value: 0.58, ci: [0.48, 0.68] } },
      { accuracy: { value: 0.6, ci: [0.5, 0.7] } },
      0.05,
    );
    expect(diff.passed).toBe(true);
    expect(row.verdict).toBe('not significant');
    expect(row.failures).toEqual([]);
    expect(row.notes).toHaveLength(1);
    expect(row.notes[0]).toMatch(
      /^worsened by 0\.02, more than the tolerance 0\.01, but the difference is not significant \(p = 0\.\d+ >= 0\.05\)$/,
    );
  });
  it('without significance, a change beyond tolerance fails with its one reason (no CI note)', () => {
    const { row } = one('accuracy: {tolerance: 0.01}', { accuracy: 0.5 }, { accuracy: 0.6 });
    expect(row.failures).toEqual(['worsened by 0.1, more than the tolerance 0.01']);
  });
});
