import { resolve } from 'node:path';
import { readCsvSample } from '../data/csv-sample.js';
import { Database, quoteIdent, quoteLiteral } from '../data/database.js';
import { rawFeatureSql, rawFeatureValue, sourceTypeOf } from '../data/feature-columns.js';
import { type Dataset, openDataset } from '../data/open-dataset.js';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import {
  DEFAULT_MISSING_TOKENS,
  type DroppedColumn,
  type FeatureKind,
  type FeatureTypeChoice,
  type InferredKind,
  inferFeatureKind,
  missingValueTest,
  type RawColumns,
  type SourceType,
} from '../models/preprocessing.js';

export type TrainTask = 'classification' | 'regression';

/** Most distinct whole-number values a numeric target may have for `task: auto` to call it classes. */
const AUTO_MAX_CLASSES = 20;

export interface TrainingTable {
  /** The task asked for, or the one `auto` chose from the target column. */
  task: TrainTask;
  /** Rows with a non-null target, in file order. */
  rows: number;
  /** Raw feature values as the feature contract reads them (data/feature-columns.ts). */
  columns: RawColumns;
  target: unknown[];
  features: { name: string; kind: FeatureKind }[];
  /** Columns left out of the model, and why. */
  dropped: DroppedColumn[];
  /** Every column but the target: the kind train gave it and why, for the step summary. */
  inferred: { name: string; sourceType: string; kind: InferredKind['kind']; why: string; forced: boolean }[];
  /** Missing-value tokens (mlops.yml `features.missing`, else the defaults). */
  missing: readonly string[];
  /** Rows dropped because the target was null. */
  droppedRows: number;
}

/** mlops.yml's `features:` section, as train uses it. */
export interface FeatureOptions {
  missing?: readonly string[];
  types?: Record<string, FeatureTypeChoice>;
}

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/**
 * Reads a tabular file for the built-in trainer. Each column's kind is inferred by the feature
 * contract (models/preprocessing.ts `inferFeatureKind`) from its DuckDB type and values, unless
 * mlops.yml's `features.types` sets it. Identifiers (`text-id`), all-null columns and unsupported
 * types are left out; each is logged and recorded in the spec's `dropped`.
 */
