/**
 * `mlops report`: each step's real JSON report (made by the steps themselves) becomes one
 * self-contained HTML file: no script, nothing fetched, charts as inline SVG, data escaped.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';

const work = mkdtempSync(join(tmpdir(), 'mlops-report-'));
const EVIL = '<img src=x onerror=alert(1)>';

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (t: string) => void) =>
    new Writable({
      write(chunk, _e, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runCommandLine(argv, {
    stdout: sink((t) => {
      stdout += t;
    }),
    stderr: sink((t) => {
      stderr += t;
    }),
    env: { MLOPS_SUMMARY_FILE: join(work, 'summary.md') },
  });
  return { code, stdout, stderr };
}

function csv(shift: number): string {
  const rows = Array.from({ length: 300 }, (_, i) => {
    const x = ((i * 37) % 100) / 10 + shift;
    return `${x.toFixed(2)},${['a', 'b', 'c'][i % 3]},${i % 2 === 0 ? EVIL : 'plain'}`;
  });
  return `x,group,"${EVIL.replace(/"/g, '""')}"\n${rows.join('\n')}\n`;
}

beforeAll(async () => {
  writeFileSync(join(work, 'train.csv'), csv(0));
  writeFileSync(join(work, 'prod.csv'), csv(4));
  const predictions = Array.from({ length: 60 }, (_, i) => `${i % 2},${i % 5 === 0 ? 1 - (i % 2) : i % 2}`);
  writeFileSync(join(work, 'predictions.csv'), `y_true,y_pred\n${predictions.join('\n')}\n`);
  const wd = ['--working-directory', work];
  expect((await cli(['data-validate', '--data', 'train.csv', '--infer-schema', ...wd])).code).toBe(0);
  expect(
    (await cli(['evaluate', '--predictions', 'predictions.csv', '--bootstrap', '200', ...wd])).code,
  ).toBe(0);
  expect(
    (
      await cli([
        'compare-baseline',
        '--current',
        'mlops-reports/metrics.json',
        '--baseline',
        'mlops-reports/metrics.json',
        '--comment',
        'false',
        '--check',
        'false',
        ...wd,
      ])
    ).code,
  ).toBe(0);
  const drift = await cli([
    'drift-check',
    '--reference',
    'train.csv',
    '--current',
    'prod.csv',
    '--open-issue',
    'false',
    '--drift-share',
    '0.3',
    ...wd,
  ]);
  expect(drift.code, drift.stderr).toBe(0);
}, 180_000);

const REPORTS = {
  profile: { file: 'profile.json', contains: ['Data profile', 'rows per bin', 'x', 'group'] },
  validation: { file: 'data-validation.json', contains: ['Data validation', 'Anomalies', '300 rows'] },
  metrics: { file: 'metrics.json', contains: ['Metrics', 'accuracy', '0.8', 'Confusion matrix'] },
  comparison: { file: 'comparison.json', contains: ['Comparison', 'Against the baseline', 'accuracy'] },
  drift: { file: 'drift.json', contains: ['Drift', 'Dataset drift detected', 'grey: reference'] },
} as const;

describe('mlops report', () => {
  for (const [kind, { file, contains }] of Object.entries(REPORTS)) {
    it(`renders the ${kind} report as one self-contained HTML file`, async () => {
      const json = join(work, 'mlops-reports', file);
      const result = await cli(['report', json]);
      expect(result.code, result.stderr).toBe(0);
      const out = json.replace(/\.json$/, '.html');
      expect(result.stdout).toBe(`${out}\n`);
      const html = readFileSync(out, 'utf8');
      expect(html.startsWith('<!doctype html>')).toBe(true);
      for (const needle of contains) expect(html).toContain(needle);
      // Self-contained: no script, no external reference of any kind.
      expect(html).not.toMatch(/<script|<link|<iframe|<object|@import|url\(/i);
      expect(html).not.toMatch(/<[^>]*\s(src|href|xlink:href)=/i);
      expect(html).not.toContain(EVIL);
    });
  }

  it('draws charts as inline SVG (histograms of the profile, distributions of drifted columns)', () => {
    for (const file of ['profile.html', 'drift.html']) {
      const html = readFileSync(join(work, 'mlops-reports', file), 'utf8');
      expect(html).toMatch(/<svg viewBox="0 0 560 \d+"/);
      expect(html).toMatch(/<rect x="\d+" y="\d+" width="\d+(\.\d)?"/);
    }
  });

  it('escapes data: a hostile column name stays text', () => {
    const html = readFileSync(join(work, 'mlops-reports/profile.html'), 'utf8');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('names the problem with a file it cannot render', async () => {
    writeFileSync(join(work, 'other.json'), JSON.stringify({ schema: 'something/v9' }));
    const other = await cli(['report', join(work, 'other.json')]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('has "schema": "something/v9"; mlops report renders mlops-profile/v1');
    writeFileSync(join(work, 'broken.json'), JSON.stringify({ schema: 'mlops-drift/v1', share: 1 }));
    const broken = await cli(['report', join(work, 'broken.json')]);
    expect(broken.stderr).toContain('has no valid "columns": expected an array of columns');
    expect((await cli(['report', join(work, 'missing.json')])).stderr).toContain('does not exist');
  });
});
