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
 * Whether a drifted distance also needs the two-sample chi-square to tell it from sampling noise:
 * a categorical column compared by a distance that Evidently chose (not TFDV's comparators, not a
 * method the user named, which keeps its rule alone). See `withinNoise`.
 */
export function needsNoiseCheck(
  plan: ColumnPlan,
  method: DriftMethod,
  drifted: boolean,
  options: ChoiceOptions,
): boolean {
  return (
    drifted &&
    !options.tfdv &&
    plan.type === 'categorical' &&
    METHOD_INFO[method].kind === 'distance' &&
    !methodAsked(plan, options)
  );
}

/**
 * The noise check's verdict: a distance over its threshold is within the sampling noise (not
 * drifted) when the two-sample chi-square gives p >= 0.05, the chi-square test's own threshold (it
 * would call drift only at p < 0.05). A p that is not finite (one category: no degrees of
 * freedom) cannot judge, and the distance's verdict stands.
 */
export function withinNoise(chiSquareP: number | null): boolean {
  return Number.isFinite(chiSquareP) && chiSquareP! >= METHOD_INFO.chi2.threshold;
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
