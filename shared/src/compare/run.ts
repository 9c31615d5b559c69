import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import { writeJsonAtomic } from '../files/atomic-write.js';
import { confinedPath } from '../files/confined-path.js';
import type { Log } from '../logging/index.js';
import { STEP_ANNOTATIONS_PER_LEVEL } from '../report/github-limits.js';
import { readSearchSummary, renderSearchSummary } from '../search/run-search.js';
import { chooseGate, GATE_MODES, type GateMode, thresholdSnippet } from './default-gate.js';
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

/** Largest metrics file read from an untrusted run: far above what evaluate writes, far below a memory problem. */
const REPORTED_MAX_BYTES = 16 * 1024 * 1024;

export interface CompareBaselineOptions {
  /** Path to the current `mlops-metrics/v1` file; may be empty only when `reported` is given. */
  current: string;
  /** A file path, `registry:<name>@<alias>` or `branch:<name>`; empty for "first model". */
  baseline?: string;
  /** `default`: with no thresholds, the task's primary metric may not worsen significantly. `none`: nothing gates. */
  gate?: GateMode;
  /** A baseline that is not there is "first model" instead of an error. */
  allowMissingBaseline?: boolean;
  /**
   * metrics.json reported by a run this job does not trust (a fork's own pull_request run), read as
   * data. With `current` (the model re-evaluated here) it is shown beside the verified values;
   * without it the comparison uses it, marked unverified, and can never pass as verified.
   */
  reported?: string;
  /** YAML or JSON text, or a path to a file holding it. */
  thresholds?: string;
  /** mlops.yml `metrics:` section. */
  configThresholds?: Record<string, unknown>;
  /** Alpha in (0, 1): worsening gates only when significant. */
  significance?: number;
  failOnRegression: boolean;
  overrideLabel?: string;
  reportPath: string;
  /** train's search-summary.json: its best trial and top 5 go into the comment. */
  searchSummary?: string;
  workingDirectory: string;
  /** Names the sticky comment and the report (usually the model name). */
  modelKey: string;
  /** Commit the current metrics belong to (PR head sha), for the history chart. */
  sha?: string;
}

/** A baseline that is not there: `lookedFor` and what exists instead, as sentences for the message. */
export interface MissingBaseline {
  missing: true;
  lookedFor: string;
  available: string;
}

export type BaselineLookup = MetricsFile | MissingBaseline;

export function isMissingBaseline(lookup: BaselineLookup): lookup is MissingBaseline {
  return (lookup as MissingBaseline).missing === true;
}

export interface CompareBaselineDeps {
  log: Log;
  /** Resolves `registry:` and `branch:` specs, saying what exists when the spec names nothing. */
  resolveBaseline?: (spec: string) => Promise<BaselineLookup>;
  /** Both models' predictions on the same rows, for the paired bootstrap. */
  pairedRows?: () => Promise<PairedRows | undefined>;
}

