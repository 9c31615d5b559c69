/**
 * Mermaid charts for GitHub markdown (rendered in PR comments and job summaries). Labels are
 * reduced to a safe character set: Mermaid has its own syntax and quotes, and the text comes from
 * metric names and commit ids.
 */

function label(text: string): string {
  return text.replace(/[^A-Za-z0-9 _.=+\-/%]/g, '_').slice(0, 60);
}

export interface LineSeries {
  name: string;
  values: number[];
}

/**
 * An `xychart-beta` line chart of one series over ordered x labels (e.g. the pushes of a PR).
 * Returns undefined when there is nothing to draw (fewer than 2 finite points).
 */
export function lineChart(options: {
  title: string;
  xLabels: string[];
  series: LineSeries;
  yLabel?: string;
}): string | undefined {
  const points = options.series.values
    .map((value, index) => ({ value, x: options.xLabels[index] ?? String(index + 1) }))
    .filter((point) => Number.isFinite(point.value));
  if (points.length < 2) return undefined;
  const values = points.map((point) => point.value);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  // A flat line needs some axis range; pad by 5% of the span (or of the value) either side.
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.05;
  lo -= pad;
  hi += pad;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${label(options.title)}"`,
    `  x-axis [${points.map((point) => `"${label(point.x)}"`).join(', ')}]`,
    `  y-axis "${label(options.yLabel ?? options.series.name)}" ${round(lo)} --> ${round(hi)}`,
    `  line [${values.map(round).join(', ')}]`,
    '```',
  ].join('\n');
}

function round(value: number): string {
  return String(Number(value.toPrecision(6)));
}
