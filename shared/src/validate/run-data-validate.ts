import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { openCountedDataset } from '../data/counted-dataset.js';
import { Database } from '../data/database.js';
import type { Dataset } from '../data/open-dataset.js';
import { profileDataset } from '../data/profile.js';
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
}
export interface SkewCheckResult {
  driftDetected: boolean;
  summaryMarkdown: string;
  report: unknown;
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
  /** Computes skew against `reference` (the drift module's function, wired by the caller). */
  skewCheck?: SkewCheck;
  /** Annotation paths are relative to this folder (the repository root; default: the process's cwd). */
  repositoryRoot?: string;
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
    const { dataset, counts: valueCounts } = await openCountedDataset(db, inWd(options.data));
    dataset.path = options.data;
    for (const note of dataset.notes) log.warning(note);
    log.info(`${dataset.rows} rows, ${dataset.columns.length} columns; profiling`);
    const profile = await profileDataset(db, dataset, { counts: valueCounts });

    const { loaded, inferred, schemaFile, writtenSchema } = resolveSchema(
      options,
      profile,
      inWd,
      forAnnotation,
      log,
    );
    const anomalies = loaded
      ? await validateDataset(db, dataset, loaded.schema, {
          locations: loaded.locations,
          counts: valueCounts,
        })
      : [];
    const skew = await checkSkew(
      options,
      { db, current: dataset, currentCounts: valueCounts, currentProfile: profile },
      wd,
      log,
    );

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
      skew,
      profile_path: options.profilePath,
      duration_ms: 0,
    };
    const profilePath = inWd(options.profilePath);
    const reportPath = inWd(options.reportPath);
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
): Promise<SkewSummary> {
  if (!options.reference) return { status: 'not_requested', reference: null };
  if (!options.skewCheck) {
    const reason = 'the drift statistics are not available in this build';
    log.warning(`Skew against '${options.reference}' not checked: ${reason}.`);
    return { status: 'not_run', reference: options.reference, reason };
  }
  const result = await options.skewCheck({ ...current, reference: options.reference, workingDirectory }, log);
  return {
    status: 'done',
    reference: options.reference,
    drift_detected: result.driftDetected,
    result: result.report,
    summary_markdown: result.summaryMarkdown,
  };
}

/** Writes atomically; a failure (full disk, no permission) is the user's to fix, with the path. */
function writeFileAtomic(path: string, text: string): void {
  try {
    writeFileAtomicSync(path, text);
  } catch (error) {
    throw new UserError(`Cannot write '${path}': ${(error as Error).message}`, { file: path });
  }
}
