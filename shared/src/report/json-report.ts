import { UserError } from '../errors/index.js';
import { type EvaluationReportFile, renderEvaluationHtml } from './evaluation-html.js';
import {
  type HtmlComparisonRow,
  type HtmlDriftColumn,
  type HtmlReportInput,
  type HtmlSection,
  renderHtmlReport,
} from './html.js';

/** The report kinds `mlops report` renders, by their `schema` tag. */
export const RENDERABLE_SCHEMAS = [
  'mlops-profile/v1',
  'mlops-data-validation/v1',
  'mlops-metrics/v1',
  'mlops-comparison/v1',
  'mlops-drift/v1',
  'mlops-training-metrics/v1',
] as const;

type Json = Record<string, unknown>;

const text = (value: unknown): string =>
  value === null || value === undefined
    ? '–'
    : typeof value === 'number'
      ? formatNumber(value)
      : String(value);

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1000 || (Math.abs(value) < 0.001 && value !== 0)
    ? value.toPrecision(4)
    : Number(value.toFixed(4)).toString();
}

/**
 * One step's JSON report as one HTML page. An evaluation (metrics.json) is drawn by evaluate's own
 * renderer, the page evaluate writes itself (without the curves, which need the rows); the other
 * reports by the generic one.
 */
export function renderJsonReport(report: unknown, file: string): string {
  const value = report as Json | null;
  if (value !== null && typeof value === 'object' && value['schema'] === 'mlops-metrics/v1') {
    const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    const required: [string, (v: unknown) => boolean, string][] = [
      ['metrics', isObject, 'an object of metrics'],
      ['dataset', isObject, '{path, rows}'],
      ['bootstrap', isObject, '{resamples, confidence}'],
      ['slices', Array.isArray, 'an array of slices'],
      ['notes', Array.isArray, 'an array of notes'],
    ];
    for (const [key, check, what] of required) {
      if (!check(value[key]))
        throw new UserError(`'${file}' (mlops-metrics/v1) has no valid "${key}": expected ${what}.`, {
          file,
        });
    }
    return renderEvaluationHtml(value as unknown as EvaluationReportFile, null);
  }
  return renderHtmlReport(jsonReportToHtmlInput(report, file));
}

/**
 * One step's JSON report as the input of the HTML renderer. A field the format requires and the
 * file lacks is an error naming it: a half-rendered report would look complete.
 */
