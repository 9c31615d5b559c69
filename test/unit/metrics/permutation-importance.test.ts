import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { bootstrapMetrics, planFor } from '../../../shared/src/metrics/index.js';
import {
  type FeatureBlock,
  permutationImportance,
} from '../../../shared/src/metrics/permutation-importance.js';

interface Case {
  task: 'regression' | 'classification';
  rows: number;
  width: number;
  matrix: number[];
  y: number[];
  coef: number[];
  intercept: number;
  blocks: FeatureBlock[];
  n_repeats: number;
  orders: number[][][];
  baseline: number;
  importances: number[][];
  importances_mean: number[];
  importances_std: number[];
}

// Made by test/golden/importance.py: scikit-learn's permutation_importance and the row orders it used.
const golden = JSON.parse(readFileSync('test/fixtures/golden/importance.json', 'utf8')) as { cases: Case[] };

/** The fitted linear model of the fixture, scored with the suite's own metric definitions. */
function scorer(c: Case) {
  return async (matrix: Float32Array | Float64Array) => {
    const linear = new Float64Array(c.rows);
    for (let i = 0; i < c.rows; i++) {
      let z = c.intercept;
      for (let j = 0; j < c.width; j++) z += matrix[i * c.width + j] * c.coef[j];
      linear[i] = z;
    }
    const metric = c.task === 'regression' ? 'r2' : 'accuracy';
    const rows =
      c.task === 'regression'
        ? { task: 'regression' as const, data: { yTrue: Float64Array.from(c.y), yPred: linear } }
        : {
            task: 'classification' as const,
            data: {
              classes: ['0', '1'],
              yTrue: Int32Array.from(c.y),
              // LogisticRegression.predict: the positive class where the decision function is > 0.
              yPred: Int32Array.from(linear, (z) => (z > 0 ? 1 : 0)),
              scores: null,
            },
          };
    return bootstrapMetrics(planFor(rows, [metric]), { resamples: 0, seed: 0, confidence: 0.95 })[metric]
      .value!;
  };
}

describe('permutation importance (scikit-learn semantics)', () => {
  for (const c of golden.cases) {
    it(`equals scikit-learn's with its row orders: ${c.task}, a one-hot block included`, async () => {
      const result = await permutationImportance({
        matrix: Float64Array.from(c.matrix),
        rows: c.rows,
        width: c.width,
        blocks: c.blocks,
        score: scorer(c),
        nRepeats: c.n_repeats,
        seed: 0,
        permutation: (f, r) => Int32Array.from(c.orders[f][r]),
      });
      expect(Math.abs(result.baseline - c.baseline)).toBeLessThanOrEqual(1e-9);
      result.features.forEach((f, j) => {
        expect(f.feature).toBe(c.blocks[j].feature);
        f.repeats.forEach((v, r) => {
          expect(Math.abs(v - c.importances[j][r]), `${f.feature} repeat ${r}`).toBeLessThanOrEqual(1e-9);
        });
        expect(Math.abs(f.mean - c.importances_mean[j])).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(f.std - c.importances_std[j])).toBeLessThanOrEqual(1e-9);
      });
      expect(result.scorings).toBe(1 + c.blocks.length * c.n_repeats);
    });
  }

  it('shuffles with its own seed reproducibly, and the informative features rank first', async () => {
    const c = golden.cases[0];
    const run = (seed: number) =>
      permutationImportance({
        matrix: Float64Array.from(c.matrix),
        rows: c.rows,
        width: c.width,
        blocks: c.blocks,
        score: scorer(c),
        nRepeats: 3,
        seed,
      });
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect((await run(12)).features[0].repeats).not.toEqual(a.features[0].repeats);
    const byImportance = [...a.features].sort((x, y) => y.mean - x.mean).map((f) => f.feature);
    expect(byImportance.at(-1)).toBe('noise');
  });

  it('refuses zero repeats with one clear message', async () => {
    const error = await permutationImportance({
      matrix: new Float32Array(4),
      rows: 2,
      width: 2,
      blocks: [{ feature: 'x', start: 0, width: 2 }],
      score: async () => 1,
      nRepeats: 0,
      seed: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('importance-repeats');
  });
});
