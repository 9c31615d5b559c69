/**
 * One self-contained HTML report (no scripts, no network): inline CSS and SVG charts, every piece
 * of text from data escaped. Opens from disk in any browser.
 */

export interface HtmlStep {
  name: string;
  status: 'ok' | 'failed' | 'skipped' | 'warning';
  detail: string;
}

export interface HtmlComparisonRow {
  metric: string;
  baseline: number | null;
  current: number | null;
  delta: number | null;
  verdict: string;
}

export interface HtmlDriftColumn {
  name: string;
  method: string;
  statistic: number;
  threshold: number;
  drifted: boolean;
  reference: { bins: { label: string; share: number }[] };
  current: { bins: { label: string; share: number }[] };
}

/** A titled part of a report: a sentence, a table and a bar chart (each optional), all escaped. */
export interface HtmlSection {
  title: string;
  text?: string;
  table?: { headers: string[]; rows: string[][] };
  /** Horizontal bars, e.g. a histogram's bin counts; an inline SVG. */
  bars?: { caption: string; items: { label: string; value: number }[] };
}

export interface HtmlReportInput {
  title: string;
  createdAt: string;
  /** The steps of a run (the demo); a report of one file has none. */
  steps?: HtmlStep[];
  sections?: HtmlSection[];
  metrics?: Record<string, { value: number | null; ci?: [number, number] | null }>;
  comparison?: { baseline: string; rows: HtmlComparisonRow[] };
  learningCurve?: { epoch: number; loss?: number; val_loss?: number }[];
  drift?: { share: number; detected: boolean; columns: HtmlDriftColumn[] };
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Math.abs(value) >= 1000 || Math.abs(value) < 0.001
    ? value.toPrecision(4)
    : Number(value.toFixed(4)).toString();
}

