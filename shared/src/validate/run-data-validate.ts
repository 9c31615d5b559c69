import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { openCountedDataset } from '../data/counted-dataset.js';
import { Database } from '../data/database.js';
import type { Dataset } from '../data/open-dataset.js';
import { isStreamableNumeric, numericColumnPaths, profileDataset } from '../data/profile.js';
import type { DatasetProfile } from '../data/profile-format.js';
import type { ValueCounts } from '../data/value-counts.js';
import { UserError } from '../errors/index.js';
import { writeFileAtomicSync } from '../files/atomic-write.js';
import type { Log } from '../logging/index.js';
import { inferSchema } from './infer-schema.js';
import {
  type DataValidationReport,
  renderCommentMarkdown,
  renderSummaryMarkdown,
  type SkewSummary,
  VALIDATION_REPORT_SCHEMA,
} from './report.js';
import { formatPValue, isSignificant, TEST_ALPHA } from './sample-bounds.js';
import type { DataSchema, Severity } from './schema.js';
import { type LoadedSchema, loadSchemaFile, parseSchemaYaml, renderSchemaYaml } from './schema-yaml.js';
import { type FailOn, shouldFail } from './should-fail.js';
import { type Anomaly, validateDataset } from './validate-dataset.js';

/**
 * Skew/drift against a reference dataset or profile is computed by the drift module (shared with
 * drift-check); the caller passes it in, so this use case does not depend on it.
 */
export interface SkewCheckInput {
  /** The `reference` input as given (a path relative to `workingDirectory`, or `registry:<name>@<alias>`). */
  reference: string;
  workingDirectory: string;
  db: Database;
  current: Dataset;
  /** The current dataset's value counts in `db` (value-counts.ts), so it need not be read again. */
  currentCounts: ValueCounts;
  currentProfile: DatasetProfile;
  /** Per-column distance thresholds (schema.yaml's skew_threshold or drift_threshold). */
  thresholds: Record<string, number>;
  /** The missing-value tokens the current data was read with; a reference dataset is read with them too. */
  missing?: readonly string[];
}
/** One column's distance to the reference (TFDV's comparator) and the test beside it. */
export interface SkewColumn {
  name: string;
  /** `linf` (categorical) or `jsd_log2` (numeric). */
  method: string;
  distance: number;
  threshold: number;
  /** The test's p-value (KS or chi-square), null when it could not run. */
  p_value: number | null;
  test: string | null;
  /** The test's statistic (KS D, chi-square), null when it could not run. */
  test_statistic: number | null;
  /** Non-missing values compared on each side. */
  reference_values: number;
  current_values: number;
  /** Compared on a stored profile's bins or top values. */
  approximate: boolean;
}
export interface SkewCheckResult {
  driftDetected: boolean;
  /** Columns left out of the comparison as identifiers (judged on the reference), with why. */
  leftOut: { column: string; reason: string }[];
  summaryMarkdown: string;
  report: unknown;
  columns: SkewColumn[];
}
export type SkewCheck = (input: SkewCheckInput, log: Log) => Promise<SkewCheckResult>;

export interface DataValidateOptions {
  /** Dataset path or glob, relative to `workingDirectory`. */
  data: string;
  /** schema.yaml to validate against. */
  schema?: string;
  /** Infer a schema from the data (used for validation unless `schema` names an existing file). */
  inferSchema?: boolean;
  /** Where to write the inferred schema. */
  writeSchema?: string;
  /** Reference dataset or profile for the skew check. */
  reference?: string;
  failOn: FailOn;
  reportPath: string;
  profilePath: string;
  workingDirectory: string;
  /** DuckDB memory limit, e.g. '4GB'; larger work spills to disk. */
  memoryLimit?: string;
  /**
   * `true`: exact statistics in the profile (value counts of every column). Default: numeric
   * columns of data over `SKETCH_MIN_ROWS` rows with more than about `EXACT_MAX_DISTINCT`
   * distinct values (`continuousNumericColumns`) are profiled in one streamed pass, with KLL
   * quantiles and HyperLogLog distinct counts; their schema checks run over their raw rows (exact
   * either way). Other numeric columns are grouped by DuckDB: exact profile, with sketches built
   * from their counts. `false`: every numeric column is streamed (tests, benchmarks).
   */
  exact?: boolean;
  /** Computes skew against `reference` (the drift module's function, wired by the caller). */
  skewCheck?: SkewCheck;
  /** Annotation paths are relative to this folder (the repository root; default: the process's cwd). */
  repositoryRoot?: string;
  /**
   * Missing-value tokens read as null (missing-tokens.ts `missingTokensFor`: mlops.yml's
   * `features.missing`, else the defaults), so a number column with 'NA' in it is profiled and
   * checked as numbers, as train reads it. Default: only an empty field is missing.
   */
  missing?: readonly string[];
}

