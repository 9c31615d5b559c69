import type { GatePolicy } from './default-gate.js';
import type { MetricsFile, MetricValue } from './metrics-file.js';
import { ciDifferenceTest, type DifferenceTest } from './significance.js';
import { type Direction, defaultDirection, type MetricThreshold, type Thresholds } from './thresholds.js';

export type Verdict =
  | 'regressed'
  | 'not comparable'
  | 'not significant'
  | 'within tolerance'
  | 'not gated'
  | 'improved';

/** Order of rows in the diff: what blocks the merge first. */
const VERDICT_ORDER: Record<Verdict, number> = {
  regressed: 0,
  'not comparable': 1,
  'not significant': 2,
  'within tolerance': 3,
  'not gated': 4,
  improved: 5,
};

export interface MetricComparison {
  metric: string;
  direction: Direction;
  current?: number;
  baseline?: number;
  /** current - baseline. */
  delta?: number;
  /** 100 * delta / |baseline|; undefined when the baseline is 0. */
  deltaPct?: number;
  currentCi?: [number, number];
  /** Interval and p-value of the difference, when both sides carry CIs (or paired rows were tested). */
  test?: DifferenceTest;
  threshold?: MetricThreshold;
  verdict: Verdict;
  /** Why the metric fails its gate (plain text; renderers escape it). Empty when it passes. */
  failures: string[];
  /** Reasons a change was seen but not held against the model (noise, no threshold). */
  notes: string[];
}

export interface SliceRegression {
  slice: string;
  metric: string;
  current: number;
  baseline: number;
  delta: number;
  reason: string;
}

export interface ComparisonDiff {
  task: string;
  /** What gated: configured thresholds, the default gate on the primary metric, or nothing (`gate: none`). */
  gate: GatePolicy;
  /** True when there was no baseline at all: only value thresholds gate ("first model"). */
  firstModel: boolean;
  /** Set when a baseline was found but cannot be compared (another task). */
  notComparableReason?: string;
  significance?: number;
  rows: MetricComparison[];
  /** Slices whose thresholded metrics worsened beyond tolerance; reported, not gating. */
  sliceRegressions: SliceRegression[];
  passed: boolean;
  regressions: string[];
}

export interface CompareOptions {
  /** Alpha: a change-threshold violation gates only if the difference is significant at this level. */
  significance?: number;
  /**
   * A paired test on the same rows (e.g. a paired bootstrap over the predictions) when the caller
   * has them; preferred over the CI-based test.
   */
  pairedTest?: (metric: string, alpha: number) => DifferenceTest | undefined;
  /** How `thresholds` were chosen, for the report (default: configured thresholds). */
  gate?: GatePolicy;
}

/**
 * Relative float slack for the inclusive bounds, so 0.90 - 0.92 (= -0.020000000000000018) is
 * within a tolerance of 0.02. TFMA compares raw floats; users write decimal thresholds.
 */
const SLACK = 1e-12;

/**
 * Gates `current` against thresholds and, when there is one, a baseline, following TFMA's
 * validator: value bounds inclusive; change bounds on delta = current - baseline with a
 * direction; a thresholded metric that is missing (or NaN) fails. Two deliberate departures,
 * both to avoid silent passes: the relative change is delta / |baseline| (TFMA divides by the
 * signed baseline, which turns a worsening of a negative r2 into a pass), and with a baseline of
 * 0 a relative bound is only checked when the metric got worse (TFMA fails on the NaN ratio even
 * when no relative bound is set).
 */
