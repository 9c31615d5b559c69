/**
 * The drift-check use case: open both sides, compare every column, write the `mlops-drift/v1`
 * report and return what the action writes (outputs, step summary, issue body). The issue
 * lifecycle (find by marker, update, close, dispatch) lives with the platform layer.
 */
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { type CountedDataset, openCountedDataset } from '../data/counted-dataset.js';
import { Database, quoteIdent } from '../data/database.js';
import { missingTokensFor } from '../data/missing-tokens.js';
import type { Dataset, DatasetColumn } from '../data/open-dataset.js';
import { detectFormat } from '../data/source.js';
import { UserError } from '../errors/index.js';
import { writeJsonAtomic } from '../files/atomic-write.js';
import type { Log } from '../logging/index.js';
import { preprocessingBeside } from '../models/load.js';
import { type Preprocessing, readPreprocessing } from '../models/preprocessing.js';
import { isRequestLogBookkeeping, looksLikeRequestLog } from '../serve/request-log.js';
import { type DetectOptions, detectDrift, driftColumns, type ReferenceSide, readColumns } from './detect.js';
import { parseMethod } from './methods.js';
import { checkPerformance, readStoredMetrics } from './performance.js';
import { driftMarkerKey, renderDriftIssue, renderDriftSummary } from './render.js';
import { DRIFT_SCHEMA, type DriftReport, type Finding, sortColumns } from './report.js';
import { type SideCounts, sideFromCounts } from './side-counts.js';
import { checkProfile } from './sources.js';

export interface DriftCheckOptions {
  /** A dataset (any format openDataset reads) or a stored `mlops-profile/v1` JSON. */
  reference: string;
  current: string;
  columns?: string[];
  /** auto (Evidently's choice per column) or one method for every column it applies to. */
  method: string;
  threshold?: number;
  /** Dataset drift when the share of drifted feature columns is at least this (0.5). */
  driftShare: number;
  prediction?: string;
  target?: string;
  reportPath: string;
  workingDirectory: string;
  perColumn?: Record<string, { method?: string; threshold?: number }>;
  /** TFDV's comparators with a test beside each (see DetectOptions.tfdv); data-validate's skew check. */
  tfdv?: boolean;
  /** Columns not compared (the caller says why). */
  exclude?: string[];
  /** metrics.json stored at registration: with prediction and target, checks performance decay. */
  metrics?: string;
  /** Name used in the issue title and marker; default: the reference file's base name. */
  model?: string;
  issueLabel?: string;
  runUrl?: string;
  /** DuckDB memory limit (e.g. '2GB'); beyond it DuckDB spills to disk. Default: Database's. */
  memoryLimit?: string;
  /** Exact statistics for every column: no sketch (see DetectOptions.exact). */
  exact?: boolean;
  /**
   * The model whose inputs to compare (a model folder or file, or its preprocessing.json): only
   * its input features are compared; other columns are reported as not model inputs.
   */
  modelSpec?: string;
  /**
   * mlops.yml's `features.missing`: the missing-value tokens a delimited file is read with when no
   * model is given (the model's own tokens win; without either, the defaults), as train reads them.
   */
  missing?: readonly string[];
}

export interface DriftCheckResult {
  driftDetected: boolean;
  driftedColumns: string[];
  share: number;
  reportPath: string;
  report: DriftReport;
  summaryMarkdown: string;
  issueMarkdown: string;
  /** Key of the hidden marker `<!-- mlops:drift:<key> -->` that identifies this model's issue. */
  markerKey: string;
  /** True when a stored metric got worse than its tolerance on the labelled current rows. */
  performanceDecayed: boolean;
  /** Feature columns left out as identifiers (decided on the reference), with why. */
  identifiers: { column: string; reason: string }[];
}

/** Opens one side and counts the values drift compares, reading a text file once (counted-dataset.ts). */
async function openSide(
  db: Database,
  path: string,
  name: string,
  options: Pick<DetectOptions, 'columns' | 'prediction' | 'target' | 'exact' | 'tfdv'>,
  missing: readonly string[],
): Promise<{ dataset: Dataset; counts: SideCounts }> {
  const { dataset, counts } = await openCountedDataset(db, path, {
    name,
    missing,
    count: (columns) => driftColumns(columns, options).map((c) => c.name),
    read: (columns) => readColumns(columns, options),
    raw: (columns) => sketchableColumns(columns, options),
  });
  return { dataset, counts: await sideFromCounts(db, counts, driftColumns(dataset.columns, options)) };
}

