import { readFile } from 'node:fs/promises';
import { UserError } from '../errors/index.js';

export const METRICS_SCHEMA = 'mlops-metrics/v1';

/** One metric as written by evaluate: `value` is NaN when the file held null/"NaN"/a non-number. */
export interface MetricValue {
  value: number;
  ci?: [number, number];
  /** Confidence level of `ci` (0.95 when the file does not say). */
  ciLevel?: number;
  n?: number;
}

export interface MetricsFile {
  schema: typeof METRICS_SCHEMA;
  task: string;
  metrics: Record<string, MetricValue>;
  /** Slice name (e.g. `species=Adelie`) -> metrics of that slice. */
  slices: Record<string, Record<string, MetricValue>>;
  modelName?: string;
  gitSha?: string;
  /** `predictions.path` as written in the file (not resolved: see confinedPath). */
  predictionsPath?: string;
  /** Rows: true class; columns: predicted class (shown, never gated). */
  confusionMatrix?: { labels: string[]; matrix: number[][] };
  /** The permutation importance evaluate measured, most important first (shown, never gated). */
  importance?: { scoring: string; features: { feature: string; mean: number; std: number }[] };
  /** Where it was read from, for messages. */
  source: string;
}

/** Reads and validates an `mlops-metrics/v1` file; every problem is a `UserError` naming the file. */
export async function readMetricsFile(path: string, input?: string): Promise<MetricsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read metrics file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        file: path,
        input,
      },
    );
  }
  return parseMetricsFile(text, path, input);
}

export function parseMetricsFile(text: string, source: string, input?: string): MetricsFile {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UserError(`metrics file ${source} is not valid JSON: ${(error as Error).message}`, {
      file: source,
      input,
    });
  }
  return metricsFileFromObject(document, source, input);
}

export function metricsFileFromObject(document: unknown, source: string, input?: string): MetricsFile {
  const fail = (what: string): never => {
    throw new UserError(`metrics file ${source}: ${what}`, { file: source, input });
  };
  if (!isRecord(document)) return fail('expected a JSON object');
  if (document.schema !== METRICS_SCHEMA) {
    return fail(
      `expected "schema": "${METRICS_SCHEMA}" but found ${JSON.stringify(document.schema ?? null)}; ` +
        'write it with the evaluate action (or mlops evaluate)',
    );
  }
  if (typeof document.task !== 'string' || document.task === '')
    return fail('"task" must be a non-empty string');
  if (!isRecord(document.metrics)) return fail('"metrics" must be an object of {name: {value, ci, n}}');
  // evaluate writes the interval level once, under bootstrap.confidence.
  const bootstrap = isRecord(document.bootstrap) ? document.bootstrap : undefined;
  const level = typeof bootstrap?.confidence === 'number' ? bootstrap.confidence : undefined;
  const metrics = parseMetricMap(document.metrics, 'metrics', fail, level);
  const slices: Record<string, Record<string, MetricValue>> = {};
  for (const [name, entry] of sliceEntries(document.slices, fail)) {
    slices[name] = parseMetricMap(entry, `slices.${name}`, fail, level);
  }
  const model = isRecord(document.model) ? document.model : undefined;
  const git = isRecord(document.git) ? document.git : undefined;
  const predictions = isRecord(document.predictions) ? document.predictions : undefined;
  return {
    schema: METRICS_SCHEMA,
    task: document.task,
    metrics,
    slices,
    modelName: typeof model?.name === 'string' ? model.name : undefined,
    gitSha: typeof git?.sha === 'string' ? git.sha : undefined,
    predictionsPath: typeof predictions?.path === 'string' ? predictions.path : undefined,
    importance: parseImportance(document.importance),
    confusionMatrix: parseConfusionMatrix(document.confusion_matrix),
    source,
  };
}

/**
 * Slices may be written as a map `{ "species=Adelie": {metrics: {...}} }` or as a list
 * `[{ slice | name | (column, value), metrics }]`; both are accepted so that the evaluate
 * action's format can settle without breaking comparisons.
 */