export interface Annotation {
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
}

export interface DataValidateResult {
  /** No anomaly at or above the `failOn` severity (so the step should pass). */
  passed: boolean;
  anomalies: Anomaly[];
  rows: number;
  reportPath: string;
  profilePath: string;
  /** Where the inferred schema was written, if it was. */
  schemaPath?: string;
  summaryMarkdown: string;
  commentMarkdown: string;
  annotations: Annotation[];
  report: DataValidationReport;
  profile: DatasetProfile;
}

export async function runDataValidate(options: DataValidateOptions, log: Log): Promise<DataValidateResult> {
  const started = Date.now();
  const wd = resolve(options.workingDirectory);
  const root = resolve(options.repositoryRoot ?? process.cwd());
  const inWd = (p: string) => (isAbsolute(p) ? p : resolve(wd, p));
  const forAnnotation = (p: string) => relative(root, inWd(p)) || p;
  if (!options.data)
    throw new UserError("Input 'data' is empty: give a dataset path or glob.", { input: 'data' });

  const db = await Database.open({ memoryLimit: options.memoryLimit });
  try {
    log.info(`Reading ${options.data}`);
    // Continuous numeric columns of a table need no value counts: their schema checks are weighted
    // sums over raw rows and their profile is streamed. Low-cardinality ones are grouped (see
    // continuousNumericColumns); `exact: false` streams every numeric column. The skew check
    // compares grouped values.
    const rawNumeric = options.exact !== true && options.reference === undefined;
    let manyValued: Set<string> | undefined;
    const { dataset, counts: valueCounts } = await openCountedDataset(db, inWd(options.data), {
      missing: options.missing,
      raw: !rawNumeric
        ? undefined
        : options.exact === false
          ? (columns) => columns.filter((c) => isStreamableNumeric(c.type)).map((c) => c.name)
          : async (columns, view) => {
              const paths = await numericColumnPaths(db, view, columns);
              manyValued = paths.manyValued;
              return paths.continuous;
            },
    });
    dataset.path = options.data;
    for (const note of dataset.notes) log.warning(note);
    log.info(`${dataset.rows} rows, ${dataset.columns.length} columns; profiling`);
    const profile = await profileDataset(db, dataset, {
      counts: valueCounts,
      exact: options.exact,
      manyValued,
    });

    const { loaded, inferred, schemaFile, writtenSchema } = resolveSchema(
      options,
      profile,
      inWd,
      forAnnotation,
      log,
    );
    const anomalies: Anomaly[] = loaded
      ? await validateDataset(db, dataset, loaded.schema, {
          locations: loaded.locations,
          counts: valueCounts,
          onWithinNoise: (message) => {
            log.info(message);
            dataset.notes.push(message);
          },
        })
      : [];
    const skewKind: SkewKind = options.reference?.startsWith(REGISTRY_REFERENCE) ? 'skew' : 'drift';
    const { summary: skew, columns: compared } = await checkSkew(
      options,
      {
        db,
        current: dataset,
        currentCounts: valueCounts,
        currentProfile: profile,
        thresholds: distributionThresholds(loaded?.schema, skewKind),
        missing: options.missing,
      },
      wd,
      log,
    );
    if (skew.status === 'done') {
      skew.anomaly_kind = skewKind;
      for (const c of skew.left_out ?? [])
        log.info(`${skewKind}: column '${c.column}' not compared with the reference (${c.reason}).`);
      anomalies.push(...distributionAnomalies(compared, skewKind, options.reference!, loaded));
      sortBySeverity(anomalies);
    }

    const counts = {
      error: anomalies.filter((a) => a.severity === 'error').length,
      warning: anomalies.filter((a) => a.severity === 'warning').length,
    };
    const passed = !shouldFail({ anomalies }, options.failOn);
    const report: DataValidationReport = {
      schema: VALIDATION_REPORT_SCHEMA,
      created_at: new Date().toISOString(),
      passed,
      rows: dataset.rows,
      columns: dataset.columns.length,
      data: { path: options.data, format: dataset.format, files: dataset.files.length },
      schema_file: schemaFile,
      schema_inferred: inferred,
      counts,
      anomalies,
      notes: dataset.notes,
      missing_tokens: {
        tokens: options.missing ? [...options.missing] : null,
        columns: dataset.missingTokens ?? [],
      },
      skew,
      profile_path: options.profilePath,
      duration_ms: 0,
    };
    const profilePath = inWd(options.profilePath);
    const reportPath = inWd(options.reportPath);
    const replaced = profileSourceAt(profilePath);
    if (replaced !== undefined && inWd(replaced) !== inWd(profile.source.path)) {
      // The training profile is what register stores and drift-check compares against: validating
      // a second dataset into the same file would silently swap the reference.
      log.warning(
        `${options.profilePath} held the profile of '${replaced}'; it now holds this run's profile of '${profile.source.path}'. ` +
          'Give each dataset its own profile-path (e.g. mlops-reports/test-profile.json) to keep both.',
      );
    }
    writeFileAtomic(profilePath, `${JSON.stringify(profile, null, 2)}\n`);
    report.duration_ms = Date.now() - started;
    writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);

    for (const a of anomalies) {
      const where = a.rule ? { file: a.rule.file, line: a.rule.line } : undefined;
      (a.severity === 'error' ? log.error : log.warning)(`${a.kind}: ${a.message}`, where);
    }
    log.info(`${counts.error} errors, ${counts.warning} warnings; report: ${options.reportPath}`);
    return {
      passed,
      anomalies,
      rows: dataset.rows,
      reportPath,
      profilePath,
      schemaPath: writtenSchema,
      summaryMarkdown: renderSummaryMarkdown(report, options.reportPath),
      commentMarkdown: renderCommentMarkdown(report, options.reportPath),
      annotations: anomalies.map((a) => ({
        severity: a.severity,
        message: `${a.kind}: ${a.message}`,
        ...(a.rule ? { file: a.rule.file, line: a.rule.line } : {}),
      })),
      report,
      profile,
    };
  } finally {
    db.close();
  }
}

