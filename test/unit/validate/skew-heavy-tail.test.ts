/**
 * data-validate's skew check judges numbers by TFDV's Jensen–Shannon divergence over equal-width
 * bins. vega's movies.json grosses are heavy-tailed (most movies in the first bin), so halving
 * every gross (a unit bug) moved the divergence by less than 0.05 and passed with no anomaly,
 * while the KS test beside it gave p < 1e-14 and drift-check flagged both columns. A strong KS
 * rejection with a large D is now at least a warning; the unchanged rows give none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { driftSkewCheck } from '../../../shared/src/drift/skew-check.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { runDataValidate } from '../../../shared/src/validate/index.js';
import { readRows, split70, writeJson } from './helpers.js';

const GROSSES = ['US Gross', 'Worldwide Gross'];
const wd = mkdtempSync(join(tmpdir(), 'mlops-dv-heavy-'));
afterAll(() => rmSync(wd, { recursive: true, force: true }));

const [train, test] = split70(readRows('movies.json'));
const halved = test.map((r) => {
  const out = { ...r };
  for (const c of GROSSES) if (typeof out[c] === 'number') out[c] = (out[c] as number) * 0.5;
  return out;
});
writeJson(wd, 'train.json', train);
writeJson(wd, 'test.json', test);
writeJson(wd, 'half-gross.json', halved);

const validate = (data: string) =>
  runDataValidate(
    {
      data,
      reference: 'train.json',
      skewCheck: driftSkewCheck(join(wd, 'mlops-reports', data)),
      failOn: 'never',
      reportPath: `mlops-reports/${data}-validation.json`,
      profilePath: `mlops-reports/${data}-profile.json`,
      workingDirectory: wd,
      repositoryRoot: wd,
      memoryLimit: '512MB',
    },
    memoryLog(),
  );

describe('data-validate on movies.json grosses halved', () => {
  it('warns on both gross columns (KS p tiny, D large, divergence under its threshold)', async () => {
    const result = await validate('half-gross.json');
    for (const name of GROSSES) {
      const found = result.report.anomalies.filter((a) => a.column === name);
      expect(found.length, name).toBe(1);
      const [anomaly] = found;
      expect(anomaly.kind).toBe('drift');
      expect(anomaly.severity).toBe('warning');
      // The divergence alone stays under the threshold: what hid the change.
      expect(anomaly.statistic!).toBeLessThan(anomaly.bound!);
      expect(anomaly.p_value!).toBeLessThan(1e-10);
      expect(anomaly.message).toMatch(/by the KS test \(p = .* < 0\.001; D = 0\.\d+/);
    }
    // drift-check on the same rows: the same columns drifted, not an opposite verdict.
    const drift = await runDriftCheck(
      {
        reference: join(wd, 'train.json'),
        current: join(wd, 'half-gross.json'),
        method: 'auto',
        driftShare: 0.5,
        reportPath: join(wd, 'drift-half.json'),
        workingDirectory: wd,
      },
      silentLog,
    );
    expect(drift.driftedColumns).toEqual(expect.arrayContaining(GROSSES));
  }, 120_000);

  it('the unchanged rows give no such warning', async () => {
    const result = await validate('test.json');
    const shifts = result.report.anomalies.filter((a) => /by the KS test/.test(a.message));
    expect(shifts).toEqual([]);
  }, 120_000);
});
