import { isFairnessMetric } from '../metrics/fairness.js';
import { fitSections, type Section } from '../report/fit.js';
import {
  CHECK_RUN_SUMMARY,
  COMMENT_BODY,
  measure,
  STEP_SUMMARY,
  type TextLimit,
} from '../report/github-limits.js';
import { encodeHiddenData, stickyMarker } from '../report/hidden-data.js';
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import { lineChart } from '../report/mermaid.js';
import { thresholdSnippet } from './default-gate.js';
import { type ComparisonDiff, formatNumber, type MetricComparison, type Verdict } from './gate.js';

export const COMPARE_KIND = 'compare-baseline';
/** Pushes kept in the comment's hidden history; older ones fall off. */
export const HISTORY_LIMIT = 30;
/**
 * Bytes the hidden history block may take of the comment's 65,536 characters (base64 is ASCII,
 * so bytes and characters agree): the newest points that fit are kept, so the visible report
 * always has the rest of the room and the block is never cut.
 */
export const HISTORY_BUDGET_BYTES = 12 * 1024;

export interface HistoryPoint {
  /** Commit the metrics belong to (short or full sha). */
  sha: string;
  metrics: Record<string, number>;
}

export interface RenderContext {
  modelKey: string;
  /** How the baseline was named (`registry:m@production`, a path); undefined when none was given. */
  baselineLabel?: string;
  /** Where the full report is, for the truncation pointer (trusted text written by us). */
  fullReportPointer: string;
  history?: HistoryPoint[];
  /** Set when the override label turned a regression into a neutral pass. */
  override?: { label: string; by?: string };
  /** Set when the comment could not be posted (read-only token): trusted markdown shown in the summary. */
  warning?: string;
  /** The current metrics are only what an untrusted run reported: no model could be re-evaluated here. */
  unverified?: boolean;
  /** What the untrusted run reported for the gated metrics, shown beside the values verified here. */
  reported?: Record<string, number>;
  /** The current model's permutation importance (evaluate's `importance`): its top features are shown. */
  importance?: { scoring: string; features: { feature: string; mean: number; std: number }[] };
  /** The current model's confusion matrix on the evaluation rows. */
  confusionMatrix?: { labels: string[]; matrix: number[][] };
  /** The hyperparameter search that chose the model: its summary (renderSearchSummary, values escaped). */
  searchSummary?: string;
}

/** Classes beyond this make a matrix too wide to read in a comment; metrics.json has it whole. */
const CONFUSION_MATRIX_CLASSES = 12;

function confusionSection(cm: RenderContext['confusionMatrix']): string {
  if (!cm || cm.labels.length > CONFUSION_MATRIX_CLASSES) return '';
  const labels = cm.labels.map((l) => escapeMarkdown(l));
  return `Current model, rows: true class, columns: predicted class.\n\n${markdownTable(
    ['true \\ predicted', ...labels.map((l) => ({ header: l, align: 'right' as const }))],
    cm.matrix.map((row, i) => [labels[i], ...row.map(String)]),
  )}`;
}

/** Features shown in the comment's importance table; metrics.json and the report have them all. */
const IMPORTANCE_ROWS = 5;

function importanceSection(importance: RenderContext['importance']): string {
  if (!importance) return '';
  return `Drop in ${inlineCode(importance.scoring)} when one column is shuffled (permutation importance of the current model; not gated):\n\n${markdownTable(
    ['Feature', { header: 'Importance', align: 'right' }, { header: 'Std', align: 'right' }],
    importance.features
      .slice(0, IMPORTANCE_ROWS)
      .map((f) => [escapeMarkdown(f.feature), formatNumber(f.mean), formatNumber(f.std)]),
  )}`;
}

/** The words every unverified report carries (the check title, the comment, the summary). */
export const UNVERIFIED = "unverified: metrics reported by the fork's own run";

const VERDICT_ICON: Record<Verdict, string> = {
  regressed: '🔴',
  'not comparable': '⚠️',
  'not significant': '🟡',
  'within tolerance': '🟢',
  'not gated': '⚪',
  improved: '🟢',
};

export function headline(diff: ComparisonDiff, context: RenderContext): string {
  const model = escapeMarkdown(context.modelKey);
  if (diff.passed && context.unverified) return `### ⚠️ compare-baseline: ${model}: ${UNVERIFIED}`;
  if (diff.passed && diff.gate.kind === 'none')
    return `### ⚪ compare-baseline: ${model} not gated (gate: none)`;
  if (diff.passed) return `### ✅ compare-baseline: ${model} passed`;
  if (context.override) {
    return `### ⚪ compare-baseline: ${model}: ${diff.regressions.length} regression(s) accepted by label ${inlineCode(context.override.label)}`;
  }
  return `### ❌ compare-baseline: ${model}: ${diff.regressions.length} regression(s)`;
}

