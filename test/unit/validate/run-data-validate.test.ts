import {
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
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { driftSkewCheck } from '../../../shared/src/drift/skew-check.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { type DataValidateOptions, runDataValidate, shouldFail } from '../../../shared/src/validate/index.js';
import { readRows, readSeattle, split70, writeJson } from './helpers.js';

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
        ? { ...r, 'Body Mass (g)': -5000 }
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
    expect(schemaLines[result.annotations[0]!.line! - 1]).toMatch(/^ {4}min: /);
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
