/**
 * Loads both models' per-row predictions for the paired bootstrap of compare-baseline: each
 * `mlops-metrics/v1` file written by evaluate names its per-row predictions file
 * (`predictions: {path, row_id, loss}`); the two files are joined on `row_id` and must hold the
 * same test rows (same ids, same `y_true`) before their rows are paired. Anything short of that
 * is not an error: the comparison falls back to the CI-of-difference test, with a warning.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Database, quoteIdent } from '../data/database.js';
import { type Dataset, openDataset } from '../data/open-dataset.js';
import { UserError } from '../errors/index.js';
import { labelSql } from '../evaluate/labels.js';
import { readPredictions } from '../evaluate/predictions-file.js';
import { confinedPath } from '../files/confined-path.js';
import type { Log } from '../logging/index.js';
import type { EvaluationRows } from '../metrics/index.js';
import type { PairedRows } from './paired.js';

/** A metrics file by path, or one already parsed together with the folder it was read from. */
export type PairedMetricsSource = string | { document: unknown; dir: string; source?: string };

export interface LoadPairedRowsOptions {
  log: Log;
  /** Paired resamples; default: the current metrics file's bootstrap resamples, else 1000. */
  resamples?: number;
  /** Default: the current metrics file's bootstrap seed, else 0. */
  seed?: number;
}

const FALLBACK = 'falling back to the CI test';
const DEFAULT_RESAMPLES = 1000;

interface Side {
  label: 'current' | 'baseline';
  source: string;
  task: 'classification' | 'regression' | undefined;
  predictionsPath: string;
  bootstrap: { resamples?: number; seed?: number };
}

/** Raised inside this module for every "cannot pair" case; turned into a warning at the top. */
class CannotPair extends Error {}

/**
 * Both sides' rows in `row_id` order, ready for `pairedBootstrapDelta`, or undefined (with a
 * warning naming the reason) when either side has no per-row predictions or the two files do not
 * hold the same test rows. Pass it to `runCompareBaseline` as
 * `pairedRows: () => loadPairedRows(currentPath, baselinePath, { log })`.
 */
