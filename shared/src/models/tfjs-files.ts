/**
 * TensorFlow.js IOHandler for model.json + weight files on disk. Without tfjs-node there is no
 * `file://` handler in Node, so the wasm and cpu backends load and save through this one.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import type { TfModule } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import { confinedPath } from '../files/confined-path.js';

type ModelJSON = Tf.io.ModelJSON;
type WeightsManifestConfig = Tf.io.WeightsManifestConfig;

/** Reads model.json (or a folder holding one) and the weight shards its manifest lists. */
export function fileLoadHandler(tf: TfModule, modelPath: string): Tf.io.IOHandler {
  const jsonPath = modelPath.endsWith('.json') ? modelPath : join(modelPath, 'model.json');
  return {
    async load() {
      const modelJson = await readModelJson(jsonPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest: WeightsManifestConfig) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const shard of group.paths) {
            // model.json may come from an untrusted artifact (a fork's model): its shards stay in its folder.
            const file = confinedPath(jsonPath, 'weightsManifest path', shard);
            let bytes: Buffer;
            try {
              bytes = await readFile(file);
            } catch (error) {
              throw new UserError(
                `Cannot read weight file '${file}' listed in ${jsonPath}: ${(error as Error).message}`,
                {
                  file: jsonPath,
                  cause: error,
                },
              );
            }
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
            );
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Writes model.json and one `weights.bin` shard into `directory`. */
export function fileSaveHandler(tf: TfModule, directory: string): Tf.io.IOHandler {
  return {
    async save(artifacts) {
      await mkdir(directory, { recursive: true });
      const weightsFile = 'weights.bin';
      const manifest: WeightsManifestConfig = [
        { paths: [weightsFile], weights: artifacts.weightSpecs ?? [] },
      ];
      // The model.json layout of tfjs-core's getModelJSONForModelArtifacts (not exported from tf.io).
      const modelJson: ModelJSON = {
        modelTopology: artifacts.modelTopology as ModelJSON['modelTopology'],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: manifest,
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature !== undefined) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata !== undefined)
        modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      const data =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      await writeFile(join(directory, weightsFile), Buffer.from(data));
      await writeFile(join(directory, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

export async function readModelJson(jsonPath: string): Promise<ModelJSON> {
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the TF.js model '${jsonPath}': ${(error as Error).message}`, {
      file: jsonPath,
      cause: error,
    });
  }
  let json: ModelJSON;
  try {
    json = JSON.parse(text) as ModelJSON;
  } catch (error) {
    throw new UserError(
      `${basename(jsonPath)} is not valid JSON (${(error as Error).message}); expected a TF.js model.json.`,
      {
        file: jsonPath,
        cause: error,
      },
    );
  }
  if (
    json === null ||
    typeof json !== 'object' ||
    json.modelTopology === undefined ||
    !Array.isArray(json.weightsManifest)
  ) {
    throw new UserError(
      `${jsonPath} is not a TF.js model.json: it needs 'modelTopology' and 'weightsManifest'.`,
      { file: jsonPath },
    );
  }
  return json;
}
