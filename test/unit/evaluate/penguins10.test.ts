import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvaluationRows, runEvaluate } from '../../../shared/src/evaluate/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';

/**
 * The ten-column penguins model (test/golden/penguins10_mlp.py), the one the permutation-importance
 * benchmark runs: evaluate reads its eval.csv through its preprocessing.json (two categoricals, a
 * declared missing-value token) and its ONNX outputs match the generator's numpy forward pass.
 */
const FIXTURE = 'test/fixtures/models/penguins10';
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  classes: string[];
  probabilities: number[][];
};

describe('the ten-column penguins ONNX fixture', () => {
  it('evaluates through its feature contract to the numpy probabilities of every row', async () => {
    const spec = JSON.parse(readFileSync(join(FIXTURE, 'preprocessing.json'), 'utf8')) as {
      features: { name: string }[];
    };
    expect(spec.features).toHaveLength(10);
    const work = mkdtempSync(join(tmpdir(), 'mlops-penguins10-'));
    const result = await runEvaluate(
      {
        model: resolve(FIXTURE, 'model.onnx'),
        data: resolve(FIXTURE, 'eval.csv'),
        confidence: 0.95,
        bootstrap: 0,
        seed: 1,
        latency: false,
        output: 'out/metrics.json',
        workingDirectory: work,
        importance: { nRepeats: 2, seed: 1 },
      },
      silentLog,
    );
    expect(result.metrics.classes).toEqual(expected.classes);
    expect(result.metrics.dataset.rows).toBe(expected.probabilities.length);
    expect(result.metrics.importance!.features.map((f) => f.feature).sort()).toEqual(
      spec.features.map((f) => f.name).sort(),
    );
    const rows = await readEvaluationRows(result.predictionsPath);
    if (rows.task !== 'classification') throw new Error('expected classification rows');
    const scores = rows.data.scores!;
    const k = expected.classes.length;
    expect(scores.length).toBe(expected.probabilities.length * k);
    // float32 inference against numpy's float64: agreement to float32 precision, every row.
    let worst = 0;
    expected.probabilities.forEach((p, i) => {
      for (let c = 0; c < k; c++) worst = Math.max(worst, Math.abs(scores[i * k + c] - p[c]));
    });
    expect(worst).toBeLessThan(2e-6);
    const numpyAccuracy =
      expected.probabilities.filter((p, i) => p.indexOf(Math.max(...p)) === rows.data.yTrue[i]).length /
      expected.probabilities.length;
    expect(result.metrics.metrics.accuracy.value).toBe(numpyAccuracy);
  });
});
