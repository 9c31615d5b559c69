import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';

/** The weights file name in `model.json`'s manifest. */
export const WEIGHTS_FILE = 'weights.bin';

/** tfjs 4.x hands weights as one ArrayBuffer or a list of them (sharded); disk wants one buffer. */
export function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const buffer of data) {
    out.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return out;
}

/**
 * An IOHandler that writes the standard TF.js layers-model format to a folder: `model.json`
 * (topology + weights manifest) and one `weights.bin`, the same files `tf.node.io.fileSystem`
 * and `tensorflowjs_converter` produce, so any TF.js loader reads them. Written through temp
 * files and renamed, so a killed job never leaves a model.json pointing at half a weights file.
 */
export function diskSaveHandler(dir: string): Tf.io.IOHandler {
  return {
    async save(artifacts: Tf.io.ModelArtifacts): Promise<Tf.io.SaveResult> {
      await mkdir(dir, { recursive: true });
      const weights =
        artifacts.weightData === undefined ? new Uint8Array(0) : concatWeightData(artifacts.weightData);
      const modelJson: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined)
        modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeAtomic(join(dir, WEIGHTS_FILE), weights);
      const json = JSON.stringify(modelJson);
      await writeAtomic(join(dir, 'model.json'), json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology ?? {})),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/** Write to a sibling temp file, then rename: readers see the old file or the new one, never half. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}
