import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors/index.js';
import type { EpochRecord } from './tabularTrainer.js';

/**
 * What a user's program reports, from `MLOPS_METRICS_FILE` and `mlops-metric` stdout lines.
 *
 * The metrics file is JSON, one of:
 * - `{"history": [{"epoch": 1, "loss": 0.9}, ...], "final": {"accuracy": 0.93}}` (either key optional);
 * - a flat object of numbers, `{"accuracy": 0.93, "loss": 0.21}`, taken as the final metrics.
 * Non-numeric entries are ignored. Final metrics default to the last history row.
 */
export interface ReportedMetrics {
  history: EpochRecord[];
  final: Record<string, number>;
}

export async function readReportedMetrics(
  metricsFile: string,
  stdoutRows: Record<string, number>[],
): Promise<ReportedMetrics> {
  let fileHistory: Record<string, number>[] = [];
  let final: Record<string, number> = {};
  if (existsSync(metricsFile)) {
    const text = await readFile(metricsFile, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UserError(
        `The metrics file '${metricsFile}' (MLOPS_METRICS_FILE) is not valid JSON: ${(error as Error).message}`,
        { file: metricsFile },
      );
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new UserError(
        `The metrics file '${metricsFile}' must hold a JSON object ({"history": [...], "final": {...}} or {"name": number}).`,
        { file: metricsFile },
      );
    }
    const record = json as Record<string, unknown>;
    if (Array.isArray(record.history) || typeof record.final === 'object') {
      fileHistory = Array.isArray(record.history) ? record.history.map(numbersOf) : [];
      final = numbersOf(record.final);
    } else {
      final = numbersOf(record);
    }
  }
  const history = numberEpochs(fileHistory.length > 0 ? fileHistory : stdoutRows);
  if (Object.keys(final).length === 0 && history.length > 0) {
    const { epoch: _epoch, ...last } = history[history.length - 1];
    final = last;
  }
  return { history, final };
}

function numbersOf(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  return out;
}

/** Rows without `epoch` (or `step`) follow the previous row. */
function numberEpochs(rows: Record<string, number>[]): EpochRecord[] {
  let last = 0;
  return rows.map((row) => {
    const { epoch, step, ...rest } = row;
    const n = epoch ?? step ?? last + 1;
    last = n;
    return { epoch: n, ...rest };
  });
}

/**
 * What training-metrics.json says of a run whose numbers a user's program reported (a local
 * command or a Slurm job): the reported curves and final values, and nothing this suite did not
 * measure (rows, throughput, early stopping: null or false).
 */
export function reportedRunFields(reported: ReportedMetrics, seed: number) {
  return {
    epochs: reported.history,
    final: reported.final,
    evaluated_on: 'reported' as const,
    rows: null,
    seed,
    epochs_run: reported.history.length,
    resumed_from_epoch: 0,
    stopped_early: false,
    rows_per_second: null,
  };
}
