import { identifierReason, physicalKind } from '../data/column-kind.js';
import type { ColumnProfile, DatasetProfile } from '../data/profile-format.js';
import {
  BOUND_CONFIDENCE,
  expectedOutsideShare,
  isRareCategory,
  newCategoryBound,
  nullFractionBound,
  RARE_CATEGORY_SHARE,
} from './sample-bounds.js';
import { type ColumnRules, DATA_SCHEMA_ID, type DataSchema } from './schema.js';

/**
 * Inference margins. A schema inferred from one sample must accept another sample of the same
 * data, so observed bounds are loosened (TFDV, for the same reason, infers no numeric ranges at
 * all; a range with slack still catches unit changes and sentinel values like -999).
 */
export const RANGE_MARGIN = 0.1;
/** Below this many values uniqueness is likely a coincidence and is not inferred. */
const MIN_ROWS_FOR_UNIQUE = 10;
/** Categorical domains are inferred up to this many values (TFDV's max_string_domain_size). */
export const MAX_DOMAIN_VALUES = 100;

/**
 * Infers a schema from a profile, TFDV-style, with bounds that know the sample's size
 * (sample-bounds.ts): type, presence, the null fraction's upper confidence bound, numeric range
 * (widened by `RANGE_MARGIN` of the observed range on each side, never crossing zero; values
 * outside are then tested against the rate the sample size predicts), categorical domain (up to
 * `MAX_DOMAIN_VALUES` values, with a tolerated share of new values from its rare tail),
 * uniqueness, and NaN/inf. Each column records the sample (`inferred_from`) and, for the YAML
 * comments, how each bound was derived. The table must have at least one row; no upper bound.
 * Datetime columns get the training period, widened by `RANGE_MARGIN` of its span and rounded
 * outward to whole days; since new data is usually newer, a date outside it is a warning, not an
 * error (validate-dataset.ts): the model's date features (year, days since 1970) extrapolate.
 */
export function inferSchema(profile: DatasetProfile): DataSchema {
  return {
    schema: DATA_SCHEMA_ID,
    table: { min_rows: 1, extra_columns: 'warning' },
    columns: profile.columns.map(inferColumn),
  };
}

function inferColumn(c: ColumnProfile): ColumnRules {
  const rules: ColumnRules = { name: c.name, type: c.type, required: true };
  const nonNull = c.rows - c.nulls;
  const derivation: NonNullable<ColumnRules['derivation']> = {};
  const level = `${BOUND_CONFIDENCE * 100}%`;
  if (c.rows > 0) {
    rules.max_null_fraction = nullFractionBound(c.nulls, c.rows);
    derivation.max_null_fraction = `${c.nulls} nulls in ${c.rows} rows: their ${level} upper confidence bound (Clopper-Pearson).`;
  }
  const physical = physicalKind(c.physical_type);
  if (c.type === 'numeric' && c.numeric && c.numeric.min !== null && c.numeric.max !== null) {
    const { min, max } = widen(c.numeric.min, c.numeric.max, physical === 'integer');
    rules.min = min;
    rules.max = max;
    const share = expectedOutsideShare(c.numeric.count);
    derivation.range = `observed ${c.numeric.min} to ${c.numeric.max} in ${c.numeric.count} values, widened by ${RANGE_MARGIN * 100}% of the range; about 2/(n+1) = ${fmtShare(share)} of new values are expected past the extremes of ${c.numeric.count}.`;
  }
  if (
    c.type === 'categorical' &&
    c.top_values_complete &&
    c.distinct > 0 &&
    c.distinct <= MAX_DOMAIN_VALUES
  ) {
    rules.allowed_values = c.top_values
      .map((v) => v.value)
      .sort((x, y) => String(x).localeCompare(String(y)));
    const rare = c.top_values.filter((v) => isRareCategory(v.count, nonNull));
    const rareValues = rare.reduce((sum, v) => sum + v.count, 0);
    rules.max_new_category_fraction = newCategoryBound(rareValues, nonNull);
    derivation.allowed_values = `${c.distinct} categories in ${nonNull} values; the rare tail (categories seen once or in under ${RARE_CATEGORY_SHARE * 100}% of values) is ${rare.length} categories, ${rareValues} values: new values may take up to its ${level} upper bound (max_new_category_fraction).`;
  }
  const period = c.type === 'datetime' ? c.datetime : undefined;
  if (period && period.min_epoch !== null && period.max_epoch !== null) {
    const { min, max } = widenPeriod(period.min_epoch, period.max_epoch);
    rules.min = min;
    rules.max = max;
    derivation.range = `observed ${period.min} to ${period.max}, widened by ${RANGE_MARGIN * 100}% of the span to whole days; a later or earlier date is reported as a warning (the model's date features extrapolate there).`;
  }
  // The range is tested against the finite values it was drawn from; everything else, non-null ones.
  const values = c.type === 'numeric' && c.numeric ? c.numeric.count : nonNull;
  if (c.rows > 0) rules.inferred_from = { rows: c.rows, values };
  if (Object.keys(derivation).length > 0) rules.derivation = derivation;
  // Uniqueness is a hard rule, so it is inferred only where all-distinct values mean a key: an
  // identifier (column-kind.ts's rule: an id-like name or near-unique text) or a timestamp (one
  // row per date). A measure or an amount that happened to be all distinct in the sample (457
  // DVD sales figures) would fail the first batch that repeats one.
  const uniqueCandidate =
    c.type !== 'boolean' &&
    physical !== 'float' &&
    (c.type === 'datetime' || identifierReason(c.name, c.type, c.distinct, nonNull) !== undefined);
  if (uniqueCandidate && c.distinct_exact && nonNull >= MIN_ROWS_FOR_UNIQUE && c.distinct === nonNull)
    rules.unique = true;
  if (physical === 'float') rules.allow_nan_or_inf = c.nan + c.pos_inf + c.neg_inf > 0;
  return rules;
}

/** Loosens [min, max] by the margin on each side, rounded outward to a readable step. */
function widen(min: number, max: number, integer: boolean): { min: number; max: number } {
  const range = max - min;
  const margin = range > 0 ? range * RANGE_MARGIN : Math.abs(min) * RANGE_MARGIN || 1;
  let lo = min - margin;
  let hi = max + margin;
  // Non-negative data (counts, prices, lengths) keeps a non-negative floor; likewise for ceilings.
  if (min >= 0) lo = Math.max(0, lo);
  if (max <= 0) hi = Math.min(0, hi);
  const step = integer ? Math.max(1, niceStep(hi - lo)) : niceStep(hi - lo);
  return { min: tidy(Math.floor(lo / step) * step), max: tidy(Math.ceil(hi / step) * step) };
}

const SECONDS_PER_DAY = 86_400;

/** A training period in epoch seconds, loosened by the margin on each side, as whole UTC days. */
function widenPeriod(minEpoch: number, maxEpoch: number): { min: string; max: string } {
  const margin = Math.max((maxEpoch - minEpoch) * RANGE_MARGIN, SECONDS_PER_DAY);
  const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
  const lo = Math.floor((minEpoch - margin) / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const hi = Math.ceil((maxEpoch + margin) / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  return { min: day(lo), max: day(hi) };
}

/** A power of ten about a hundredth of the span: bounds keep two or three significant digits. */
function niceStep(span: number): number {
  if (!(span > 0)) return 1;
  return 10 ** (Math.floor(Math.log10(span)) - 2);
}

/** Removes binary noise from a multiple of a power of ten (e.g. 0.30000000000000004). */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

function fmtShare(x: number): string {
  return `${Number((x * 100).toPrecision(2))}%`;
}