export function compareMetrics(
  current: MetricsFile,
  baseline: MetricsFile | undefined,
  thresholds: Thresholds,
  options: CompareOptions = {},
): ComparisonDiff {
  const alpha = options.significance;
  const notComparableReason =
    baseline && baseline.task !== current.task
      ? `the baseline (${baseline.source}) is for task "${baseline.task}" but the current model is "${current.task}"`
      : undefined;
  const usableBaseline = baseline && !notComparableReason ? baseline : undefined;

  const names = new Set([
    ...Object.keys(current.metrics),
    ...Object.keys(thresholds),
    ...Object.keys(usableBaseline?.metrics ?? {}),
  ]);
  const rows = [...names].map((metric) =>
    compareOne(metric, current.metrics[metric], usableBaseline, thresholds[metric], {
      alpha,
      baselineExpected: baseline !== undefined,
      notComparableReason,
      pairedTest: options.pairedTest,
    }),
  );
  rows.sort(
    (a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || a.metric.localeCompare(b.metric),
  );

  const sliceRegressions = usableBaseline ? compareSlices(current, usableBaseline, thresholds, alpha) : [];
  const regressions = rows.filter((row) => row.failures.length > 0).map((row) => row.metric);
  return {
    task: current.task,
    gate: options.gate ?? { kind: 'thresholds' },
    firstModel: baseline === undefined,
    notComparableReason,
    significance: alpha,
    rows,
    sliceRegressions,
    passed: regressions.length === 0,
    regressions,
  };
}

interface RowContext {
  alpha?: number;
  baselineExpected: boolean;
  notComparableReason?: string;
  pairedTest?: CompareOptions['pairedTest'];
}

function compareOne(
  metric: string,
  current: MetricValue | undefined,
  baseline: MetricsFile | undefined,
  threshold: MetricThreshold | undefined,
  context: RowContext,
): MetricComparison {
  const direction = threshold?.direction ?? defaultDirection(metric);
  const row: MetricComparison = {
    metric,
    direction,
    threshold,
    verdict: 'not gated',
    failures: [],
    notes: [],
  };
  const base = baseline?.metrics[metric];
  if (base && Number.isFinite(base.value)) row.baseline = base.value;

  if (!current || !Number.isFinite(current.value)) {
    const problem = current
      ? `is ${String(current.value)} in the current metrics file`
      : 'is missing from the current metrics file';
    if (threshold) {
      row.failures.push(`has a threshold but ${problem}`);
      row.verdict = 'regressed';
    } else {
      row.notes.push(problem);
      row.verdict = 'not comparable';
    }
    return row;
  }
  row.current = current.value;
  row.currentCi = current.ci;

  if (threshold?.min !== undefined && !(current.value >= threshold.min - slack(threshold.min))) {
    row.failures.push(`${formatNumber(current.value)} is below the minimum ${formatNumber(threshold.min)}`);
  }
  if (threshold?.max !== undefined && !(current.value <= threshold.max + slack(threshold.max))) {
    row.failures.push(`${formatNumber(current.value)} is above the maximum ${formatNumber(threshold.max)}`);
  }
  const hasChangeBound = threshold?.tolerance !== undefined || threshold?.tolerancePct !== undefined;

  if (row.baseline === undefined || !base) {
    if (hasChangeBound && context.baselineExpected) {
      const why =
        context.notComparableReason ??
        (base ? `the baseline value is ${String(base.value)}` : 'the baseline has no value for it');
      row.verdict = row.failures.length > 0 ? 'regressed' : 'not comparable';
      row.failures.push(`change threshold cannot be checked: ${why}`);
      return row;
    }
    if (context.notComparableReason) row.notes.push(context.notComparableReason);
    row.verdict = row.failures.length > 0 ? 'regressed' : threshold ? 'within tolerance' : 'not gated';
    if (!threshold && context.baselineExpected) row.verdict = 'not comparable';
    return row;
  }

  const delta = current.value - row.baseline;
  row.delta = delta;
  row.deltaPct = row.baseline === 0 ? undefined : (100 * delta) / Math.abs(row.baseline);
  const alphaForReport = context.alpha ?? 0.05;
  row.test = context.pairedTest?.(metric, alphaForReport) ?? ciDifferenceTest(current, base, alphaForReport);

  const changeViolations = threshold ? changeBoundViolations(threshold, row.baseline, delta) : [];
  const worsening = direction === 'higher' ? -delta : delta;
  if (changeViolations.length > 0) {
    if (context.alpha !== undefined && row.test && !(row.test.pValue < context.alpha)) {
      row.notes.push(
        `${changeViolations.join('; ')}, but the difference is not significant (p = ${formatNumber(row.test.pValue)} >= ${context.alpha})`,
      );
    } else {
      if (context.alpha !== undefined && !row.test) {
        changeViolations.push('no CI on one side, so significance could not be tested and the change counts');
      }
      row.failures.push(...changeViolations);
    }
  }

  if (row.failures.length > 0) row.verdict = 'regressed';
  else if (changeViolations.length > 0) row.verdict = 'not significant';
  else if (worsening < 0 && (context.alpha === undefined || !row.test || row.test.pValue < context.alpha))
    row.verdict = 'improved';
  else row.verdict = threshold ? 'within tolerance' : 'not gated';
  return row;
}

/** Human-readable reasons the change from `baseline` by `delta` breaks the threshold's change bounds. */
export function changeBoundViolations(threshold: MetricThreshold, baseline: number, delta: number): string[] {
  const worsening = threshold.direction === 'higher' ? -delta : delta;
  const violations: string[] = [];
  if (
    threshold.tolerance !== undefined &&
    worsening > threshold.tolerance + slack(threshold.tolerance, baseline)
  ) {
    violations.push(
      `worsened by ${formatNumber(worsening)}, more than the tolerance ${formatNumber(threshold.tolerance)}`,
    );
  }
  if (threshold.tolerancePct !== undefined && worsening > 0) {
    const relativePct = baseline === 0 ? Infinity : (100 * worsening) / Math.abs(baseline);
    if (relativePct > threshold.tolerancePct + slack(threshold.tolerancePct)) {
      violations.push(
        baseline === 0
          ? `worsened from a baseline of 0, so any relative tolerance is exceeded`
          : `worsened by ${formatNumber(relativePct)}%, more than the tolerance ${formatNumber(threshold.tolerancePct)}%`,
      );
    }
  }
  return violations;
}

function compareSlices(
  current: MetricsFile,
  baseline: MetricsFile,
  thresholds: Thresholds,
  alpha?: number,
): SliceRegression[] {
  const out: SliceRegression[] = [];
  for (const [slice, metrics] of Object.entries(current.slices)) {
    const baseSlice = baseline.slices[slice];
    if (!baseSlice) continue;
    for (const [metric, threshold] of Object.entries(thresholds)) {
      const cur = metrics[metric];
      const base = baseSlice[metric];
      if (!cur || !base || !Number.isFinite(cur.value) || !Number.isFinite(base.value)) continue;
      const delta = cur.value - base.value;
      const violations = changeBoundViolations(threshold, base.value, delta);
      if (violations.length === 0) continue;
      const test = alpha === undefined ? undefined : ciDifferenceTest(cur, base, alpha);
      if (test && !(test.pValue < alpha!)) continue;
      out.push({
        slice,
        metric,
        current: cur.value,
        baseline: base.value,
        delta,
        reason: violations.join('; '),
      });
    }
  }
  return out.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
}

function slack(...scales: number[]): number {
  return SLACK * Math.max(1, ...scales.map(Math.abs));
}

/** Compact, stable number formatting for reports: 4 significant digits, no exponent for usual sizes. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined) return '';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-4) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}
