import { isFairnessMetric } from '../metrics/fairness.js';
import {
  CHECK_SUMMARY_LIMIT,
  COMMENT_LIMIT,
  fitSections,
  type Section,
  STEP_SUMMARY_LIMIT,
} from '../report/fit.js';
import { encodeHiddenData, stickyMarker } from '../report/hidden-data.js';
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import { lineChart } from '../report/mermaid.js';
import { thresholdSnippet } from './default-gate.js';
import { type ComparisonDiff, formatNumber, type MetricComparison, type Verdict } from './gate.js';

export const COMPARE_KIND = 'compare-baseline';
/** Pushes kept in the comment's hidden history; older ones fall off. */
export const HISTORY_LIMIT = 30;

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

function sliceSection(diff: ComparisonDiff): string {
  if (diff.sliceRegressions.length === 0) return '';
  return markdownTable(
    ['Slice', 'Metric', { header: 'Baseline', align: 'right' }, { header: 'Current', align: 'right' }, 'Why'],
    diff.sliceRegressions.map((slice) => [
      escapeMarkdown(slice.slice),
      escapeMarkdown(slice.metric),
      formatNumber(slice.baseline),
      formatNumber(slice.current),
      escapeMarkdown(slice.reason),
    ]),
  );
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

/** The history with this run's metrics as the newest point (a re-run of the same sha replaces it). */
export function appendHistory(
  history: readonly HistoryPoint[],
  diff: ComparisonDiff,
  sha: string,
): HistoryPoint[] {
  const metrics: Record<string, number> = {};
  for (const row of diff.rows) if (row.current !== undefined) metrics[row.metric] = row.current;
  const kept = history.filter((point) => point.sha !== sha && typeof point.sha === 'string' && point.metrics);
  return [...kept, { sha, metrics }].slice(-HISTORY_LIMIT);
}

function sections(diff: ComparisonDiff, context: RenderContext): Section[] {
  // Group-fairness disparities get a section of their own, gated like any metric.
  const fairness = diff.rows.filter((row) => isFairnessMetric(row.metric));
  const others = diff.rows.filter((row) => !isFairnessMetric(row.metric));
  const out: Section[] = [
    {
      markdown: `${headline(diff, context)}\n\n${introduction(diff, context)}\n\n${diffTable(others)}`,
      priority: 0,
    },
  ];
  if (fairness.length > 0) {
    out.push({
      markdown: `**Fairness across groups** (Fairlearn's disparities; lower differences and higher ratios are fairer):\n\n${diffTable(fairness)}`,
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
  if (slices) {
    out.push({
      markdown: slices,
      priority: 1,
      collapse: `Slices that regressed (${diff.sliceRegressions.length})`,
    });
  }
  const history = historySection(diff, context.history ?? []);
  if (history) out.push({ markdown: history, priority: 2, collapse: 'Metrics across this PR’s pushes' });
  return out;
}

/** The sticky PR comment: marker, visible report, hidden history; at most 65,536 characters. */
export function renderComment(diff: ComparisonDiff, context: RenderContext): string {
  const footer = [
    stickyMarker(COMPARE_KIND, context.modelKey),
    encodeHiddenData(COMPARE_KIND, { history: context.history ?? [] }),
  ].join('\n');
  return fitSections(sections(diff, context), {
    limit: COMMENT_LIMIT,
    pointer: context.fullReportPointer,
    footer,
  }).markdown;
}

/** The check-run summary: at most 65,535 characters. */
export function renderCheckSummary(diff: ComparisonDiff, context: RenderContext): string {
  return fitSections(sections(diff, context), {
    limit: CHECK_SUMMARY_LIMIT,
    pointer: context.fullReportPointer,
  }).markdown;
}

/** The job summary: the same report, up to the step summary's 1 MiB. */
export function renderStepSummary(diff: ComparisonDiff, context: RenderContext): string {
  return fitSections(sections(diff, context), {
    limit: STEP_SUMMARY_LIMIT - 1024,
    pointer: context.fullReportPointer,
  }).markdown;
}