function introduction(diff: ComparisonDiff, context: RenderContext): string {
  const lines: string[] = [];
  if (diff.firstModel) {
    lines.push(
      context.baselineLabel
        ? `**First model:** no baseline was found at ${escapeMarkdown(context.baselineLabel)}, so only value thresholds (min/max) were checked.`
        : '**First model:** no baseline was given, so only value thresholds (min/max) were checked.',
    );
  } else {
    lines.push(
      `Baseline: ${escapeMarkdown(context.baselineLabel ?? 'given file')} · task: ${escapeMarkdown(diff.task)}`,
    );
  }
  if (diff.notComparableReason)
    lines.push(`**Not comparable:** ${escapeMarkdown(diff.notComparableReason)}.`);
  lines.push(gateLine(diff));
  if (context.unverified) {
    lines.push(
      `**Unverified:** ${UNVERIFIED}. The artifact held no model that could be re-evaluated on this repository's data, so these numbers are the fork's claim; the check is neutral, never a pass.`,
    );
  }
  const reported = Object.entries(context.reported ?? {});
  if (reported.length > 0) {
    const values = reported
      .map(([metric, value]) => {
        const verified = diff.rows.find((row) => row.metric === metric)?.current;
        return `${escapeMarkdown(metric)} ${formatNumber(value)} (re-evaluated here: ${verified === undefined ? '—' : formatNumber(verified)})`;
      })
      .join(', ');
    lines.push(
      `Re-evaluated here on this repository's data; the fork's own run reported ${values}, which does not count.`,
    );
  }
  if (diff.significance !== undefined) {
    const paired = diff.rows.some((row) => row.test?.method === 'paired-bootstrap');
    const how = paired
      ? 'paired bootstrap over both models’ predictions on the same rows'
      : 'CI of the difference from the bootstrap CIs';
    lines.push(
      `A worsening beyond tolerance counts only if significant at α = ${diff.significance} (${how}).`,
    );
  }
  if (context.override) {
    const by = context.override.by ? ` by ${escapeMarkdown(context.override.by)}` : '';
    lines.push(
      `**Override:** the label ${escapeMarkdown(context.override.label)} was set${by}; the regression is recorded here and the check is neutral.`,
    );
  }
  if (context.warning) lines.push(`> [!WARNING]\n> ${context.warning}`);
  return lines.filter((line) => line !== '').join('\n\n');
}

/** One line saying what gated, with the snippet that configures real thresholds when it was the default. */
function gateLine(diff: ComparisonDiff): string {
  if (diff.gate.kind === 'none') {
    return '**Not gated (gate: none):** the metrics are reported and no change can fail this check.';
  }
  if (diff.gate.kind === 'thresholds') return '';
  const rule =
    diff.significance === undefined
      ? 'may not worsen at all (significance: 0)'
      : diff.rows.some((row) => row.test?.method === 'paired-bootstrap')
        ? `may not worsen significantly (α = ${diff.significance}, paired bootstrap on the same rows)`
        : `may not worsen significantly (α = ${diff.significance}, test on the two confidence intervals)`;
  return `**Default gate:** no thresholds are configured, so ${inlineCode(diff.gate.metric)} (the primary metric for ${escapeMarkdown(diff.task)}) ${rule}; set real thresholds in mlops.yml: ${inlineCode(thresholdSnippet(diff.gate.metric))}.`;
}

