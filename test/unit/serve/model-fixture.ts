/**
 * A tiny real TF.js model like train writes (model.json + weights.bin + preprocessing.json):
 * two raw features (`bill_length_mm` numeric, `island` categorical) -> 4 inputs -> softmax over
 * three species, with weights fixed by `seed` so two versions answer differently. `expected`
 * computes the same softmax in plain JavaScript, independent of TF.js, as the reference.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadTf } from '../../../shared/src/engines/tfjs.js';
import { DEFAULT_MISSING_TOKENS, type Preprocessing } from '../../../shared/src/models/preprocessing.js';
import { fileSaveHandler } from '../../../shared/src/models/tfjs-files.js';

export const PREPROCESSING: Preprocessing = {
  schema: 'mlops-preprocessing/v2',
  missing: [...DEFAULT_MISSING_TOKENS],
  features: [
    { name: 'bill_length_mm', kind: 'numeric', mean: 44, std: 5, fill: 44 },
    { name: 'island', kind: 'categorical', categories: ['Biscoe', 'Dream', 'Torgersen'], fill: 'Biscoe' },
  ],
  target: 'species',
  task: 'classification',
  classes: ['Adelie', 'Chinstrap', 'Gentoo'],
};

export function weightsFor(seed: number): { kernel: number[][]; bias: number[] } {
  // 4 inputs x 3 outputs, small distinct values per seed.
  const kernel = Array.from({ length: 4 }, (_, i) =>
    Array.from({ length: 3 }, (_, j) => Math.sin(seed * 7 + i * 3 + j) * 1.5),
  );
  const bias = Array.from({ length: 3 }, (_, j) => Math.cos(seed * 5 + j) * 0.5);
  return { kernel, bias };
}

export async function writeTinyModel(dir: string, seed: number): Promise<string> {
  const { tf } = await loadTf();
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax', name: 'species' }));
  const { kernel, bias } = weightsFor(seed);
  model.setWeights([tf.tensor2d(kernel), tf.tensor1d(bias)]);
  await mkdir(dir, { recursive: true });
  await model.save(fileSaveHandler(tf, dir));
  model.dispose();
  await writeFile(join(dir, 'preprocessing.json'), JSON.stringify(PREPROCESSING));
  return dir;
}

/** The model's answer computed without TF.js. */
export function expected(
  seed: number,
  row: { bill_length_mm: number | null; island: string | null },
): number[] {
  const { kernel, bias } = weightsFor(seed);
  const length = row.bill_length_mm ?? 44;
  const island = row.island ?? 'Biscoe';
  const x = [
    (length - 44) / 5,
    island === 'Biscoe' ? 1 : 0,
    island === 'Dream' ? 1 : 0,
    island === 'Torgersen' ? 1 : 0,
  ];
  const logits = bias.map((b, j) => b + x.reduce((sum, xi, i) => sum + xi * kernel[i]![j]!, 0));
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export const ROWS = [
  { bill_length_mm: 39.1, island: 'Torgersen' },
  { bill_length_mm: 46.5, island: 'Dream' },
  { bill_length_mm: 50.0, island: 'Biscoe' },
  { bill_length_mm: null, island: null },
];

/** Same length, and each value within 1e-5 (float32 against float64). */
export function expectClose(actual: readonly number[], wanted: readonly number[]): void {
  expect(actual).toHaveLength(wanted.length);
  for (let i = 0; i < wanted.length; i++) expect(actual[i]).toBeCloseTo(wanted[i]!, 5);
}