export async function readTrainingTable(
  dataPath: string,
  target: string,
  requestedTask: TrainTask | 'auto',
  log: Log,
  featureOptions: FeatureOptions = {},
): Promise<TrainingTable> {
  const db = await Database.open();
  try {
    // openDataset reads every supported format (Arrow and globs included) and turns unreadable
    // files into UserErrors naming the file and line.
    const dataset = await openDataset(db, resolve(dataPath));
    for (const note of dataset.notes) log.warning(note);
    const from = quoteIdent(dataset.view);
    const described = dataset.columns.map((c) => ({ column_name: c.name, column_type: c.type }));
    const names = described.map((d) => d.column_name);
    if (!names.includes(target)) {
      throw new UserError(
        `The target column '${target}' is not in '${dataPath}'. Columns: ${names.map((n) => `'${n}'`).join(', ')}.`,
        { input: 'target' },
      );
    }
    const missingTokens = featureOptions.missing ?? DEFAULT_MISSING_TOKENS;
    const types = featureOptions.types ?? {};
    for (const name of Object.keys(types)) {
      if (!names.includes(name)) {
        throw new UserError(
          `mlops.yml features.types names '${name}', which is not a column of '${dataPath}' (columns: ${names.join(', ')}).`,
          { input: 'features.types' },
        );
      }
      if (name === target) {
        throw new UserError(`mlops.yml features.types names the target '${target}'; it is not a feature.`, {
          input: 'features.types',
        });
      }
    }
    const selected = described.map((d) =>
      d.column_name === target ? quoteIdent(target) : rawFeatureSql(d.column_name, d.column_type),
    );
    const raw = await db.all(
      `SELECT ${selected.map((s, i) => `${s} AS c${i}`).join(', ')} FROM ${from} WHERE ${quoteIdent(target)} IS NOT NULL`,
    );
    // A target that is a missing-value token ('NA', '?') is missing too, as in a feature.
    const missingTarget = missingValueTest(missingTokens);
    const targetAt = described.findIndex((d) => d.column_name === target);
    const records = raw
      .filter((r) => !missingTarget(r[`c${targetAt}`]))
      .map((r) => Object.fromEntries(described.map((d, i) => [d.column_name, r[`c${i}`]])));
    const [{ total }] = await db.all<{ total: number }>(`SELECT count(*) AS total FROM ${from}`);
    if (records.length === 0) {
      throw new UserError(
        `No rows left to train on: '${dataPath}' has ${total} rows and the target '${target}' is missing (null or a missing-value token) in all of them.`,
        { input: 'data' },
      );
    }
    const targetType = described.find((d) => d.column_name === target)!.column_type;
    const targetValues = records.map((r) => normaliseTarget(r[target]));
    const task = requestedTask === 'auto' ? inferTask(targetType, targetValues, log, target) : requestedTask;
    if (task === 'regression' && !NUMERIC_TYPES.test(targetType)) {
      throw new UserError(
        `task: regression needs a numeric target, but '${target}' is ${targetType}. Use task: classification for labels.`,
        { input: 'task' },
      );
    }
    const columns: RawColumns = {};
    const features: TrainingTable['features'] = [];
    const dropped: DroppedColumn[] = [];
    const inferred: TrainingTable['inferred'] = [];
    for (const { column_name: name, column_type: type } of described) {
      if (name === target) continue;
      const sourceType = sourceTypeOf(type);
      const values = records.map((r) => rawFeatureValue(r[name], sourceType));
      const found = inferFeatureKind(values, sourceType, missingTokens, `DuckDB ${type}`);
      const forced = types[name] as FeatureTypeChoice | undefined;
      const kind: InferredKind['kind'] = forced ?? found.kind;
      inferred.push({
        name,
        sourceType: type,
        kind,
        why: forced !== undefined ? `set in mlops.yml features.types (inferred: ${found.kind})` : found.why,
        forced: forced !== undefined,
      });
      if (found.nonIsoDate !== undefined && forced === undefined) {
        // The contract reads dates only as ISO 8601 (one rule on every path): a column of dates
        // written otherwise is text here, and every date after training is a value it never saw.
        log.warning(
          `Column '${name}' holds dates not in ISO 8601 (e.g. '${found.nonIsoDate}'): it is used as ${kind === 'text-id' ? 'an identifier, not a feature' : 'a category, so every date after training is a value the model never saw'}. Write them as YYYY-MM-DD to get date features (year, month, day, epoch_days), or set features.types in mlops.yml to say how to use the column.`,
        );
      }
      const tokenShare = mostlyTokens(values, missingTokens);
      if (tokenShare !== undefined)
        log.warning(
          `Column '${name}': ${tokenShare.count} of ${values.length} training values (${Math.round((100 * tokenShare.count) / values.length)}%) are the missing-value token ${JSON.stringify(tokenShare.token)}: they are filled, not learned from. If ${JSON.stringify(tokenShare.token)} is a real value here (e.g. "NA" for North America), set features.missing in mlops.yml without it.`,
        );
      if (kind === 'date' || kind === 'datetime') {
        const offset = await utcOffsetExample(db, values, sourceType, name, dataset);
        if (offset !== undefined)
          log.warning(
            `Column '${name}' holds times with a UTC offset (${offset}): the contract takes its date parts (day, day of week, hour, ...) in UTC, not in the offset written, so a local 04:15 at +05:00 is hour 23 of the day before. To learn from local time, write the times without an offset (they are then read as they are).`,
          );
      }
      if (kind === 'all-null') {
        log.warning(
          `Column '${name}' of '${dataPath}' is missing in all ${records.length} training rows (${found.why}) and is not used as a feature.`,
        );
        dropped.push({ name, reason: 'all-null' });
        continue;
      }
      if (forced !== undefined && found.kind === 'all-null' && forced !== 'text-id') {
        throw new UserError(
          `Column '${name}' of '${dataPath}' is set to ${forced} in mlops.yml features.types, but it is missing in all ${records.length} training rows: there is nothing to learn from it.`,
          { input: 'features.types' },
        );
      }
      if (kind === 'unsupported-type') {
        log.warning(`Column '${name}' (${type}) is not used as a feature: ${found.why}.`);
        dropped.push({ name, reason: 'unsupported-type', detail: type });
        continue;
      }
      if (kind === 'text-id') {
        if (forced === undefined) {
          log.warning(
            `Column '${name}' looks like an identifier (${found.why}) and is not used as a feature. Set features.types in mlops.yml to use it.`,
          );
        }
        dropped.push({ name, reason: forced === undefined ? 'text-id' : 'config' });
        continue;
      }
      columns[name] = values;
      features.push({ name, kind });
    }
    if (features.length === 0) {
      throw new UserError(`'${dataPath}' has no usable feature column besides the target '${target}'.`, {
        input: 'data',
      });
    }
    return {
      task,
      rows: records.length,
      columns,
      target: targetValues,
      features,
      dropped,
      inferred,
      missing: missingTokens,
      droppedRows: total - records.length,
    };
  } finally {
    db.close();
  }
}

