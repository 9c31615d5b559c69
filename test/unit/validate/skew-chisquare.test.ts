/**
 * data-validate's p-value beside a skew/drift distance is drift-check's chi-square on categories:
 * the two-sample test of homogeneity. January 2013 against January 2014 of seattle-weather has a
 * weather category on one side only; the one-sample test made that p = 0 with an infinite
 * statistic (written as null), the two-sample one matches scipy chi2_contingency.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { driftSkewCheck } from '../../../shared/src/drift/skew-check.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { runDataValidate } from '../../../shared/src/validate/index.js';
import { expectClose } from '../stats/golden.js';
import { readSeattle, writeJson } from './helpers.js';

const golden = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'golden', 'stats_seattle.json'), 'utf8'),
);

const wd = mkdtempSync(join(tmpdir(), 'mlops-dv-chi-'));
afterAll(() => rmSync(wd, { recursive: true, force: true }));

it('the p-value beside the weather distance is scipy chi2_contingency, finite with a one-sided category', async () => {
  const weather = readSeattle();
  const january = (year: number) => weather.filter((r) => String(r.date).startsWith(`${year}-01-`));
  const [jan2013, jan2014] = [january(2013), january(2014)];
  const labels = (rows: typeof weather) => new Set(rows.map((r) => r.weather));
  const oneSided = [...labels(jan2014)].filter((w) => !labels(jan2013).has(w));
  expect(oneSided.length).toBeGreaterThan(0);
  writeJson(wd, 'jan2013.json', jan2013);
  writeJson(wd, 'jan2014.json', jan2014);

  const result = await runDataValidate(
    {
      data: 'jan2014.json',
      reference: 'jan2013.json',
      skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      failOn: 'never',
      reportPath: 'mlops-reports/data-validation.json',
      profilePath: 'mlops-reports/profile.json',
      workingDirectory: wd,
      repositoryRoot: wd,
      memoryLimit: '512MB',
    },
    memoryLog(),
  );
  const columns = (result.report.skew as { result: { columns: Record<string, unknown>[] } }).result.columns;
  const column = columns.find((c) => c.name === 'weather')!;
  const expected = golden.cases.find(
    (c: { reference: string; current: string }) => c.reference === 'jan2013' && c.current === 'jan2014',
  ).columns.weather;
  const test = column.test as { method: string; p_value: number; statistic: number | null };
  expect(test.method).toBe('chi2');
  expectClose(test.statistic!, expected.chi2_statistic, 1e-12, 0, 'chi-square');
  expectClose(test.p_value, expected.chi2_p, 1e-12, 1e-300, 'p');
});
