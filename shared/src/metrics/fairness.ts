import type { EvaluationRows } from './bootstrap.js';
import type { MetricPlan } from './plan.js';
import { weightsInPlanOrder } from './plan.js';
import { RegressionPlan } from './regression.js';

/**
 * Group-fairness metrics with Fairlearn's definitions (fairlearn.metrics, "between_groups"):
 *
 * - selection rate of a group: the share of its rows predicted as the positive class;
 * - TPR and FPR from the group's confusion matrix normalised by true class, where a group with no
 *   positive (negative) rows has TPR (FPR) 0, as scikit-learn's `confusion_matrix(normalize=
 *   "true")` that Fairlearn calls gives it; evaluate adds a note when that happens;
 * - `*_difference` = largest − smallest group value; `*_ratio` = smallest / largest (undefined,
 *   null, when the largest is 0);
 * - equalized odds: the worse of the TPR and FPR disparities (difference: max; ratio: min), of
 *   those defined;
 * - equal opportunity: the TPR disparity.
 *
 * Two classes: the positive class is the second one (as for precision and recall). More classes:
 * each class in turn is the positive one (one-vs-rest) and the headline value is the worst class
 * (largest difference, smallest ratio) among those where it is defined. Regression: the gap (largest − smallest) of MAE, RMSE and
 * R² across groups, with the task's own definitions (`RegressionPlan`).
 *
 * Only groups with at least `minGroupSize` rows in the evaluation data take part: smaller groups
 * are reported but never gated, because a handful of rows moves a rate by a large step.
 */
export const FAIRNESS_CLASSIFICATION_METRICS = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
  'equal_opportunity_ratio',
] as const;

export const FAIRNESS_REGRESSION_METRICS = ['mae_difference', 'rmse_difference', 'r2_difference'] as const;

/** The regression metrics whose gaps across groups `FAIRNESS_REGRESSION_METRICS` report, same order. */
const REGRESSION_GAP_OF = ['mae', 'rmse', 'r2'] as const;

export type FairnessMetricName =
  | (typeof FAIRNESS_CLASSIFICATION_METRICS)[number]
  | (typeof FAIRNESS_REGRESSION_METRICS)[number];

export function fairnessMetricNames(task: EvaluationRows['task']): readonly FairnessMetricName[] {
  return task === 'classification' ? FAIRNESS_CLASSIFICATION_METRICS : FAIRNESS_REGRESSION_METRICS;
}

/** Disparities are better small; parity ratios are better close to 1, i.e. large. */
export function isFairnessMetric(name: string): boolean {
  return (
    (FAIRNESS_CLASSIFICATION_METRICS as readonly string[]).includes(name) ||
    (FAIRNESS_REGRESSION_METRICS as readonly string[]).includes(name)
  );
}

/** Rows of one sensitive feature (or an intersection), numbered by group. */
export interface GroupIndex {
  /** Group values in first-seen order; null is the group of missing values. */
  values: (string | null)[];
  /** Group number of each row. */
  of: Int32Array;
  /** Rows in each group. */
  sizes: number[];
}

export function groupRows(values: readonly (string | null)[]): GroupIndex {
  const numbers = new Map<string | null, number>();
  const of = new Int32Array(values.length);
  const sizes: number[] = [];
  values.forEach((v, i) => {
    let g = numbers.get(v);
    if (g === undefined) {
      g = numbers.size;
      numbers.set(v, g);
      sizes.push(0);
    }
    of[i] = g;
    sizes[g]++;
  });
  return { values: [...numbers.keys()], of, sizes };
}

/** One-vs-rest rates of one group for one class (null where the rate has no rows to speak of). */
export interface GroupRates {
  selection_rate: number;
  /** Fairlearn's convention: 0 when the group has no rows of the class. */
  tpr: number;
  fpr: number;
  /** Precision of the class within the group; null when the group never predicts it. */
  precision: number | null;
}

