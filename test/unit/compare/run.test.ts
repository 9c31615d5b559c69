import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { workdir, writeMetrics } from '../../integration/github/fixtures.js';

const schema = JSON.parse(
  readFileSync(new URL('../../../docs/schemas/comparison.schema.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ allErrors: true }).compile(schema);

const base = (dir: string) => ({
  current: 'current.json',
  failOnRegression: true,
  reportPath: 'out/compare.json',
  workingDirectory: dir,
  modelKey: 'churn',
});

describe('runCompareBaseline', () => {
  it('writes a report that matches docs/schemas/comparison.schema.json', async () => {
    const dir = workdir();
    writeMetrics(
      dir,
      'baseline.json',
      { accuracy: { value: 0.9, ci: [0.88, 0.92], n: 500 }, log_loss: 0.3 },
      {
        slices: { 'sex=F': { accuracy: 0.9 } },
      },
    );
    writeMetrics(
      dir,
      'current.json',
      { accuracy: { value: 0.8, ci: [0.78, 0.82], n: 500 }, log_loss: 0.31 },
      {
        slices: { 'sex=F': { accuracy: 0.7 } },
      },
    );
    const result = await runCompareBaseline(
      {
        ...base(dir),
        baseline: 'baseline.json',
        thresholds: 'accuracy: {tolerance: 0.01}\nf1: {min: 0.5}',
        significance: 0.05,
      },
      { log: memoryLog() },
    );
    expect(result.passed).toBe(false);
    expect(result.regressions.sort()).toEqual(['accuracy', 'f1']);
    const report = JSON.parse(readFileSync(join(dir, 'out/compare.json'), 'utf8'));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.slice_regressions).toHaveLength(1);
    expect(result.commentMarkdown).toContain('<!-- mlops:compare-baseline:churn -->');
  });

  it('refuses a baseline file that is not there, naming what the folder holds', async () => {
    const dir = workdir();
    writeMetrics(dir, 'current.json', { accuracy: 0.6 });
    writeMetrics(dir, 'prod-metrics.json', { accuracy: 0.6 });
    const thresholds = 'accuracy: {min: 0.5, tolerance: 0}';
    const error = await runCompareBaseline(
      { ...base(dir), baseline: 'prod-metric.json', thresholds },
      { log: memoryLog() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(join(dir, 'prod-metric.json'));
    expect((error as Error).message).toMatch(/these JSON files: current\.json, prod-metrics\.json/);
    expect((error as Error).message).toContain('allow-missing-baseline: true');
    expect(existsSync(join(dir, 'out/compare.json'))).toBe(false);
  });

  it('says "first model" for a missing baseline only with allow-missing-baseline, and gates on values', async () => {
    const dir = workdir();
    writeMetrics(dir, 'current.json', { accuracy: 0.6 });
    const log = memoryLog();
    const result = await runCompareBaseline(
      {
        ...base(dir),
        baseline: 'nowhere/metrics.json',
        thresholds: 'accuracy: {min: 0.5, tolerance: 0}',
        allowMissingBaseline: true,
      },
      { log },
    );
    expect(result.passed).toBe(true);
    expect(result.diff.firstModel).toBe(true);
    expect(result.commentMarkdown).toContain('First model');
    const warnings = log.lines.filter((line) => line.level === 'warning').map((line) => line.message);
    expect(warnings).toEqual([
      expect.stringMatching(/nowhere.*does not exist.*first model \(allow-missing-baseline: true\)/),
    ]);
  });

  it('uses the injected resolver for registry: baselines and rejects a bad significance', async () => {
    const dir = workdir();
    writeMetrics(dir, 'current.json', { accuracy: 0.6 });
    writeMetrics(dir, 'prod.json', { accuracy: 0.7 });
    const { readMetricsFile } = await import('../../../shared/src/compare/metrics-file.js');
    const seen: string[] = [];
    const result = await runCompareBaseline(
      { ...base(dir), baseline: 'registry:churn@production', thresholds: 'accuracy: {tolerance: 0.05}' },
      {
        log: memoryLog(),
        resolveBaseline: async (spec) => {
          seen.push(spec);
          return readMetricsFile(join(dir, 'prod.json'));
        },
      },
    );
    expect(seen).toEqual(['registry:churn@production']);
    expect(result.regressions).toEqual(['accuracy']);
    await expect(
      runCompareBaseline({ ...base(dir), significance: 1.5 }, { log: memoryLog() }),
    ).rejects.toThrow(UserError);
    await expect(
      runCompareBaseline({ ...base(dir), baseline: 'branch:main' }, { log: memoryLog() }),
    ).rejects.toThrow(/needs a GitHub or registry context/);
  });
});
