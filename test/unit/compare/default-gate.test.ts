/**
 * What gates when nobody configured a threshold: the task's primary metric may not worsen
 * significantly; `gate: none` is the explicit way out; a baseline that names nothing is an error
 * that says what exists.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRIMARY_METRICS } from '../../../shared/src/compare/default-gate.js';
import { registryBaselineResolver } from '../../../shared/src/compare/registry-baseline.js';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { workdir, writeMetrics } from '../../integration/github/fixtures.js';
import { metricsReport, writeJson, writeModelFolder } from '../registry/helpers.js';

const options = (dir: string) => ({
  current: 'current.json',
  baseline: 'baseline.json',
  significance: 0.05,
  failOnRegression: true,
  reportPath: 'out/compare.json',
  workingDirectory: dir,
  modelKey: 'churn',
});

/** A metric with a 95% CI of half-width `half` (what evaluate's bootstrap writes). */
const withCi = (value: number, half: number) => ({
  value,
  ci: [value - half, value + half] as [number, number],
  n: 500,
});

describe('the default gate (no thresholds anywhere)', () => {
  it('fails a significant drop of the primary metric and says so in one line with the snippet', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: withCi(0.9, 0.01), f1: withCi(0.8, 0.02) });
    writeMetrics(dir, 'current.json', { accuracy: withCi(0.8, 0.01), f1: withCi(0.5, 0.02) });
    const result = await runCompareBaseline(options(dir), { log: silentLog });
    expect(result.passed).toBe(false);
    // Only the primary metric gates; f1 fell further but nobody asked for it.
    expect(result.regressions).toEqual(['accuracy']);
    expect(result.diff.gate).toMatchObject({ kind: 'default', metric: 'accuracy' });
    const line = result.commentMarkdown.split('\n').find((l) => l.startsWith('**Default gate:**'));
    expect(line).toContain('`accuracy`');
    expect(line).toContain('may not worsen significantly (α = 0.05');
    expect(line).toContain('`metrics: { accuracy: { tolerance: 0.01 } }`');
    expect(result.summaryMarkdown).toContain(line);
  });

  it('passes a drop inside the noise, and an improvement', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: withCi(0.9, 0.03) });
    writeMetrics(dir, 'current.json', { accuracy: withCi(0.895, 0.03) });
    const noise = await runCompareBaseline(options(dir), { log: silentLog });
    expect(noise.passed).toBe(true);
    expect(noise.diff.rows[0]).toMatchObject({ metric: 'accuracy', verdict: 'not significant' });
    writeMetrics(dir, 'current.json', { accuracy: withCi(0.97, 0.01) });
    expect((await runCompareBaseline(options(dir), { log: silentLog })).passed).toBe(true);
  });

  it('gates r2 for regression (the drop of the issue: 0.274 to -3.676)', async () => {
    const dir = workdir();
    const task = { task: 'regression' };
    writeMetrics(dir, 'baseline.json', { r2: withCi(0.274, 0.05), rmse: withCi(1, 0.1) }, task);
    writeMetrics(dir, 'current.json', { r2: withCi(-3.676, 0.3), rmse: withCi(4.1, 0.2) }, task);
    const result = await runCompareBaseline(options(dir), { log: silentLog });
    expect(result.diff.gate).toMatchObject({ kind: 'default', metric: 'r2' });
    expect(result.regressions).toEqual(['r2']);
    expect(PRIMARY_METRICS.regression[0]).toBe('r2');
  });

  it('fails loudly when the file has none of the primary metrics', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { custom_score: 0.5 });
    writeMetrics(dir, 'current.json', { custom_score: 0.5 });
    const result = await runCompareBaseline(options(dir), { log: silentLog });
    expect(result.passed).toBe(false);
    expect(result.diff.rows.find((row) => row.metric === 'accuracy')?.failures[0]).toMatch(/missing/);
  });

  it('refuses to run with nothing that could gate: no thresholds and no baseline', async () => {
    const dir = workdir();
    writeMetrics(dir, 'current.json', { accuracy: 0.5 });
    await expect(runCompareBaseline({ ...options(dir), baseline: '' }, { log: silentLog })).rejects.toThrow(
      /Nothing would gate.*gate: none/,
    );
    // The explicit first-model switch lets it through.
    const first = await runCompareBaseline(
      { ...options(dir), baseline: '', allowMissingBaseline: true },
      { log: silentLog },
    );
    expect(first.passed).toBe(true);
    expect(first.diff.firstModel).toBe(true);
  });

  it('configured thresholds replace the default gate', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: withCi(0.9, 0.01), f1: withCi(0.8, 0.01) });
    writeMetrics(dir, 'current.json', { accuracy: withCi(0.8, 0.01), f1: withCi(0.8, 0.01) });
    const result = await runCompareBaseline(
      { ...options(dir), thresholds: 'f1: {tolerance: 0.01}' },
      { log: silentLog },
    );
    expect(result.diff.gate).toEqual({ kind: 'thresholds' });
    expect(result.passed).toBe(true);
    expect(result.commentMarkdown).not.toContain('Default gate');
  });
});

describe('gate: none', () => {
  it('reports without gating, and says "not gated (gate: none)"', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: withCi(0.9, 0.01) });
    writeMetrics(dir, 'current.json', { accuracy: withCi(0.5, 0.01) });
    const log = memoryLog();
    const result = await runCompareBaseline(
      { ...options(dir), gate: 'none', thresholds: 'accuracy: {min: 0.8}' },
      { log },
    );
    expect(result.passed).toBe(true);
    expect(result.diff.gate.kind).toBe('none');
    expect(result.commentMarkdown).toContain('not gated (gate: none)');
    expect(log.lines.some((l) => l.level === 'warning' && /thresholds for accuracy/.test(l.message))).toBe(
      true,
    );
    await expect(
      runCompareBaseline({ ...options(dir), gate: 'off' as never }, { log: silentLog }),
    ).rejects.toThrow(/gate must be one of default, none/);
  });
});

describe('a registry baseline that names nothing', () => {
  it('is an error naming the registered models and their aliases', async () => {
    const dir = workdir();
    await writeModelFolder(join(dir, 'model'));
    await writeJson(join(dir, 'metrics.json'), metricsReport({ accuracy: 0.93 }));
    const registry = { backend: 'local' as const, registry: '.mlops/registry', workingDirectory: dir };
    await runRegister(
      { ...registry, model: 'model', name: 'penguins', metrics: 'metrics.json', alias: 'production' },
      { log: silentLog },
    );
    writeMetrics(dir, 'current.json', { accuracy: 0.5 });
    const deps = {
      log: silentLog,
      resolveBaseline: registryBaselineResolver(() => new LocalRegistry(join(dir, '.mlops/registry'))),
    };
    for (const [spec, why] of [
      ['registry:penguinz@production', /no model is called penguinz\. Did you mean 'penguins'\?/],
      ['registry:penguins@prod', /penguins has no alias prod/],
      ['registry:penguins/7', /penguins has no version 7/],
    ] as const) {
      const error = await runCompareBaseline({ ...options(dir), baseline: spec }, deps).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(why);
      expect((error as Error).message).toMatch(
        /holds: penguins \(1 version\(s\); aliases @production → v1\)/,
      );
    }
    // The real one resolves, and the default gate catches the drop from 0.93.
    const result = await runCompareBaseline(
      { ...options(dir), baseline: 'registry:penguins@production' },
      deps,
    );
    expect(result.regressions).toEqual(['accuracy']);
  });
});
