import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSplit } from '../../../shared/src/data/split.js';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { driftSkewCheck } from '../../../shared/src/drift/skew-check.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { type DataValidateOptions, runDataValidate, shouldFail } from '../../../shared/src/validate/index.js';
import { DATA, readRows, readSeattle, split70, writeJson } from './helpers.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validReport = ajv.compile(JSON.parse(readFileSync('docs/schemas/data-validation.schema.json', 'utf8')));
const validProfile = ajv.compile(JSON.parse(readFileSync('docs/schemas/profile.schema.json', 'utf8')));

let repo: string;
let wd: string;
beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'mlops-dv-'));
  wd = join(repo, 'ml');
  const [train, holdout] = split70(readRows('penguins.json'));
  writeJson(repo, 'train.json', train); // at the repository root, reached from ml/ as ../train.json
  const hostile = holdout.map((r, i) =>
    i === 0
      ? { ...r, Island: '<img src=x onerror=alert(1)> @octocat #1 | x' }
      : i === 1
        ? { ...r, 'Body Mass (g)': 45_000 } // a unit slip: 4,500 g with an extra zero
        : r,
  );
  mkdirSync(wd, { recursive: true });
  writeJson(wd, 'holdout.json', hostile);
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function options(overrides: Partial<DataValidateOptions>): DataValidateOptions {
  return {
    data: 'holdout.json',
    failOn: 'error',
    reportPath: 'mlops-reports/data-validation.json',
    profilePath: 'mlops-reports/profile.json',
    workingDirectory: wd,
    repositoryRoot: repo,
    memoryLimit: '512MB',
    ...overrides,
  };
}

