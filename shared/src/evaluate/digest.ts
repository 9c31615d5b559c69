import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readModelJson } from '../models/tfjs-files.js';
import type { ModelAdapter } from '../models/types.js';

/** `sha256:<hex>` over the bytes of the files in order (one file: its plain sha256). */
export async function digestFiles(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The files a model is made of: the .onnx, or model.json and its weight shards. */
export async function modelFiles(model: ModelAdapter): Promise<string[]> {
  if (model.format === 'onnx') return [model.path];
  return tfjsModelFiles(model.path);
}

/** model.json then its weight shards in manifest order: the files a TF.js model's digest covers. */
export async function tfjsModelFiles(modelJsonPath: string): Promise<string[]> {
  const json = await readModelJson(modelJsonPath);
  return [
    modelJsonPath,
    ...json.weightsManifest.flatMap((g) => g.paths.map((p) => join(dirname(modelJsonPath), p))),
  ];
}

/** A model's display name: its folder for model.json / model.onnx, else the file name. */
export function modelName(path: string): string {
  const file = basename(path);
  return /^model\.(json|onnx)$/i.test(file) ? basename(dirname(path)) : file.replace(/\.(onnx|json)$/i, '');
}
