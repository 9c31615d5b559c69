/**
 * A model as the server holds it: a `ModelAdapter` from shared/src/models (TF.js or ONNX) plus
 * its saved preprocessing, asked for predictions on batches of rows whose inputs are named as in
 * the serving signature.
 *
 * With a `preprocessing.json` beside the model, the inputs are the raw features (numbers,
 * category strings, booleans, ISO dates) and the feature contract is applied with
 * `applyPreprocessing`, the function train and evaluate use. Without one, the model's own input tensor is the single input and each
 * row is a list of numbers.
 */
import { UserError } from '../errors/index.js';
import { loadModel, preprocessingBeside } from '../models/load.js';
import {
  applyPreprocessing,
  featureDtype,
  inputWidth,
  type Preprocessing,
  type TransformOptions,
} from '../models/preprocessing.js';
import type { ModelAdapter } from '../models/types.js';
import type { ServingSignature, TensorSpec } from './signature.js';

/** Input values by input name, one entry per row. */
export type InputColumns = Record<string, unknown[]>;

export interface LoadedModel {
  readonly format: ModelAdapter['format'];
  readonly engine: string;
  readonly signature: ServingSignature;
  readonly preprocessing?: Preprocessing;
  /**
   * One output vector per row. Raw features are read by the model's feature contract with
   * `transform` (policy, counts, row names); an invalid value under `error` is a UserError (400).
   */
  predict(columns: InputColumns, rows: number, transform?: TransformOptions): Promise<number[][]>;
  dispose(): void;
}

/** A problem with the request's values (wrong width, non-numbers): the client's fault, a 400. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

const dims = (shape: readonly (number | null)[]): number[] => shape.map((d) => d ?? -1);

function featureInputs(preprocessing: Preprocessing): TensorSpec[] {
  return preprocessing.features.map((f) => ({
    name: f.name,
    dtype: featureDtype(f.kind),
    shape: [-1],
  }));
}

/** Checked numbers of a raw tensor input, row-major. */
function numericMatrix(values: unknown[], rows: number, width: number, inputName: string): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const row = values[r];
    if (!Array.isArray(row) || row.length !== width) {
      throw new InvalidInputError(
        `Row ${r} of input '${inputName}' must be a list of ${width} numbers, got ${JSON.stringify(row)?.slice(0, 80)}.`,
      );
    }
    for (let c = 0; c < width; c++) {
      const x = row[c];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new InvalidInputError(
          `Row ${r}, column ${c} of input '${inputName}' is not a finite number: ${JSON.stringify(x)}.`,
        );
      }
      out[r * width + c] = x;
    }
  }
  return out;
}

/** Wraps an adapter for serving: named inputs in, one output vector per row out. */
export function servingModel(adapter: ModelAdapter, preprocessing: Preprocessing | undefined): LoadedModel {
  const tensorInput = adapter.signature.inputs[0];
  const width = preprocessing !== undefined ? inputWidth(preprocessing) : adapter.inputWidth;
  if (width === null || width <= 0) {
    throw new UserError(
      `The model ${adapter.path} does not declare how many input columns it takes, and has no preprocessing.json.`,
    );
  }
  if (preprocessing !== undefined && adapter.inputWidth !== null && adapter.inputWidth !== width) {
    throw new UserError(
      `The model ${adapter.path} takes ${adapter.inputWidth} input columns but its preprocessing.json produces ${width}.`,
    );
  }
  const inputName = tensorInput?.name ?? 'inputs';
  const output = adapter.signature.outputs[0];
  const signature: ServingSignature = {
    inputs:
      preprocessing !== undefined
        ? featureInputs(preprocessing)
        : [{ name: inputName, dtype: 'float32', shape: [-1, width] }],
    outputs: output ? [{ name: output.name, dtype: output.dtype, shape: dims(output.shape) }] : [],
  };
  return {
    format: adapter.format,
    engine: adapter.engine,
    signature,
    preprocessing,
    async predict(columns, rows, transform) {
      const matrix =
        preprocessing !== undefined
          ? applyPreprocessing(preprocessing, columns, rows, transform)
          : numericMatrix(columns[inputName] ?? [], rows, width, inputName);
      const { values, width: outWidth } = await adapter.predict(matrix, rows, width);
      const out: number[][] = [];
      for (let r = 0; r < rows; r++) out.push(Array.from(values.subarray(r * outWidth, (r + 1) * outWidth)));
      return out;
    },
    dispose() {
      adapter.dispose();
    },
  };
}

/** Loads a model folder (`model.json` + weights, or `model.onnx`) or file, with its preprocessing. */
export async function loadModelFolder(path: string): Promise<LoadedModel> {
  const adapter = await loadModel(path);
  try {
    const preprocessing = (await preprocessingBeside(path)) ?? undefined;
    return servingModel(adapter, preprocessing);
  } catch (error) {
    adapter.dispose();
    throw error;
  }
}
