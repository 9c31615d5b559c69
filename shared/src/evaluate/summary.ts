import { metricDirection } from '../metrics/names.js';
import { escapeMarkdown } from '../report/markdown.js';
import type { MetricsFile } from './metrics-file.js';

/** Shortest fixed rendering that keeps 4 significant digits. */
function formatValue(value: number | null): string {
  if (value === null) return 'n/a';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e6
    ? value.toPrecision(4).replace(/\.?0+$/, '')
    : value.toExponential(3);
}

/** Step-summary markdown: headline metrics with intervals, slices, latency. Data values are escaped. */
export function renderEvaluateSummary(file: MetricsFile, options: { maxSlices?: number } = {}): string {
  const lines: string[] = [];
  const subject = file.model ? `model \`${escapeMarkdown(file.model.name)}\`` : 'predictions';
  lines.push(`### Evaluation of ${subject} (${file.task}, ${file.dataset.rows} rows)`, '');
  const level = Math.round(file.bootstrap.confidence * 100);
  lines.push(`| metric | value | ${level}% CI | better |`, '|---|---:|---|---|');
  for (const [name, m] of Object.entries(file.metrics)) {
    const ci = m.ci ? `[${formatValue(m.ci[0])}, ${formatValue(m.ci[1])}]` : '—';
    lines.push(`| ${escapeMarkdown(name)} | ${formatValue(m.value)} | ${ci} | ${metricDirection(name)} |`);
  }
  if (file.bootstrap.resamples > 0) {
    lines.push(
      '',
      `Intervals: percentile bootstrap, ${file.bootstrap.resamples} resamples, seed ${file.bootstrap.seed}.`,
    );
  }
  if (file.slices.length > 0) {
    const headline = Object.keys(file.metrics)[0];
    const shown = file.slices.slice(0, options.maxSlices ?? 40);
    lines.push(
      '',
      '<details><summary>Slices</summary>',
      '',
      `| column | value | rows | ${escapeMarkdown(headline)} | |`,
      '|---|---|---:|---:|---|',
    );
    for (const s of shown) {
      const m = s.metrics[headline];
      lines.push(
        `| ${escapeMarkdown(s.column)} | ${s.value === null ? '(missing)' : escapeMarkdown(s.value)} | ${s.n} | ${formatValue(m?.value ?? null)} | ${s.small ? 'small slice' : ''} |`,
      );
    }
    if (file.slices.length > shown.length)
      lines.push('', `${file.slices.length - shown.length} more slices in metrics.json.`);
    lines.push('', '</details>');
  }
  if (file.latency) {
    lines.push(
      '',
      `Latency (${escapeMarkdown(file.latency.engine)}, model ${file.latency.model_size_bytes} bytes):`,
      '',
    );
    lines.push('| batch | p50 ms | p95 ms | p99 ms | rows/s |', '|---:|---:|---:|---:|---:|');
    for (const b of file.latency.batches) {
      lines.push(
        `| ${b.batch_size} | ${formatValue(b.p50_ms)} | ${formatValue(b.p95_ms)} | ${formatValue(b.p99_ms)} | ${Math.round(b.throughput_rows_per_s)} |`,
      );
    }
  }
  for (const note of file.notes) lines.push('', `> ${escapeMarkdown(note)}`);
  return `${lines.join('\n')}\n`;
}