export async function loadPairedRows(
  current: PairedMetricsSource,
  baseline: PairedMetricsSource,
  options: LoadPairedRowsOptions,
): Promise<PairedRows | undefined> {
  const { log } = options;
  try {
    const currentSide = await describeSide(current, 'current');
    const baselineSide = await describeSide(baseline, 'baseline');
    if (currentSide.task && baselineSide.task && currentSide.task !== baselineSide.task) {
      throw new CannotPair(
        `not the same test rows: ${FALLBACK} (the current model is evaluated as ${currentSide.task}, the baseline as ${baselineSide.task}).`,
      );
    }
    const task = currentSide.task ?? baselineSide.task;
    const [currentRows, baselineRows] = await readPairedRows(currentSide, baselineSide, task);
    const resamples = options.resamples ?? positive(currentSide.bootstrap.resamples) ?? DEFAULT_RESAMPLES;
    const seed = options.seed ?? currentSide.bootstrap.seed ?? 0;
    log.info(
      `Paired bootstrap on ${rowCount(currentRows)} shared test rows (${resamples} resamples): ` +
        `${currentSide.predictionsPath} vs ${baselineSide.predictionsPath}.`,
    );
    return { current: currentRows, baseline: baselineRows, resamples, seed };
  } catch (error) {
    if (error instanceof CannotPair) {
      log.warning(error.message);
      return undefined;
    }
    // A predictions file that evaluate would reject (bad probabilities, unknown labels) only
    // costs the paired test, not the comparison: say why and carry on with the CI test.
    if (error instanceof UserError) {
      log.warning(`Cannot use the per-row predictions for a paired test (${error.message}); ${FALLBACK}.`);
      return undefined;
    }
    throw error;
  }
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

function rowCount(rows: EvaluationRows): number {
  return rows.data.yTrue.length;
}

async function describeSide(source: PairedMetricsSource, label: Side['label']): Promise<Side> {
  let document: unknown;
  let dir: string;
  let name: string;
  if (typeof source === 'string') {
    name = source;
    dir = dirname(resolve(source));
    try {
      document = JSON.parse(await readFile(source, 'utf8'));
    } catch (error) {
      throw new CannotPair(
        `Cannot read the ${label} metrics file ${source} for a paired test (${(error as Error).message}); ${FALLBACK}.`,
      );
    }
  } else {
    document = source.document;
    dir = source.dir;
    name = source.source ?? `${label} metrics`;
  }
  const record = isRecord(document) ? document : {};
  const predictions = isRecord(record.predictions) ? record.predictions : undefined;
  if (!predictions || typeof predictions.path !== 'string' || predictions.path === '') {
    throw new CannotPair(
      `The ${label} metrics file ${name} names no per-row predictions file (written by evaluate since mlops-metrics/v1 "predictions"); ${FALLBACK}.`,
    );
  }
  if (predictions.row_id !== undefined && predictions.row_id !== 'row_id') {
    throw new CannotPair(
      `The ${label} predictions use the row id column ${JSON.stringify(predictions.row_id)}, not "row_id"; ${FALLBACK}.`,
    );
  }
  const bootstrap = isRecord(record.bootstrap) ? record.bootstrap : {};
  const task = record.task === 'classification' || record.task === 'regression' ? record.task : undefined;
  return {
    label,
    source: name,
    task,
    predictionsPath: locatePredictions(predictions.path, join(dir, basename(name)), label),
    bootstrap: {
      resamples: typeof bootstrap.resamples === 'number' ? bootstrap.resamples : undefined,
      seed: typeof bootstrap.seed === 'number' ? bootstrap.seed : undefined,
    },
  };
}

/**
 * The predictions file named in a metrics file, found relative to that file's folder and only
 * inside it (see confinedPath): a metrics file may come from a run this job does not trust.
 */
function locatePredictions(path: string, metricsFile: string, label: string): string {
  let found: string;
  try {
    found = confinedPath(metricsFile, 'predictions.path', path);
  } catch (error) {
    if (error instanceof UserError)
      throw new CannotPair(`Refused the ${label} per-row predictions: ${error.message}; ${FALLBACK}.`);
    throw error;
  }
  if (!existsSync(found)) {
    throw new CannotPair(
      `The ${label} per-row predictions file is not there (looked at ${found}); ${FALLBACK}.`,
    );
  }
  return found;
}

async function readPairedRows(
  current: Side,
  baseline: Side,
  task: Side['task'],
): Promise<[EvaluationRows, EvaluationRows]> {
  const db = await Database.open();
  try {
    const a = await openDataset(db, current.predictionsPath, { name: 'paired_current' });
    const b = await openDataset(db, baseline.predictionsPath, { name: 'paired_baseline' });
    for (const [side, dataset] of [
      [current, a],
      [baseline, b],
    ] as const) {
      const missing = ['row_id', 'y_true'].filter((c) => !dataset.columns.some((col) => col.name === c));
      if (missing.length > 0) {
        throw new CannotPair(
          `The ${side.label} predictions file ${dataset.path} has no ${missing.join(' or ')} column; ${FALLBACK}.`,
        );
      }
    }
    await checkSameRows(db, a, b, task);
    const rows: EvaluationRows[] = [];
    for (const dataset of [a, b]) {
      // Rows in row_id order on both sides make row i the same example in both; a table keeps the
      // order it was inserted in (DuckDB preserves insertion order by default).
      const sorted = `${dataset.view}_by_row_id`;
      await db.run(
        `CREATE TABLE ${quoteIdent(sorted)} AS SELECT * FROM ${quoteIdent(dataset.view)} ORDER BY row_id`,
      );
      const input = await readPredictions(
        db,
        { ...dataset, view: sorted },
        {
          task: task ?? 'auto',
          slices: [],
        },
      );
      rows.push(
        input.task === 'classification'
          ? { task: 'classification', data: input.data }
          : { task: 'regression', data: input.data },
      );
    }
    if (rows[0]!.task !== rows[1]!.task) {
      throw new CannotPair(
        `not the same test rows: ${FALLBACK} (the current predictions read as ${rows[0]!.task}, the baseline's as ${rows[1]!.task}).`,
      );
    }
    return [rows[0]!, rows[1]!];
  } finally {
    db.close();
  }
}

/** Same row ids (each once) and the same y_true per row; otherwise the pairing would be wrong. */
async function checkSameRows(db: Database, a: Dataset, b: Dataset, task: Side['task']): Promise<void> {
  const notSame = (why: string) => new CannotPair(`not the same test rows: ${FALLBACK} (${why}).`);
  if (a.rows !== b.rows) {
    throw notSame(`the current predictions have ${a.rows} rows and the baseline's ${b.rows}`);
  }
  for (const dataset of [a, b]) {
    const [ids] = await db.all<{ ids: number; nulls: number }>(
      `SELECT count(DISTINCT row_id) AS ids, count(*) - count(row_id) AS nulls FROM ${quoteIdent(dataset.view)}`,
    );
    if (Number(ids!.ids) !== dataset.rows || Number(ids!.nulls) > 0) {
      throw notSame(`row_id in ${dataset.path} is missing or repeated on some rows`);
    }
  }
  const label = (dataset: Dataset, alias: string) => {
    const type = dataset.columns.find((c) => c.name === 'y_true')!.type;
    const column = `${alias}.y_true`;
    // Regression targets compare as numbers; labels as the text evaluate reads them as (1 = 1.0).
    return task === 'regression' ? `TRY_CAST(${column} AS DOUBLE)` : labelSql(column, type);
  };
  const [joined] = await db.all<{ matched: number; differing: number; first: number | null }>(
    `SELECT count(*) AS matched,
            count(*) FILTER (WHERE ${label(a, 'a')} IS DISTINCT FROM ${label(b, 'b')}) AS differing,
            min(a.row_id) FILTER (WHERE ${label(a, 'a')} IS DISTINCT FROM ${label(b, 'b')}) AS first
     FROM ${quoteIdent(a.view)} AS a JOIN ${quoteIdent(b.view)} AS b ON a.row_id = b.row_id`,
  );
  if (Number(joined!.matched) !== a.rows) {
    throw notSame(`only ${joined!.matched} of ${a.rows} row ids appear in both predictions files`);
  }
  if (Number(joined!.differing) > 0) {
    throw notSame(
      `y_true differs on ${joined!.differing} of ${a.rows} rows (first at row_id ${joined!.first})`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