/**
 * Numeric columns left ungrouped when the data is a table (cheap to scan again): the sketch bins
 * them itself, and the exact path groups them when it needs to. Exact and TFDV runs group as before.
 */
function sketchableColumns(
  columns: readonly DatasetColumn[],
  options: Pick<DetectOptions, 'columns' | 'prediction' | 'target' | 'exact' | 'tfdv'>,
): string[] {
  if (options.exact || options.tfdv) return [];
  return driftColumns(columns, options)
    .filter((c) => c.type === 'numeric')
    .map((c) => c.name);
}

function looksLikeProfile(path: string): unknown | undefined {
  if (detectFormat(path) !== 'json') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // not one JSON document: let openDataset read (or reject) it as data
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'schema' in parsed) {
    const schema = String((parsed as { schema: unknown }).schema);
    if (schema.startsWith('mlops-profile')) return parsed;
    throw new UserError(`'${path}' is a '${schema}' file, not a dataset or a mlops-profile/v1 reference.`, {
      file: path,
      input: 'reference',
    });
  }
  return undefined;
}

export async function runDriftCheck(options: DriftCheckOptions, log: Log): Promise<DriftCheckResult> {
  const db = await Database.open({ memoryLimit: options.memoryLimit });
  try {
    return await runDriftCheckIn(db, options, log);
  } finally {
    db.close();
  }
}

/**
 * The drift check in an open database. `current` is the current side already opened and counted
 * by the caller (data-validate's skew check, which has just read the same file): it is compared
 * as it is instead of being read again; `options.current` then only names it in the report.
 */