describe('runDataValidate', () => {
  it('infers and writes a schema, and writes a report and a profile that match their JSON Schemas', async () => {
    const log = memoryLog();
    const result = await runDataValidate(
      options({ data: '../train.json', inferSchema: true, writeSchema: 'schema.yaml' }),
      log,
    );
    expect(result.passed).toBe(true);
    expect(result.anomalies).toEqual([]);
    expect(result.rows).toBe(242);
    expect(result.schemaPath).toBe(join(wd, 'schema.yaml'));
    expect(readFileSync(join(wd, 'schema.yaml'), 'utf8')).toMatch(/^# Data schema/);
    const report = JSON.parse(readFileSync(result.reportPath, 'utf8'));
    const profile = JSON.parse(readFileSync(result.profilePath, 'utf8'));
    expect(validReport(report), JSON.stringify(validReport.errors)).toBe(true);
    expect(validProfile(profile), JSON.stringify(validProfile.errors)).toBe(true);
    expect(report).toMatchObject({
      schema_file: 'schema.yaml',
      schema_inferred: true,
      rows: 242,
      passed: true,
    });
    expect(result.summaryMarkdown).toContain('Data validation ✅ passed');
    // No temporary files left behind by the atomic writes.
    expect(readdirSync(join(wd, 'mlops-reports')).sort()).toEqual(['data-validation.json', 'profile.json']);
  });

  it('validates new data against the written schema: anomalies, annotations at schema lines, escaped markdown', async () => {
    const log = memoryLog();
    const result = await runDataValidate(options({ schema: 'schema.yaml' }), log);
    const schemaLines = readFileSync(join(wd, 'schema.yaml'), 'utf8').split('\n');
    // A value far below the inferred range (more than its width) is an error; one new island
    // in 104 rows is within what the inferred domain tolerates, so a warning that names it.
    expect(result.anomalies.map((a) => `${a.kind}:${a.column}:${a.severity}`)).toEqual([
      'out_of_range:Body Mass (g):error',
      'unexpected_value:Island:warning',
    ]);
    expect(result.passed).toBe(false);
    for (const annotation of result.annotations) expect(annotation.file).toBe('ml/schema.yaml');
    expect(result.annotations.map((a) => a.severity)).toEqual(['error', 'warning']);
    expect(schemaLines[result.annotations[0]!.line! - 1]).toMatch(/^ {4}max: /);
    expect(schemaLines[result.annotations[1]!.line! - 1]).toMatch(/^ {4}allowed_values:/);
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.where?.line)).toEqual([
      result.annotations[0]!.line,
    ]);

    for (const markdown of [result.summaryMarkdown, result.commentMarkdown]) {
      expect(markdown).toContain('❌ failed');
      // Outside code spans (where GitHub shows HTML and mentions literally) nothing is left raw.
      const prose = markdown.replace(/`[^`]*`/g, '');
      expect(prose).not.toMatch(/<img/);
      expect(prose).not.toMatch(/@octocat/); // a mention would ping someone
      expect(markdown).toContain('`<img src=x onerror=alert(1)> @octocat #1 \\| x`');
      expect(markdown).toContain('Body Mass \\(g\\)');
    }
    const report = JSON.parse(readFileSync(result.reportPath, 'utf8'));
    expect(validReport(report), JSON.stringify(validReport.errors)).toBe(true);
    expect(report.anomalies[1].examples).toEqual(['<img src=x onerror=alert(1)> @octocat #1 | x']);
    expect(report.anomalies[1]).toMatchObject({ count: 1, of: 102 });
    expect(report.anomalies[1].p_value).toBeGreaterThan(0.001);
  });

  it('lets fail-on decide: warnings fail only with fail-on warning, nothing fails with never', async () => {
    const anomalies = [{ severity: 'warning' as const }];
    expect([
      shouldFail({ anomalies }, 'error'),
      shouldFail({ anomalies }, 'warning'),
      shouldFail({ anomalies }, 'never'),
    ]).toEqual([false, true, false]);
    expect(shouldFail({ anomalies: [{ severity: 'error' }] }, 'error')).toBe(true);
    expect(shouldFail({ anomalies: [] }, 'warning')).toBe(false);
    const never = await runDataValidate(options({ schema: 'schema.yaml', failOn: 'never' }), memoryLog());
    expect(never.passed).toBe(true);
    expect(never.anomalies).toHaveLength(2);
  });

  it('validates against an existing schema and only writes the inferred one as a proposal', async () => {
    const result = await runDataValidate(
      options({ schema: 'schema.yaml', inferSchema: true, writeSchema: 'proposed.yaml' }),
      memoryLog(),
    );
    expect(result.anomalies).toHaveLength(2);
    expect(existsSync(join(wd, 'proposed.yaml'))).toBe(true);
    expect(result.report.schema_inferred).toBe(false);
  });

  it('reports skew as not checked when no drift function is wired, with a warning', async () => {
    const log = memoryLog();
    const result = await runDataValidate(options({ data: '../train.json', reference: 'holdout.json' }), log);
    expect(result.report.skew).toMatchObject({ status: 'not_run', reference: 'holdout.json' });
    expect(result.report.schema_file).toBeNull();
    expect(
      log.lines.some(
        (l) => l.level === 'warning' && /Skew against 'holdout.json' not checked/.test(l.message),
      ),
    ).toBe(true);
    expect(result.summaryMarkdown).toContain('No schema given: profile only.');
  });

  it('checks skew against a reference through the drift module when it is wired', async () => {
    const weather = readSeattle();
    const month = (r: Record<string, unknown>) => Number(String(r.date).slice(5, 7));
    writeJson(
      wd,
      'winter.json',
      weather.filter((r) => month(r) <= 2),
    );
    writeJson(
      wd,
      'summer.json',
      weather.filter((r) => month(r) >= 7 && month(r) <= 8),
    );
    const result = await runDataValidate(
      options({
        data: 'summer.json',
        reference: 'winter.json',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      }),
      memoryLog(),
    );
    expect(result.report.skew).toMatchObject({
      status: 'done',
      reference: 'winter.json',
      drift_detected: true,
    });
    const report = JSON.parse(readFileSync(result.reportPath, 'utf8'));
    expect(validReport(report), JSON.stringify(validReport.errors)).toBe(true);
    expect(result.summaryMarkdown).toContain('temp\\_max'); // escaped by the drift renderer

    // The skew check compares the counts data-validate already took: the same statistics as
    // drift-check reading both files itself (floating sums to 12 digits: DuckDB adds partial
    // sums from its threads in whichever order they finish).
    const standalone = await runDriftCheck(
      {
        reference: 'winter.json',
        current: 'summer.json',
        method: 'auto',
        tfdv: true,
        driftShare: 0.5,
        reportPath: 'standalone-drift.json',
        workingDirectory: wd,
      },
      memoryLog(),
    );
    const skew = (result.report.skew as { result: { columns: unknown[] } }).result;
    const rounded = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value), (_key, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v));
    expect(rounded(skew.columns)).toEqual(rounded(standalone.report.columns));
  });

  it('makes distribution differences anomalies that fail-on gates: drift against a file, skew against a registered profile', async () => {
    const weather = readSeattle();
    const month = (r: Record<string, unknown>) => Number(String(r.date).slice(5, 7));
    writeJson(
      wd,
      'winter.json',
      weather.filter((r) => month(r) <= 2 || month(r) === 12),
    );
    writeJson(
      wd,
      'summer.json',
      weather.filter((r) => month(r) >= 6 && month(r) <= 8),
    );
    const drift = await runDataValidate(
      options({
        data: 'summer.json',
        reference: 'winter.json',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      }),
      memoryLog(),
    );
    const byColumn = new Map(drift.anomalies.map((a) => [a.column, a]));
    for (const column of ['temp_max', 'temp_min', 'weather']) {
      const a = byColumn.get(column)!;
      expect(a, column).toMatchObject({ kind: 'drift', severity: 'error', bound: 0.1 });
      expect(a.statistic!, column).toBeGreaterThanOrEqual(0.1);
      expect(a.p_value!, column).toBeLessThan(0.001);
    }
    expect(byColumn.get('weather')!.expected).toBe('L-infinity distance to the reference below 0.1');
    expect(byColumn.get('temp_max')!.expected).toBe('Jensen-Shannon divergence to the reference below 0.1');
    expect(drift.passed).toBe(false);
    expect(drift.report.skew.anomaly_kind).toBe('drift');
    expect(
      validReport(JSON.parse(readFileSync(drift.reportPath, 'utf8'))),
      JSON.stringify(validReport.errors),
    ).toBe(true);
    const never = await runDataValidate(
      options({
        data: 'summer.json',
        reference: 'winter.json',
        failOn: 'never',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      }),
      memoryLog(),
    );
    expect(never.passed).toBe(true);

    // A registered model's training profile (the registry resolves registry:<name>@<alias> to the
    // profile.json stored with the version; here data-validate's own profile of the winter rows).
    const winterProfile = await runDataValidate(
      options({ data: 'winter.json', profilePath: 'winter-profile.json' }),
      memoryLog(),
    );
    const skew = await runDataValidate(
      options({
        data: 'summer.json',
        reference: 'registry:weather@production',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports'), async () => winterProfile.profilePath),
      }),
      memoryLog(),
    );
    expect(
      skew.anomalies
        .filter((a) => a.kind === 'skew')
        .map((a) => a.column)
        .sort(),
    ).toEqual(expect.arrayContaining(['temp_max', 'temp_min', 'weather']));
    expect(skew.anomalies.some((a) => a.kind === 'drift')).toBe(false);
    expect(skew.passed).toBe(false);

    // The same months split at random: no distribution anomaly is an error.
    const [a, b] = split70(weather);
    writeJson(wd, 'weather-a.json', a);
    writeJson(wd, 'weather-b.json', b);
    const same = await runDataValidate(
      options({
        data: 'weather-b.json',
        reference: 'weather-a.json',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      }),
      memoryLog(),
    );
    expect(same.anomalies.filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('uses per-column thresholds from schema.yaml, and leaves identifier-like columns out, saying so', async () => {
    const [a, b] = split70(readRows('cars.json'));
    writeJson(wd, 'cars-a.json', a);
    writeJson(wd, 'cars-b.json', b);
    const log = memoryLog();
    const result = await runDataValidate(
      options({
        data: 'cars-b.json',
        reference: 'cars-a.json',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      }),
      log,
    );
    // Name: 311 distinct in 406 rows, near-unique: every split "drifts" on it, so it is left out.
    expect(result.report.skew.left_out).toEqual([
      { column: 'Name', reason: expect.stringMatching(/^near-unique: \d+ distinct values in \d+$/) },
    ]);
    const compared = (result.report.skew.result as { columns: { name: string }[] }).columns.map(
      (c) => c.name,
    );
    expect(compared).not.toContain('Name');
    expect(result.anomalies.filter((x) => x.kind === 'drift')).toEqual([]);
    expect(result.summaryMarkdown).toContain('Not compared (identifier-like): Name');
    expect(result.summaryMarkdown).not.toMatch(/top \(\d+ more\)/);
    expect(log.lines.some((l) => l.message.includes("column 'Name' not compared"))).toBe(true);

    // A threshold in the schema compares it anyway, and a tiny one on Origin makes it drift.
    writeFileSync(
      join(wd, 'cars-schema.yaml'),
      'schema: mlops-schema/v1\ntable:\n  extra_columns: ignore\ncolumns:\n  Name:\n    type: string\n    drift_threshold: 0.5\n  Origin:\n    type: categorical\n    drift_threshold: 0.0001\n',
    );
    const strict = await runDataValidate(
      options({
        data: 'cars-b.json',
        schema: 'cars-schema.yaml',
        reference: 'cars-a.json',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      }),
      memoryLog(),
    );
    expect(strict.report.skew.left_out).toEqual([]);
    const origin = strict.anomalies.find((x) => x.column === 'Origin')!;
    expect(origin).toMatchObject({ kind: 'drift', severity: 'warning', bound: 0.0001 });
    expect(origin.p_value!).toBeGreaterThan(0.001);
    expect(origin.rule).toEqual({ file: 'ml/cars-schema.yaml', line: 10 });
  });

  it('judges identifiers on the reference: a 19-row holdout of la-riots does not "drift" on its neighbourhoods', async () => {
    // mlops split's own 70/30 at seed 3: 44 training rows, 19 held out. In 19 rows no column can
    // show that it is near-unique (under 20 distinct values), so the rule must be read on the
    // reference, where neighborhood has 29 distinct values in 44.
    copyFileSync(join(DATA, 'la-riots.csv'), join(wd, 'la-riots.csv'));
    const parts = await runSplit(
      { data: 'la-riots.csv', testFraction: 0.3, seed: 3, workingDirectory: wd },
      memoryLog(),
    );
    expect([parts.train.rows, parts.test.rows]).toEqual([44, 19]);
    const result = await runDataValidate(
      options({
        data: 'la-riots-test.csv',
        inferSchema: true,
        reference: 'la-riots-train.csv',
        skewCheck: driftSkewCheck(join(wd, 'mlops-reports')),
      }),
      memoryLog(),
    );
    const leftOut = (result.report.skew.left_out ?? []).map((c) => c.column);
    expect(leftOut).toEqual(expect.arrayContaining(['first_name', 'last_name', 'address', 'neighborhood']));
    expect(leftOut).not.toContain('type'); // 8 categories: compared
    // Distances over 0.1 on 19 values that no test can tell from noise stay warnings.
    expect(result.anomalies.filter((x) => x.severity === 'error')).toEqual([]);
    expect(result.passed).toBe(true);

    // drift-check with no model reads the same rule on the same side, and says what it left out.
    const drift = await runDriftCheck(
      {
        reference: 'la-riots-train.csv',
        current: 'la-riots-test.csv',
        method: 'auto',
        driftShare: 0.5,
        reportPath: 'mlops-reports/riots-drift.json',
        workingDirectory: wd,
      },
      memoryLog(),
    );
    expect(drift.driftedColumns).not.toContain('neighborhood');
    expect(drift.report.drift_detected).toBe(false);
    expect(drift.identifiers.map((c) => c.column).sort()).toEqual([...leftOut].sort());
    expect(drift.report.findings.filter((f) => f.kind === 'identifier').map((f) => f.column)).toContain(
      'neighborhood',
    );
    // Naming the column asks for it.
    const asked = await runDriftCheck(
      {
        reference: 'la-riots-train.csv',
        current: 'la-riots-test.csv',
        columns: ['neighborhood'],
        method: 'auto',
        driftShare: 0.5,
        reportPath: 'mlops-reports/riots-drift-asked.json',
        workingDirectory: wd,
      },
      memoryLog(),
    );
    expect(asked.report.columns.map((c) => c.name)).toEqual(['neighborhood']);
  });

  it('a category column that turns near-unique in the current batch is compared, and drifts', async () => {
    const penguins = readRows('penguins.json');
    writeJson(wd, 'islands-ref.json', penguins);
    writeJson(
      wd,
      'islands-cur.json',
      penguins.slice(0, 60).map((r, i) => ({ ...r, Island: `free text ${i}` })),
    );
    const drift = await runDriftCheck(
      {
        reference: 'islands-ref.json',
        current: 'islands-cur.json',
        method: 'auto',
        driftShare: 0.5,
        reportPath: 'mlops-reports/islands-drift.json',
        workingDirectory: wd,
      },
      memoryLog(),
    );
    expect(drift.identifiers).toEqual([]);
    expect(drift.driftedColumns).toContain('Island');
  });

  it('says so when a second dataset replaces the profile of another one at the same profile-path', async () => {
    const reused = (data: string) =>
      options({ data, inferSchema: true, profilePath: 'mlops-reports/shared-profile.json' });
    const first = memoryLog();
    await runDataValidate(reused('../train.json'), first);
    const again = memoryLog();
    await runDataValidate(reused('../train.json'), again);
    const other = memoryLog();
    await runDataValidate(reused('holdout.json'), other);
    const replaced = (log: ReturnType<typeof memoryLog>) =>
      log.lines.filter((l) => l.level === 'warning' && l.message.includes('held the profile of'));
    expect(replaced(first)).toEqual([]);
    expect(replaced(again)).toEqual([]); // the same data again: nothing to say
    expect(replaced(other).map((l) => l.message)).toEqual([
      expect.stringMatching(
        /shared-profile\.json held the profile of '.*train\.json'; it now holds .*holdout\.json/,
      ),
    ]);
  });

  it('fails with a UserError on a missing schema, a schema typo and unreadable data', async () => {
    await expect(runDataValidate(options({ schema: 'nope.yaml' }), memoryLog())).rejects.toThrow(
      /Schema file 'nope.yaml' does not exist/,
    );
    writeFileSync(
      join(wd, 'typo.yaml'),
      'schema: mlops-schema/v1\ncolumns:\n  Island:\n    tpye: categorical\n',
    );
    const typo = await runDataValidate(options({ schema: 'typo.yaml' }), memoryLog()).catch((e) => e);
    expect(typo).toBeInstanceOf(UserError);
    expect(typo.message).toContain(
      "ml/typo.yaml:4:5: unknown key 'tpye' in column 'Island'. Did you mean 'type'?",
    );
    writeFileSync(join(wd, 'empty.csv'), '');
    await expect(runDataValidate(options({ data: 'empty.csv' }), memoryLog())).rejects.toThrow(/is empty/);
  });
});
