import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import { writeJsonAtomic } from '../files/atomic-write.js';
import type { Log } from '../logging/index.js';
import { type ComparisonDiff, compareMetrics, formatNumber } from './gate.js';
import { type MetricsFile, readMetricsFile } from './metrics-file.js';
import { type PairedRows, pairedBootstrapTest } from './paired.js';
import {
  appendHistory,
  type RenderContext,
  renderCheckSummary,
  renderComment,
  renderStepSummary,
} from './render.js';
import { loadThresholds } from './thresholds.js';

export const COMPARISON_SCHEMA = 'mlops-comparison/v1';

export interface CompareBaselineOptions {
  /** Path to the current `mlops-metrics/v1` file. */
  current: string;
  /** A file path, `registry:<name>@<alias>` or `branch:<name>`; empty for "first model". */
  baseline?: string;
  /** YAML or JSON text, or a path to a file holding it. */
  thresholds?: string;
  /** mlops.yml `metrics:` section. */
  configThresholds?: Record<string, unknown>;
  /** Alpha in (0, 1): worsening gates only when significant. */
  significance?: number;
  failOnRegression: boolean;
  overrideLabel?: string;
  reportPath: string;
  workingDirectory: string;
  /** Names the sticky comment and the report (usually the model name). */
  modelKey: string;
  /** Commit the current metrics belong to (PR head sha), for the history chart. */
  sha?: string;
}

export interface CompareBaselineDeps {
  log: Log;
  /** Resolves `registry:` and `branch:` specs; undefined means "no baseline there". */
  resolveBaseline?: (spec: string) => Promise<MetricsFile | undefined>;
  /** Both models' predictions on the same rows, for the paired bootstrap. */
  pairedRows?: () => Promise<PairedRows | undefined>;
}

export type CompareVerdict = 'passed' | 'regressed' | 'overridden';

export interface CompareBaselineResult {
  /** The gate as the step should report it (false only when regressions exist and fail-on-regression). */
  passed: boolean;
  regressions: string[];
  diff: ComparisonDiff;
  reportPath: string;
  commentMarkdown: string;
  summaryMarkdown: string;
  checkSummary: string;
  verdict: CompareVerdict;
  /** What publishing needs to re-render with history and an override. */
  context: RenderContext;
  failOnRegression: boolean;
  overrideLabel?: string;
  sha?: string;
}

export async function runCompareBaseline(
  options: CompareBaselineOptions,
  deps: CompareBaselineDeps,
): Promise<CompareBaselineResult> {
  const { log } = deps;
  const at = (path: string) => (isAbsolute(path) ? path : resolve(options.workingDirectory, path));
  if (
    options.significance !== undefined &&
    !(Number.isFinite(options.significance) && options.significance > 0 && options.significance < 1)
  ) {
    throw new UserError(
      `significance must be a number between 0 and 1 (e.g. 0.05); got ${options.significance}`,
      {
        input: 'significance',
      },
    );
  }
  const current = await readMetricsFile(at(options.current), 'current');
  const baselineSpec = options.baseline?.trim() || undefined;
  const baseline = baselineSpec ? await resolveBaselineSpec(baselineSpec, at, deps) : undefined;
  if (baselineSpec && !baseline) {
    log.warning(
      `No baseline found at ${baselineSpec}: treating this as the first model (value thresholds only).`,
    );
  }
  const thresholds = loadThresholds(options.thresholds, options.configThresholds, options.workingDirectory);
  const unknown = Object.keys(thresholds).filter((metric) => !(metric in current.metrics));
  if (unknown.length > 0) {
    log.warning(
      `Thresholds name metrics the current metrics file does not have: ${unknown.join(', ')} ` +
        `(it has: ${Object.keys(current.metrics).join(', ') || 'none'}). They fail the gate.`,
    );
  }
  const paired = baseline && options.significance !== undefined ? await deps.pairedRows?.() : undefined;
  const diff = compareMetrics(current, baseline, thresholds, {
    significance: options.significance,
    pairedTest: paired ? pairedBootstrapTest(paired) : undefined,
  });

  const reportPath = at(options.reportPath);
  const context: RenderContext = {
    modelKey: options.modelKey,
    baselineLabel: baselineSpec,
    fullReportPointer: `Report shortened to fit GitHub's size limit. The full comparison is in the job summary and in the report file \`${reportPath.split(/[\\/]/).pop()}\` (uploaded as an artifact).`,
    history: options.sha ? appendHistory([], diff, options.sha) : [],
  };
  await writeReport(reportPath, options, diff, baselineSpec);
  for (const row of diff.rows.filter((r) => r.failures.length > 0)) {
    log.error(`${row.metric}: ${row.failures.join('; ')}`);
  }
  log.info(
    diff.passed
      ? `compare-baseline: ${diff.rows.length} metric(s), no regression.`
      : `compare-baseline: regression in ${diff.regressions.join(', ')}.`,
  );
  return finishResult(diff, context, options, reportPath);
}

