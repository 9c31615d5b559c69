import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import type { TfPreference } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import { loadOnnxModel } from './onnx.js';
import { type Preprocessing, readPreprocessing } from './preprocessing.js';
import { loadTfjsModel } from './tfjs.js';
import type { ModelAdapter } from './types.js';

/** A model by path: `.onnx` through onnxruntime, `model.json` (or its folder) through TF.js. */
export async function loadModel(
  path: string,
  options: { tfBackend?: TfPreference; onnxIntraOpThreads?: number } = {},
): Promise<ModelAdapter> {
  if (!existsSync(path))
    throw new UserError(`The model '${path}' does not exist.`, { input: 'model', file: path });
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx' || ext === '.ort')
    return loadOnnxModel(path, { intraOpThreads: options.onnxIntraOpThreads });
  if (ext === '.json') return loadTfjsModel(path, { backend: options.tfBackend });
  if (existsSync(join(path, 'model.json')))
    return loadTfjsModel(join(path, 'model.json'), { backend: options.tfBackend });
  if (existsSync(join(path, 'model.onnx')))
    return loadOnnxModel(join(path, 'model.onnx'), { intraOpThreads: options.onnxIntraOpThreads });
  throw new UserError(
    `Cannot tell what kind of model '${path}' is: expected a TF.js model.json, an .onnx file, or a folder holding one.`,
    { input: 'model', file: path },
  );
}

/** The `preprocessing.json` stored beside a model by `train`, if there is one. */
export async function preprocessingBeside(modelPath: string): Promise<Preprocessing | null> {
  const folder = extname(modelPath) === '' ? modelPath : dirname(modelPath);
  const file = join(folder, 'preprocessing.json');
  return existsSync(file) ? readPreprocessing(file) : null;
}
