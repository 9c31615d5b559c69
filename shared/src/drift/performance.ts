/**
 * Performance decay once labels arrive: the model's metric on the current window (computed in
 * SQL from the prediction and target columns) against the value stored at registration
 * (a `mlops-metrics/v1` metrics.json). Accuracy for classification, MAE for regression: whichever
 * the stored file has.
 */
import { readFileSync } from 'node:fs';
import { type Database, quoteIdent } from '../data/database.js';
import { UserError } from '../errors/index.js';
import type { PerformanceCheck } from './report.js';

/** Allowed relative worsening before a metric counts as decayed. */
export const DEFAULT_DECAY_TOLERANCE = 0.05;

export function readStoredMetrics(path: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot read the stored metrics '${path}': ${(error as Error).message}`, {
      file: path,
      input: 'metrics',
    });
  }
  const metrics = (parsed as { metrics?: Record<string, { value?: unknown }> })?.metrics;
  if (!metrics || typeof metrics !== 'object') {
    throw new UserError(`'${path}' has no "metrics" object (expected a mlops-metrics/v1 metrics.json).`, {
      file: path,
      input: 'metrics',
    });
  }
  const out: Record<string, number> = {};
  for (const [name, entry] of Object.entries(metrics)) {
    if (typeof entry?.value === 'number') out[name] = entry.value;
  }
  return out;
}

export async function checkPerformance(
  db: Database,
  view: string,
  prediction: string,
  target: string,
  stored: Record<string, number>,
  tolerance = DEFAULT_DECAY_TOLERANCE,
): Promise<PerformanceCheck[]> {
  const p = quoteIdent(prediction);
  const t = quoteIdent(target);
  const checks: PerformanceCheck[] = [];
  const labelled = `FROM ${quoteIdent(view)} WHERE ${p} IS NOT NULL AND ${t} IS NOT NULL`;
  if (stored.accuracy !== undefined) {
    const [row] = await db.all(
      `SELECT avg(CASE WHEN CAST(${p} AS VARCHAR) = CAST(${t} AS VARCHAR) THEN 1.0 ELSE 0.0 END) AS v, count(*) AS n ${labelled}`,
    );
    checks.push(check('accuracy', 'higher', stored.accuracy, row, tolerance));
  }
  if (stored.mae !== undefined) {
    const [row] = await db.all(
      `SELECT avg(abs(CAST(${p} AS DOUBLE) - CAST(${t} AS DOUBLE))) AS v, count(*) AS n ${labelled}`,
    );
    checks.push(check('mae', 'lower', stored.mae, row, tolerance));
  }
  return checks.filter((c) => c.rows > 0);
}

function check(
  metric: string,
  direction: 'higher' | 'lower',
  reference: number,
  row: Record<string, unknown>,
  tolerance: number,
): PerformanceCheck {
  const current = Number(row.v ?? Number.NaN);
  const delta = current - reference;
  const allowed = Math.abs(reference) * tolerance;
  const worse = direction === 'higher' ? -delta : delta;
  return {
    metric,
    reference,
    current,
    delta,
    direction,
    tolerance,
    decayed: worse > allowed,
    rows: Number(row.n),
  };
}
