import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/src/config/load.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { SuccessiveHalving } from '../../../shared/src/search/halving.js';
import type { SearchSection } from '../../../shared/src/search/schema.js';
import { gridTrials, planSearch, randomTrials } from '../../../shared/src/search/space.js';

const golden = JSON.parse(readFileSync(join(__dirname, '../../fixtures/golden/search-trials.json'), 'utf8'));
const curves = JSON.parse(readFileSync(join(__dirname, 'fixtures/halving-curves.json'), 'utf8')) as {
  epochs: number;
  trials: number[][];
};

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-search-'));
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

function closeTo(actual: Record<string, unknown>[], expected: Record<string, unknown>[]) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((trial, i) => {
    expect(Object.keys(trial)).toEqual(Object.keys(expected[i]));
    for (const [name, value] of Object.entries(expected[i])) {
      if (typeof value === 'number' && !Number.isInteger(value)) expect(trial[name]).toBeCloseTo(value, 12);
      else expect(trial[name]).toBe(value);
    }
  });
}

describe('search sampling', () => {
  it('random search draws the documented trials for a seed (golden from test/golden/search_trials.py)', () => {
    const { space, seed, count, trials } = golden.random;
    closeTo(randomTrials(space, count, seed), trials);
    // Deterministic: the same seed twice gives the same trials; another seed others.
    expect(randomTrials(space, count, seed)).toEqual(randomTrials(space, count, seed));
    expect(randomTrials(space, count, seed + 1)).not.toEqual(randomTrials(space, count, seed));
  });

  it('grid search enumerates the documented product, last parameter fastest', () => {
    closeTo(gridTrials(golden.grid.space), golden.grid.trials);
    expect(golden.grid.trials).toHaveLength(12);
  });

  it('a budget below the grid size runs the first trials and counts the ones left out', () => {
    const section: SearchSection = { strategy: 'grid', budget: 5, parameters: golden.grid.space };
    const plan = planSearch(section, { mode: 'builtin', defaultMetric: 'loss' });
    expect(plan.trials).toEqual(gridTrials(golden.grid.space).slice(0, 5));
    expect(plan.gridSkipped).toBe(7);
    expect(plan.direction).toBe('lower');
  });
});

describe('successive halving', () => {
  it('stops the documented trials on the fixed curves', () => {
    const halving = new SuccessiveHalving({ minEpochs: 1, reductionFactor: 3, direction: 'lower' });
    const stoppedAt = curves.trials.map((curve) => {
      // As the trainer asks: after every epoch but the last.
      for (let epoch = 1; epoch < curves.epochs; epoch++) {
        if (halving.report(epoch, curve[epoch - 1]) !== undefined) return epoch;
      }
      return null;
    });
    expect(stoppedAt).toEqual([null, 1, 3, null, 1]);
  });

  it('rungs sit at min-epochs times powers of the reduction factor', () => {
    const halving = new SuccessiveHalving({ minEpochs: 2, reductionFactor: 2, direction: 'higher' });
    expect([1, 2, 3, 4, 6, 8, 16].map((e) => halving.isRung(e))).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
      true,
    ]);
  });
});

describe('search: in mlops.yml, bad input', () => {
  it('an empty search space names the mlops.yml line', () => {
    const dir = project('name: p\nsearch:\n  metric: accuracy\n  parameters: {}\n');
    const error = errorOf(() => loadConfig(undefined, dir));
    expect(error.message).toMatch(/mlops\.yml:4: 'search\.parameters': the search space is empty/);
    const nulled = project('name: p\nsearch:\n  budget: 3\n  parameters:\n');
    expect(errorOf(() => loadConfig(undefined, nulled)).message).toMatch(
      /mlops\.yml:\d: 'search\.parameters': the search space is empty/,
    );
  });

  it('budget: 0 is refused with its line', () => {
    const dir = project('search:\n  budget: 0\n  parameters:\n    epochs: {int: [1, 3]}\n');
    expect(errorOf(() => loadConfig(undefined, dir)).message).toBe(
      `${join(dir, 'mlops.yml')}:2: 'search.budget': budget must be at least 1 trial (0 would run nothing).`,
    );
  });

  it('an unknown parameter lists the ones the built-in trainer takes, at its line', () => {
    const dir = project(
      'search:\n  parameters:\n    epochs: {int: [1, 3]}\n    learning_rate: {float: [0.001, 0.1]}\n',
    );
    const loaded = loadConfig(undefined, dir)!;
    const error = errorOf(() =>
      planSearch(loaded.config.search!, { mode: 'builtin', source: loaded.source, defaultMetric: 'loss' }),
    );
    expect(error.message).toBe(
      `${join(dir, 'mlops.yml')}:4: unknown search parameter 'learning_rate': the built-in trainer takes epochs, batch-size, learning-rate, validation-split, patience, model, seed. Did you mean 'learning-rate'?`,
    );
    // A user's command takes any parameter name.
    expect(
      planSearch(loaded.config.search!, { mode: 'command', source: loaded.source, defaultMetric: 'loss' })
        .trials,
    ).toHaveLength(10);
  });

  it('a domain must be exactly one of choices/int/float/log-uniform with ordered bounds', () => {
    const both = project('search:\n  parameters:\n    epochs: {int: [1, 3], choices: [1]}\n');
    expect(errorOf(() => loadConfig(undefined, both)).message).toMatch(
      /:3: 'search\.parameters\.epochs': give exactly one/,
    );
    const reversed = project('search:\n  parameters:\n    learning-rate: {log-uniform: [0.1, 0.001]}\n');
    expect(errorOf(() => loadConfig(undefined, reversed)).message).toMatch(/low below high/);
    const typo = project('search:\n  stratgy: grid\n  parameters:\n    epochs: {int: [1, 3]}\n');
    expect(errorOf(() => loadConfig(undefined, typo)).message).toMatch(
      /:2: unknown key 'stratgy' in 'search'.*'strategy'/,
    );
  });

  it('grid over a continuous range needs steps; halving needs the built-in trainer', () => {
    const dir = project(
      'search:\n  strategy: grid\n  parameters:\n    learning-rate: {float: [0.001, 0.1]}\n',
    );
    const loaded = loadConfig(undefined, dir)!;
    expect(
      errorOf(() =>
        planSearch(loaded.config.search!, { mode: 'builtin', source: loaded.source, defaultMetric: 'loss' }),
      ).message,
    ).toMatch(/:4: grid search needs 'steps'/);
    const halving = project('search:\n  strategy: halving\n  parameters:\n    lr: {float: [0.001, 0.1]}\n');
    const h = loadConfig(undefined, halving)!;
    expect(
      errorOf(() =>
        planSearch(h.config.search!, { mode: 'command', source: h.source, defaultMetric: 'loss' }),
      ).message,
    ).toMatch(/:2: strategy halving .* only the built-in trainer/);
  });
});
