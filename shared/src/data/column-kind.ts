/**
 * The logical kind of a column, from its DuckDB type. Text columns are `categorical` or `string`
 * depending on their values, which the profile decides; here they are `text`.
 */
export type ColumnKind = 'numeric' | 'categorical' | 'boolean' | 'datetime' | 'string';
export type PhysicalKind = 'integer' | 'float' | 'decimal' | 'boolean' | 'datetime' | 'text' | 'other';

const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'UHUGEINT',
]);
const DATETIME_TYPES = new Set([
  'DATE',
  'TIMESTAMP',
  'TIMESTAMP WITH TIME ZONE',
  'TIMESTAMP_S',
  'TIMESTAMP_MS',
  'TIMESTAMP_NS',
]);

export function physicalKind(duckdbType: string): PhysicalKind {
  const t = duckdbType.toUpperCase();
  if (INTEGER_TYPES.has(t)) return 'integer';
  if (t === 'DOUBLE' || t === 'FLOAT') return 'float';
  if (t.startsWith('DECIMAL')) return 'decimal';
  if (t === 'BOOLEAN') return 'boolean';
  if (DATETIME_TYPES.has(t)) return 'datetime';
  if (t === 'VARCHAR') return 'text';
  return 'other';
}

/** Whether values of this kind are summarised as numbers (moments, quantiles, histogram). */
export function isNumericPhysical(kind: PhysicalKind): boolean {
  return kind === 'integer' || kind === 'float' || kind === 'decimal';
}

/** Only IEEE floats can hold NaN or infinities. */
export function canHoldNonFinite(kind: PhysicalKind): boolean {
  return kind === 'float';
}

/**
 * Most distinct values a text column may have to count as categorical: beyond this a schema's
 * `allowed_values` list stops being something a person reads (TFDV's `max_string_domain_size`).
 */
export const MAX_CATEGORICAL_VALUES = 100;

/**
 * A text column is categorical when it has few distinct values, both absolutely and relative to
 * its rows (a name column of 300 values over 400 rows is not a category even below the limit).
 */
export function textColumnKind(distinct: number, nonNull: number): 'categorical' | 'string' {
  if (distinct <= MAX_CATEGORICAL_VALUES && (distinct <= 20 || distinct <= nonNull / 2)) return 'categorical';
  return 'string';
}

/** The kind of a column from its physical kind (text columns need their distinct count). */
export function columnKind(physical: PhysicalKind, distinct: number, nonNull: number): ColumnKind {
  switch (physical) {
    case 'integer':
    case 'float':
    case 'decimal':
      return 'numeric';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'datetime';
    case 'text':
      return textColumnKind(distinct, nonNull);
    default:
      return 'string';
  }
}

/**
 * Share of distinct values among a text column's non-null values above which it is an identifier
 * (names, ids, free text) rather than a category.
 */
export const NEAR_UNIQUE_SHARE = 0.5;
/** Fewer distinct values than this never make a column near-unique (a short sample repeats little). */
const NEAR_UNIQUE_MIN_DISTINCT = 20;
/** Names that say "identifier": id, uuid, guid or key, alone or as the last word (item_id, Zip Key, userId). */
const ID_NAMES = [
  /^(id|uuid|guid|key)$/i,
  /[\s_.-](id|uuid|guid|key)$/i,
  /[a-z0-9](Id|ID|Uuid|UUID|Guid|GUID|Key|KEY)$/,
];

/**
 * Why a text column's values make it an identifier (names, ids, free text) rather than a category,
 * or undefined. The one near-unique rule: train leaves such a column out of the features
 * (`text-id`) and data-validate leaves it out of distribution comparisons, so both agree on which
 * columns are identifiers. Only text: numbers are near-unique too (measurements, amounts).
 */
export function nearUniqueReason(distinct: number, nonNull: number): string | undefined {
  if (distinct >= NEAR_UNIQUE_MIN_DISTINCT && distinct > NEAR_UNIQUE_SHARE * nonNull)
    return `near-unique: ${distinct} distinct values in ${nonNull}`;
  return undefined;
}

/**
 * Why a column looks like an identifier, or undefined: an id-like name, or a text column whose
 * values are near-unique (`nearUniqueReason`). Its distribution says nothing about the data (every
 * batch has new ids), so distribution comparisons leave it out. The name rule is for comparisons
 * only: train keeps a numeric `item_id` as a feature unless mlops.yml says otherwise.
 */
export function identifierReason(
  name: string,
  kind: ColumnKind,
  distinct: number,
  nonNull: number,
): string | undefined {
  if (ID_NAMES.some((pattern) => pattern.test(name.trim()))) return 'an identifier by its name';
  if (kind === 'categorical' || kind === 'string') return nearUniqueReason(distinct, nonNull);
  return undefined;
}
