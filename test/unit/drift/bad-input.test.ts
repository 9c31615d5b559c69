import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import { profileDataset } from '../../../shared/src/data/profile.js';
import { type DriftCheckOptions, runDriftCheck } from '../../../shared/src/drift/index.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { categories, normals, tempDir, writeCsv } from './helpers.js';

describe('bad input is a finding or a clear UserError, never a silent "no drift"', () => {
  let dir: string;
  let refPath: string;
  const options = (current: string, extra: Partial<DriftCheckOptions> = {}): DriftCheckOptions => ({
    reference: refPath,
    current,
    method: 'auto',
    driftShare: 0.5,
    reportPath: join(dir, 'report.json'),
    workingDirectory: dir,
    ...extra,
  });
  beforeAll(() => {
    dir = tempDir();
    refPath = writeCsv(dir, 'ref', {
      a: normals(1, 500),
      b: normals(2, 500),
      c: categories(3, 500, { x: 1, y: 2 }),
    });
  });

  it('a missing column counts as drifted; an extra column is reported', async () => {
    const current = writeCsv(dir, 'missing', {
      a: normals(4, 500),
      c: categories(5, 500, { x: 1, y: 2 }),
      extra: normals(6, 500),
    });
    const result = await runDriftCheck(options(current), silentLog);
    expect(result.driftedColumns).toContain('b');
    expect(result.report.findings.map((f) => [f.kind, f.column])).toEqual(
      expect.arrayContaining([
        ['missing_column', 'b'],
        ['new_column', 'extra'],
      ]),
    );
    expect(result.share).toBeCloseTo(1 / 3, 12);
  });

  it('says when reading changed a column: a JSON column of mixed types read as text is a warning, not silence', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      a: i % 10,
      b: i % 3 === 0 ? 'x' : i % 5,
      c: i % 2 ? 'x' : 'y',
    }));
    const json = join(dir, 'mixed.json');
    writeFileSync(json, JSON.stringify(rows));
    const log = memoryLog();
    await runDriftCheck(options(json), log).catch(() => undefined);
    expect(log.lines.filter((l) => l.level === 'warning').map((l) => l.message)).toContain(
      "current: Column 'b' mixes value types in the JSON file; it was read as text.",
    );
  });

  it('a column whose type changed counts as drifted', async () => {
    const current = writeCsv(dir, 'typed', {
      a: normals(4, 500),
      b: categories(7, 500, { p: 1, q: 1 }),
      c: categories(5, 500, { x: 1, y: 2 }),
    });
    const result = await runDriftCheck(options(current), silentLog);
    expect(result.report.findings.find((f) => f.kind === 'type_changed')?.column).toBe('b');
    expect(result.driftedColumns).toContain('b');
  });

  it('a value late in a CSV that breaks its sniffed type: that column read as text, counted as drifted', async () => {
    // Past DuckDB's 20,480-row sniffing sample, so only a full read finds it; a ragged line after
    // it must still be reported with its line.
    const rows = 25_000;
    const b = normals(2, rows).map(String);
    // Not a missing-value token ('n/a' is one, and is read as missing as train reads it).
    b[rows - 10] = 'unknown';
    const lines = ['a,b,c', ...b.map((v, i) => `${i % 7},${v},${i % 2 ? 'x' : 'y'}`)];
    const late = join(dir, 'late.csv');
    writeFileSync(late, `${lines.join('\n')}\n`);
    const result = await runDriftCheck(options(late), silentLog);
    expect(result.report.current.rows).toBe(rows);
    expect(result.report.findings.find((f) => f.kind === 'type_changed')?.column).toBe('b');
    expect(result.driftedColumns).toContain('b');
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, `${lines.join('\n')}\n1,2\n`);
    await expect(runDriftCheck(options(ragged), silentLog)).rejects.toThrow(/line 25002/);
  });

  it('a late bad value in a column drift does not compare (a date) still makes it text, as a full read does', async () => {
    const rows = 25_000;
    const day = (i: number) => `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`;
    const write = (name: string, bad: boolean) => {
      const lines = [
        'd,a',
        ...Array.from({ length: rows }, (_, i) => `${bad && i === rows - 5 ? 'soon' : day(i)},${i % 5}`),
      ];
      const path = join(dir, name);
      writeFileSync(path, `${lines.join('\n')}\n`);
      return path;
    };
    const result = await runDriftCheck(
      options(write('dates-clean.csv', false), { reference: write('dates-bad.csv', true) }),
      silentLog,
    );
    expect(result.report.findings.find((f) => f.column === 'd')?.kind).toBe('type_changed');
  });

  it('an all-null column counts as drifted', async () => {
    const current = writeCsv(dir, 'nulls', {
      a: normals(4, 500),
      b: Array.from({ length: 500 }, () => null),
      c: categories(5, 500, { x: 1, y: 2 }),
    });
    // An all-empty CSV column is sniffed as VARCHAR: either finding makes it drift, never "fine".
    const result = await runDriftCheck(options(current), silentLog);
    expect(result.driftedColumns).toContain('b');
    expect(result.report.findings.some((f) => f.column === 'b' && f.severity === 'error')).toBe(true);
  });

  it('an empty window is a UserError', async () => {
    const current = join(dir, 'empty.csv');
    writeFileSync(current, 'a,b,c\n');
    await expect(runDriftCheck(options(current), silentLog)).rejects.toThrow(/no rows \(an empty window\)/);
  });

  it('an unknown method, column or schema version is a UserError naming it', async () => {
    const current = writeCsv(dir, 'ok', {
      a: normals(4, 500),
      b: normals(8, 500),
      c: categories(5, 500, { x: 1, y: 2 }),
    });
    await expect(runDriftCheck(options(current, { method: 'kss' }), silentLog)).rejects.toThrow(
      /Unknown drift method 'kss'/,
    );
    await expect(runDriftCheck(options(current, { columns: ['nope'] }), silentLog)).rejects.toThrow(
      /Column 'nope'/,
    );
    await expect(
      runDriftCheck(options(current, { perColumn: { c: { method: 'ks' } } }), silentLog),
    ).rejects.toBeInstanceOf(UserError);
    const old = join(dir, 'old-profile.json');
    writeFileSync(old, JSON.stringify({ schema: 'mlops-profile/v0', rows: 1, columns: [] }));
    await expect(runDriftCheck(options(current, { reference: old }), silentLog)).rejects.toThrow(
      /schema 'mlops-profile\/v0'.*mlops-profile\/v1/,
    );
  });

  it('markdown escapes column names from the data and the issue carries the marker and charts', async () => {
    const evil = '<img src=x>@team';
    const ref = writeCsv(dir, 'evil-ref', { [evil]: normals(9, 300) });
    const cur = writeCsv(dir, 'evil-cur', { [evil]: normals(10, 300, 3) });
    const result = await runDriftCheck(options(cur, { reference: ref, model: 'churn' }), silentLog);
    expect(result.summaryMarkdown).not.toContain('<img');
    expect(result.summaryMarkdown).not.toContain('@team');
    expect(result.issueMarkdown).toContain('<!-- mlops:drift:churn/drift -->');
    expect(result.issueMarkdown).toContain('xychart-beta');
    expect(result.markerKey).toBe('churn/drift');
  });
});