/** Largest minus smallest; NaN with fewer than two values. */
function spread(values: number[]): { difference: number; ratio: number } {
  if (values.length < 2) return { difference: Number.NaN, ratio: Number.NaN };
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { difference: hi - lo, ratio: hi === 0 ? Number.NaN : lo / hi };
}

/**
 * Worst of several disparities (classes, or TPR and FPR), over those that are defined: a ratio is
 * undefined when a rate is 0 in every group (e.g. no false positives anywhere), which says nothing
 * against the others. NaN only when none is defined.
 */
function worst(values: number[], pick: 'max' | 'min'): number {
  const defined = values.filter((v) => !Number.isNaN(v));
  if (defined.length === 0) return Number.NaN;
  return pick === 'max' ? Math.max(...defined) : Math.min(...defined);
}

/**
 * Fairness disparities as a metric plan, so the bootstrap engine that gives every other metric its
 * interval resamples these too (same replicate streams, same percentile method). A group that a
 * resample leaves empty sits that replicate out.
 */
export class FairnessPlan implements MetricPlan {
  readonly n: number;
  readonly rowOrder = null;
  readonly names: readonly FairnessMetricName[];
  private readonly eligible: Int32Array;
  private readonly groupPlans: {
    rows: Int32Array;
    plan: RegressionPlan;
    scratch: Int32Array;
    w: Int32Array;
  }[] = [];
  private readonly counts: Float64Array;

  constructor(
    private readonly rows: EvaluationRows,
    private readonly groups: GroupIndex,
    minGroupSize: number,
  ) {
    this.n = groups.of.length;
    this.names = fairnessMetricNames(rows.task);
    this.eligible = Int32Array.from(
      groups.sizes.flatMap((size, g) => (size >= minGroupSize && size > 0 ? [g] : [])),
    );
    if (rows.task === 'regression') {
      for (const g of this.eligible) {
        const members = memberRows(groups.of, g);
        const plan = new RegressionPlan(
          { yTrue: gather(rows.data.yTrue, members), yPred: gather(rows.data.yPred, members) },
          REGRESSION_GAP_OF,
        );
        this.groupPlans.push({
          rows: members,
          plan,
          scratch: new Int32Array(members.length),
          w: new Int32Array(members.length),
        });
      }
      this.counts = new Float64Array(0);
    } else {
      // Per group and class: weight, predicted as c, truly c, true positives of c.
      this.counts = new Float64Array(
        groups.sizes.length * rows.data.classes.length * 3 + groups.sizes.length,
      );
    }
  }

  /** Groups that take part in the disparities, by group number. */
  get gatedGroups(): readonly number[] {
    return [...this.eligible];
  }

  evaluate(weights: Int32Array, out: Float64Array): void {
    if (this.rows.task === 'regression') this.evaluateRegression(weights, out);
    else this.evaluateClassification(weights, out);
  }

  /** Rates of every group (eligible or not) on the unweighted rows, for the report's table. */
  groupRates(): GroupRates[][] {
    if (this.rows.task !== 'classification') return [];
    this.accumulate(unit(this.n));
    const k = this.rows.data.classes.length;
    return this.groups.sizes.map((_, g) => {
      const perClass: GroupRates[] = [];
      for (let c = 0; c < k; c++) perClass.push(this.rates(g, c));
      return perClass;
    });
  }

  private evaluateRegression(weights: Int32Array, out: Float64Array): void {
    const perMetric: number[][] = REGRESSION_GAP_OF.map(() => []);
    const values = new Float64Array(REGRESSION_GAP_OF.length);
    for (const group of this.groupPlans) {
      let total = 0;
      for (let i = 0; i < group.rows.length; i++) {
        group.w[i] = weights[group.rows[i]];
        total += group.w[i];
      }
      if (total === 0) continue;
      group.plan.evaluate(weightsInPlanOrder(group.plan, group.w, group.scratch), values);
      values.forEach((v, j) => {
        if (Number.isFinite(v)) perMetric[j].push(v);
      });
    }
    perMetric.forEach((vs, j) => {
      out[j] = spread(vs).difference;
    });
  }