export type CompareVerdict = 'passed' | 'regressed' | 'overridden' | 'unverified';

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
  const gateMode = options.gate ?? 'default';
  if (!GATE_MODES.includes(gateMode)) {
    throw new UserError(`gate must be one of ${GATE_MODES.join(', ')}; got ${JSON.stringify(gateMode)}`, {
      input: 'gate',
    });
  }
  const currentPath = options.current.trim();
  const reportedPath = options.reported?.trim() ? at(options.reported.trim()) : undefined;
  let reported: MetricsFile | undefined;
  if (reportedPath && currentPath === '') {
    // Nothing was re-evaluated here: a hostile reported file is all there is, so it fails the step.
    reported = await readReportedMetrics(reportedPath);
  } else if (reportedPath && existsSync(reportedPath)) {
    // Only shown beside the verified numbers: a hostile file is left out with a warning.
    try {
      reported = await readReportedMetrics(reportedPath);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      log.warning(
        `Refused the metrics the untrusted run reported: ${error.message}. Only the model re-evaluated here is compared.`,
      );
    }
  } else if (reportedPath) {
    log.warning(
      `The untrusted run reported no metrics (${reportedPath} is not there); the model re-evaluated here is compared.`,
    );
  }
  if (currentPath === '' && !reported) {
    throw new UserError('current is empty: give the metrics.json of the candidate model', {
      input: 'current',
    });
  }
  // Without a model re-evaluated here, only what the untrusted run reported is there to compare.
  const unverified = currentPath === '' && reported !== undefined;
  const current = unverified ? reported! : await readMetricsFile(at(currentPath), 'current');
  const baselineSpec = options.baseline?.trim() || undefined;
  const lookup = baselineSpec ? await resolveBaselineSpec(baselineSpec, at, deps) : undefined;
  let baseline: MetricsFile | undefined;
  if (lookup && isMissingBaseline(lookup)) {
    const what = `No baseline found: looked for ${lookup.lookedFor}; ${lookup.available}.`;
    if (!options.allowMissingBaseline) {
      throw new UserError(
        `${what} Fix the baseline input, or set allow-missing-baseline: true if this is the first model.`,
        { input: 'baseline' },
      );
    }
    log.warning(`${what} Treating this as the first model (allow-missing-baseline: true).`);
  } else baseline = lookup;
  const configured = loadThresholds(options.thresholds, options.configThresholds, options.workingDirectory);
  const gate = chooseGate(gateMode, configured, current.task, Object.keys(current.metrics));
  if (gate.policy.kind === 'none' && gate.policy.ignored.length > 0) {
    log.warning(
      `gate: none: the thresholds for ${gate.policy.ignored.join(', ')} are shown as not gated and do not gate.`,
    );
  }
  if (gate.policy.kind === 'default' && !baselineSpec && !options.allowMissingBaseline) {
    throw new UserError(
      'Nothing would gate: no thresholds are configured and no baseline was given, so no change could ever fail. ' +
        `Give a baseline (e.g. registry:<name>@production), thresholds in mlops.yml (${thresholdSnippet(gate.policy.metric)}), ` +
        'allow-missing-baseline: true for a first model, or gate: none to report without gating.',
      { input: 'baseline' },
    );
  }
  const thresholds = gate.thresholds;
  const unknown = Object.keys(thresholds).filter((metric) => !(metric in current.metrics));
  if (unknown.length > 0) {
    log.warning(
      `Thresholds name metrics the current metrics file does not have: ${unknown.join(', ')} ` +
        `(it has: ${Object.keys(current.metrics).join(', ') || 'none'}). They fail the gate.`,
    );
  }
  // Rows from an untrusted run are never paired: its predictions file is as much its own claim as its metrics.
  const paired =
    baseline && options.significance !== undefined && !unverified ? await deps.pairedRows?.() : undefined;
  const diff = compareMetrics(current, baseline, thresholds, {
    significance: options.significance,
    pairedTest: paired ? pairedBootstrapTest(paired) : undefined,
    gate: gate.policy,
  });

  const reportPath = at(options.reportPath);
  const context: RenderContext = {
    modelKey: options.modelKey,
    baselineLabel: baselineSpec,
    fullReportPointer: `Report shortened to fit GitHub's size limit. The full comparison is in the job summary and in the report file \`${reportPath.split(/[\\/]/).pop()}\` (uploaded as an artifact).`,
    history: options.sha ? appendHistory([], diff, options.sha) : [],
    unverified,
    reported: reported && !unverified ? reportedValues(reported, diff) : undefined,
    importance: current.importance,
    confusionMatrix: current.confusionMatrix,
    searchSummary: options.searchSummary
      ? renderSearchSummary(await readSearchSummary(at(options.searchSummary)))
      : undefined,
  };
  await writeReport(reportPath, options, diff, baselineSpec, unverified);
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
  const verdict: CompareVerdict = !diff.passed
    ? context.override
      ? 'overridden'
      : 'regressed'
    : context.unverified
      ? 'unverified'
      : 'passed';
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
): Promise<BaselineLookup> {
  if (/^(registry|branch):/.test(spec)) {
    if (!deps.resolveBaseline) {
      throw new UserError(`baseline ${spec} needs a GitHub or registry context that is not available here`, {
        input: 'baseline',
      });
    }
    return deps.resolveBaseline(spec);
  }
  const path = at(spec);
  if (!existsSync(path)) {
    const folder = dirname(path);
    const files = existsSync(folder)
      ? readdirSync(folder)
          .filter((name) => name.endsWith('.json'))
          .sort()
      : [];
    return {
      missing: true,
      lookedFor: `the file ${path}`,
      available: existsSync(folder)
        ? `${folder} holds ${files.length > 0 ? `these JSON files: ${files.join(', ')}` : 'no JSON file'}`
        : `the folder ${folder} does not exist`,
    };
  }
  return readMetricsFile(path, 'baseline');
}