/**
 * Which schema to validate against:
 * - `schema` names an existing file: that file (an inferred schema, if asked for, is only written,
 *   as a proposal to compare with);
 * - `schema` names a missing file: with `inferSchema`, the inferred schema, written to
 *   `writeSchema` or else to `schema`; without it, an error;
 * - no `schema`: the inferred schema with `inferSchema` (written if `writeSchema`), else none
 *   (profile only).
 */
function resolveSchema(
  options: DataValidateOptions,
  profile: DatasetProfile,
  inWd: (p: string) => string,
  forAnnotation: (p: string) => string,
  log: Log,
): { loaded?: LoadedSchema; inferred: boolean; schemaFile: string | null; writtenSchema?: string } {
  const given = options.schema ? options.schema : undefined;
  const givenExists = given !== undefined && existsSync(inWd(given));
  if (given !== undefined && !givenExists && !options.inferSchema) {
    throw new UserError(
      `Schema file '${given}' does not exist. Create it with 'infer-schema: true' and 'write-schema: ${given}'.`,
      { input: 'schema', file: given },
    );
  }
  let inferredSchema: DataSchema | undefined;
  let written: { path: string; text: string; display: string } | undefined;
  if (options.inferSchema) {
    inferredSchema = inferSchema(profile);
    const target = options.writeSchema || (givenExists ? undefined : given);
    if (target) {
      const text = renderSchemaYaml(inferredSchema, { source: { path: options.data, rows: profile.rows } });
      writeFileAtomic(inWd(target), text);
      written = { path: inWd(target), text, display: target };
      log.info(`Wrote the inferred schema to ${target}`);
    }
  }
  if (givenExists) {
    if (options.inferSchema)
      log.info(`Validating against the existing ${given}; the inferred schema is only written.`);
    const loaded = loadSchemaFile(inWd(given!), forAnnotation(given!));
    return { loaded, inferred: false, schemaFile: given!, writtenSchema: written?.path };
  }
  if (inferredSchema) {
    // Reading the written text back gives line numbers to point anomalies at.
    const loaded = written
      ? parseSchemaYaml(written.text, forAnnotation(written.display))
      : { schema: inferredSchema };
    return { loaded, inferred: true, schemaFile: written?.display ?? null, writtenSchema: written?.path };
  }
  log.info('No schema given and infer-schema is off: writing the profile only.');
  return { inferred: false, schemaFile: null };
}

