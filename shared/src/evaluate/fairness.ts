import { UserError } from '../errors/index.js';
import {
  type BootstrapOptions,
  bootstrapMetrics,
  type FairnessMetricName,
  FairnessPlan,
  type GroupIndex,
  type GroupRates,
  groupRows,
  type MetricEstimate,
  type MetricPlan,
  metricDirection,
  planFor,
  subsetRows,
} from '../metrics/index.js';
import type { EvaluationInput } from './input.js';

/** Default smallest group that takes part in the disparities (the same cut as a `small` slice). */
export const MIN_FAIRNESS_GROUP_ROWS = 30;

/**
 * A sensitive feature with more distinct values than this is taken for a continuous one: each
 * value would be its own group of a few rows. The user is asked to bin it first.
 */
export const MAX_SENSITIVE_GROUPS = 50;

export interface FairnessOptions {
  features: string[];
  /** Also the groups of all the features together (e.g. sex × island). */
  intersection: boolean;
  minGroupSize: number;
}

export interface FairnessGroup {
  /** The group's value of each feature (null: missing, shown as "missing"). */
  values: (string | null)[];
  n: number;
  /** False for groups under `min_group_size`: reported, never part of a disparity. */
  gated: boolean;
  /** The evaluation's metrics on this group alone (point values). */
  metrics: Record<string, number | null>;
  /** Classification: one-vs-rest rates per class label (two classes: the positive class only). */
  rates: Record<string, GroupRates> | null;
}

export interface FairnessFeature {
  /** Column names; several for an intersection. */
  columns: string[];
  groups: FairnessGroup[];
  disparities: Record<string, MetricEstimate>;
}

/** metrics.json `fairness` (docs/schemas/metrics.schema.json). */
export interface FairnessSection {
  sensitive_features: string[];
  min_group_size: number;
  /** Two classes: the class whose selection is measured; null for more classes (one-vs-rest) and regression. */
  positive_class: string | null;
  features: FairnessFeature[];
}

/** Checks the options against the columns that can be read, before anything is read. */
export function checkFairnessOptions(options: FairnessOptions, available: readonly string[]): void {
  const missing = options.features.filter((f) => !available.includes(f));
  if (missing.length > 0) {
    throw new UserError(
      `The sensitive feature(s) ${missing.map((m) => `'${m}'`).join(', ')} are not columns of the evaluation data. Its columns: ${available.join(', ')}.`,
      { input: 'sensitive-features' },
    );
  }
  if (!Number.isInteger(options.minGroupSize) || options.minGroupSize < 1) {
    throw new UserError(
      `fairness-min-group-size must be a whole number of rows, at least 1; got ${options.minGroupSize}.`,
      { input: 'fairness-min-group-size' },
    );
  }
}

/**
 * Per-group rates and metrics and the Fairlearn disparities (with bootstrap intervals) of each
 * sensitive feature, and the worst of them as headline metrics that compare-baseline can gate
 * like any other (`demographic_parity_difference: { max: 0.1 }`).
 */
export function computeFairness(
  input: EvaluationInput,
  options: FairnessOptions,
  metricNames: string[],
  bootstrap: Pick<BootstrapOptions, 'resamples' | 'seed' | 'confidence'>,
  notes: string[],
): { section: FairnessSection; headline: Record<string, MetricEstimate> } {
  const columns: string[][] = options.features.map((f) => [f]);
  if (options.intersection && options.features.length > 1) columns.push([...options.features]);
  for (const f of options.features) {
    const values = sensitiveValues(input, f);
    const distinct = new Set(values).size;
    if (distinct > MAX_SENSITIVE_GROUPS) {
      throw new UserError(
        `The sensitive feature '${f}' has ${distinct} distinct values (more than ${MAX_SENSITIVE_GROUPS}): it looks continuous, and each value would be a group of a few rows. Bin it into a few ranges in the data (e.g. an age band column) and name that column instead.`,
        { input: 'sensitive-features' },
      );
    }
  }
  const classes = input.task === 'classification' ? input.data.classes : null;
  const features: FairnessFeature[] = [];
  const plans: FairnessPlan[] = [];
  for (const cols of columns) {
    const perColumn = cols.map((c) => sensitiveValues(input, c));
    const keys = perColumn[0].map((_, i) => JSON.stringify(perColumn.map((values) => values[i])));
    const groups = groupRows(keys);
    const plan = new FairnessPlan(input, groups, options.minGroupSize);
    plans.push(plan);
    const gated = new Set(plan.gatedGroups);
    const rates = plan.groupRates();
    const label = cols.join(' × ');
    if (gated.size < 2) {
      notes.push(
        `fairness: '${label}' has ${gated.size === 0 ? 'no group' : 'one group'} of at least ${options.minGroupSize} rows, so its disparities are undefined (not gated).`,
      );
    }
    const small = groups.sizes.filter((size) => size < options.minGroupSize).length;
    if (small > 0) {
      notes.push(
        `fairness: ${small} group(s) of '${label}' have fewer than ${options.minGroupSize} rows; they are reported but left out of the disparities.`,
      );
    }
    features.push({
      columns: cols,
      groups: groups.values.map((key, g) =>
        describeGroup(input, groups, g, key, gated.has(g), rates[g] ?? null, classes, metricNames),
      ),
      disparities: bootstrapMetrics(plan, bootstrap),
    });
    if (classes !== null) noteEmptyClasses(input, groups, gated, label, notes);
  }
  const headline = bootstrapMetrics(new WorstOfPlan(plans), bootstrap);
  return {
    section: {
      sensitive_features: [...options.features],
      min_group_size: options.minGroupSize,
      positive_class: classes !== null && classes.length === 2 ? classes[1] : null,
      features,
    },
    headline,
  };
}

