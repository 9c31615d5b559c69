import { randomBytes } from 'node:crypto';
import type { MetricsFile } from '../evaluate/metrics-file.js';
import type { Log } from '../logging/index.js';
import { codeShaOf, type NewRunRecord, runnerOf, runUrlOf } from './record.js';
import { appendOrWarn, type RunStore } from './store.js';

/** The tracking record of one evaluate run: its metrics file, or why it failed. */
export function evaluateRunRecord(
  experiment: string,
  started: Date,
  outcome: { metrics: MetricsFile } | { error: string },
  env: NodeJS.ProcessEnv,
): NewRunRecord {
  const ended = new Date();
  const file = 'metrics' in outcome ? outcome.metrics : undefined;
  const metrics: Record<string, number> = {};
  for (const [name, estimate] of Object.entries(file?.metrics ?? {})) {
    // An undefined metric (one class present) is left out rather than written as a number.
    if (estimate.value !== null && Number.isFinite(estimate.value)) metrics[name] = estimate.value;
  }
  return {
    schema: 'mlops-run/v1',
    experiment,
    run_id: randomBytes(16).toString('hex'),
    kind: 'evaluate',
    status: file ? 'finished' : 'failed',
    started_at: started.toISOString(),
    ended_at: ended.toISOString(),
    duration_seconds: (ended.getTime() - started.getTime()) / 1000,
    params: file
      ? {
          ...(file.model ? { model: file.model.path, 'model-digest': file.model.digest } : {}),
          ...(file.target ? { target: file.target } : {}),
          task: file.task,
          bootstrap: file.bootstrap.resamples,
          seed: file.bootstrap.seed,
        }
      : {},
    metrics,
    curves: [],
    data_fingerprint: file?.dataset.digest ?? null,
    code_sha: file?.git.sha ?? codeShaOf(env),
    runner: runnerOf(env),
    backend: file?.model?.engine ?? null,
    search: null,
    run_url: runUrlOf(env),
    ...('error' in outcome ? { error: outcome.error } : {}),
  };
}

/**
 * Runs an evaluation and appends its record to the store, a failed one too (then the error is
 * raised again). A store that cannot be written is a warning: the evaluation itself stands.
 */
export async function trackEvaluate<T extends { metrics: MetricsFile }>(
  store: RunStore | undefined,
  experiment: string,
  log: Log,
  run: () => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const started = new Date();
  const append = (record: NewRunRecord) => appendOrWarn(store, record, log);
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await append(evaluateRunRecord(experiment, started, { error: (error as Error).message }, env));
    throw error;
  }
  await append(evaluateRunRecord(experiment, started, { metrics: result.metrics }, env));
  return result;
}
