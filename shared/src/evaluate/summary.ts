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

/** Rows: true class; columns: predicted class (as scikit-learn's confusion_matrix). */
function confusionMatrixLines(cm: NonNullable<MetricsFile['confusion_matrix']>): string[] {
  const labels = cm.labels.map((l) => escapeMarkdown(l));
  return [
    '<details><summary>Confusion matrix</summary>',
    '',
    `| true \\ predicted | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '---:').join('|')}|`,
    ...cm.matrix.map((row, i) => `| ${labels[i]} | ${row.join(' | ')} |`),
    '',
    '</details>',
  ];
}

function groupLabel(values: (string | null)[]): string {
  return values.map((v) => (v === null ? 'missing' : escapeMarkdown(v))).join(' × ');
}

/** Disparities with intervals, then each feature's groups: rows, the headline metric and rates. */
function fairnessLines(fairness: NonNullable<MetricsFile['fairness']>, level: number): string[] {
  const lines = [
    `Fairness over ${fairness.sensitive_features.map((f) => escapeMarkdown(f)).join(', ')} (Fairlearn's definitions; groups under ${fairness.min_group_size} rows are shown but not gated):`,
    '',
    `| feature | disparity | value | ${level}% CI |`,
    '|---|---|---:|---|',
  ];
  for (const feature of fairness.features) {
    for (const [name, m] of Object.entries(feature.disparities)) {
      const ci = m.ci ? `[${formatValue(m.ci[0])}, ${formatValue(m.ci[1])}]` : '—';
      lines.push(
        `| ${feature.columns.map((c) => escapeMarkdown(c)).join(' × ')} | ${escapeMarkdown(name)} | ${formatValue(m.value)} | ${ci} |`,
      );
    }
  }
  const first = fairness.features[0]?.groups[0];
  const headline = first ? Object.keys(first.metrics)[0] : undefined;
  const rateClass = first?.rates ? Object.keys(first.rates)[0] : undefined;
  const showRates = rateClass !== undefined && fairness.positive_class !== null;
  lines.push(
    '',
    '<details><summary>Fairness groups</summary>',
    '',
    `| feature | group | rows | ${headline ? escapeMarkdown(headline) : ''} |${showRates ? ' selection rate | TPR | FPR |' : ''} |`,
    `|---|---|---:|---:|${showRates ? '---:|---:|---:|' : ''}---|`,
  );
  for (const feature of fairness.features) {
    for (const g of feature.groups) {
      const r = showRates ? g.rates?.[rateClass] : undefined;
      const rates = showRates
        ? ` ${formatValue(r?.selection_rate ?? null)} | ${formatValue(r?.tpr ?? null)} | ${formatValue(r?.fpr ?? null)} |`
        : '';
      lines.push(
        `| ${feature.columns.map((c) => escapeMarkdown(c)).join(' × ')} | ${groupLabel(g.values)} | ${g.n} | ${formatValue(headline ? (g.metrics[headline] ?? null) : null)} |${rates} ${g.gated ? '' : 'not gated (small)'} |`,
      );
    }
  }
  lines.push('', '</details>');
  return lines;
}

/** The top features by permutation importance (all of them are in metrics.json and the report). */
function importanceLines(importance: NonNullable<MetricsFile['importance']>, top = 10): string[] {
  const shown = importance.features.slice(0, top);
  const lines = [
    `Feature importance (drop in ${escapeMarkdown(importance.scoring)} when the column is shuffled, ${importance.n_repeats} repeats):`,
    '',
    '| feature | importance | std |',
    '|---|---:|---:|',
    ...shown.map((f) => `| ${escapeMarkdown(f.feature)} | ${formatValue(f.mean)} | ${formatValue(f.std)} |`),
  ];
  if (importance.features.length > shown.length)
    lines.push('', `${importance.features.length - shown.length} more features in metrics.json.`);
  return lines;
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
    const note = m.note ? ` — ⚠ ${escapeMarkdown(m.note)}` : '';
    lines.push(
      `| ${escapeMarkdown(name)} | ${formatValue(m.value)} | ${ci} | ${metricDirection(name)}${note} |`,
    );
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
  if (file.confusion_matrix) lines.push('', ...confusionMatrixLines(file.confusion_matrix));
  if (file.fairness) lines.push('', ...fairnessLines(file.fairness, level));
  if (file.importance) lines.push('', ...importanceLines(file.importance));
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
