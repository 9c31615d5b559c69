import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { expectClose } from '../stats/golden.js';
import { seattleSubset, tempDir } from './helpers.js';

const golden = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'golden', 'stats_seattle.json'), 'utf8'),
);

const WHERE: Record<string, string> = {
  winter: 'month(w.date) IN (12, 1, 2)',
  summer: 'month(w.date) IN (6, 7, 8)',
  jan2012: "w.date BETWEEN '2012-01-01' AND '2012-01-31'",
  jan2013: "w.date BETWEEN '2013-01-01' AND '2013-01-31'",
  jan2014: "w.date BETWEEN '2014-01-01' AND '2014-01-31'",
  jan2015: "w.date BETWEEN '2015-01-01' AND '2015-01-31'",
};

describe('seasonal drift in vega-datasets seattle-weather', () => {
  let dir: string;
  const paths: Record<string, string> = {};
  beforeAll(async () => {
    dir = tempDir();
    for (const [name, where] of Object.entries(WHERE)) paths[name] = await seattleSubset(dir, name, where);
  });

  const run = (
    reference: string,
    current: string,
    extra: Partial<Parameters<typeof runDriftCheck>[0]> = {},
  ) =>
    runDriftCheck(
      {
        reference: paths[reference],
        current: paths[current],
        columns: ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'],
        method: 'auto',
        driftShare: 0.5,
        reportPath: join(dir, `${reference}-${current}.json`),
        workingDirectory: dir,
        ...extra,
      },
      silentLog,
    );

  it('winter against summer drifts on temperature', async () => {
    const result = await run('winter', 'summer');
    expect(result.driftDetected).toBe(true);
    expect(result.driftedColumns).toEqual(expect.arrayContaining(['temp_max', 'temp_min']));
    const tempMax = result.report.columns.find((c) => c.name === 'temp_max')!;
    // ~360 winter days: Evidently's choice for a continuous column with a small reference is KS.
    expect(tempMax.method).toBe('ks');
    expect(tempMax.p_value!).toBeLessThan(1e-50);
    expect(result.report.columns[0].drifted).toBe(true);
    expect(result.report.columns.find((c) => c.name === 'weather')!.method).toBe('chi2');
  });

  it('January of two mild years does not drift on temperature', async () => {
    for (const [reference, current] of [
      ['jan2012', 'jan2013'],
      ['jan2014', 'jan2015'],
    ]) {
      const result = await run(reference, current, { columns: ['temp_max', 'temp_min'] });
      expect(result.driftDetected, `${reference} vs ${current}`).toBe(false);
      for (const column of result.report.columns) {
        expect(column.method).toBe('ks');
        expect(column.p_value!).toBeGreaterThan(0.05);
      }
    }
  });

  it('matches scipy on every column of every pair (KS statistic exact)', async () => {
    for (const c of golden.cases) {
      const ks = await run(c.reference, c.current, { perColumn: { weather: { method: 'chi2' } } });
      const w = await run(c.reference, c.current, {
        method: 'wasserstein',
        columns: ['precipitation', 'temp_max', 'temp_min', 'wind'],
      });
      for (const [name, expected] of Object.entries<Record<string, number | null>>(c.columns)) {
        const label = `${c.reference}/${c.current} ${name}`;
        if (name === 'weather') {
          const col = ks.report.columns.find((x) => x.name === name)!;
          // scipy chi2_contingency(correction=False); jan2013/jan2014 has a category on one side only.
          expectClose(col.test_statistic!, expected.chi2_statistic!, 1e-12, 0, `${label} chi2`);
          expectClose(col.p_value!, expected.chi2_p!, 1e-12, 1e-300, `${label} chi2 p`);
          continue;
        }
        const col = ks.report.columns.find((x) => x.name === name)!;
        expect(col.method).toBe('ks');
        expect(col.test_statistic, `${label} D`).toBe(expected.ks_statistic);
        expectClose(col.p_value!, expected.ks_p!, 1e-9, 1e-300, `${label} KS p`);
        const wcol = w.report.columns.find((x) => x.name === name)!;
        expectClose(wcol.statistic, expected.wasserstein_normed!, 1e-9, 1e-15, `${label} W1`);
      }
    }
  });
});