/** Builds the result (markdown and gate) for a diff and render context; used again after publishing. */
export function finishResult(
  diff: ComparisonDiff,
  context: RenderContext,
  options: Pick<CompareBaselineOptions, 'failOnRegression' | 'overrideLabel' | 'sha'>,
  reportPath: string,
): CompareBaselineResult {
  const verdict: CompareVerdict = diff.passed ? 'passed' : context.override ? 'overridden' : 'regressed';
  return {
    passed: verdict !== 'regressed' || !options.failOnRegression,
    regressions: diff.regressions,
    diff,
    reportPath,
    commentMarkdown: renderComment(diff, context),
    summaryMarkdown: renderStepSummary(diff, context),
    checkSummary: renderCheckSummary(diff, context),
    verdict,
    context,
    failOnRegression: options.failOnRegression,
    overrideLabel: options.overrideLabel,
    sha: options.sha,
  };
}

async function resolveBaselineSpec(
  spec: string,
  at: (path: string) => string,
  deps: CompareBaselineDeps,
): Promise<MetricsFile | undefined> {
  if (/^(registry|branch):/.test(spec)) {
    if (!deps.resolveBaseline) {
      throw new UserError(`baseline ${spec} needs a GitHub or registry context that is not available here`, {
        input: 'baseline',
      });
    }
    return deps.resolveBaseline(spec);
  }
  const path = at(spec);
  if (!existsSync(path)) return undefined;
  return readMetricsFile(path, 'baseline');
}

async function writeReport(
  reportPath: string,
  options: CompareBaselineOptions,
  diff: ComparisonDiff,
  baselineSpec: string | undefined,
): Promise<void> {
  const report = {
    schema: COMPARISON_SCHEMA,
    model: options.modelKey,
    task: diff.task,
    baseline: baselineSpec ?? null,
    first_model: diff.firstModel,
    not_comparable_reason: diff.notComparableReason ?? null,
    significance: diff.significance ?? null,
    passed: diff.passed,
    regressions: diff.regressions,
    metrics: diff.rows.map((row) => ({
      name: row.metric,
      direction: row.direction,
      baseline: row.baseline ?? null,
      current: row.current ?? null,
      delta: row.delta ?? null,
      delta_pct: row.deltaPct ?? null,
      current_ci: row.currentCi ?? null,
      delta_interval: row.test?.interval ?? null,
      p_value: row.test?.pValue ?? null,
      test: row.test?.method ?? null,
      threshold: row.threshold
        ? {
            direction: row.threshold.direction,
            min: row.threshold.min ?? null,
            max: row.threshold.max ?? null,
            tolerance: row.threshold.tolerance ?? null,
            tolerance_pct: row.threshold.tolerancePct ?? null,
          }
        : null,
      verdict: row.verdict,
      failures: row.failures,
      notes: row.notes,
    })),
    slice_regressions: diff.sliceRegressions,
  };
  await writeJsonAtomic(reportPath, report);
}

/** One line for logs and outputs: `accuracy -0.03 (regressed)`. */
export function describeRegressions(diff: ComparisonDiff): string {
  return diff.rows
    .filter((row) => row.failures.length > 0)
    .map((row) => `${row.metric} ${row.delta === undefined ? '' : formatNumber(row.delta)} (${row.verdict})`)
    .join(', ');
}
