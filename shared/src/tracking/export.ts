import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../errors/index.js';
import { csvField } from '../evaluate/predictions-output.js';
import { escapeHtml, formatNumber, htmlPage, lineChart, table } from '../report/html.js';
import type { RunRecord } from './record.js';

/** Every params and metrics name the runs use, sorted. */
function namesOf(runs: readonly RunRecord[], key: 'params' | 'metrics'): string[] {
  return [...new Set(runs.flatMap((run) => Object.keys(run[key])))].sort();
}

/** One row per run: its identity, `param.<name>` and `metric.<name>` columns (RFC 4180). */
export function runsToCsv(runs: readonly RunRecord[]): string {
  const params = namesOf(runs, 'params');
  const metrics = namesOf(runs, 'metrics');
  const header = [
    'experiment',
    'number',
    'run_id',
    'kind',
    'status',
    'started_at',
    'duration_seconds',
    'backend',
    'code_sha',
    'data_fingerprint',
    'search_id',
    'trial',
    ...params.map((p) => `param.${p}`),
    ...metrics.map((m) => `metric.${m}`),
  ];
  const rows = runs.map((run) => [
    run.experiment,
    String(run.number),
    run.run_id,
    run.kind,
    run.status,
    run.started_at,
    String(run.duration_seconds),
    run.backend,
    run.code_sha,
    run.data_fingerprint,
    run.search?.id ?? null,
    run.search ? String(run.search.trial) : null,
    ...params.map((p) => (p in run.params ? String(run.params[p]) : null)),
    ...metrics.map((m) => (m in run.metrics ? String(run.metrics[m]) : null)),
  ]);
  return `${[header, ...rows].map((row) => row.map((field) => csvField(field)).join(',')).join('\n')}\n`;
}

/** MLflow's RunStatus numbers, as its FileStore writes them into meta.yaml. */
const MLFLOW_STATUS = { finished: 3, failed: 4, stopped: 5 } as const;

/**
 * A YAML scalar as PyYAML's safe_dump writes it for the values used here: numbers bare, a string
 * plain when it cannot be read as anything else, single-quoted otherwise.
 */
function yamlScalar(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const ambiguous =
    value === '' ||
    /^[-+]?(\d|\.\d)/.test(value) ||
    /^(true|false|yes|no|on|off|null|~)$/i.test(value) ||
    !/^[A-Za-z0-9_./+-][A-Za-z0-9_./:+-]*$/.test(value);
  return ambiguous ? `'${value.replace(/'/g, "''")}'` : value;
}

function yamlDocument(fields: Record<string, string | number | never[]>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? '[]' : yamlScalar(value)}`)
    .join('\n')
    .concat('\n');
}

/**
 * The names MLflow's FileStore reads back (mlflow/utils/validation.py, `_validate_metric_name`,
 * `_validate_param_name`, `_validate_tag_name`): letters, digits, `_`, `-`, `.`, space and `/`
 * (Python's `\w`: Unicode letters and numbers, and `_`), at most 250 characters, and unchanged by normpath (a `/` is a
 * subfolder; `a/../b` or `a//b` would name another file). FileStore raises on any other name when
 * it reads the run, so the UI could not open it at all.
 */
const MLFLOW_NAME = /^[/\p{L}\p{N}_.\- ]+$/u;
const MLFLOW_MAX_KEY = 250;

function mlflowKey(run: RunRecord, kind: string, name: string): string {
  if (
    MLFLOW_NAME.test(name) &&
    name.length <= MLFLOW_MAX_KEY &&
    posix.normalize(name) === name &&
    !name.endsWith('/')
  )
    return name;
  throw new UserError(
    `Run ${run.experiment}#${run.number} has the ${kind} name ${JSON.stringify(name)}, which MLflow cannot read back: its names are letters, digits, _ - . space and / (not ./, ../ or //), at most ${MLFLOW_MAX_KEY} characters. Export csv or json instead, or rename it where the run reports it.`,
    { input: 'format' },
  );
}

