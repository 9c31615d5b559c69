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

/**
 * The float slack's own edge: each bound is widened by exactly 1e-12 × max(1, |scale|) and stays
 * inclusive there; one double further fails. (The slack absorbs decimal rounding only: it must
 * not turn `<=` into `<` at its edge, nor grow.)
 */
describe('the slack edge is inclusive: bound ± 1e-12 × max(1, |scale|) passes, one double beyond fails', () => {
  const edgeSlack = (...scales: number[]) => 1e-12 * Math.max(1, ...scales.map(Math.abs));

  it('value >= min − slack(min): min 0.75 at its slack edge passes, one double lower fails', () => {
    const edge = 0.75 - edgeSlack(0.75);
    expect(gate('accuracy: {min: 0.75}', edge).passed).toBe(true);
    expect(gate('accuracy: {min: 0.75}', nextDown(edge)).passed).toBe(false);
  });
  it('value <= max + slack(max): max 1.5 at its slack edge passes, one double higher fails', () => {
    const edge = 1.5 + edgeSlack(1.5);
    expect(gate('accuracy: {max: 1.5}', edge).passed).toBe(true);
    expect(gate('accuracy: {max: 1.5}', nextUp(edge)).passed).toBe(false);
  });
  it('worsening <= tolerance + slack(tolerance, baseline): r2 from 0 by exactly that passes, one double more fails', () => {
    // From a baseline of 0 the worsening is -current exactly, so it can sit on the edge.
    const r2 = (current: number) =>
      compareMetrics(
        metricsFileFromObject(
          { schema: 'mlops-metrics/v1', task: 'regression', metrics: { r2: current } },
          'c.json',
        ),
        metricsFileFromObject(
          { schema: 'mlops-metrics/v1', task: 'regression', metrics: { r2: 0 } },
          'b.json',
        ),
        parseThresholdsText('r2: {tolerance: 0.125}', 't.yml'),
      );
    const edge = 0.125 + edgeSlack(0.125, 0);
    expect(r2(-edge).passed).toBe(true);
    expect(r2(nextDown(-edge)).passed).toBe(false);
  });
  it('100 × worsening / |baseline| <= tolerance-pct + slack(tolerance-pct): at the edge passes, one double more fails', () => {
    const edge = 25 + edgeSlack(25);
    // A baseline and current value whose relative worsening, as the gate defines it, is exactly
    // the edge (doubles near 0.4 step the ratio by ~1e-14, so not every baseline has one).
    const relative = (c: number, b: number) => (100 * (b - c)) / Math.abs(b);
    let baseline = Number.NaN;
    let current = Number.NaN;
    for (let i = 0; i < 256 && Number.isNaN(current); i++) {
      const b = 0.5 + i / 1024;
      let c = b - (edge / 100) * b;
      for (let k = 0; k < 4; k++) c = nextUp(c);
      for (let k = 0; k < 8 && Number.isNaN(current); k++, c = nextDown(c)) {
        if (relative(c, b) === edge) [baseline, current] = [b, c];
      }
    }
    expect(relative(current, baseline)).toBe(edge);
    expect(gate('accuracy: {tolerance-pct: 25}', current, baseline).passed).toBe(true);
    let further = nextDown(current);
    while (relative(further, baseline) === edge) further = nextDown(further);
    expect(gate('accuracy: {tolerance-pct: 25}', further, baseline).passed).toBe(false);
  });
});
