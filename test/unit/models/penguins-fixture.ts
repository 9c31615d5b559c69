import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTf } from '../../../shared/src/engines/tfjs.js';
import { fileSaveHandler } from '../../../shared/src/models/index.js';

export const PENGUINS_FIXTURE = 'test/fixtures/models/penguins';

const weights = JSON.parse(readFileSync(`${PENGUINS_FIXTURE}/weights.json`, 'utf8')) as Record<
  string,
  number[][] | number[]
>;

/** Builds the fixture MLP as a TF.js layers model with the ONNX model's weights and saves it. */
export async function saveTfjsPenguinsModel(directory: string): Promise<string> {
  const { tf } = await loadTf();
  const w1 = weights.w1 as number[][];
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [w1.length], units: w1[0].length, activation: 'relu' }),
      tf.layers.dense({ units: (weights.b2 as number[]).length, activation: 'softmax' }),
    ],
  });
  model.setWeights([
    tf.tensor2d(w1),
    tf.tensor1d(weights.b1 as number[]),
    tf.tensor2d(weights.w2 as number[][]),
    tf.tensor1d(weights.b2 as number[]),
  ]);
  await model.save(fileSaveHandler(tf, directory));
  model.dispose();
  return join(directory, 'model.json');
}