/**
 * `task: auto`: text, boolean and date targets are classes; a numeric target is classes only when
 * it holds a few whole numbers (0/1 flags, ratings), otherwise a quantity to regress.
 */
function inferTask(type: string, values: unknown[], log: Log, target: string): TrainTask {
  let task: TrainTask = 'classification';
  let why = `'${target}' is ${type}`;
  if (NUMERIC_TYPES.test(type)) {
    const distinct = new Set(values.map(Number));
    const whole = [...distinct].every((v) => Number.isInteger(v));
    task = whole && distinct.size <= AUTO_MAX_CLASSES ? 'classification' : 'regression';
    why = `'${target}' is numeric with ${distinct.size} distinct${whole ? ' whole-number' : ''} values`;
  }
  log.info(`task: auto chose ${task} (${why}). Set task explicitly to override.`);
  return task;
}

/** Class labels are compared as text (evaluate/labels.ts); dates arrive as objects. */
function normaliseTarget(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return String(value);
  return value;
}

/** A time zone offset other than UTC's ending an ISO 8601 time: `+05:00`, `-0330`, `+02`. */
const NON_UTC_OFFSET = /T.*[+-](?!00(?::?00)?$)\d\d(?::?\d\d)?$/;

/**
 * An example of a time written with a non-UTC offset in a date column: from its text, or, when
 * DuckDB parsed the column into instants (a CSV's TIMESTAMP WITH TIME ZONE, a JSON file's
 * TIMESTAMP: the offset is gone, and 'Z' reads the same), from the text of the file's first
 * records. Undefined when none is seen (Parquet and Arrow store instants, not offsets).
 */
async function utcOffsetExample(
  db: Database,
  values: readonly unknown[],
  sourceType: SourceType,
  column: string,
  dataset: Pick<Dataset, 'format' | 'files'>,
): Promise<string | undefined> {
  let texts: readonly unknown[] = values;
  const file = dataset.files[0];
  if (sourceType !== 'text') {
    if (file === undefined) return undefined;
    if (dataset.format === 'csv' || dataset.format === 'tsv') {
      const sample = await readCsvSample(file, dataset.format === 'tsv' ? '\t' : ',').catch(() => undefined);
      const at = sample?.header.indexOf(column) ?? -1;
      texts = sample && at >= 0 ? sample.rows.map((row) => row[at]) : [];
    } else if (dataset.format === 'json' || dataset.format === 'ndjson') {
      const rows = await db
        .all<{ v: unknown }>(
          `SELECT json ->> $1 AS v FROM read_json_objects(${quoteLiteral(file)}, format = 'auto') LIMIT 1000`,
          [`$."${column.replace(/["\\]/g, (c) => `\\${c}`)}"`],
        )
        .catch(() => []);
      texts = rows.map((r) => r.v);
    } else return undefined;
  }
  const found = texts.find((v) => typeof v === 'string' && NON_UTC_OFFSET.test(v.trim()));
  return found === undefined ? undefined : `e.g. '${String(found).trim()}'`;
}

/** A share of a column's values one non-empty token takes above which train says so. */
const TOKEN_SHARE_TO_SAY = 0.2;

/**
 * The non-empty missing-value token most of a column's values are, when it is at least
 * `TOKEN_SHARE_TO_SAY` of them: a column that is mostly 'NA' may well mean North America (trial3:
 * 61% of a Region column filled with the runner-up 'AS' without a word).
 */
function mostlyTokens(
  values: readonly unknown[],
  tokens: readonly string[],
): { token: string; count: number } | undefined {
  const wanted = new Set(tokens.filter((t) => t.trim() !== ''));
  const counts = new Map<string, number>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const t = v.trim();
    if (wanted.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  let best: { token: string; count: number } | undefined;
  for (const [token, count] of counts) if (!best || count > best.count) best = { token, count };
  return best && best.count >= TOKEN_SHARE_TO_SAY * values.length ? best : undefined;
}
