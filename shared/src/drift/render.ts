/**
 * Markdown for the step summary and for the drift issue body. Everything from the data (column
 * names, category values) goes through `escapeMarkdown`; chart labels are reduced to a safe set.
 */

import { stickyMarker } from '../report/hidden-data.js';
import { details, escapeMarkdown, markdownTable } from '../report/markdown.js';
import { METHOD_INFO, PSI_WARNING } from './methods.js';
import type { ColumnDrift, DriftReport, SideSummary } from './report.js';

/** The hidden-marker kind of drift issues; the issue lifecycle finds an open issue by it. */
export const DRIFT_MARKER_KIND = 'drift';

/** Stable key of the one open drift issue per (model, label). */
export function driftMarkerKey(model: string, label = 'drift'): string {
  return `${model}/${label}`;
}

export function driftIssueMarker(model: string, label = 'drift'): string {
  return stickyMarker(DRIFT_MARKER_KIND, driftMarkerKey(model, label));
}

const CHARTED_COLUMNS = 3;

function num(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

function value(column: ColumnDrift): string {
  const name = METHOD_INFO[column.method].label;
  const shown =
    column.p_value !== null
      ? `p = ${num(column.p_value)}`
      : column.test
        ? `${num(column.statistic)} (${column.test.method} p = ${num(column.test.p_value)})`
        : num(column.statistic);
  const warn = column.method === 'psi' && !column.drifted && column.statistic >= PSI_WARNING ? ' ⚠️' : '';
  // A sketched value carries its bound, so a reader sees how far from exact it can be.
  const bound = column.path === 'sketch' && column.error_bound ? ` ± ${num(column.error_bound)}` : '';
  return `${name}: ${shown}${bound}${warn}`;
}

function sideText(side: SideSummary): string {
  if (side.mean !== undefined && side.mean !== null) return `mean ${num(side.mean)}, std ${num(side.std)}`;
  // The "(N more)" bucket can hold the most values, but it is not a category: never call it the top.
  const top = side.bins.filter((b) => !b.other).sort((a, b) => b.share - a.share)[0];
  return top ? `top ${escapeMarkdown(top.label)} (${num(top.share * 100)}%)` : '–';
}

function columnsTable(columns: ColumnDrift[]): string {
  return markdownTable(
    ['Column', 'Type', 'Method', 'Value', 'Threshold', 'Drift', 'Reference', 'Current'],
    columns.map((c) => [
      escapeMarkdown(c.name) + (c.role === 'feature' ? '' : ` (${c.role})`),
      c.type,
      c.method + (c.path === 'sketch' ? ' ≈' : ''),
      value(c),
      (c.p_value !== null ? (c.method === 'ks' ? 'p ≤ ' : 'p < ') : '≥ ') + num(c.threshold),
      c.drifted
        ? '🔴 yes'
        : c.test && !c.drifted && c.statistic >= c.threshold && c.p_value === null
          ? '🟢 no (noise)'
          : '🟢 no',
      sideText(c.reference),
      sideText(c.current),
    ]),
  );
}

function headline(report: DriftReport): string {
  const tested = report.columns.filter((c) => c.role === 'feature').length;
  const verdict = report.drift_detected ? '🔴 **Data drift detected**' : '🟢 **No dataset drift**';
  return `${verdict}: ${report.drifted_columns.length} of ${tested + countBroken(report)} columns drifted (share ${num(
    report.share,
  )}, dataset drift at ≥ ${num(report.drift_share)}).`;
}

function countBroken(report: DriftReport): number {
  return report.findings.filter(
    (f) =>
      f.severity === 'error' &&
      f.column &&
      (f.kind === 'missing_column' || f.kind === 'type_changed' || f.kind === 'all_missing'),
  ).length;
}

function findingsList(report: DriftReport): string {
  if (report.findings.length === 0) return '';
  const icon = { error: '❌', warning: '⚠️', info: 'ℹ️' } as const;
  return report.findings.map((f) => `- ${icon[f.severity]} ${escapeMarkdown(f.message)}`).join('\n');
}

function performanceTable(report: DriftReport): string {
  if (report.performance.length === 0) return '';
  return markdownTable(
    ['Metric', 'Stored', 'Current', 'Δ', 'Rows', 'Decayed'],
    report.performance.map((p) => [
      p.metric,
      num(p.reference),
      num(p.current),
      num(p.delta),
      String(p.rows),
      p.decayed ? '🔴 yes' : '🟢 no',
    ]),
  );
}

/** The job summary: verdict, per-column table, prediction drift, performance, findings. */
export function renderDriftSummary(report: DriftReport): string {
  const parts = ['## Drift check', '', headline(report), ''];
  const features = report.columns.filter((c) => c.role === 'feature');
  if (features.length > 0) parts.push(columnsTable(features), '');
  if (report.prediction) parts.push('### Prediction drift', '', columnsTable([report.prediction]), '');
  const target = report.columns.filter((c) => c.role === 'target');
  if (target.length > 0) parts.push('### Target drift', '', columnsTable(target), '');
  const perf = performanceTable(report);
  if (perf) parts.push('### Performance', '', perf, '');
  const findings = findingsList(report);
  if (findings) parts.push('### Findings', '', findings, '');
  parts.push(
    `<sub>Reference: ${escapeMarkdown(report.reference.path)} (${report.reference.rows} rows, ${report.reference.kind}); current: ${escapeMarkdown(report.current.path)} (${report.current.rows} rows).</sub>`,
  );
  return parts.join('\n');
}

function chartLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9 _.=+\-/%–]/g, '_').slice(0, 24);
}

