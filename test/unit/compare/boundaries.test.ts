/**
 * compare-baseline's gate at each boundary (README "Gates without false alarms", DESIGN.md §5):
 * value thresholds are inclusive (value >= min, value <= max passes); a worsening passes while
 * worsening <= tolerance (and <= tolerance-pct of |baseline|); with `significance`, a worsening
 * beyond tolerance counts only when p < significance. Bounds carry a relative slack of 1e-12 so
 * a decimal threshold holds against its float rounding (0.90 - 0.92 = -0.020000000000000018):
 * "just beyond" is therefore beyond that slack.
 */
import { describe, expect, it } from 'vitest';
import { compareMetrics } from '../../../shared/src/compare/gate.js';
import { type MetricsFile, metricsFileFromObject } from '../../../shared/src/compare/metrics-file.js';
import { parseThresholdsText } from '../../../shared/src/compare/thresholds.js';
import { nextDown, nextUp } from '../../harness/floats.js';

const file = (metrics: Record<string, unknown>): MetricsFile =>
  metricsFileFromObject({ schema: 'mlops-metrics/v1', task: 'binary_classification', metrics }, 'test.json');
const gate = (yaml: string, current: number, baseline?: number, significance?: number, p?: number) =>
  compareMetrics(
    file({ accuracy: current }),
    baseline === undefined ? undefined : file({ accuracy: baseline }),
    parseThresholdsText(yaml, 't.yml'),
    {
      significance,
      pairedTest:
        p === undefined ? undefined : () => ({ interval: [-1, 1], pValue: p, method: 'paired-bootstrap' }),
    },
  );
const beyond = (x: number, by = 1e-9) => x + by * Math.max(1, Math.abs(x));

describe('value thresholds are inclusive', () => {
  it('value >= min passes: at 0.75 passes, within float slack passes, 1e-9 below fails', () => {
    expect(gate('accuracy: {min: 0.75}', 0.75).passed).toBe(true);
    expect(gate('accuracy: {min: 0.75}', nextDown(0.75)).passed).toBe(true);
    expect(gate('accuracy: {min: 0.75}', beyond(0.75, -1e-9)).passed).toBe(false);
    expect(gate('accuracy: {min: 0.75}', nextUp(0.75)).passed).toBe(true);
  });
  it('value <= max passes: at 0.75 passes, 1e-9 above fails', () => {
    expect(gate('accuracy: {max: 0.75}', 0.75).passed).toBe(true);
    expect(gate('accuracy: {max: 0.75}', nextUp(0.75)).passed).toBe(true);
    expect(gate('accuracy: {max: 0.75}', beyond(0.75)).passed).toBe(false);
    expect(gate('accuracy: {max: 0.75}', nextDown(0.75)).passed).toBe(true);
  });
});

describe('change thresholds: worsening <= tolerance passes', () => {
  it('tolerance 0.125 (higher is better): 0.5 -> 0.375 passes, 1e-9 further fails, an improvement passes', () => {
    expect(gate('accuracy: {tolerance: 0.125}', 0.375, 0.5).passed).toBe(true);
    expect(gate('accuracy: {tolerance: 0.125}', beyond(0.375, -1e-9), 0.5).passed).toBe(false);
    expect(gate('accuracy: {tolerance: 0.125}', nextUp(0.375), 0.5).passed).toBe(true);
    expect(gate('accuracy: {tolerance: 0.125}', 0.9, 0.5).passed).toBe(true);
  });
  it('tolerance-pct 25 of |baseline|: 0.5 -> 0.375 is 25 percent and passes, 1e-9 further fails', () => {
    expect(gate('accuracy: {tolerance-pct: 25}', 0.375, 0.5).passed).toBe(true);
    expect(gate('accuracy: {tolerance-pct: 25}', beyond(0.375, -1e-9), 0.5).passed).toBe(false);
  });
  it('tolerance 0 forbids any worsening beyond float slack: equal passes, 1e-9 worse fails', () => {
    expect(gate('accuracy: {tolerance: 0}', 0.5, 0.5).passed).toBe(true);
    expect(gate('accuracy: {tolerance: 0}', 0.5 - 1e-9, 0.5).passed).toBe(false);
  });
});

describe('significance: a worsening beyond tolerance counts only when p < significance', () => {
  const yaml = 'accuracy: {tolerance: 0.01}';
  it('p exactly at significance (0.05): not significant, passes with verdict "not significant"', () => {
    const diff = gate(yaml, 0.4, 0.5, 0.05, 0.05);
    expect(diff.passed).toBe(true);
    expect(diff.rows[0]!.verdict).toBe('not significant');
  });
  it('p one double below significance: the regression counts', () => {
    const diff = gate(yaml, 0.4, 0.5, 0.05, nextDown(0.05));
    expect(diff.passed).toBe(false);
    expect(diff.rows[0]!.verdict).toBe('regressed');
  });
  it('p above significance: passes', () => {
    expect(gate(yaml, 0.4, 0.5, 0.05, nextUp(0.05)).passed).toBe(true);
  });
  it('an improvement is reported as improved only when p < significance', () => {
    expect(gate(yaml, 0.6, 0.5, 0.05, 0.05).rows[0]!.verdict).toBe('within tolerance');
    expect(gate(yaml, 0.6, 0.5, 0.05, nextDown(0.05)).rows[0]!.verdict).toBe('improved');
  });
  it('value thresholds gate whatever the p-value: below min fails even when not significant', () => {
    expect(gate('accuracy: {min: 0.45}', 0.4, 0.5, 0.05, 0.9).passed).toBe(false);
  });
});