  private accumulate(weights: Int32Array): void {
    if (this.rows.task !== 'classification') return;
    const { yTrue, yPred, classes } = this.rows.data;
    const k = classes.length;
    const counts = this.counts;
    counts.fill(0);
    const of = this.groups.of;
    const totals = this.groups.sizes.length * k * 3;
    for (let i = 0; i < this.n; i++) {
      const w = weights[i];
      if (w === 0) continue;
      const base = of[i] * k * 3;
      counts[totals + of[i]] += w;
      counts[base + yPred[i] * 3] += w;
      counts[base + yTrue[i] * 3 + 1] += w;
      if (yTrue[i] === yPred[i]) counts[base + yTrue[i] * 3 + 2] += w;
    }
  }

  private rates(g: number, c: number): GroupRates {
    const classes = (this.rows as EvaluationRows & { task: 'classification' }).data.classes.length;
    const base = (g * classes + c) * 3;
    const total = this.counts[this.groups.sizes.length * classes * 3 + g];
    const predicted = this.counts[base];
    const positives = this.counts[base + 1];
    const truePositives = this.counts[base + 2];
    const negatives = total - positives;
    const falsePositives = predicted - truePositives;
    return {
      selection_rate: total > 0 ? predicted / total : Number.NaN,
      tpr: positives > 0 ? truePositives / positives : 0,
      fpr: negatives > 0 ? falsePositives / negatives : 0,
      precision: predicted > 0 ? truePositives / predicted : null,
    };
  }

  private evaluateClassification(weights: Int32Array, out: Float64Array): void {
    if (this.rows.task !== 'classification') return;
    this.accumulate(weights);
    const k = this.rows.data.classes.length;
    const positiveClasses = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
    const totals = this.groups.sizes.length * k * 3;
    const dp: { difference: number; ratio: number }[] = [];
    const tpr: { difference: number; ratio: number }[] = [];
    const fpr: { difference: number; ratio: number }[] = [];
    for (const c of positiveClasses) {
      const sel: number[] = [];
      const tp: number[] = [];
      const fp: number[] = [];
      for (const g of this.eligible) {
        if (this.counts[totals + g] === 0) continue;
        const r = this.rates(g, c);
        sel.push(r.selection_rate);
        tp.push(r.tpr);
        fp.push(r.fpr);
      }
      dp.push(spread(sel));
      tpr.push(spread(tp));
      fpr.push(spread(fp));
    }
    const eoDifference = positiveClasses.map((_, j) => worst([tpr[j].difference, fpr[j].difference], 'max'));
    const eoRatio = positiveClasses.map((_, j) => worst([tpr[j].ratio, fpr[j].ratio], 'min'));
    const byName: Record<string, number> = {
      demographic_parity_difference: worst(
        dp.map((d) => d.difference),
        'max',
      ),
      demographic_parity_ratio: worst(
        dp.map((d) => d.ratio),
        'min',
      ),
      equalized_odds_difference: worst(eoDifference, 'max'),
      equalized_odds_ratio: worst(eoRatio, 'min'),
      equal_opportunity_difference: worst(
        tpr.map((d) => d.difference),
        'max',
      ),
      equal_opportunity_ratio: worst(
        tpr.map((d) => d.ratio),
        'min',
      ),
    };
    this.names.forEach((name, j) => {
      out[j] = byName[name];
    });
  }
}

function unit(n: number): Int32Array {
  return new Int32Array(n).fill(1);
}

function memberRows(of: Int32Array, g: number): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < of.length; i++) if (of[i] === g) rows.push(i);
  return Int32Array.from(rows);
}

function gather(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
  return out;
}
