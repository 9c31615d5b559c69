/**
 * Drift methods, their default thresholds and Evidently's default choice per column
 * (DESIGN.md §5). A method is either a test (drift when p < threshold; KS p <= threshold, as
 * Evidently) or a distance (drift when distance >= threshold).
 */
import { UserError } from '../errors/index.js';

export const DRIFT_METHODS = [
  'ks',
  'chi2',
  'z',
  'wasserstein',
  'jensenshannon',
  'psi',
  'linf',
  'jsd_log2',
] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];
export type MethodChoice = DriftMethod | 'auto';

/** numeric: compared as numbers; categorical: compared as category frequencies. */
export type DriftColumnType = 'numeric' | 'categorical';

export interface MethodInfo {
  kind: 'test' | 'distance';
  threshold: number;
  /** Which column types the method can compare. */
  applies: readonly DriftColumnType[];
  label: string;
}

export const METHOD_INFO: Record<DriftMethod, MethodInfo> = {
  ks: { kind: 'test', threshold: 0.05, applies: ['numeric'], label: 'K-S p-value' },
  chi2: { kind: 'test', threshold: 0.05, applies: ['numeric', 'categorical'], label: 'chi-square p-value' },
  z: { kind: 'test', threshold: 0.05, applies: ['numeric', 'categorical'], label: 'Z-test p-value' },
  wasserstein: {
    kind: 'distance',
    threshold: 0.1,
    applies: ['numeric'],
    label: 'Wasserstein distance (normed)',
  },
  jensenshannon: {
    kind: 'distance',
    threshold: 0.1,
    applies: ['numeric', 'categorical'],
    label: 'Jensen-Shannon distance',
  },
  // PSI: 0.1 is "some change" (a warning in the report), 0.25 is drift.
  psi: { kind: 'distance', threshold: 0.25, applies: ['numeric'], label: 'PSI' },
  linf: {
    kind: 'distance',
    threshold: 0.1,
    applies: ['numeric', 'categorical'],
    label: 'L-infinity distance',
  },
  jsd_log2: {
    kind: 'distance',
    threshold: 0.1,
    applies: ['numeric', 'categorical'],
    label: 'Jensen-Shannon divergence (log2)',
  },
};

/** PSI above this (and below the drift threshold) is reported as a warning. */
export const PSI_WARNING = 0.1;

/** Reference size at or below which Evidently picks the statistical tests over distances. */
export const SMALL_REFERENCE_ROWS = 1000;
/** Numeric columns with at most this many distinct reference values are compared as categories. */
export const NUMERIC_AS_CATEGORY_MAX_DISTINCT = 5;

export function parseMethod(value: string, where: string): MethodChoice {
  const name = value.trim().toLowerCase();
  if (name === 'auto' || (DRIFT_METHODS as readonly string[]).includes(name)) return name as MethodChoice;
  throw new UserError(
    `Unknown drift method '${value}' for ${where}: expected auto or one of ${DRIFT_METHODS.join(', ')}.`,
    {
      input: 'method',
    },
  );
}

/**
 * Evidently's `get_default_stattest`: by column type, distinct reference values and reference
 * size (rows after dropping missing and non-finite values).
 */
export function defaultMethod(
  type: DriftColumnType,
  referenceRows: number,
  referenceDistinct: number,
): DriftMethod {
  const continuous = type === 'numeric' && referenceDistinct > NUMERIC_AS_CATEGORY_MAX_DISTINCT;
  if (referenceRows <= SMALL_REFERENCE_ROWS) {
    if (continuous) return 'ks';
    return referenceDistinct > 2 ? 'chi2' : 'z';
  }
  return continuous ? 'wasserstein' : 'jensenshannon';
}

/** The verdict: tests drift on small p (KS inclusive, as Evidently), distances on large values. */
export function isDrifted(method: DriftMethod, value: number, threshold: number): boolean {
  if (Number.isNaN(value)) return false;
  if (METHOD_INFO[method].kind === 'distance') return value >= threshold;
  return method === 'ks' ? value <= threshold : value < threshold;
}
