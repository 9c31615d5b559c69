import { describe, expect, it } from 'vitest';
import {
  bootstrapMetrics,
  CLASSIFICATION_METRICS,
  type ClassificationData,
  ClassificationPlan,
  pairedBootstrapDelta,
  pairedDifferencePlan,
  REGRESSION_METRICS,
  RegressionPlan,
  runReplicates,
  unitWeights,
  Xoshiro128,
} from '../../../shared/src/metrics/index.js';

/** k-class rows with tied scores (rounded to 1/20), labels loosely following the scores. */
function rowsOf(n: number, k: number, seed: number): ClassificationData {
  const random = new Xoshiro128(seed);
  const yTrue = new Int32Array(n);
  const yPred = new Int32Array(n);
  const scores = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      scores[i * k + c] = 1 + Math.floor(random.nextFloat() * 20);
      sum += scores[i * k + c];
    }
    let best = 0;
    for (let c = 0; c < k; c++) {
      scores[i * k + c] /= sum;
      if (scores[i * k + c] > scores[i * k + best]) best = c;
    }
    yPred[i] = best;
    yTrue[i] = random.nextFloat() < 0.6 ? best : random.nextUint32() % k;
  }
  return { classes: Array.from({ length: k }, (_, c) => `c${c}`), yTrue, yPred, scores };
}

/** The rows a resample stands for: row i repeated weights[i] times. */
function materialise(data: ClassificationData, weights: Int32Array): ClassificationData {
  const k = data.classes.length;
  const rows: number[] = [];
  weights.forEach((w, i) => {
    for (let j = 0; j < w; j++) rows.push(i);
  });
  return {
    classes: data.classes,
    yTrue: Int32Array.from(rows, (i) => data.yTrue[i]),
    yPred: Int32Array.from(rows, (i) => data.yPred[i]),
    scores: Float64Array.from(rows.flatMap((i) => Array.from(data.scores!.subarray(i * k, i * k + k)))),
  };
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
}

describe('resampling', () => {
  it('keeps the generator stream of seed 0..n exactly (fixtures and benchmarks are drawn from it)', () => {
    const random = new Xoshiro128(42);
    expect(Array.from({ length: 4 }, () => random.nextUint32())).toEqual([
      2837322924, 544945897, 479756282, 3500138142,
    ]);
    const counts = new Int32Array(10);
    new Xoshiro128(7).fillResampleCounts(counts);
    expect(Array.from(counts)).toEqual([0, 1, 2, 1, 2, 3, 0, 0, 1, 0]);
    // Past 2^21 rows each index comes from a 53-bit float (two draws).
    const big = new Int32Array(2097153);
    new Xoshiro128(7).fillResampleCounts(big, 5);
    expect([...big.entries()].filter(([, c]) => c > 0).map(([i]) => i)).toEqual([
      490372, 941442, 1076282, 1186295, 1771115,
    ]);
  });

  it('draws counts with the same stream as single draws, and distinct streams per replicate', () => {
    const n = 1000;
    const counts = new Int32Array(n);
    new Xoshiro128(5, 3).fillResampleCounts(counts);
    const expected = new Int32Array(n);
    const random = new Xoshiro128(5, 3);
    for (let i = 0; i < n; i++) expected[Math.floor((random.nextUint32() * n) / 4294967296)]++;
    expect(counts).toEqual(expected);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
    const other = new Int32Array(n);
    new Xoshiro128(5, 4).fillResampleCounts(other);
    expect(other).not.toEqual(counts);
  });

  for (const k of [2, 3, 4]) {
    it(`evaluates a resample of ${k} classes as the point estimate of the rows it repeats`, () => {
      const data = rowsOf(300, k, k);
      const names = [...CLASSIFICATION_METRICS];
      const plan = new ClassificationPlan(data, names);
      const weights = new Int32Array(plan.n);
      const weighted = new Float64Array(names.length);
      const expanded = new Float64Array(names.length);
      for (let r = 0; r < 5; r++) {
        new Xoshiro128(11, r + 1).fillResampleCounts(weights);
        // Plan weights are in the plan's row order; the materialised rows in input order.
        const inputWeights = new Int32Array(plan.n);
        plan.rowOrder!.forEach((row, i) => {
          inputWeights[row] = weights[i];
        });
        plan.evaluate(weights, weighted);
        const resampled = new ClassificationPlan(materialise(data, inputWeights), names);
        resampled.evaluate(unitWeights(resampled.n), expanded);
        names.forEach((name, j) => {
          expect(close(weighted[j], expanded[j]), `${name}: ${weighted[j]} vs ${expanded[j]}`).toBe(true);
        });
      }
    });
  }

  it('replicate r is the plan evaluated on stream r + 1 of the seed', () => {
    const names = ['accuracy', 'roc_auc_ovr', 'log_loss', 'expected_calibration_error'] as const;
    const plan = new ClassificationPlan(rowsOf(500, 3, 1), [...names]);
    const { results } = runReplicates(plan, { resamples: 6, seed: 9, confidence: 0.95, threads: 1 });
    const weights = new Int32Array(plan.n);
    const out = new Float64Array(names.length);
    for (let r = 0; r < 6; r++) {
      new Xoshiro128(9, r + 1).fillResampleCounts(weights);
      plan.evaluate(weights, out);
      expect(Array.from(results.subarray(r * names.length, (r + 1) * names.length))).toEqual(Array.from(out));
    }
  });
});

