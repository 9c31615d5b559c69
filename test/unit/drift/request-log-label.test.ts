/**
 * A request log never holds the label (clients send features; the server adds the prediction).
 * drift-check without `model` counted the reference's label column as missing, so drifted: on
 * seattle-weather's test rows logged by the server, 3 of 5 columns and dataset drift. The label
 * is now reported and not counted; a column named in `columns` still counts its absence, and a
 * dataset (not a request log) lacking a column still counts it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { SEATTLE, tempDir } from './helpers.js';

const [header, ...lines] = readFileSync(SEATTLE, 'utf8').trimEnd().split(/\r?\n/);
const names = header.split(',');
const rows = lines.map((line) => {
  const cells = line.split(',');
  return Object.fromEntries(names.map((n, i) => [n, i === 0 || i === 5 ? cells[i] : Number(cells[i])]));
});

describe('drift-check on a request log without model', () => {
  let dir: string;
  let reference: string;
  let log: string;
  let withoutWind: string;
  beforeAll(() => {
    dir = tempDir();
    const train = rows.filter((_, i) => i % 5 !== 0);
    const test = rows.filter((_, i) => i % 5 === 0);
    reference = join(dir, 'train.csv');
    writeFileSync(reference, `${[header, ...lines.filter((_, i) => i % 5 !== 0)].join('\n')}\n`);
    expect(train.length).toBe(1168);
    // As the server writes it (serve/request-log.ts): bookkeeping, the features sent, the prediction.
    const logged = test.map(({ weather, ...features }) => ({
      _ts: '2026-12-07T22:07:53.499Z',
      _model: 'sw',
      _version: 1,
      ...features,
      prediction: weather,
      _output: [0.1, 0.9],
    }));
    log = join(dir, 'requests.ndjson');
    writeFileSync(log, `${logged.map((r) => JSON.stringify(r)).join('\n')}\n`);
    withoutWind = join(dir, 'test-no-wind.csv');
    const kept = names.filter((n) => n !== 'wind');
    writeFileSync(
      withoutWind,
      `${[kept.join(','), ...test.map((r) => kept.map((n) => r[n]).join(','))].join('\n')}\n`,
    );
  });

  const check = (current: string, name: string, extra: Record<string, unknown> = {}) =>
    runDriftCheck(
      {
        reference,
        current,
        method: 'auto',
        driftShare: 0.5,
        reportPath: join(dir, `${name}.json`),
        workingDirectory: dir,
        ...extra,
      },
      silentLog,
    );

  it('the label missing from the log is reported, not counted as drifted', async () => {
    const result = await check(log, 'log');
    expect(result.driftedColumns).not.toContain('weather');
    expect(result.report.columns.map((c) => c.name).sort()).toEqual(
      ['precipitation', 'temp_max', 'temp_min', 'wind'].sort(),
    );
    expect(result.driftDetected).toBe(false);
    const finding = result.report.findings.find((f) => f.column === 'weather')!;
    expect(finding.kind).toBe('missing_column');
    expect(finding.severity).toBe('warning');
    expect(finding.message).toMatch(/not in the request log: not compared, not counted/);
  }, 60_000);

  it("a column named in 'columns' still counts its absence from the log", async () => {
    const result = await check(log, 'log-columns', { columns: ['temp_max', 'weather'] });
    expect(result.driftedColumns).toContain('weather');
    expect(result.report.findings.find((f) => f.column === 'weather')!.severity).toBe('error');
  }, 60_000);

  it('a dataset (not a request log) lacking a column still counts it as drifted', async () => {
    const result = await check(withoutWind, 'no-wind');
    expect(result.driftedColumns).toContain('wind');
  }, 60_000);
});