async function checkSkew(
  options: DataValidateOptions,
  current: Omit<SkewCheckInput, 'reference' | 'workingDirectory'>,
  workingDirectory: string,
  log: Log,
): Promise<{ summary: SkewSummary; columns: SkewColumn[] }> {
  if (!options.reference) return { summary: { status: 'not_requested', reference: null }, columns: [] };
  if (!options.skewCheck) {
    const reason = 'the drift statistics are not available in this build';
    log.warning(`Skew against '${options.reference}' not checked: ${reason}.`);
    return { summary: { status: 'not_run', reference: options.reference, reason }, columns: [] };
  }
  const result = await options.skewCheck({ ...current, reference: options.reference, workingDirectory }, log);
  return {
    summary: {
      status: 'done',
      reference: options.reference,
      drift_detected: result.driftDetected,
      result: result.report,
      summary_markdown: result.summaryMarkdown,
      left_out: result.leftOut,
    },
    columns: result.columns,
  };
}

/** What a distribution difference is called: `skew` against a model's training profile, else `drift`. */
type SkewKind = 'skew' | 'drift';
/** The prefix of a reference to a registered model's stored profile. */
const REGISTRY_REFERENCE = 'registry:';

/** The schema's per-column thresholds for this kind of comparison. */
function distributionThresholds(schema: DataSchema | undefined, kind: SkewKind): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of schema?.columns ?? []) {
    const threshold = kind === 'skew' ? c.skew_threshold : c.drift_threshold;
    if (threshold !== undefined) out[c.name] = threshold;
  }
  return out;
}

/**
 * A column whose distance to the reference reaches its threshold is a `skew` or `drift` anomaly:
 * an error when the test beside the distance is significant at TEST_ALPHA too, else a warning
 * (a distance over the threshold that the sample sizes cannot tell from noise). The column's
 * `severity` overrides both.
 */
function distributionAnomalies(
  columns: SkewColumn[],
  kind: SkewKind,
  reference: string,
  loaded: LoadedSchema | undefined,
): Anomaly[] {
  const rules = new Map((loaded?.schema.columns ?? []).map((c) => [c.name, c]));
  const key = kind === 'skew' ? 'skew_threshold' : 'drift_threshold';
  const out: Anomaly[] = [];
  for (const c of columns) {
    const distanceName = c.method === 'linf' ? 'L-infinity distance' : 'Jensen-Shannon divergence';
    const lines = loaded?.locations?.columns[c.name];
    const line = lines?.[key] ?? lines?._;
    if (!(c.distance >= c.threshold)) {
      const shift = ksShiftUnderDistance(c, kind, reference, distanceName);
      if (shift) {
        out.push({
          ...shift,
          severity: rules.get(c.name)?.severity ?? 'warning',
          rule: loaded?.locations && line !== undefined ? { file: loaded.locations.file, line } : null,
        });
      }
      continue;
    }
    const significant = c.p_value !== null && isSignificant(c.p_value);
    const test = c.p_value === null ? 'no test' : `${c.test} p = ${formatPValue(c.p_value)}`;
    out.push({
      kind,
      column: c.name,
      severity: rules.get(c.name)?.severity ?? (significant ? 'error' : 'warning'),
      expected: `${distanceName} to the reference below ${c.threshold}`,
      found: `${round(c.distance)} (${test}${c.approximate ? '; reference from a stored profile' : ''})`,
      count: c.current_values,
      bound: c.threshold,
      p_value: c.p_value,
      statistic: c.distance,
      examples: [],
      message: `Column '${c.name}' ${kind === 'skew' ? 'is skewed from' : 'drifted from'} ${reference}: ${distanceName} ${round(c.distance)} >= ${c.threshold} over ${c.current_values} values against ${c.reference_values}; ${
        c.p_value === null
          ? 'no test could run, so a warning'
          : significant
            ? `significant (${test} < ${TEST_ALPHA})`
            : `not significant (${test} >= ${TEST_ALPHA}), so a warning`
      }.`,
      rule: loaded?.locations && line !== undefined ? { file: loaded.locations.file, line } : null,
    });
  }
  return out;
}

