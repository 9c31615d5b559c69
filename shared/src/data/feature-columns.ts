/**
 * How DuckDB hands raw feature values to the feature contract (models/preprocessing.ts), the same
 * for train (reading the training file) and evaluate (streaming the evaluation file): numbers as
 * JS numbers, booleans as booleans, text as text and dates/timestamps as JS dates of the same
 * instant, so a value read from CSV, Parquet or JSON reaches the contract exactly as the same
 * value sent to the server in a JSON request does. No encoding happens here.
 */
import type { SourceType } from '../models/preprocessing.js';
import { physicalKind } from './column-kind.js';
import { quoteIdent } from './database.js';

export function sourceTypeOf(duckType: string): SourceType {
  const kind = physicalKind(duckType);
  switch (kind) {
    case 'integer':
    case 'float':
    case 'decimal':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'text':
      return 'text';
    case 'datetime':
      return duckType.toUpperCase() === 'DATE' ? 'date' : 'timestamp';
    default:
      return 'other';
  }
}

/** The SELECT expression for a feature column: its value in a form `rawFeatureValue` turns into JS. */
export function rawFeatureSql(name: string, duckType: string): string {
  const column = quoteIdent(name);
  switch (sourceTypeOf(duckType)) {
    case 'number':
      return `CAST(${column} AS DOUBLE)`;
    case 'boolean':
      return `CAST(${column} AS BOOLEAN)`;
    case 'date':
    case 'timestamp':
      // Milliseconds since the epoch of the instant (UTC): no time-zone setting can shift it.
      return `CAST(epoch_ms(${column}) AS DOUBLE)`;
    default:
      return `CAST(${column} AS VARCHAR)`;
  }
}

/** The JS value of one cell selected with `rawFeatureSql`. */
export function rawFeatureValue(value: unknown, sourceType: SourceType): unknown {
  if (value === null || value === undefined) return null;
  if (sourceType === 'date' || sourceType === 'timestamp') return new Date(Number(value));
  if (typeof value === 'bigint') return Number(value);
  return value;
}
