import { resolve } from 'node:path';
import { Database, quoteIdent } from '../data/database.js';
import { openDataset } from '../data/open-dataset.js';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import type { RawColumns } from '../models/preprocessing.js';

export type TrainTask = 'classification' | 'regression';

/** Most distinct whole-number values a numeric target may have for `task: auto` to call it classes. */
const AUTO_MAX_CLASSES = 20;

export interface TrainingTable {
  /** The task asked for, or the one `auto` chose from the target column. */
  task: TrainTask;
  /** Rows with a non-null target, in file order. */
  rows: number;
  columns: RawColumns;
  target: unknown[];
  features: { name: string; kind: 'numeric' | 'categorical' }[];
  /** Rows dropped because the target was null. */
  droppedRows: number;
}

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const CATEGORICAL_TYPES = /^(VARCHAR|BOOLEAN|ENUM.*|DATE|TIMESTAMP.*)$/;

/**
 * Reads a tabular file for the built-in trainer. Feature kinds come from DuckDB's column types:
 * numbers are numeric, strings/booleans/dates categorical. Categorical columns with more distinct
 * values than half the rows (names, ids) are left out, since one-hot encoding an identifier only
 * teaches the model to memorise rows; so are columns that are entirely null. Each is logged.
 */
export async function readTrainingTable(
  dataPath: string,
  target: string,
  requestedTask: TrainTask | 'auto',
  log: Log,
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
    const records = await db.all(`SELECT * FROM ${from} WHERE ${quoteIdent(target)} IS NOT NULL`);
    const [{ total }] = await db.all<{ total: number }>(`SELECT count(*) AS total FROM ${from}`);
    if (records.length === 0) {
      throw new UserError(
        `No rows left to train on: '${dataPath}' has ${total} rows and the target '${target}' is null in all of them.`,
        { input: 'data' },
      );
    }
    const targetType = described.find((d) => d.column_name === target)!.column_type;
    const targetValues = records.map((r) => normaliseCell(r[target]));
    const task = requestedTask === 'auto' ? inferTask(targetType, targetValues, log, target) : requestedTask;
    if (task === 'regression' && !NUMERIC_TYPES.test(targetType)) {
      throw new UserError(
        `task: regression needs a numeric target, but '${target}' is ${targetType}. Use task: classification for labels.`,
        { input: 'task' },
      );
    }
    const columns: RawColumns = {};
    const features: TrainingTable['features'] = [];
    for (const { column_name: name, column_type: type } of described) {
      if (name === target) continue;
      const values = records.map((r) => normaliseCell(r[name]));
      const kind = NUMERIC_TYPES.test(type)
        ? 'numeric'
        : CATEGORICAL_TYPES.test(type)
          ? 'categorical'
          : undefined;
      if (kind === undefined) {
        log.warning(
          `Column '${name}' (${type}) is not used as a feature: only numbers, strings, booleans and dates are.`,
        );
        continue;
      }
      const present = values.filter((v) => v !== null && v !== undefined);
      if (present.length === 0) {
        log.warning(`Column '${name}' is null in every row and is not used as a feature.`);
        continue;
      }
      if (kind === 'categorical' && new Set(present.map(String)).size > Math.max(2, records.length / 2)) {
        log.warning(
          `Column '${name}' looks like an identifier (more distinct values than half the rows) and is not used as a feature.`,
        );
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

/** Dates and timestamps arrive as objects; the preprocessing compares categories as strings. */
function normaliseCell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && !(value instanceof Date)) return String(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}