export async function runDriftCheckIn(
  db: Database,
  options: DriftCheckOptions,
  log: Log,
  current?: CountedDataset,
): Promise<DriftCheckResult> {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(options.workingDirectory, p));
  if (!(options.driftShare > 0 && options.driftShare <= 1)) {
    throw new UserError(`drift-share must be in (0, 1]; got ${options.driftShare}.`, {
      input: 'drift-share',
    });
  }
  if (options.threshold !== undefined && !(options.threshold > 0)) {
    throw new UserError(`threshold must be a positive number; got ${options.threshold}.`, {
      input: 'threshold',
    });
  }
  const method = parseMethod(options.method, 'the method input');
  const perColumn = Object.fromEntries(
    Object.entries(options.perColumn ?? {}).map(([column, o]) => [
      column,
      {
        method: o.method === undefined ? undefined : parseMethod(o.method, `column '${column}'`),
        threshold: o.threshold,
      },
    ]),
  );
  const referencePath = at(options.reference);
  const currentPath = at(options.current);
  const spec = options.modelSpec ? await readModelFeatures(at(options.modelSpec)) : undefined;
  const modelInputs = spec?.features.map((f) => f.name);
  // What the model read as missing, else what train would: one rule for every step.
  const missing = missingTokensFor({ model: spec?.missing, config: options.missing });
  const columnsWanted =
    options.columns ?? (modelInputs ? modelInputs.filter((c) => c !== options.target) : undefined);

  const profile = looksLikeProfile(referencePath);
  const detectOptions: DetectOptions = {
    columns: columnsWanted,
    method,
    threshold: options.threshold,
    perColumn,
    prediction: options.prediction,
    target: options.target,
    tfdv: options.tfdv,
    exclude: options.exclude,
    exact: options.exact,
  };
  const referenceSide = profile
    ? undefined
    : await openSide(db, referencePath, 'drift_reference', detectOptions, missing);
  const reference: ReferenceSide = referenceSide
    ? { kind: 'dataset', dataset: referenceSide.dataset }
    : { kind: 'profile', profile: checkProfile(profile, options.reference), path: options.reference };
  const referenceRows = reference.kind === 'dataset' ? reference.dataset.rows : reference.profile.rows;
  if (referenceRows === 0) {
    throw new UserError(`The reference '${options.reference}' has no rows: nothing to compare against.`, {
      input: 'reference',
    });
  }
  const currentSide = current
    ? {
        dataset: current.dataset,
        counts: await sideFromCounts(
          db,
          current.counts,
          driftColumns(current.dataset.columns, detectOptions),
          { borrowed: true },
        ),
      }
    : await openSide(db, currentPath, 'drift_current', detectOptions, missing);
  const currentData = currentSide.dataset;
  // What reading changed about the data (a JSON column of mixed types read as text, a header with
  // no rows) is said here as data-validate and train say it, never left silent.
  for (const note of referenceSide?.dataset.notes ?? []) log.warning(`reference: ${note}`);
  if (!current) for (const note of currentData.notes) log.warning(`current: ${note}`);
  if (currentData.rows === 0) {
    throw new UserError(
      `The current data '${options.current}' has no rows (an empty window): drift cannot be judged on nothing.`,
      { input: 'current' },
    );
  }
  const requestLog = looksLikeRequestLog(currentData.columns.map((c) => c.name));
  if (requestLog) {
    detectOptions.quietCurrent = isRequestLogBookkeeping;
    detectOptions.requestLog = true;
  }
  if (spec && !requestLog) {
    const inputs = new Set(modelInputs);
    detectOptions.quietCurrent = (c) => !inputs.has(c);
  }
  if (reference.kind === 'profile') log.info(`drift: reference is a stored profile (${referenceRows} rows)`);

  const detected = await detectDrift(db, reference, currentData, detectOptions, log, {
    reference: referenceSide?.counts,
    current: currentSide.counts,
  });
  const findings: Finding[] = [...detected.findings];
  for (const [side, data] of [
    ['reference', referenceSide?.dataset],
    ['current', currentData],
  ] as const) {
    for (const c of data?.missingTokens ?? []) {
      findings.push({
        kind: 'missing_tokens',
        column: c.column,
        severity: 'info',
        message: `${side}: ${c.values} values of '${c.column}' read as missing (${c.tokens.map((t) => JSON.stringify(t)).join(', ')}), as ${spec ? "the model's" : "train's"} missing-value tokens say; features.missing in mlops.yml sets them.`,
      });
    }
  }
  if (reference.kind === 'profile') {
    const approximate = detected.columns.filter((c) => c.approximate).map((c) => c.name);
    findings.push({
      kind: 'profile_limit',
      severity: 'info',
      message:
        approximate.length > 0
          ? `The reference is a stored profile: ${approximate.join(', ')} were compared on the profile's histogram bins or top values (marked ≈); the other columns had exact value counts.`
          : 'The reference is a stored profile with exact value counts for every compared column.',
    });
  }

  let modelSection: DriftReport['model'];
  if (spec) {
    const inputs = new Set(modelInputs);
    const referenceColumns =
      reference.kind === 'dataset'
        ? reference.dataset.columns.map((c) => c.name)
        : reference.profile.columns.map((c) => c.name);
    const dropped = new Map((spec.dropped ?? []).map((d) => [d.name, d.reason]));
    for (const name of referenceColumns) {
      if (inputs.has(name) || name === options.prediction || name === options.target || name === spec.target)
        continue;
      findings.push({
        kind: 'not_model_input',
        column: name,
        severity: 'info',
        message: `Column '${name}' is not an input of the model${dropped.has(name) ? ` (train left it out: ${dropped.get(name)})` : ''}: not compared.`,
      });
    }
    const invalid = requestLog ? await invalidValueCounts(db, currentData) : {};
    for (const [column, kinds] of Object.entries(invalid)) {
      findings.push({
        kind: 'invalid_values',
        column,
        severity: 'warning',
        message: `Column '${column}': the server could not read ${Object.entries(kinds)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')} value(s) and filled them (on-invalid warn/impute).`,
      });
    }
    modelSection = { inputs: modelInputs!, invalid_values: invalid };
  }

  const features = detected.columns.filter((c) => c.role === 'feature');
  const denominator = features.length + detected.broken.length;
  if (denominator === 0) {
    throw new UserError(
      `No column could be compared between '${options.reference}' and '${options.current}': ${
        findings.map((f) => f.message).join(' ') || 'no columns selected.'
      }`,
      { input: 'columns' },
    );
  }
  const drifted = [...features.filter((c) => c.drifted).map((c) => c.name), ...detected.broken];
  const share = drifted.length / denominator;

  const performance =
    options.metrics &&
    options.prediction &&
    options.target &&
    currentData.columns.some((c) => c.name === options.target)
      ? await checkPerformance(
          db,
          currentData.view,
          options.prediction,
          options.target,
          readStoredMetrics(at(options.metrics)),
        )
      : [];
  for (const p of performance.filter((x) => x.decayed)) {
    findings.push({
      kind: 'performance_decay',
      severity: 'error',
      message: `${p.metric} fell from ${p.reference} (stored) to ${p.current} on ${p.rows} labelled rows.`,
    });
  }

  const sorted = sortColumns(detected.columns.filter((c) => c.role !== 'prediction'));
  const report: DriftReport = {
    schema: DRIFT_SCHEMA,
    created_at: new Date().toISOString(),
    reference: { path: options.reference, rows: referenceRows, kind: reference.kind },
    current: { path: options.current, rows: currentData.rows },
    drift_detected: share >= options.driftShare,
    share,
    drift_share: options.driftShare,
    drifted_columns: sortColumnsByReport(drifted, sorted),
    columns: sorted.sort((a, b) => Number(a.role !== 'feature') - Number(b.role !== 'feature')),
    prediction: detected.columns.find((c) => c.role === 'prediction') ?? null,
    performance,
    findings,
  };
  if (modelSection) report.model = modelSection;

  const reportPath = at(options.reportPath);
  await writeJsonAtomic(reportPath, report);
  const model = options.model ?? basename(options.reference).replace(/\.[^.]+$/, '');
  log.info(
    `drift: ${drifted.length}/${denominator} columns drifted (share ${share.toFixed(3)}); dataset drift: ${report.drift_detected}`,
  );
  return {
    driftDetected: report.drift_detected,
    driftedColumns: report.drifted_columns,
    share,
    reportPath,
    report,
    summaryMarkdown: renderDriftSummary(report),
    issueMarkdown: renderDriftIssue(report, { model, label: options.issueLabel, runUrl: options.runUrl }),
    markerKey: driftMarkerKey(model, options.issueLabel),
    performanceDecayed: performance.some((p) => p.decayed),
    identifiers: detected.identifiers,
  };
}