export function diffTable(rows: readonly MetricComparison[]): string {
  const cells = rows.map((row) => {
    const reasons = [...row.failures, ...row.notes].map((reason) => escapeMarkdown(reason)).join('; ');
    const interval = row.test
      ? `[${formatNumber(row.test.interval[0])}, ${formatNumber(row.test.interval[1])}] p=${formatNumber(row.test.pValue)}`
      : row.currentCi
        ? `[${formatNumber(row.currentCi[0])}, ${formatNumber(row.currentCi[1])}]`
        : '—';
    const deltaText = row.delta === undefined ? '—' : `${row.delta > 0 ? '+' : ''}${formatNumber(row.delta)}`;
    const pct =
      row.deltaPct === undefined ? '—' : `${row.deltaPct > 0 ? '+' : ''}${formatNumber(row.deltaPct)}%`;
    return [
      `${escapeMarkdown(row.metric)} ${row.direction === 'higher' ? '↑' : '↓'}`,
      row.baseline === undefined ? '—' : formatNumber(row.baseline),
      row.current === undefined ? '—' : formatNumber(row.current),
      deltaText,
      pct,
      interval,
      `${VERDICT_ICON[row.verdict]} ${row.verdict}${reasons ? `: ${reasons}` : ''}`,
    ];
  });
  return markdownTable(
    [
      'Metric',
      { header: 'Baseline', align: 'right' },
      { header: 'Current', align: 'right' },
      { header: 'Δ', align: 'right' },
      { header: 'Δ %', align: 'right' },
      'CI (Δ, p) or current CI',
      'Verdict',
    ],
    cells,
  );
}

/** 0 for a metric that fails its gate, 1 for one that is gated, 2 for the rest. */
function importance(row: MetricComparison): number {
  if (row.failures.length > 0 || row.verdict === 'regressed') return 0;
  return row.threshold ? 1 : 2;
}

/** Rows in the order a shortened report keeps them: regressions, then gated metrics, then the rest. */
export function byImportance(rows: readonly MetricComparison[]): MetricComparison[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => importance(a.row) - importance(b.row) || a.index - b.index)
    .map((entry) => entry.row);
}

/** The line under a table shown with only its most important rows. */
function shownOf(kept: number, total: number, what: string, order: string): string {
  return `_Showing ${kept} of ${total} ${what}${order}; the full list is in the job summary and the report file._`;
}

/** A metric table that a shortened report shows with its most important rows first. */
function metricTable(
  rows: readonly MetricComparison[],
  before: string,
): { markdown: string; shorten: NonNullable<Section['shorten']> } {
  const ranked = byImportance(rows);
  const join = (parts: string[]) => parts.filter((part) => part !== '').join('\n\n');
  return {
    markdown: join([before, diffTable(rows)]),
    shorten: {
      count: rows.length,
      render: (kept) =>
        kept >= rows.length
          ? join([before, diffTable(rows)])
          : join([
              before,
              kept > 0 ? diffTable(ranked.slice(0, kept)) : '',
              shownOf(
                kept,
                rows.length,
                'metrics',
                ' (regressions first, then gated metrics, then the others)',
              ),
            ]),
    },
  };
}

function sliceTable(slices: ComparisonDiff['sliceRegressions']): string {
  return markdownTable(
    ['Slice', 'Metric', { header: 'Baseline', align: 'right' }, { header: 'Current', align: 'right' }, 'Why'],
    slices.map((slice) => [
      escapeMarkdown(slice.slice),
      escapeMarkdown(slice.metric),
      formatNumber(slice.baseline),
      formatNumber(slice.current),
      escapeMarkdown(slice.reason),
    ]),
  );
}

function sliceSection(diff: ComparisonDiff): Section | undefined {
  const slices = diff.sliceRegressions;
  if (slices.length === 0) return undefined;
  return {
    markdown: sliceTable(slices),
    priority: 1,
    collapse: `Slices that regressed (${slices.length})`,
    shorten: {
      count: slices.length,
      render: (kept) =>
        kept >= slices.length
          ? sliceTable(slices)
          : [
              kept > 0 ? sliceTable(slices.slice(0, kept)) : '',
              shownOf(kept, slices.length, 'slice regressions', ''),
            ]
              .filter((part) => part !== '')
              .join('\n\n'),
    },
  };
}

/** Metrics worth charting: the gated ones, else the first few reported. */
function chartedMetrics(diff: ComparisonDiff): string[] {
  const gated = diff.rows.filter((row) => row.threshold).map((row) => row.metric);
  return (gated.length > 0 ? gated : diff.rows.map((row) => row.metric)).slice(0, 4);
}

function historySection(diff: ComparisonDiff, history: readonly HistoryPoint[]): string {
  if (history.length < 2) return '';
  const charts = chartedMetrics(diff)
    .map((metric) =>
      lineChart({
        title: `${metric} across pushes`,
        xLabels: history.map((point) => point.sha.slice(0, 7)),
        series: { name: metric, values: history.map((point) => point.metrics[metric] ?? Number.NaN) },
      }),
    )
    .filter((chart): chart is string => chart !== undefined);
  return charts.join('\n\n');
}

