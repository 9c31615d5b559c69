/**
 * Where each side's values come from: a dataset view in DuckDB (counted by side-counts.ts), or
 * (reference only) a stored `mlops-profile/v1`. Both are turned into `(v, c)` value-count
 * relations so the comparisons in ecdf.ts run the same SQL either way.
 */

import { physicalKind } from '../data/column-kind.js';
import type { BoundValues } from '../data/database.js';
import { type ColumnProfile, type DatasetProfile, PROFILE_SCHEMA } from '../data/profile-format.js';
import { UserError } from '../errors/index.js';
import { valueCountsRelation } from './ecdf.js';
import type { DriftColumnType } from './methods.js';

/** The drift type of a DuckDB column type; null for types drift-check does not compare (dates, lists). */
export function driftTypeOfDuckType(duckType: string): DriftColumnType | null {
  switch (physicalKind(duckType)) {
    case 'integer':
    case 'float':
    case 'decimal':
      return 'numeric';
    case 'text':
    case 'boolean':
      return 'categorical';
    default:
      return null;
  }
}

export function driftTypeOfProfileColumn(column: ColumnProfile): DriftColumnType | null {
  switch (column.type) {
    case 'numeric':
      return 'numeric';
    case 'categorical':
    case 'boolean':
    case 'string':
      return 'categorical';
    default:
      return null;
  }
}

/** SQL true for a value that counts: not null and, for floats, finite (Evidently drops NaN and ±inf). */
export function presentSql(expression: string, duckType: string): string {
  return physicalKind(duckType) === 'float' ? `isfinite(${expression})` : `${expression} IS NOT NULL`;
}

/** A stored profile's category counts as a relation `(v, c)`; the values are bound to `bound`. */
export function literalCategoryCountsSql(
  pairs: readonly { value: string; count: number }[],
  bound: BoundValues,
): string {
  if (pairs.length === 0) return 'SELECT NULL::VARCHAR AS v, 0::BIGINT AS c WHERE false';
  const rows = pairs
    .map((p) => `(CAST(${bound.add(p.value)} AS VARCHAR), ${Math.round(p.count)}::BIGINT)`)
    .join(', ');
  return `SELECT * FROM (VALUES ${rows}) AS t(v, c)`;
}

export interface SideStats {
  rows: number;
  present: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
}

/** Reads and checks a stored profile: another schema version is an error, never a silent pass. */
export function checkProfile(value: unknown, path: string): DatasetProfile {
  const profile = value as Partial<DatasetProfile> | null;
  if (!profile || typeof profile !== 'object' || !('schema' in profile)) {
    throw new UserError(
      `'${path}' is not a data profile: expected a JSON object with "schema": "${PROFILE_SCHEMA}".`,
      {
        file: path,
        input: 'reference',
      },
    );
  }
  if (profile.schema !== PROFILE_SCHEMA) {
    throw new UserError(
      `'${path}' is a profile of schema '${String(profile.schema)}', but drift-check reads '${PROFILE_SCHEMA}': re-create the profile with this version's data-validate.`,
      { file: path, input: 'reference' },
    );
  }
  if (!Array.isArray(profile.columns) || typeof profile.rows !== 'number') {
    throw new UserError(`'${path}' is missing "rows" or "columns" required by ${PROFILE_SCHEMA}.`, {
      file: path,
      input: 'reference',
    });
  }
  return profile as DatasetProfile;
}

/** Summary numbers of a profiled column, in the same shape as the counted side's (side-counts.ts). */
export function profileSideStats(column: ColumnProfile): SideStats {
  const numeric = column.numeric;
  const present = numeric
    ? numeric.count
    : column.rows - column.nulls - column.nan - column.pos_inf - column.neg_inf;
  return {
    rows: column.rows,
    present,
    mean: numeric?.mean ?? null,
    std: numeric && numeric.count > 0 ? Math.sqrt(numeric.m2 / numeric.count) : null,
    min: numeric?.min ?? null,
    max: numeric?.max ?? null,
  };
}

/**
 * The reference side of a profiled numeric column as value counts: exact when the profile kept
 * every value's count, else the histogram's bins (both sides then compared on those bins).
 */
export function profileNumericRelation(
  column: ColumnProfile,
): { sql: string; exact: true } | { sql: string; exact: false; widthLog2: number } | null {
  if (column.top_values_complete && column.top_values.every((t) => typeof t.value === 'number')) {
    return {
      sql: valueCountsRelation(column.top_values.map((t) => ({ value: t.value as number, count: t.count }))),
      exact: true,
    };
  }
  const histogram = column.numeric?.histogram;
  if (!histogram || histogram.counts.length === 0) return null;
  const pairs = histogram.counts.map((count, i) => ({
    value: (histogram.start + i) * 2 ** histogram.width_log2,
    count,
  }));
  return {
    sql: valueCountsRelation(pairs.filter((p) => p.count > 0)),
    exact: false,
    widthLog2: histogram.width_log2,
  };
}