/** Drifted names in report order (most drifted first), schema-broken columns last. */
function sortColumnsByReport(drifted: string[], sorted: { name: string }[]): string[] {
  const order = new Map(sorted.map((c, i) => [c.name, i]));
  return [...drifted].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
}

/** The feature contract of a model folder or file, or a preprocessing.json itself. */
async function readModelFeatures(path: string): Promise<Preprocessing> {
  if (/\.json$/i.test(path) && !/model\.json$/i.test(path)) return readPreprocessing(path);
  const spec = await preprocessingBeside(path);
  if (spec === null) {
    throw new UserError(
      `No preprocessing.json beside the model '${path}': drift-check needs the model's feature contract (written by train) to know its inputs.`,
      { input: 'model', file: path },
    );
  }
  return spec;
}

/** Per column and kind, the values a request log's `_invalid` says the server filled. */
async function invalidValueCounts(
  db: Database,
  dataset: Dataset,
): Promise<Record<string, Record<string, number>>> {
  if (!dataset.columns.some((c) => c.name === '_invalid')) return {};
  const rows = await db.all<{ j: string }>(
    `SELECT CAST(to_json(${quoteIdent('_invalid')}) AS VARCHAR) AS j FROM ${quoteIdent(dataset.view)} WHERE ${quoteIdent('_invalid')} IS NOT NULL`,
  );
  const out: Record<string, Record<string, number>> = {};
  for (const { j } of rows) {
    for (const [column, kind] of Object.entries(JSON.parse(j) as Record<string, unknown>)) {
      if (typeof kind !== 'string') continue;
      const byKind = out[column] ?? {};
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      out[column] = byKind;
    }
  }
  return out;
}