/**
 * The history with this run's metrics as the newest point (a re-run of the same sha replaces it).
 * Points hold only the charted metrics (what the history is drawn for), and only the newest
 * points whose hidden block fits HISTORY_BUDGET_BYTES are kept.
 */
export function appendHistory(
  history: readonly HistoryPoint[],
  diff: ComparisonDiff,
  sha: string,
): HistoryPoint[] {
  const charted = chartedMetrics(diff);
  const project = (values: Record<string, unknown>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const metric of charted) {
      const value = values[metric];
      if (typeof value === 'number' && Number.isFinite(value)) out[metric] = value;
    }
    return out;
  };
  const current: Record<string, number> = {};
  for (const row of diff.rows) if (row.current !== undefined) current[row.metric] = row.current;
  const kept = history
    .filter(
      (point) =>
        typeof point?.sha === 'string' &&
        point.sha !== sha &&
        typeof point.metrics === 'object' &&
        point.metrics,
    )
    .map((point) => ({ sha: point.sha, metrics: project(point.metrics) }));
  return withinHistoryBudget([...kept, { sha, metrics: project(current) }].slice(-HISTORY_LIMIT));
}

/** The hidden block that carries the history in the comment. */
function historyBlock(history: readonly HistoryPoint[]): string {
  return encodeHiddenData(COMPARE_KIND, { history });
}

/** The newest points whose hidden block fits HISTORY_BUDGET_BYTES (oldest dropped first). */
export function withinHistoryBudget(history: readonly HistoryPoint[]): HistoryPoint[] {
  let kept = [...history];
  while (kept.length > 0 && measure(historyBlock(kept), 'bytes') > HISTORY_BUDGET_BYTES) kept = kept.slice(1);
  return kept;
}

function sections(diff: ComparisonDiff, context: RenderContext): Section[] {
  // Group-fairness disparities get a section of their own, gated like any metric.
  const fairness = diff.rows.filter((row) => isFairnessMetric(row.metric));
  const others = diff.rows.filter((row) => !isFairnessMetric(row.metric));
  const out: Section[] = [
    { ...metricTable(others, `${headline(diff, context)}\n\n${introduction(diff, context)}`), priority: 0 },
  ];
  if (fairness.length > 0) {
    out.push({
      ...metricTable(
        fairness,
        "**Fairness across groups** (Fairlearn's disparities; lower differences and higher ratios are fairer):",
      ),
      priority: fairness.some((row) => row.verdict === 'regressed') ? 0 : 1,
    });
  }
  const importance = importanceSection(context.importance);
  if (importance) out.push({ markdown: importance, priority: 2, collapse: 'Feature importance' });
  const confusion = confusionSection(context.confusionMatrix);
  if (confusion) out.push({ markdown: confusion, priority: 2, collapse: 'Confusion matrix' });
  if (context.searchSummary)
    out.push({ markdown: context.searchSummary, priority: 2, collapse: 'Hyperparameter search' });
  const slices = sliceSection(diff);
  if (slices) out.push(slices);
  const history = historySection(diff, context.history ?? []);
  if (history) out.push({ markdown: history, priority: 2, collapse: 'Metrics across this PR’s pushes' });
  return out;
}

/**
 * The sticky PR comment: marker, visible report, hidden history, within GitHub's comment limit
 * (or the tighter `limit` of a retry). The history block is whole, within its own budget.
 */
export function renderComment(diff: ComparisonDiff, context: RenderContext, limit = COMMENT_BODY): string {
  const footer = [
    stickyMarker(COMPARE_KIND, context.modelKey),
    historyBlock(withinHistoryBudget(context.history ?? [])),
  ].join('\n');
  return fitSections(sections(diff, context), { limit, pointer: context.fullReportPointer, footer }).markdown;
}

/** The check-run summary, within GitHub's 65,535 bytes (or the tighter `limit` of a retry). */
export function renderCheckSummary(
  diff: ComparisonDiff,
  context: RenderContext,
  limit: TextLimit = CHECK_RUN_SUMMARY,
): string {
  return fitSections(sections(diff, context), { limit, pointer: context.fullReportPointer }).markdown;
}

/** The job summary: the same report, within the step summary's 1 MiB (less room for other steps' lines). */
export function renderStepSummary(diff: ComparisonDiff, context: RenderContext): string {
  return fitSections(sections(diff, context), {
    limit: { ...STEP_SUMMARY, max: STEP_SUMMARY.max - 1024 },
    pointer: context.fullReportPointer,
  }).markdown;
}