/** Writes one params, metrics or tags file; a `/` in its name is a subfolder, as in FileStore. */
async function writeKeyFile(folder: string, key: string, text: string): Promise<void> {
  const file = join(folder, ...key.split('/'));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}

export interface MlflowExport {
  root: string;
  /** Experiment name -> the id it got (the default experiment, 0, is always written). */
  experiments: Record<string, string>;
  runs: number;
}

/**
 * Writes the runs in MLflow's file-store layout, which `mlflow ui --backend-store-uri <root>` opens:
 *
 *     <root>/0/meta.yaml                              the Default experiment, as FileStore creates it
 *     <root>/<experiment_id>/meta.yaml                artifact_location, creation_time, experiment_id, last_update_time, lifecycle_stage, name
 *     <root>/<experiment_id>/<run_id>/meta.yaml       RunInfo fields, status as RunStatus number, tags: []
 *     <root>/<experiment_id>/<run_id>/params/<key>    the value, no newline
 *     <root>/<experiment_id>/<run_id>/metrics/<key>   one "<timestamp ms> <value> <step>" line per value
 *     <root>/<experiment_id>/<run_id>/tags/<key>      the value, no newline
 *
 * Experiments are numbered 1.. in name order. A train run's per-epoch curves are metrics with the
 * epoch as step; its final metrics are `final_<name>` (final `loss` is on validation rows, the
 * curve's `loss` on training rows, so one name would mix two things). An evaluate run's metrics
 * keep their names, at step 0.
 */
export async function exportMlflow(runs: readonly RunRecord[], rootPath: string): Promise<MlflowExport> {
  const root = resolve(rootPath);
  // Every name is checked before anything is written: a refused export leaves no half a store.
  for (const run of runs) {
    for (const key of Object.keys(run.params)) mlflowKey(run, 'param', key);
    for (const key of Object.keys(run.metrics))
      mlflowKey(run, 'metric', run.kind === 'train' ? `final_${key}` : key);
    for (const epoch of run.curves) for (const key of Object.keys(epoch)) mlflowKey(run, 'metric', key);
  }
  const names = [...new Set(runs.map((run) => run.experiment))].sort();
  const experiments: Record<string, string> = Object.fromEntries(
    names.map((name, i) => [name, String(i + 1)]),
  );
  const now = Date.now();
  const writeExperiment = async (id: string, name: string, created: number) => {
    await mkdir(join(root, id), { recursive: true });
    await writeFile(
      join(root, id, 'meta.yaml'),
      yamlDocument({
        artifact_location: pathToFileURL(join(root, id)).href,
        creation_time: created,
        experiment_id: id,
        last_update_time: created,
        lifecycle_stage: 'active',
        name,
      }),
    );
  };
  await mkdir(join(root, '.trash'), { recursive: true });
  await writeExperiment('0', 'Default', now);
  for (const name of names) {
    const first = Math.min(...runs.filter((r) => r.experiment === name).map((r) => Date.parse(r.started_at)));
    await writeExperiment(experiments[name], name, Number.isFinite(first) ? first : now);
  }
  for (const run of runs) {
    const id = experiments[run.experiment];
    const dir = join(root, id, run.run_id);
    const start = Date.parse(run.started_at);
    const end = Date.parse(run.ended_at);
    const runName = `${run.experiment}-${run.number}`;
    for (const sub of ['params', 'metrics', 'tags', 'artifacts'])
      await mkdir(join(dir, sub), { recursive: true });
    await writeFile(
      join(dir, 'meta.yaml'),
      yamlDocument({
        artifact_uri: pathToFileURL(join(dir, 'artifacts')).href,
        end_time: end,
        entry_point_name: '',
        experiment_id: id,
        lifecycle_stage: 'active',
        run_id: run.run_id,
        run_name: runName,
        run_uuid: run.run_id,
        source_name: '',
        source_type: 4,
        source_version: '',
        start_time: start,
        status: MLFLOW_STATUS[run.status],
        tags: [],
        user_id: run.runner.name,
      }),
    );
    for (const [key, value] of Object.entries(run.params))
      await writeKeyFile(join(dir, 'params'), key, String(value));
    const lines = new Map<string, string[]>();
    const add = (key: string, value: number, step: number) =>
      lines.set(key, [...(lines.get(key) ?? []), `${end} ${mlflowNumber(value)} ${step}\n`]);
    for (const epoch of run.curves) {
      for (const [key, value] of Object.entries(epoch)) if (key !== 'epoch') add(key, value, epoch.epoch);
    }
    for (const [key, value] of Object.entries(run.metrics))
      add(run.kind === 'train' ? `final_${key}` : key, value, 0);
    for (const [key, text] of lines) await writeKeyFile(join(dir, 'metrics'), key, text.join(''));
    const tags: Record<string, string> = {
      'mlflow.runName': runName,
      'mlflow.user': run.runner.name,
      'mlops.kind': run.kind,
      'mlops.status': run.status,
      'mlops.runner': `${run.runner.name} (${run.runner.os}/${run.runner.arch})`,
      ...(run.code_sha ? { 'mlflow.source.git.commit': run.code_sha } : {}),
      ...(run.backend ? { 'mlops.backend': run.backend } : {}),
      ...(run.data_fingerprint ? { 'mlops.data_fingerprint': run.data_fingerprint } : {}),
      ...(run.search
        ? {
            'mlops.search.id': run.search.id,
            'mlops.search.trial': `${run.search.trial}/${run.search.trials}`,
          }
        : {}),
      ...(run.error ? { 'mlops.error': run.error } : {}),
    };
    for (const [key, value] of Object.entries(tags)) await writeKeyFile(join(dir, 'tags'), key, value);
  }
  return { root, experiments, runs: runs.length };
}

