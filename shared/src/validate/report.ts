/** The data-validation report (`mlops-data-validation/v1`) and its markdown renderings. */
import type { MissingTokenCount } from '../data/open-dataset.js';
import { fitSections } from '../report/fit.js';
import { COMMENT_BODY, STEP_SUMMARY, scaled } from '../report/github-limits.js';
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import type { Anomaly, ExampleValue } from './validate-dataset.js';

export const VALIDATION_REPORT_SCHEMA = 'mlops-data-validation/v1';

export interface SkewSummary {
  status: 'not_requested' | 'not_run' | 'done';
  reference: string | null;
  reason?: string;
  drift_detected?: boolean;
  /** The drift module's own report, when it ran. */
  result?: unknown;
  summary_markdown?: string;
  /** What distribution differences are reported as: skew (registry: reference) or drift. */
  anomaly_kind?: 'skew' | 'drift';
  /** Identifier-like columns not compared, and why. */
  left_out?: { column: string; reason: string }[];
}

export interface DataValidationReport {
  schema: typeof VALIDATION_REPORT_SCHEMA;
  created_at: string;
  /** No anomaly of severity error. (Whether the step fails is `fail-on`'s decision.) */
  passed: boolean;
  rows: number;
  columns: number;
  data: { path: string; format: string; files: number };
  schema_file: string | null;
  schema_inferred: boolean;
  counts: { error: number; warning: number };
  anomalies: Anomaly[];
  notes: string[];
  /**
   * The missing-value tokens the data was read with (null when none, only empty fields) and, per
   * column with any, how many values they turned into nulls.
   */
  missing_tokens?: { tokens: string[] | null; columns: MissingTokenCount[] };
  skew: SkewSummary;
  profile_path: string;
  duration_ms: number;
}

const KIND_TITLES: Record<Anomaly['kind'], string> = {
  missing_column: 'missing column',
  new_column: 'new column',
  wrong_type: 'wrong type',
  too_many_nulls: 'too many nulls',
  out_of_range: 'out of range',
  unexpected_value: 'unexpected value',
  not_unique: 'not unique',
  regex_mismatch: 'regex mismatch',
  row_count: 'row count',
  nan_or_inf: 'NaN or inf',
  skew: 'skew',
  drift: 'drift',
};

function headline(report: DataValidationReport): string {
  const { error, warning } = report.counts;
  const status = report.passed ? (warning > 0 ? '⚠️ passed with warnings' : '✅ passed') : '❌ failed';
  const counts =
    error + warning === 0
      ? 'no anomalies'
      : `${error} error${error === 1 ? '' : 's'}, ${warning} warning${warning === 1 ? '' : 's'}`;
  return `Data validation ${status}: ${inlineCode(report.data.path)}, ${thousands(report.rows)} rows, ${report.columns} columns, ${counts}`;
}

function anomalyTable(anomalies: Anomaly[], withRule: boolean): string {
  const header = [
    '',
    'check',
    'column',
    'expected',
    'found',
    'rows',
    'examples',
    ...(withRule ? ['rule'] : []),
  ];
  const rows = anomalies.map((a) => [
    a.severity === 'error' ? '❌' : '⚠️',
    KIND_TITLES[a.kind],
    a.column === null ? '(table)' : escapeMarkdown(a.column),
    escapeMarkdown(a.expected),
    escapeMarkdown(a.found),
    thousands(a.count),
    a.examples.map(exampleCell).join(', '),
    ...(withRule ? [a.rule ? `${escapeMarkdown(a.rule.file)}:${a.rule.line}` : ''] : []),
  ]);
  return markdownTable(header, rows);
}

function exampleCell(value: ExampleValue): string {
  return inlineCode(value === null ? 'null' : String(value));
}

function skewSection(skew: SkewSummary): string {
  if (skew.status === 'not_requested') return '';
  if (skew.status === 'not_run')
    return `**Skew against the reference:** not checked (${escapeMarkdown(skew.reason ?? 'unavailable')}).`;
  const leftOut =
    skew.left_out && skew.left_out.length > 0
      ? `\n\nNot compared (identifier-like): ${skew.left_out
          .map((c) => `${escapeMarkdown(c.column)} (${escapeMarkdown(c.reason)})`)
          .join(', ')}.`
      : '';
  return (
    (skew.summary_markdown ??
      `**Skew against the reference:** ${skew.drift_detected ? 'drift detected' : 'no drift'}.`) + leftOut
  );
}

/** For the job's step summary: everything, fitted to GitHub's 1 MiB limit. */
export function renderSummaryMarkdown(report: DataValidationReport, reportPath: string): string {
  const notes = report.notes.length > 0 ? report.notes.map((n) => `- ${escapeMarkdown(n)}`).join('\n') : '';
  const schemaLine = report.schema_file
    ? `Schema: ${inlineCode(report.schema_file)}${report.schema_inferred ? ' (inferred from this data)' : ''}`
    : report.schema_inferred
      ? 'Schema: inferred from this data (not written)'
      : 'No schema given: profile only.';
  return fitSections(
    [
      { markdown: `### ${headline(report)}\n\n${schemaLine}`, priority: 0 },
      {
        markdown: report.anomalies.length > 0 ? anomalyTable(report.anomalies, true) : '',
        priority: 1,
        collapse: 'Anomalies',
      },
      { markdown: skewSection(report.skew), priority: 2 },
      { markdown: notes, priority: 3, collapse: 'Notes' },
    ],
    { limit: STEP_SUMMARY, pointer: `The full list is in ${inlineCode(reportPath)}.` },
  ).markdown;
}

/** The block the PR comment includes: the headline and the first anomalies, well under the comment limit. */
export function renderCommentMarkdown(
  report: DataValidationReport,
  reportPath: string,
  maxRows = 20,
): string {
  const shown = report.anomalies.slice(0, maxRows);
  const more = report.anomalies.length - shown.length;
  const table =
    shown.length > 0
      ? `${anomalyTable(shown, false)}${more > 0 ? `\n\n…and ${more} more in ${inlineCode(reportPath)}.` : ''}`
      : '';
  return fitSections(
    [
      { markdown: `**${headline(report)}**`, priority: 0 },
      { markdown: table, priority: 1, collapse: `${report.anomalies.length} anomalies` },
      { markdown: skewSection(report.skew), priority: 2 },
    ],
    // A PR comment carries other steps' sections too: this one takes at most a quarter.
    { limit: scaled(COMMENT_BODY, 1 / 4), pointer: `The full list is in ${inlineCode(reportPath)}.` },
  ).markdown;
}

/**
 * An integer with comma thousands separators, as `toLocaleString('en-US')` writes it, without
 * loading ICU's number formatting (~12 ms on the first call, a measurable share of a short run).
 */
function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${digits}` : digits;
}
