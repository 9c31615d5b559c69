/** Workspaces whose data carries the untrusted-text corpus, for runs through the bundle. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectionCase } from './corpus.js';

const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;

/**
 * reference.csv and current.csv: a numeric `amount`, a categorical `segment` whose values are the
 * corpus, and one numeric column named by each corpus case. Current shifts every third column and
 * the categories, so the drift table and the anomaly list both show corpus text.
 */
export function corpusWorkspace(cases: InjectionCase[], rows = 120): string {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-corpus-'));
  const header = ['amount', 'segment', ...cases.map((c) => c.text)].map(quote).join(',');
  const table = (shifted: boolean) =>
    Array.from({ length: rows }, (_, i) =>
      [
        shifted ? i * 3 : i,
        quote(cases.length > 0 ? cases[(i + (shifted ? 5 : 0)) % cases.length].text : 'retail'),
        ...cases.map((_, j) => (shifted && j % 3 === 0 ? 100 + ((i * 7 + j) % 13) : (i * 7 + j) % 13)),
      ].join(','),
    );
  writeFileSync(join(workspace, 'reference.csv'), `${[header, ...table(false)].join('\n')}\n`);
  writeFileSync(join(workspace, 'current.csv'), `${[header, ...table(true)].join('\n')}\n`);
  // Only `amount` is allowed to be large and `segment` to be 'retail': every corpus value is an
  // unexpected value and every corpus column a new column, so anomalies quote them.
  writeFileSync(
    join(workspace, 'schema.yaml'),
    [
      'columns:',
      '  amount:',
      '    type: numeric',
      '    max: 100',
      '  segment:',
      '    type: categorical',
      '    allowed_values: [retail]',
      '',
    ].join('\n'),
  );
  return workspace;
}

/** mlops-metrics/v1 files whose metric names are the corpus (current regresses on half of them). */
export function corpusMetrics(workspace: string, cases: InjectionCase[]): void {
  const document = (offset: number) => ({
    schema: 'mlops-metrics/v1',
    task: 'binary_classification',
    model: { name: cases[0].text, path: 'model.onnx', digest: 'sha256:0' },
    metrics: Object.fromEntries([
      ['accuracy', { value: 0.9 + offset, n: 500 }],
      ...cases.map((c, i) => [c.text, { value: 0.5 + (i % 2 === 0 ? offset : -offset), n: 500 }]),
    ]),
    slices: Object.fromEntries(
      cases.slice(0, 4).map((c) => [c.text, { metrics: { accuracy: { value: 0.8 + offset, n: 50 } } }]),
    ),
  });
  writeFileSync(join(workspace, 'baseline.json'), JSON.stringify(document(0)));
  writeFileSync(join(workspace, 'current.json'), JSON.stringify(document(0.01)));
}