/**
 * The metrics an untrusted run reported (a fork's artifact): parsed as data, never followed. A
 * symbolic link is refused (it would make this job read a file of the link's choosing), and so is
 * a predictions path that leads out of the file's folder: such a file is hostile, not stale.
 */
async function readReportedMetrics(path: string): Promise<MetricsFile> {
  const refuse = (why: string): never => {
    throw new UserError(`reported metrics ${path} ${why}`, { input: 'reported-metrics', file: path });
  };
  const stats = existsSync(path) ? lstatSync(path) : undefined;
  if (stats?.isSymbolicLink())
    refuse("is a symbolic link; an untrusted artifact's files are read only as plain files");
  if (stats && !stats.isFile()) refuse('is not a regular file');
  if (stats && stats.size > REPORTED_MAX_BYTES) {
    refuse(
      `is ${stats.size} bytes; a metrics file from an untrusted run is read up to ${REPORTED_MAX_BYTES} bytes`,
    );
  }
  const file = await readMetricsFile(path, 'reported-metrics');
  const named = file.predictionsPath;
  if (typeof named === 'string' && named !== '') confinedPath(path, 'predictions.path', named);
  return { ...file, source: `${basename(path)} (reported by an untrusted run)` };
}

/** The untrusted run's own values of the gated metrics, to show beside the verified ones. */
function reportedValues(reported: MetricsFile, diff: ComparisonDiff): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of diff.rows) {
    const value = reported.metrics[row.metric]?.value;
    if (row.threshold && value !== undefined && Number.isFinite(value)) out[row.metric] = value;
  }
  return out;
}

async function writeReport(
  reportPath: string,
  options: CompareBaselineOptions,
  diff: ComparisonDiff,
  baselineSpec: string | undefined,
  unverified: boolean,
): Promise<void> {
  const report = {
    schema: COMPARISON_SCHEMA,
    model: options.modelKey,
    task: diff.task,
    gate:
      diff.gate.kind === 'default' ? { kind: 'default', metric: diff.gate.metric } : { kind: diff.gate.kind },
    verified: !unverified,
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

/**
 * One annotation per metric that fails its gate, at the level the outcome deserves: an error when
 * it fails the step, a warning when the override label accepted it or fail-on-regression is off.
 */
export function annotateRegressions(result: CompareBaselineResult, log: Log): void {
  const blocking = result.verdict === 'regressed' && result.failOnRegression;
  const suffix =
    result.verdict === 'overridden'
      ? ` (accepted by the label '${result.context.override?.label}')`
      : blocking
        ? ''
        : ' (fail-on-regression is off)';
  const failing = result.diff.rows.filter((r) => r.failures.length > 0);
  const say = (message: string) => (blocking ? log.error(message) : log.warning(message));
  // GitHub shows STEP_ANNOTATIONS_PER_LEVEL of each level per step and drops the rest silently;
  // the step's own failure line takes one, and one says how many more there are.
  const room = STEP_ANNOTATIONS_PER_LEVEL - 1;
  const shown = failing.length > room ? failing.slice(0, room - 1) : failing;
  for (const row of shown) say(`${row.metric}: ${row.failures.join('; ')}${suffix}`);
  if (shown.length < failing.length) {
    say(
      `…and ${failing.length - shown.length} more metric(s) fail their gate${suffix}: GitHub shows ${STEP_ANNOTATIONS_PER_LEVEL} annotations per step; every one is in the job summary and the report file.`,
    );
  }
}

/** One line for logs and outputs: `accuracy -0.03 (regressed)`. */
export function describeRegressions(diff: ComparisonDiff): string {
  return diff.rows
    .filter((row) => row.failures.length > 0)
    .map((row) => `${row.metric} ${row.delta === undefined ? '' : formatNumber(row.delta)} (${row.verdict})`)
    .join(', ');
}
