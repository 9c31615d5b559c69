import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import {
  bootstrapMetrics,
  CLASSIFICATION_METRICS,
  confusionMetric,
  planFor,
  SCORE_METRICS,
  Xoshiro128,
} from '../../../shared/src/metrics/index.js';
import {
  type FeatureBlock,
  permutationImportance,
  shuffledOrder,
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

/** Fisher–Yates written with `nextFloat`, as permutation importance drew its orders at first. */
function referenceOrder(n: number, random: Xoshiro128): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.nextFloat() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

describe('seeded shuffles', () => {
  it("put a block's rows, of any width, in the very order the nextFloat loop draws, and leave the stream where it leaves it", () => {
    for (const rows of [1, 2, 7, 5000]) {
      for (const width of [1, 3]) {
        const order = referenceOrder(rows, new Xoshiro128(9, 4));
        const reference = new Xoshiro128(9, 4);
        referenceOrder(rows, reference);
        const values = Float64Array.from({ length: rows * width }, (_, i) => i * 1.5 - 7);
        const shuffled = Float32Array.from(values);
        const random = new Xoshiro128(9, 4);
        random.shuffle(shuffled, width);
        const expected = new Float32Array(rows * width);
        for (let i = 0; i < rows; i++) {
          for (let s = 0; s < width; s++) expected[i * width + s] = values[order[i] * width + s];
        }
        expect(shuffled, `${rows} rows of width ${width}`).toEqual(expected);
        expect(random.nextFloat()).toBe(reference.nextFloat());
        expect(shuffledOrder(rows, new Xoshiro128(9, 4))).toEqual(order);
      }
    }
  });

  it("draws scikit-learn's scheme: one seeded order per repeat, the same for every feature, block widths alike", async () => {
    const c = golden.cases[1];
    const seeded = await permutationImportance({
      matrix: Float64Array.from(c.matrix),
      rows: c.rows,
      width: c.width,
      blocks: c.blocks,
      score: scorer(c),
      nRepeats: 3,
      seed: 5,
    });
    const stream = new Xoshiro128(5, 1);
    const orders = [0, 1, 2].map(() => referenceOrder(c.rows, stream));
    const given = await permutationImportance({
      matrix: Float64Array.from(c.matrix),
      rows: c.rows,
      width: c.width,
      blocks: c.blocks,
      score: scorer(c),
      nRepeats: 3,
      seed: 5,
      permutation: (_feature, repeat) => orders[repeat],
    });
    expect(c.blocks.some((b) => b.width > 1)).toBe(true);
    expect(seeded).toEqual(given);
  });

  it('hands the model, for blocks of every width, exactly the rows with that block taken from row order[i]', async () => {
    const widths = [1, 2, 3, 4, 5];
    const blocks: FeatureBlock[] = [];
    let start = 0;
    for (const [f, w] of widths.entries()) {
      blocks.push({ feature: `f${f}`, start, width: w });
      start += w;
    }
    const rows = 37;
    const width = start;
    const original = Float32Array.from({ length: rows * width }, (_, i) => i + 0.5);
    const random = new Xoshiro128(3);
    const orders = [0, 1].map(() => shuffledOrder(rows, random));
    const seen: Float32Array[] = [];
    await permutationImportance({
      matrix: Float32Array.from(original),
      rows,
      width,
      blocks,
      score: async (m) => {
        seen.push(Float32Array.from(m));
        return 0;
      },
      nRepeats: 2,
      seed: 1,
      permutation: (_f, r) => orders[r],
    });
    blocks.forEach((block, f) => {
      for (let r = 0; r < 2; r++) {
        const expected = Float32Array.from(original);
        for (let i = 0; i < rows; i++) {
          for (let s = 0; s < block.width; s++) {
            expected[i * width + block.start + s] = original[orders[r][i] * width + block.start + s];
          }
        }
        expect(seen[1 + f * 2 + r], `${block.feature} (width ${block.width}), repeat ${r}`).toEqual(expected);
      }
    });
  });

  it('shuffles the matrix in place and gives it back unchanged, also when a scoring throws', async () => {
    const c = golden.cases[1];
    const matrix = Float64Array.from(c.matrix);
    const seen: Float64Array[] = [];
    const score = scorer(c);
    await permutationImportance({
      matrix,
      rows: c.rows,
      width: c.width,
      blocks: c.blocks,
      score: async (m) => {
        seen.push(Float64Array.from(m));
        return score(m);
      },
      nRepeats: 2,
      seed: 1,
    });
    expect(matrix).toEqual(Float64Array.from(c.matrix));
    // Each scoring saw exactly one block shuffled: the other slots are the data's own.
    const shuffledSlots = (m: Float64Array) =>
      new Set(
        Array.from(m.keys())
          .filter((i) => m[i] !== c.matrix[i])
          .map((i) => c.blocks.findIndex((b) => i % c.width >= b.start && i % c.width < b.start + b.width)),
      );
    expect(seen[0]).toEqual(matrix);
    seen.slice(1).forEach((m, s) => {
      expect([...shuffledSlots(m)]).toEqual([Math.floor(s / 2)]);
    });

    let calls = 0;
    const failing = permutationImportance({
      matrix,
      rows: c.rows,
      width: c.width,
      blocks: c.blocks,
      score: async (m) => {
        if (++calls === 4) throw new UserError('the model failed');
        return score(m);
      },
      nRepeats: 2,
      seed: 1,
    });
    await expect(failing).rejects.toThrow('the model failed');
    expect(matrix).toEqual(Float64Array.from(c.matrix));
  });
});

describe('confusionMetric', () => {
  it("equals the plan's point estimate for every metric of the confusion matrix, and is null where that is undefined", () => {
    const random = new Xoshiro128(31);
    for (const k of [2, 3, 5]) {
      for (const n of [1, 40, 999]) {
        const yTrue = Int32Array.from({ length: n }, () => Math.floor(random.nextFloat() * k));
        // Mostly right, and one class never predicted, so some ratios are 0/0.
        const yPred = Int32Array.from(yTrue, (t) =>
          random.nextFloat() < 0.7 ? t : Math.floor(random.nextFloat() * (k - 1)),
        );
        const classes = Array.from({ length: k }, (_, c) => `c${c}`);
        for (const name of CLASSIFICATION_METRICS.filter((m) => !SCORE_METRICS.has(m))) {
          const plan = bootstrapMetrics(
            planFor({ task: 'classification', data: { classes, yTrue, yPred, scores: null } }, [name]),
            {
              resamples: 0,
              seed: 0,
              confidence: 0.95,
            },
          )[name].value;
          expect(confusionMetric(yTrue, yPred, k, name), `${name}, k=${k}, n=${n}`).toBe(plan);
        }
      }
    }
    expect(confusionMetric(Int32Array.of(0, 1), Int32Array.of(0, 0), 2, 'precision')).toBe(0);
    expect(confusionMetric(Int32Array.of(0, 0), Int32Array.of(0, 0), 3, 'precision')).toBeNull();
    expect(() => confusionMetric(Int32Array.of(0), Int32Array.of(0), 2, 'log_loss')).toThrow(
      /needs class scores/,
    );
  });
});