describe('profile-only reference', () => {
  it('compares exactly where the profile kept value counts and approximately on histograms, and says so', async () => {
    const dir = tempDir();
    const refData = {
      x: normals(50, 4000, 0, 1),
      k: Array.from({ length: 4000 }, (_, i) => i % 4),
      c: categories(51, 4000, { u: 1, v: 1, w: 2 }),
    };
    const ref = writeCsv(dir, 'ref', refData);
    const cur = writeCsv(dir, 'cur', {
      x: normals(52, 3000, 0.8, 1),
      k: Array.from({ length: 3000 }, (_, i) => i % 4),
      c: categories(53, 3000, { u: 1, v: 1, w: 2 }),
    });
    const db = await Database.open();
    try {
      const profile = await profileDataset(db, await openDataset(db, ref));
      writeFileSync(join(dir, 'profile.json'), JSON.stringify(profile));
    } finally {
      db.close();
    }
    const base = { current: cur, method: 'auto', driftShare: 0.5, workingDirectory: dir };
    const fromProfile = await runDriftCheck(
      { ...base, reference: 'profile.json', reportPath: 'p.json' },
      silentLog,
    );
    const fromData = await runDriftCheck({ ...base, reference: ref, reportPath: 'd.json' }, silentLog);
    expect(fromProfile.report.reference.kind).toBe('profile');
    const byName = (r: typeof fromData, n: string) => r.report.columns.find((c) => c.name === n)!;
    // Low-cardinality columns: the profile holds every value's count, so the result is exact.
    expect(byName(fromProfile, 'k').statistic).toBe(byName(fromData, 'k').statistic);
    expect(byName(fromProfile, 'c').statistic).toBeCloseTo(byName(fromData, 'c').statistic, 12);
    expect(byName(fromProfile, 'k').approximate).toBeUndefined();
    // The continuous column is compared on the profile's histogram: close, flagged, same verdict.
    const x = byName(fromProfile, 'x');
    expect(x.approximate).toBe(true);
    expect(x.drifted).toBe(byName(fromData, 'x').drifted);
    expect(Math.abs(x.statistic - byName(fromData, 'x').statistic)).toBeLessThan(0.05);
    expect(
      fromProfile.report.findings.some((f) => f.kind === 'profile_limit' && f.message.includes('x')),
    ).toBe(true);
  });
});