export function jsonReportToHtmlInput(report: unknown, file: string): HtmlReportInput {
  if (report === null || typeof report !== 'object' || Array.isArray(report))
    throw new UserError(`'${file}' is not a JSON object; mlops report renders a step's JSON report.`, {
      file,
    });
  const value = report as Json;
  const schema = value['schema'];
  const need = <T>(key: string, check: (v: unknown) => boolean, what: string): T => {
    const found = value[key];
    if (!check(found))
      throw new UserError(`'${file}' (${String(schema)}) has no valid "${key}": expected ${what}.`, { file });
    return found as T;
  };
  const isArray = (v: unknown) => Array.isArray(v);
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const base = { createdAt: typeof value['created_at'] === 'string' ? value['created_at'] : '' };
  switch (schema) {
    case 'mlops-profile/v1':
      return {
        ...base,
        title: `Data profile: ${text((value['source'] as Json | undefined)?.['path'])}`,
        sections: profileSections(value, need<Json[]>('columns', isArray, 'an array of columns')),
      };
    case 'mlops-data-validation/v1': {
      const anomalies = need<Json[]>('anomalies', isArray, 'an array of anomalies');
      const counts = need<Json>('counts', isObject, '{error, warning}');
      return {
        ...base,
        title: `Data validation: ${text((value['data'] as Json | undefined)?.['path'])}`,
        sections: [
          {
            title: value['passed'] === true ? 'Passed' : 'Failed',
            text: `${text(value['rows'])} rows, ${text(value['columns'])} columns; ${text(counts['error'])} errors, ${text(counts['warning'])} warnings${value['schema_file'] ? ` against ${String(value['schema_file'])}` : ''}.`,
          },
          {
            title: 'Anomalies',
            text: anomalies.length === 0 ? 'None.' : undefined,
            table:
              anomalies.length === 0
                ? undefined
                : {
                    headers: ['severity', 'column', 'kind', 'expected', 'found', 'rows', 'message'],
                    rows: anomalies.map((a) =>
                      [
                        a['severity'],
                        a['column'],
                        a['kind'],
                        a['expected'],
                        a['found'],
                        a['count'],
                        a['message'],
                      ].map(text),
                    ),
                  },
          },
          ...notesSection(value['notes']),
        ],
      };
    }
    case 'mlops-comparison/v1': {
      const rows = need<Json[]>('metrics', isArray, 'an array of metric rows');
      return {
        ...base,
        title: `Comparison: ${text(value['model'])}`,
        comparison: {
          baseline:
            value['first_model'] === true
              ? 'none (first model: value thresholds only)'
              : text(value['baseline']),
          rows: rows.map(
            (row): HtmlComparisonRow => ({
              metric: text(row['name']),
              baseline: typeof row['baseline'] === 'number' ? row['baseline'] : null,
              current: typeof row['current'] === 'number' ? row['current'] : null,
              delta: typeof row['delta'] === 'number' ? row['delta'] : null,
              verdict: text(row['verdict']),
            }),
          ),
        },
        sections: [
          {
            title: value['passed'] === true ? 'Passed' : 'Failed',
            text:
              Array.isArray(value['regressions']) && value['regressions'].length > 0
                ? `Regressed: ${(value['regressions'] as unknown[]).map(text).join(', ')}.`
                : 'No metric regressed.',
          },
        ],
      };
    }
    case 'mlops-drift/v1': {
      const columns = need<HtmlDriftColumn[]>('columns', isArray, 'an array of columns');
      const findings = Array.isArray(value['findings']) ? (value['findings'] as Json[]) : [];
      return {
        ...base,
        title: `Drift: ${text((value['current'] as Json | undefined)?.['path'])}`,
        drift: {
          share: Number(value['share']),
          detected: value['drift_detected'] === true,
          columns: columns.map((column) => ({
            ...column,
            reference: { bins: column.reference?.bins ?? [] },
            current: { bins: column.current?.bins ?? [] },
          })),
        },
        sections:
          findings.length === 0
            ? []
            : [
                {
                  title: 'Findings',
                  table: {
                    headers: ['severity', 'kind', 'message'],
                    rows: findings.map((f) => [f['severity'], f['kind'], f['message']].map(text)),
                  },
                },
              ],
      };
    }
    case 'mlops-training-metrics/v1': {
      const epochs = need<{ epoch: number; loss?: number; val_loss?: number }[]>(
        'epochs',
        isArray,
        'an array of epochs',
      );
      const final = (value['final'] ?? {}) as Record<string, number>;
      return {
        ...base,
        title: 'Training',
        learningCurve: epochs,
        sections: [
          {
            title: 'Final metrics',
            table: {
              headers: ['metric', 'value'],
              rows: Object.entries(final).map(([k, v]) => [k, text(v)]),
            },
          },
        ],
      };
    }
    default:
      throw new UserError(
        `'${file}' has "schema": ${JSON.stringify(schema ?? null)}; mlops report renders ${RENDERABLE_SCHEMAS.join(', ')}.`,
        { file },
      );
  }
}

function notesSection(notes: unknown): HtmlSection[] {
  return Array.isArray(notes) && notes.length > 0
    ? [{ title: 'Notes', table: { headers: ['note'], rows: notes.map((n) => [text(n)]) } }]
    : [];
}

function profileSections(profile: Json, columns: Json[]): HtmlSection[] {
  const sections: HtmlSection[] = [
    {
      title: 'Columns',
      text: `${text(profile['rows'])} rows, ${columns.length} columns.`,
      table: {
        headers: ['column', 'type', 'nulls', 'distinct', 'min', 'max', 'mean'],
        rows: columns.map((c) => {
          const numeric = c['numeric'] as Json | undefined;
          return [
            c['name'],
            c['type'],
            c['nulls'],
            c['distinct'],
            numeric?.['min'],
            numeric?.['max'],
            numeric?.['mean'],
          ].map(text);
        }),
      },
    },
  ];
  for (const column of columns) {
    const histogram = (column['numeric'] as Json | undefined)?.['histogram'] as
      | { counts: number[]; edges: number[] }
      | null
      | undefined;
    if (histogram && Array.isArray(histogram.counts) && histogram.counts.length > 0) {
      sections.push({
        title: String(column['name']),
        bars: {
          caption: 'rows per bin',
          items: histogram.counts.map((count, i) => ({
            label: `[${text(histogram.edges[i])}, ${text(histogram.edges[i + 1])})`,
            value: count,
          })),
        },
      });
      continue;
    }
    const top = column['top_values'] as { value: unknown; count: number }[] | undefined;
    if (Array.isArray(top) && top.length > 0) {
      sections.push({
        title: String(column['name']),
        bars: {
          caption:
            column['top_values_complete'] === true ? 'rows per value' : 'rows of the most frequent values',
          items: top.slice(0, 20).map((entry) => ({ label: text(entry.value), value: entry.count })),
        },
      });
    }
  }
  return sections;
}