/** Python's float repr for the values MLflow reads back with float(). */
function mlflowNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/**
 * `mlops runs compare` as one self-contained HTML file: a params x metrics table (best first by
 * `metric` when given) and learning curves of each per-epoch metric, at most 8 runs per chart.
 */
export function renderRunsComparison(
  runs: readonly RunRecord[],
  options: { title: string; metric?: string; direction?: 'higher' | 'lower' },
): string {
  const params = namesOf(runs, 'params');
  const metrics = namesOf(runs, 'metrics');
  const label = (run: RunRecord) => `#${run.number}${run.search ? ` trial ${run.search.trial}` : ''}`;
  const rows = runs.map((run) => [
    label(run),
    run.status,
    ...params.map((p) => (p in run.params ? String(run.params[p]) : '')),
    ...metrics.map((m) => (m in run.metrics ? formatNumber(run.metrics[m]) : '')),
  ]);
  const curveNames = [...new Set(runs.flatMap((run) => run.curves.flatMap((e) => Object.keys(e))))]
    .filter((k) => k !== 'epoch')
    .sort();
  const charted = runs.filter((run) => run.curves.length > 1).slice(0, 8);
  const charts = curveNames.map((name) => {
    const epochs = [...new Set(charted.flatMap((run) => run.curves.map((e) => e.epoch)))].sort(
      (a, b) => a - b,
    );
    const points = epochs.map((x) => ({
      x,
      series: charted.map((run) => run.curves.find((e) => e.epoch === x)?.[name]),
    }));
    return `<h3>${escapeHtml(name)}</h3>${lineChart(points, charted.map(label))}`;
  });
  const subtitle = `${runs.length} runs${options.metric ? `, ranked by ${options.metric} (${options.direction ?? 'higher'} is better)` : ''}`;
  return htmlPage(options.title, subtitle, [
    '<h2>Params and metrics</h2>',
    table(['Run', 'Status', ...params, ...metrics], rows),
    '<h2>Learning curves</h2>',
    charted.length > 0 ? charts.join('\n') : '<p>No run has a per-epoch curve.</p>',
  ]);
}
