import { stringify as stringifyYaml } from 'yaml';
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import { describeGate } from './gates.js';
import type { VersionRecord } from './record.js';

interface MetricEntry {
  name: string;
  value: number;
  ci: [number, number] | null;
  n: number | null;
}

function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** The scalar metrics of a `mlops-metrics/v1` object, by name. */
export function metricEntries(metrics: Record<string, unknown> | null): MetricEntry[] {
  const table = asObject(metrics?.['metrics']);
  if (table === null) return [];
  const entries: MetricEntry[] = [];
  for (const [name, raw] of Object.entries(table)) {
    const entry = asObject(raw);
    const value = typeof raw === 'number' ? raw : entry?.['value'];
    if (typeof value !== 'number') continue;
    const ci = entry?.['ci'];
    entries.push({
      name,
      value,
      ci:
        Array.isArray(ci) && ci.length === 2 && ci.every((x) => typeof x === 'number')
          ? [ci[0], ci[1]]
          : null,
      n: typeof entry?.['n'] === 'number' ? (entry['n'] as number) : null,
    });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

function datasetOf(
  record: VersionRecord,
): { name: string; rows: number | null; digest: string | null } | null {
  const dataset = asObject(record.metrics?.['dataset']);
  if (dataset === null || typeof dataset['path'] !== 'string') return null;
  return {
    name: dataset['path'],
    rows: typeof dataset['rows'] === 'number' ? dataset['rows'] : null,
    digest: typeof dataset['digest'] === 'string' ? dataset['digest'] : null,
  };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(6).replace(/\.?0+$/, '');
}

function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A fenced block whose fence is longer than any backtick run inside, so content cannot close it. */
function codeBlock(language: string, text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Front matter in Hugging Face's model card metadata style (`tags`, `datasets`, `model-index`). */
function frontMatter(record: VersionRecord): string {
  const metrics = metricEntries(record.metrics);
  const dataset = datasetOf(record);
  const task = typeof record.metrics?.['task'] === 'string' ? (record.metrics['task'] as string) : null;
  const meta: Record<string, unknown> = {
    model_name: record.name,
    version: record.version,
    tags: record.tags.length > 0 ? record.tags : undefined,
    datasets: dataset ? [dataset.name] : undefined,
    metrics: metrics.length > 0 ? metrics.map((metric) => metric.name) : undefined,
    'model-index':
      metrics.length > 0
        ? [
            {
              name: record.name,
              results: [
                {
                  task: { type: task ?? 'unknown' },
                  dataset: dataset
                    ? { name: dataset.name, type: dataset.name }
                    : { name: 'unknown', type: 'unknown' },
                  metrics: metrics.map((metric) => ({
                    type: metric.name,
                    value: metric.value,
                    name: metric.name,
                  })),
                },
              ],
            },
          ]
        : undefined,
    mlops: { digest: record.digest, git_sha: record.git_sha, run_url: record.run_url, status: record.status },
  };
  // YAML serialisation quotes whatever needs it, and with block scalars off a multi-line value is
  // one double-quoted line, so no value from data can put a `---` line into the front matter.
  return `---\n${stringifyYaml(JSON.parse(JSON.stringify(meta)), { lineWidth: 0, blockQuote: false })}---\n`;
}

function limitations(record: VersionRecord): string[] {
  const notes: string[] = [];
  if (record.metrics === null) notes.push('No evaluation metrics were recorded with this version.');
  else notes.push('Metrics describe the evaluation data listed above only; other populations may differ.');
  if (record.profile === null) {
    notes.push('No data profile was stored, so drift-check cannot use this version as its reference.');
  }
  if (record.status === 'forced') {
    notes.push('Registered although required metric gates failed (`force` was set); see Gates.');
  }
  if (record.signature === null) notes.push('No input/output signature was provided.');
  return notes;
}

/** The model card stored with each version, generated from its record only. */
export function renderModelCard(record: VersionRecord): string {
  const out: string[] = [frontMatter(record)];
  out.push(`# ${escapeMarkdown(record.name)} version ${record.version}`, '');
  const summary: string[][] = [
    ['Digest', inlineCode(record.digest)],
    ['Status', record.status],
    ['Created', `${escapeMarkdown(record.created_at)} by ${escapeMarkdown(record.created_by)}`],
  ];
  if (record.git_sha) summary.push(['Commit', inlineCode(record.git_sha)]);
  if (record.run_url) summary.push(['Run', escapeMarkdown(record.run_url)]);
  if (record.tags.length > 0) summary.push(['Tags', record.tags.map(inlineCode).join(' ')]);
  out.push(markdownTable(['', ''], summary), '');

  const metrics = metricEntries(record.metrics);
  if (metrics.length > 0) {
    out.push('## Metrics', '');
    const dataset = datasetOf(record);
    if (dataset) {
      out.push(
        `Evaluated on ${inlineCode(dataset.name)}${dataset.rows !== null ? ` (${dataset.rows} rows)` : ''}.`,
        '',
      );
    }
    out.push(
      markdownTable(
        [
          'Metric',
          { header: 'Value', align: 'right' },
          { header: 'CI', align: 'right' },
          { header: 'n', align: 'right' },
        ],
        metrics.map((metric) => [
          escapeMarkdown(metric.name),
          formatNumber(metric.value),
          metric.ci ? `[${formatNumber(metric.ci[0])}, ${formatNumber(metric.ci[1])}]` : '',
          metric.n === null ? '' : String(metric.n),
        ]),
      ),
      '',
    );
  }
  if (record.gates.length > 0) {
    out.push('## Gates', '');
    for (const gate of record.gates) {
      out.push(`- ${gate.passed ? 'passed' : 'FAILED'}: ${escapeMarkdown(describeGate(gate))}`);
    }
    out.push('');
  }
  if (record.signature !== null) {
    out.push('## Signature', '', codeBlock('json', JSON.stringify(record.signature, null, 2)), '');
  }
  if (record.profile !== null) {
    const rows = record.profile['rows'];
    const columns = record.profile['columns'];
    const columnObject = asObject(columns);
    const columnCount = Array.isArray(columns)
      ? columns.length
      : columnObject
        ? Object.keys(columnObject).length
        : null;
    const facts = [
      typeof rows === 'number' ? `${rows} rows` : null,
      columnCount !== null ? `${columnCount} columns` : null,
    ].filter((fact) => fact !== null);
    out.push(
      '## Training data profile',
      '',
      `A data profile is stored with this version${facts.length > 0 ? ` (${facts.join(', ')})` : ''}; ` +
        'drift-check can compare new data against it.',
      '',
    );
  }
  out.push('## Files', '');
  out.push(
    markdownTable(
      ['Path', { header: 'Size', align: 'right' }, 'sha256'],
      record.files.map((file) => [inlineCode(file.path), formatBytes(file.size), inlineCode(file.sha256)]),
    ),
    '',
  );
  out.push('## Limitations', '', ...limitations(record).map((note) => `- ${note}`), '');
  return out.join('\n');
}
