/**
 * The per-column decisions of drift detection that need no data, only the column's plan, the
 * user's options and numbers already computed: which method and threshold, whether the column may
 * be an identifier, whether a distance is checked against sampling noise, which exact path a
 * sketch gives way to. detect.ts computes; these decide (and are unit-tested at their boundaries
 * without DuckDB).
 */
import { UserError } from '../errors/index.js';
import {
  type DriftColumnType,
  type DriftMethod,
  defaultMethod,
  isDrifted,
  METHOD_INFO,
  type MethodChoice,
  NUMERIC_AS_CATEGORY_MAX_DISTINCT,
  SMALL_REFERENCE_ROWS,
} from './methods.js';
import type { ColumnRole, Finding } from './report.js';

/** What the decisions read of a planned column. */
export interface ColumnPlan {
  name: string;
  role: ColumnRole;
  type: DriftColumnType;
}

/** What the decisions read of the options (detect.ts's DetectOptions). */
export interface ChoiceOptions {
  columns?: string[];
  method: MethodChoice;
  threshold?: number;
  perColumn?: Record<string, { method?: MethodChoice; threshold?: number }>;
  tfdv?: boolean;
  compareIdentifiers?: boolean;
}

/**
 * The method and threshold for one column: a per-column method, else the method for all columns
 * where it applies to the column's type (a finding where it does not), else Evidently's choice by
 * type, reference size and distinct values (TFDV's comparators with `tfdv`). The threshold: the
 * per-column one, else the one for all columns, else the method's default.
 */
export function chooseMethod(
  plan: ColumnPlan,
  n: number,
  referenceDistinct: number,
  options: ChoiceOptions,
  findings: Finding[],
): { method: DriftMethod; threshold: number } {
  const override = options.perColumn?.[plan.name];
  const auto = options.tfdv
    ? plan.type === 'categorical'
      ? 'linf'
      : 'jsd_log2'
    : defaultMethod(plan.type, n, referenceDistinct);
  let method = auto;
  if (override?.method && override.method !== 'auto') {
    if (!METHOD_INFO[override.method].applies.includes(plan.type)) {
      throw new UserError(
        `Drift method '${override.method}' cannot compare the ${plan.type} column '${plan.name}'; use one of ${Object.entries(
          METHOD_INFO,
        )
          .filter(([, info]) => info.applies.includes(plan.type))
          .map(([name]) => name)
          .join(', ')}.`,
        { input: 'method' },
      );
    }
    method = override.method;
  } else if (options.method !== 'auto') {
    if (METHOD_INFO[options.method].applies.includes(plan.type)) method = options.method;
    else {
      findings.push({
        kind: 'method_fallback',
        column: plan.name,
        severity: 'info',
        message: `Method '${options.method}' does not apply to the ${plan.type} column '${plan.name}': used '${auto}'.`,
      });
    }
  }
  const threshold = override?.threshold ?? options.threshold ?? METHOD_INFO[method].threshold;
  return { method, threshold };
}

/**
 * Whether the method used on this column is one the user named (per column, or for all columns
 * and applicable to this one), rather than Evidently's choice: `method: ks` leaves categories to
 * the automatic choice, so they keep the noise check.
 */
export function methodAsked(plan: ColumnPlan, options: ChoiceOptions): boolean {
  const override = options.perColumn?.[plan.name]?.method;
  if (override !== undefined && override !== 'auto') return true;
  return options.method !== 'auto' && METHOD_INFO[options.method].applies.includes(plan.type);
}

/**
 * Whether a numeric column's method could be Wasserstein, decided before anything is computed:
 * asked for by name, or left to Evidently's choice with more than 1,000 reference values (the
 * sketch then tells a continuous column from one of few values). Any other method, TFDV's
 * comparators included, takes the exact path.
 */
export function mayBeWasserstein(plan: ColumnPlan, referenceValues: number, options: ChoiceOptions): boolean {
  if (options.tfdv) return false;
  const override = options.perColumn?.[plan.name]?.method;
  const asked = override && override !== 'auto' ? override : options.method;
  if (asked !== 'auto') return asked === 'wasserstein';
  return referenceValues > SMALL_REFERENCE_ROWS;
}

/**
 * Whether a column may be left out as an identifier (column-kind.ts's `identifierReason` then
 * decides): a feature, unless `compareIdentifiers` or the user names the column in `columns` or
 * `perColumn`, which asks for it explicitly. Prediction and target columns are always compared.
 */
export function mayBeIdentifier(plan: ColumnPlan, options: ChoiceOptions): boolean {
  if (options.compareIdentifiers || plan.role !== 'feature') return false;
  return !options.columns?.includes(plan.name) && !options.perColumn?.[plan.name];
}

/**
 * The noise rule: the test that must also reject before a distance over its threshold counts as
 * drift, or undefined when the distance decides alone. Evidently's auto choice judges a large
 * reference by a distance alone, but the distance between two samples of one distribution is not
 * zero and does not shrink with the reference: for categories it grows with their number (about
 * sqrt((K-1)/8 · (1/n + 1/m)): 225 aircraft models in 8,000 and 2,000 random rows of birdstrikes
 * are 0.11 apart, over the 0.1 threshold on 96% of random splits), and the normed Wasserstein
 * distance of a continuous column shrinks only as 1/sqrt(m) with the current sample's m values
 * (a few hundred rows reach 0.1 by chance: seattle-weather's own random 80/20 split, 1,169 and
 * 292 rows, flagged 2 of its 4 numeric columns, and about 20% of them over random splits). So
 * the two-sample test beside it must tell it from noise: KS for the Wasserstein distance,
 * chi-square for the category and few-number distances. A method the user names keeps its rule
 * alone (`methodAsked`), and TFDV's comparators keep theirs (data-validate judges those itself).
 */
export function noiseTest(
  plan: ColumnPlan,
  method: DriftMethod,
  options: ChoiceOptions,
): DriftMethod | undefined {
  if (options.tfdv || METHOD_INFO[method].kind !== 'distance' || methodAsked(plan, options)) return undefined;
  return method === 'wasserstein' ? 'ks' : 'chi2';
}

/**
 * The noise rule's verdict: a distance over its threshold is within the sampling noise (not
 * drifted) when its test (`noiseTest`) does not reject at the test's own threshold (KS: p > 0.05,
 * since KS drifts at p <= 0.05; chi-square: p >= 0.05). A p that is not finite (one category: no
 * degrees of freedom) cannot judge, and the distance's verdict stands.
 */
export function withinNoise(test: DriftMethod, p: number | null): boolean {
  return Number.isFinite(p) && !isDrifted(test, p!, METHOD_INFO[test].threshold);
}

/** The test shown beside a TFDV distance: KS for continuous numbers, chi-square for categories and few numbers. */
export function companionTest(type: DriftColumnType, referenceDistinct: number): DriftMethod {
  return type === 'numeric' && referenceDistinct > NUMERIC_AS_CATEGORY_MAX_DISTINCT ? 'ks' : 'chi2';
}

/**
 * Whether an approximate statistic (the sketch, a profile's histogram) could be on either side of
 * the threshold: it is within its error bound of it (|statistic − threshold| <= bound, inclusive).
 */
export function reachesThreshold(statistic: number, threshold: number, bound: number): boolean {
  return Math.abs(statistic - threshold) <= bound;
}