/** A sensitive column's values as groups: missing values (null, and NaN read as text) are one group. */
function sensitiveValues(input: EvaluationInput, column: string): (string | null)[] {
  const values = input.slices[column];
  if (values === undefined) throw new Error(`sensitive feature '${column}' was not read with the data`);
  return values.map((v) => (v === null || v === 'nan' || v === 'NaN' ? null : v));
}

function describeGroup(
  input: EvaluationInput,
  groups: GroupIndex,
  g: number,
  key: string | null,
  gated: boolean,
  rates: GroupRates[] | null,
  classes: readonly string[] | null,
  metricNames: string[],
): FairnessGroup {
  const members: number[] = [];
  groups.of.forEach((group, i) => {
    if (group === g) members.push(i);
  });
  let metrics: Record<string, number | null>;
  try {
    const estimates = bootstrapMetrics(planFor(subsetRows(input, Int32Array.from(members)), metricNames), {
      resamples: 0,
      seed: 0,
      confidence: 0.95,
    });
    metrics = Object.fromEntries(Object.entries(estimates).map(([name, e]) => [name, e.value]));
  } catch {
    metrics = Object.fromEntries(metricNames.map((name) => [name, null]));
  }
  let byClass: Record<string, GroupRates> | null = null;
  if (rates !== null && classes !== null) {
    const shown = classes.length === 2 ? [1] : classes.map((_, c) => c);
    byClass = Object.fromEntries(shown.map((c) => [classes[c], rates[c]]));
  }
  return { values: JSON.parse(key as string), n: groups.sizes[g], gated, metrics, rates: byClass };
}

/** Says where Fairlearn's TPR/FPR convention (0 for a group without such rows) is in play. */
function noteEmptyClasses(
  input: EvaluationInput,
  groups: GroupIndex,
  gated: Set<number>,
  label: string,
  notes: string[],
): void {
  if (input.task !== 'classification') return;
  const k = input.data.classes.length;
  const positives = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const seen = groups.sizes.map(() => new Int32Array(k));
  input.data.yTrue.forEach((y, i) => {
    seen[groups.of[i]][y]++;
  });
  for (const g of gated) {
    for (const c of positives) {
      const withClass = seen[g][c];
      const without = groups.sizes[g] - withClass;
      if (withClass === 0 || without === 0) {
        notes.push(
          `fairness: group ${groups.values[g]} of '${label}' has no rows ${withClass === 0 ? 'of' : 'outside'} class '${input.data.classes[c]}', so its ${withClass === 0 ? 'TPR' : 'FPR'} is taken as 0 (Fairlearn's convention); the equalized-odds and equal-opportunity disparities include that 0.`,
        );
      }
    }
  }
}

/**
 * The worst disparity over several sensitive features, per bootstrap replicate: the headline a
 * gate reads. Differences: the largest; ratios: the smallest; undefined where any is.
 */
class WorstOfPlan implements MetricPlan {
  readonly n: number;
  readonly rowOrder = null;
  readonly names: readonly FairnessMetricName[];
  private readonly outs: Float64Array[];

  constructor(private readonly plans: FairnessPlan[]) {
    this.n = plans[0].n;
    this.names = plans[0].names;
    this.outs = plans.map(() => new Float64Array(this.names.length));
  }

  evaluate(weights: Int32Array, out: Float64Array): void {
    this.plans.forEach((plan, p) => {
      plan.evaluate(weights, this.outs[p]);
    });
    this.names.forEach((name, j) => {
      // A feature whose disparity is undefined here (one group of enough rows) does not hide the
      // others'; the headline is undefined only when every feature's is.
      const values = this.outs.map((o) => o[j]).filter((v) => !Number.isNaN(v));
      out[j] =
        values.length === 0
          ? Number.NaN
          : metricDirection(name) === 'lower'
            ? Math.max(...values)
            : Math.min(...values);
    });
  }
}