/** A Mermaid bar chart of one column: reference shares as bars, current shares as a line. */
export function histogramChart(column: ColumnDrift): string | undefined {
  const labels = column.reference.bins.map((b) => b.label);
  if (labels.length < 2) return undefined;
  const ref = column.reference.bins.map((b) => b.share * 100);
  const cur = column.current.bins.map((b) => b.share * 100);
  const top = Math.max(...ref, ...cur, 1);
  const round = (x: number) => String(Number(x.toFixed(2)));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${chartLabel(column.name)}: reference (bars) vs current (line), %"`,
    `  x-axis [${labels.map((l) => `"${chartLabel(l)}"`).join(', ')}]`,
    `  y-axis "share %" 0 --> ${round(Math.ceil(top * 1.1))}`,
    `  bar [${ref.map(round).join(', ')}]`,
    `  line [${cur.map(round).join(', ')}]`,
    '```',
  ].join('\n');
}

/** The issue body: marker, verdict, charts of the most drifted columns, full table collapsed. */
export function renderDriftIssue(
  report: DriftReport,
  options: { model: string; label?: string; runUrl?: string },
): string {
  const parts = [
    driftIssueMarker(options.model, options.label),
    `## Data drift for model ${escapeMarkdown(options.model)}`,
    '',
    headline(report),
    '',
  ];
  if (report.drifted_columns.length > 0) {
    parts.push(`Drifted columns: ${report.drifted_columns.map((c) => escapeMarkdown(c)).join(', ')}`, '');
  }
  const charted = report.columns.filter((c) => c.drifted).slice(0, CHARTED_COLUMNS);
  for (const column of charted) {
    const chart = histogramChart(column);
    if (chart) parts.push(`### ${escapeMarkdown(column.name)} — ${value(column)}`, '', chart, '');
  }
  if (report.prediction?.drifted) {
    const chart = histogramChart(report.prediction);
    parts.push(`### Prediction ${escapeMarkdown(report.prediction.name)} — ${value(report.prediction)}`, '');
    if (chart) parts.push(chart, '');
  }
  parts.push(details('All columns', renderDriftSummary(report)), '');
  if (options.runUrl) parts.push(`[Workflow run](${encodeURI(options.runUrl)})`);
  return parts.join('\n');
}