/** Lines over epochs (learning curves), one per label, on a shared y axis. */
export function lineChart(points: { x: number; series: (number | undefined)[] }[], labels: string[]): string {
  const width = 560;
  const height = 220;
  const pad = 60;
  const values = points.flatMap((p) =>
    p.series.filter((v): v is number => v !== undefined && Number.isFinite(v)),
  );
  if (points.length < 2 || values.length === 0) return '';
  const minY = Math.min(...values);
  const maxY = Math.max(...values);
  const spanY = maxY - minY || 1;
  const minX = points[0].x;
  const spanX = points[points.length - 1].x - minX || 1;
  const sx = (x: number) => pad + ((x - minX) / spanX) * (width - 2 * pad);
  const sy = (y: number) => height - pad - ((y - minY) / spanY) * (height - 2 * pad);
  const lines = labels.map((label, index) => {
    const path = points
      .filter((p) => p.series[index] !== undefined && Number.isFinite(p.series[index]))
      .map((p) => `${sx(p.x).toFixed(1)},${sy(p.series[index] as number).toFixed(1)}`)
      .join(' ');
    return `<polyline fill="none" stroke="${SERIES_COLOURS[index % SERIES_COLOURS.length]}" stroke-width="2" points="${path}"><title>${escapeHtml(label)}</title></polyline>`;
  });
  const legend = labels
    .map(
      (label, i) =>
        `<text x="${pad + i * 140}" y="14" fill="${SERIES_COLOURS[i % SERIES_COLOURS.length]}" font-size="12">${escapeHtml(label)}</text>`,
    )
    .join('');
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="learning curve">
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#888"/>
<text x="${pad - 4}" y="${pad}" text-anchor="end" font-size="10">${formatNumber(maxY)}</text>
<text x="${pad - 4}" y="${height - pad}" text-anchor="end" font-size="10">${formatNumber(minY)}</text>
<text x="${width - pad}" y="${height - 10}" text-anchor="end" font-size="10">epoch ${points[points.length - 1].x}</text>
${legend}${lines.join('')}</svg>`;
}

export interface CurveSeries {
  label: string;
  x: number[];
  y: number[];
}

const SERIES_COLOURS = [
  '#0969da',
  '#cf222e',
  '#1a7f37',
  '#8250df',
  '#bc4c00',
  '#0550ae',
  '#a40e26',
  '#116329',
];

/**
 * Curves on the unit square (ROC, precision-recall, reliability), one polyline per series, with an
 * optional dashed diagonal (chance for ROC, perfect calibration for reliability).
 */
export function curveChart(
  series: CurveSeries[],
  axes: {
    x: string;
    y: string;
    title: string;
    diagonal?: boolean;
    markers?: boolean;
    /** The range both axes span; default [0, 1] (rates and probabilities). */
    domain?: [number, number];
  },
): string {
  const size = 320;
  const pad = 44;
  const inner = size - 2 * pad;
  const [lo, hi] = axes.domain ?? [0, 1];
  const span = hi > lo ? hi - lo : 1;
  const unit = (v: number) => Math.min(1, Math.max(0, (v - lo) / span));
  const sx = (x: number) => pad + unit(x) * inner;
  const sy = (y: number) => size - pad - unit(y) * inner;
  const tick = (v: number) => (axes.domain ? formatNumber(v) : String(v));
  const lines = series.map((s, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length];
    const points = s.x
      .map((x, j) => [x, s.y[j]] as const)
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    const dots = axes.markers
      ? points
          .map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${colour}"/>`)
          .join('')
      : '';
    return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"><title>${escapeHtml(s.label)}</title></polyline>${dots}`;
  });
  const legend = series
    .map(
      (s, i) =>
        `<text x="${size + 8}" y="${pad + 14 * i}" font-size="11" fill="${SERIES_COLOURS[i % SERIES_COLOURS.length]}">${escapeHtml(s.label.slice(0, 40))}</text>`,
    )
    .join('');
  const diagonal = axes.diagonal
    ? `<line x1="${sx(lo)}" y1="${sy(lo)}" x2="${sx(hi)}" y2="${sy(hi)}" stroke="#8c959f" stroke-dasharray="4 3"/>`
    : '';
  // Ticks of a data range are wider than "0" and "1": the plot moves right to make room for them.
  const shift = axes.domain ? 24 : 0;
  const width = size + 200 + shift;
  return `<svg viewBox="0 0 ${width} ${size}" width="${width}" height="${size}" role="img" aria-label="${escapeHtml(axes.title)}">
<text x="12" y="${size / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${size / 2})">${escapeHtml(axes.y)}</text>
<g transform="translate(${shift} 0)">
<rect x="${pad}" y="${pad}" width="${inner}" height="${inner}" fill="none" stroke="#888"/>
<text x="${pad - 6}" y="${pad + 4}" text-anchor="end" font-size="10">${tick(hi)}</text>
<text x="${pad - 6}" y="${size - pad}" text-anchor="end" font-size="10">${tick(lo)}</text>
<text x="${size - pad}" y="${size - pad + 14}" text-anchor="end" font-size="10">${tick(hi)}</text>
<text x="${size / 2}" y="${size - 8}" text-anchor="middle" font-size="11">${escapeHtml(axes.x)}</text>
${diagonal}${lines.join('')}${legend}</g></svg>`;
}

/** The page around the sections: inline CSS only, no scripts, no network. */
export function htmlPage(title: string, subtitle: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1f2328;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}
th{background:#f6f8fa}h1{font-size:1.6rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
</style></head><body>
<h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p>
${sections.join('\n')}
</body></html>
`;
}

function barChart(column: HtmlDriftColumn): string {
  const labels = column.reference.bins.map((b) => b.label);
  const current = new Map(column.current.bins.map((b) => [b.label, b.share]));
  const width = 560;
  const rowHeight = 18;
  const labelWidth = 150;
  const scale = (share: number) => Math.max(0, share) * (width - labelWidth - 60);
  const rows = labels.map((label, i) => {
    const y = 20 + i * (2 * rowHeight + 4);
    const ref = column.reference.bins[i].share;
    const cur = current.get(label) ?? 0;
    return `<text x="0" y="${y + rowHeight}" font-size="11">${escapeHtml(label.slice(0, 24))}</text>
<rect x="${labelWidth}" y="${y}" width="${scale(ref).toFixed(1)}" height="${rowHeight - 2}" fill="#8c959f"><title>reference ${formatNumber(ref)}</title></rect>
<rect x="${labelWidth}" y="${y + rowHeight}" width="${scale(cur).toFixed(1)}" height="${rowHeight - 2}" fill="#cf222e"><title>current ${formatNumber(cur)}</title></rect>`;
  });
  const height = 30 + labels.length * (2 * rowHeight + 4);
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(column.name)} distribution">
<text x="${labelWidth}" y="12" font-size="11" fill="#57606a">grey: reference · red: current</text>${rows.join('')}</svg>`;
}