function sliceEntries(raw: unknown, fail: (what: string) => never): [string, Record<string, unknown>][] {
  if (raw === undefined || raw === null) return [];
  const metricsOf = (entry: unknown, where: string): Record<string, unknown> => {
    if (!isRecord(entry)) return fail(`${where} must be an object`);
    if (isRecord(entry.metrics)) return entry.metrics;
    return entry;
  };
  if (Array.isArray(raw)) {
    return raw.map((entry, index) => {
      if (!isRecord(entry)) return fail(`slices[${index}] must be an object`);
      const name =
        typeof entry.slice === 'string'
          ? entry.slice
          : typeof entry.name === 'string'
            ? entry.name
            : entry.column !== undefined
              ? `${String(entry.column)}=${String(entry.value)}`
              : fail(`slices[${index}] needs "slice", "name" or "column"/"value"`);
      return [name, metricsOf(entry, `slices[${index}]`)];
    });
  }
  if (isRecord(raw)) {
    return Object.entries(raw).map(([name, entry]) => [name, metricsOf(entry, `slices.${name}`)]);
  }
  return fail('"slices" must be an object or a list');
}

function parseMetricMap(
  raw: Record<string, unknown>,
  where: string,
  fail: (what: string) => never,
  defaultLevel?: number,
): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const [name, entry] of Object.entries(raw)) {
    // Plain numbers are accepted as a value without CI (hand-written baselines).
    if (typeof entry === 'number' || entry === null || typeof entry === 'string') {
      out[name] = { value: toNumber(entry) };
      continue;
    }
    if (!isRecord(entry)) fail(`${where}.${name} must be {value, ci, n} or a number`);
    const record = entry as Record<string, unknown>;
    const metric: MetricValue = { value: toNumber(record.value) };
    if (Array.isArray(record.ci) && record.ci.length === 2) {
      const lo = toNumber(record.ci[0]);
      const hi = toNumber(record.ci[1]);
      if (Number.isFinite(lo) && Number.isFinite(hi)) {
        if (lo > hi) fail(`${where}.${name}.ci is [${lo}, ${hi}]: the lower end is above the upper end`);
        metric.ci = [lo, hi];
      }
    } else if (record.ci !== undefined && record.ci !== null) {
      fail(`${where}.${name}.ci must be [lower, upper]`);
    }
    const level = record.ci_level ?? record.confidence ?? defaultLevel;
    if (typeof level === 'number' && level > 0 && level < 1) metric.ciLevel = level;
    if (typeof record.n === 'number' && Number.isFinite(record.n)) metric.n = record.n;
    out[name] = metric;
  }
  return out;
}

/** JSON has no NaN: evaluate writes null (or "NaN"); anything non-numeric becomes NaN and is flagged later. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isNaN(parsed) && !/^nan$/i.test(value.trim()) ? Number.NaN : parsed;
  }
  return Number.NaN;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Only well-formed entries: the section is information for the reader, so a malformed one is left out. */
function parseImportance(raw: unknown): MetricsFile['importance'] {
  if (!isRecord(raw) || typeof raw.scoring !== 'string' || !Array.isArray(raw.features)) return undefined;
  const features = raw.features.filter(
    (f): f is { feature: string; mean: number; std: number } =>
      isRecord(f) && typeof f.feature === 'string' && typeof f.mean === 'number' && typeof f.std === 'number',
  );
  return features.length > 0 ? { scoring: raw.scoring, features } : undefined;
}

function parseConfusionMatrix(raw: unknown): MetricsFile['confusionMatrix'] {
  if (!isRecord(raw) || !Array.isArray(raw.labels) || !Array.isArray(raw.matrix)) return undefined;
  const labels = raw.labels;
  const matrix = raw.matrix;
  const square =
    labels.every((l) => typeof l === 'string') &&
    matrix.length === labels.length &&
    matrix.every(
      (row) => Array.isArray(row) && row.length === labels.length && row.every((n) => Number.isInteger(n)),
    );
  return square ? { labels: labels as string[], matrix: matrix as number[][] } : undefined;
}