/**
 * KS D at or above this is a large change whatever the distance beside it says: the share of
 * values below some point differs by a tenth (0.1, the scale of the distances' own default threshold).
 */
const KS_LARGE_SHIFT = 0.1;

/**
 * A numeric column whose TFDV distance stays under its threshold while the KS test beside it
 * rejects at TEST_ALPHA with D >= KS_LARGE_SHIFT. The Jensen–Shannon divergence is taken over
 * equal-width bins, so a heavy-tailed column (most values in the first bin) hides a change of
 * scale that the KS test sees: every movie gross halved gives a divergence of 0.048 but D = 0.22,
 * p = 1.5e-21, and drift-check (Wasserstein with the KS beside it) calls the column drifted. The
 * schema's threshold keeps its meaning; this only keeps such a change from passing in silence.
 */
function ksShiftUnderDistance(
  c: SkewColumn,
  kind: SkewKind,
  reference: string,
  distanceName: string,
): Omit<Anomaly, 'severity' | 'rule'> | undefined {
  if (c.test !== 'ks' || c.p_value === null || c.test_statistic === null) return undefined;
  if (!(isSignificant(c.p_value) && c.test_statistic >= KS_LARGE_SHIFT)) return undefined;
  const test = `ks p = ${formatPValue(c.p_value)}, D = ${round(c.test_statistic)}`;
  return {
    kind,
    column: c.name,
    expected: `no significant shift (KS p >= ${TEST_ALPHA} or D < ${KS_LARGE_SHIFT}) beside a ${distanceName} below ${c.threshold}`,
    found: `${test}; ${distanceName} ${round(c.distance)}${c.approximate ? '; reference from a stored profile' : ''}`,
    count: c.current_values,
    bound: c.threshold,
    p_value: c.p_value,
    statistic: c.distance,
    examples: [],
    message: `Column '${c.name}' ${kind === 'skew' ? 'is skewed from' : 'drifted from'} ${reference} by the KS test (p = ${formatPValue(c.p_value)} < ${TEST_ALPHA}; D = ${round(c.test_statistic)}: the share of values below one point differs by ${round(100 * c.test_statistic)}%) over ${c.current_values} values against ${c.reference_values}, although its ${distanceName} ${round(c.distance)} stays below ${c.threshold} (equal-width bins hide changes in a heavy tail); a warning.`,
  };
}

function round(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** Errors first, the order within each severity kept. */
function sortBySeverity(anomalies: Anomaly[]): void {
  const sorted = [...anomalies].sort(
    (a, b) => (a.severity === 'error' ? 0 : 1) - (b.severity === 'error' ? 0 : 1),
  );
  anomalies.splice(0, anomalies.length, ...sorted);
}

/** Writes atomically; a failure (full disk, no permission) is the user's to fix, with the path. */
function writeFileAtomic(path: string, text: string): void {
  try {
    writeFileAtomicSync(path, text);
  } catch (error) {
    throw new UserError(`Cannot write '${path}': ${(error as Error).message}`, { file: path });
  }
}

/** The data path a profile file already at `path` describes, or undefined (no file, or not a profile). */
function profileSourceAt(path: string): string | undefined {
  try {
    const existing = JSON.parse(readFileSync(path, 'utf8')) as { source?: { path?: unknown } };
    return typeof existing?.source?.path === 'string' ? existing.source.path : undefined;
  } catch {
    return undefined;
  }
}