describe('bootstrap threads', () => {
  const data = rowsOf(20_000, 3, 2);
  const names = [...CLASSIFICATION_METRICS];

  it('give identical replicates and intervals with 1 thread and with worker threads', () => {
    const options = { resamples: 40, seed: 4, confidence: 0.9 };
    const single = runReplicates(new ClassificationPlan(data, names), { ...options, threads: 1 });
    expect(single.byWorkers).toBe(0);
    // Workers alone: shows their code (shipped as source text) computes what the main thread does.
    const workersOnly = runReplicates(new ClassificationPlan(data, names), { ...options, threads: 3 }, false);
    expect(workersOnly.byWorkers).toBe(options.resamples);
    expect(Array.from(workersOnly.results)).toEqual(Array.from(single.results));
    const shared = runReplicates(new ClassificationPlan(data, names), { ...options, threads: 2 });
    expect(Array.from(shared.results)).toEqual(Array.from(single.results));

    const progress: number[] = [];
    const a = bootstrapMetrics(new ClassificationPlan(data, names), { ...options, threads: 1 });
    const b = bootstrapMetrics(new ClassificationPlan(data, names), {
      ...options,
      threads: 4,
      onProgress: (done) => progress.push(done),
    });
    expect(b).toEqual(a);
    expect(a.roc_auc_ovo.ci![1]).toBeGreaterThan(a.roc_auc_ovo.ci![0]);
    expect(progress.at(-1)).toBe(options.resamples);
  });

  it('run regression replicates in workers too, with the same values', () => {
    const random = new Xoshiro128(3);
    const yTrue = Float64Array.from({ length: 2000 }, () => random.nextFloat() * 10);
    const yPred = yTrue.map((y) => y + random.nextFloat() - 0.5);
    const plan = new RegressionPlan({ yTrue, yPred }, [...REGRESSION_METRICS]);
    const options = { resamples: 30, seed: 2, confidence: 0.9 };
    const workers = runReplicates(plan, { ...options, threads: 3 }, false);
    expect(workers.byWorkers).toBe(options.resamples);
    expect(Array.from(workers.results)).toEqual(
      Array.from(runReplicates(plan, { ...options, threads: 1 }).results),
    );
  });
});

describe('paired bootstrap threads', () => {
  it('give the same deltas on 1 thread and in workers, and match the two plans evaluated apart', () => {
    const current = rowsOf(20_000, 3, 5);
    const baseline = { ...current, yPred: rowsOf(20_000, 3, 6).yPred, scores: rowsOf(20_000, 3, 6).scores };
    const rows = (d: ClassificationData) => ({ task: 'classification' as const, data: d });
    const metric = 'roc_auc_ovo';
    const plan = () =>
      pairedDifferencePlan(
        'classification',
        new ClassificationPlan(current, [metric]),
        'classification',
        new ClassificationPlan(baseline, [metric]),
      );
    const options = { resamples: 24, seed: 3, confidence: 0.9 };
    const single = runReplicates(plan(), { ...options, threads: 1 });
    const workers = runReplicates(plan(), { ...options, threads: 3 }, false);
    expect(workers.byWorkers).toBe(options.resamples);
    expect(Array.from(workers.results)).toEqual(Array.from(single.results));

    // Replicate r: both models on the same input-row multiplicities, each in its own row order.
    const a = new ClassificationPlan(current, [metric]);
    const b = new ClassificationPlan(baseline, [metric]);
    const weights = new Int32Array(a.n);
    const [va, vb] = [new Float64Array(1), new Float64Array(1)];
    for (let r = 0; r < 3; r++) {
      new Xoshiro128(options.seed, r + 1).fillResampleCounts(weights);
      a.evaluate(
        Int32Array.from(a.rowOrder!, (row) => weights[row]),
        va,
      );
      b.evaluate(
        Int32Array.from(b.rowOrder!, (row) => weights[row]),
        vb,
      );
      expect(single.results[r]).toBe(va[0] - vb[0]);
    }

    const one = pairedBootstrapDelta(rows(current), rows(baseline), metric, { ...options, threads: 1 });
    const many = pairedBootstrapDelta(rows(current), rows(baseline), metric, { ...options, threads: 4 });
    expect(many).toEqual(one);
  });
});