function bars(caption: string, items: { label: string; value: number }[]): string {
  const width = 560;
  const rowHeight = 16;
  const labelWidth = 170;
  const max = Math.max(0, ...items.map((item) => item.value).filter(Number.isFinite)) || 1;
  const rows = items.map((item, i) => {
    const y = 20 + i * (rowHeight + 3);
    const length = (Math.max(0, item.value) / max) * (width - labelWidth - 70);
    return `<text x="0" y="${y + rowHeight - 4}" font-size="11">${escapeHtml(item.label.slice(0, 28))}</text>
<rect x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${rowHeight - 2}" fill="#0969da"><title>${escapeHtml(item.label)}: ${formatNumber(item.value)}</title></rect>
<text x="${(labelWidth + length + 4).toFixed(1)}" y="${y + rowHeight - 4}" font-size="10">${formatNumber(item.value)}</text>`;
  });
  const height = 26 + items.length * (rowHeight + 3);
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(caption)}">
<text x="0" y="12" font-size="11" fill="#57606a">${escapeHtml(caption)}</text>${rows.join('')}</svg>`;
}

export function table(headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const sections: string[] = [];
  if (input.steps && input.steps.length > 0) {
    sections.push(
      `<h2>Steps</h2>${table(
        ['step', 'status', 'detail'],
        input.steps.map((s) => [s.name, s.status, s.detail]),
      )}`,
    );
  }
  if (input.metrics) {
    sections.push(
      `<h2>Metrics</h2>${table(
        ['metric', 'value', 'confidence interval'],
        Object.entries(input.metrics).map(([name, m]) => [
          name,
          formatNumber(m.value),
          m.ci ? `[${formatNumber(m.ci[0])}, ${formatNumber(m.ci[1])}]` : '',
        ]),
      )}`,
    );
  }
  if (input.comparison) {
    sections.push(
      `<h2>Against the baseline</h2><p>Baseline: ${escapeHtml(input.comparison.baseline)}</p>${table(
        ['metric', 'baseline', 'current', 'delta', 'verdict'],
        input.comparison.rows.map((r) => [
          r.metric,
          formatNumber(r.baseline),
          formatNumber(r.current),
          formatNumber(r.delta),
          r.verdict,
        ]),
      )}`,
    );
  }
  if (input.learningCurve && input.learningCurve.length > 1) {
    sections.push(
      `<h2>Learning curve</h2>${lineChart(
        input.learningCurve.map((e) => ({ x: e.epoch, series: [e.loss, e.val_loss] })),
        ['training loss', 'validation loss'],
      )}`,
    );
  }
  if (input.drift) {
    const drifted = input.drift.columns.filter((c) => c.drifted).slice(0, 6);
    sections.push(
      `<h2>Drift</h2><p>${input.drift.detected ? 'Dataset drift detected' : 'No dataset drift'}: share of drifted columns ${formatNumber(input.drift.share)}.</p>${table(
        ['column', 'method', 'statistic', 'threshold', 'drifted'],
        input.drift.columns.map((c) => [
          c.name,
          c.method,
          formatNumber(c.statistic),
          formatNumber(c.threshold),
          c.drifted ? 'yes' : 'no',
        ]),
      )}${drifted.map((c) => `<h3>${escapeHtml(c.name)}</h3>${barChart(c)}`).join('\n')}`,
    );
  }
  for (const section of input.sections ?? []) {
    sections.push(
      [
        `<h2>${escapeHtml(section.title)}</h2>`,
        section.text ? `<p>${escapeHtml(section.text)}</p>` : '',
        section.table ? table(section.table.headers, section.table.rows) : '',
        section.bars && section.bars.items.length > 0 ? bars(section.bars.caption, section.bars.items) : '',
      ].join(''),
    );
  }
  return htmlPage(input.title, `Generated ${input.createdAt}`, sections);
}
