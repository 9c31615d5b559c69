import { stat } from 'node:fs/promises';
import type * as Tf from '@tensorflow/tfjs';
import { loadTf, type TfPreference } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import { confinedPath } from '../files/confined-path.js';
import { fileLoadHandler, readModelJson } from './tfjs-files.js';
import { lastDimension, type ModelAdapter, type TensorSpec } from './types.js';

/** A TF.js layers or graph model from model.json + weight shards, on the best backend available. */
export async function loadTfjsModel(
  path: string,
  options: { backend?: TfPreference } = {},
): Promise<ModelAdapter> {
  const modelJson = await readModelJson(path);
  const { tf, backend } = await loadTf(options.backend ?? 'auto');
  const topology = modelJson.modelTopology as Record<string, unknown>;
  const graph = modelJson.format === 'graph-model' || Array.isArray(topology?.node);
  const handler = fileLoadHandler(tf, path);
  let model: Tf.LayersModel | Tf.GraphModel;
  try {
    model = graph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Cannot load the TF.js model '${path}': ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  const specs = (
    list: { name: string; shape?: readonly (number | null)[] | null; dtype?: string }[],
  ): TensorSpec[] =>
    list.map((t) => ({
      name: t.name,
      dtype: t.dtype ?? 'float32',
      shape: [...(t.shape ?? [])].map((d) => (d === -1 ? null : d)),
    }));
  const signature = {
    inputs: specs(model.inputs as never),
    outputs: specs(model.outputs as never),
  };
  let sizeBytes = (await stat(path)).size;
  for (const group of modelJson.weightsManifest) {
    for (const shard of group.paths)
      sizeBytes += (await stat(confinedPath(path, 'weightsManifest path', shard))).size;
  }
  return {
    format: graph ? 'tfjs-graph' : 'tfjs-layers',
    path,
    signature,
    sizeBytes,
    engine: `tfjs ${backend}`,
    inputWidth: signature.inputs.length === 1 ? lastDimension(signature.inputs[0].shape) : null,
    async predict(batch, rows, width) {
      const output = tf.tidy(() => {
        const input = tf.tensor2d(batch, [rows, width], 'float32');
        const result = model.predict(input) as Tf.Tensor | Tf.Tensor[];
        const first = Array.isArray(result) ? result[0] : result;
        return first.rank === 1 ? first.reshape([rows, 1]) : first;
      });
      try {
        const values = (await output.data()) as Float32Array;
        return { values, width: output.shape[1] ?? 1 };
      } finally {
        output.dispose();
      }
    },
    dispose() {
      model.dispose();
    },
  };
}
