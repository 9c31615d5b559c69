import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionInputs } from '../../../shared/src/actions/inputs.js';
import { ACTION_SPECS } from '../../../shared/src/actions/specs.generated.js';
import { loadConfig } from '../../../shared/src/config/load.js';
import { UserError } from '../../../shared/src/errors/index.js';

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-config-'));
  writeFileSync(join(dir, 'mlops.yml'), yaml);
  return dir;
}

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('mlops.yml', () => {
  it('is optional when not named, required when named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-config-'));
    expect(loadConfig(undefined, dir)).toBeUndefined();
    expect(errorOf(() => loadConfig('missing.yml', dir)).message).toContain('does not exist');
  });

  it('loads shared keys, thresholds and step sections', () => {
    const dir = project(
      'name: penguins\ntarget: species\ntask: classification\nmetrics:\n  accuracy: {min: 0.8, tolerance: 0.01}\n  log_loss: {direction: lower, tolerance-pct: 5}\nevaluate:\n  slices: [island, sex]\n  bootstrap: 200\n',
    );
    const loaded = loadConfig(undefined, dir);
    expect(loaded?.config.metrics?.log_loss).toEqual({ direction: 'lower', 'tolerance-pct': 5 });
    expect(loaded?.config.evaluate?.slices).toEqual(['island', 'sex']);
  });

  it('names the line, the key and the nearest valid key for a typo at any depth', () => {
    const top = errorOf(() => loadConfig(undefined, project('name: x\ntraget: y\n')));
    expect(top.message).toMatch(/mlops\.yml:2: unknown key 'traget'\. Did you mean 'target'\?/);
    expect(top.location?.line).toBe(2);
    const nested = errorOf(() =>
      loadConfig(undefined, project('metrics:\n  accuracy:\n    tolerence: 0.1\n')),
    );
    expect(nested.message).toMatch(
      /:3: unknown key 'tolerence' in 'metrics.accuracy'\. Did you mean 'tolerance'\?/,
    );
    const section = errorOf(() => loadConfig(undefined, project('train:\n  epochs: 3\n  batchsize: 8\n')));
    expect(section.message).toMatch(/:3: unknown key 'batchsize' in 'train'\. Did you mean 'batch-size'\?/);
  });

  it('reports wrong types and values with the line', () => {
    const error = errorOf(() => loadConfig(undefined, project('task: clasification\n')));
    expect(error.message).toMatch(/mlops\.yml:1: 'task':/);
    const negative = errorOf(() => loadConfig(undefined, project('metrics:\n  mae:\n    tolerance: -1\n')));
    expect(negative.message).toMatch(/:3: 'metrics.mae.tolerance'/);
  });

  it('reports invalid YAML with line and column, and refuses alias bombs', () => {
    const bad = errorOf(() => loadConfig(undefined, project('name: [unclosed\n')));
    expect(bad.message).toMatch(/invalid YAML/);
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 12; i++)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    expect(errorOf(() => loadConfig(undefined, project(lines.join('\n')))).message).toMatch(/alias/i);
  });
});

describe('input precedence: workflow input > mlops.yml > default', () => {
  const dir = project('name: penguins\nevaluate:\n  bootstrap: 200\n  slices: [island, sex]\n');
  const config = loadConfig(undefined, dir);
  const make = (given: Record<string, string>) =>
    new ActionInputs('evaluate', ACTION_SPECS.evaluate, (n) => given[n], config, dir);

  it('uses mlops.yml over the default and the input over mlops.yml', () => {
    expect(make({}).number('bootstrap', { integer: true })).toBe(200);
    expect(make({ bootstrap: '50' }).number('bootstrap', { integer: true })).toBe(50);
    expect(make({}).list('slices')).toEqual(['island', 'sex']);
    expect(make({}).number('confidence')).toBe(0.95);
  });

  it('treats a runner-filled default as unset, so mlops.yml still applies', () => {
    expect(make({ bootstrap: '1000' }).number('bootstrap', { integer: true })).toBe(200);
  });

  it('names the origin of a bad value from mlops.yml', () => {
    const bad = project('evaluate:\n  confidence: high\n');
    const inputs = new ActionInputs(
      'evaluate',
      ACTION_SPECS.evaluate,
      () => undefined,
      loadConfig(undefined, bad),
      bad,
    );
    expect(errorOf(() => inputs.number('confidence', { min: 0, max: 1 })).message).toMatch(
      /^'evaluate.confidence' in .*mlops\.yml:2 must be a number between 0 and 1; got 'high'\.$/,
    );
  });

  it('parses booleans, choices and lists strictly', () => {
    const inputs = new ActionInputs(
      'evaluate',
      ACTION_SPECS.evaluate,
      (n) => ({ latency: 'yes', task: 'clf', metrics: 'accuracy,\n f1 ,,' })[n],
      undefined,
      dir,
    );
    expect(errorOf(() => inputs.boolean('latency')).message).toBe(
      "Input 'latency' must be true or false; got 'yes'.",
    );
    expect(errorOf(() => inputs.choice('task', ['classification', 'regression', 'auto'])).message).toContain(
      'one of classification, regression, auto',
    );
    expect(inputs.list('metrics')).toEqual(['accuracy', 'f1']);
  });
});
