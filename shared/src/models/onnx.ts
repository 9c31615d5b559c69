import { readFile } from 'node:fs/promises';
import { loadOnnxRuntime } from '../engines/onnxruntime.js';
import { UserError } from '../errors/index.js';
import { lastDimension, type ModelAdapter, type TensorSpec } from './types.js';

/**
 * An ONNX model through onnxruntime-node (CPU execution provider), one float32 [N, F] input.
 * `intraOpThreads`: onnxruntime's threads per operator; unset, onnxruntime's default (one per
 * physical core). Its `session.run` is synchronous on the calling thread either way.
 */
export async function loadOnnxModel(
  path: string,
  options: { intraOpThreads?: number } = {},
): Promise<ModelAdapter> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UserError(`Cannot read the ONNX model '${path}': ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  const ort = await loadOnnxRuntime();
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      options.intraOpThreads === undefined ? {} : { intraOpNumThreads: options.intraOpThreads },
    );
  } catch (error) {
    throw new UserError(
      `'${path}' is not a model onnxruntime can load: ${(error as Error).message.split('\n')[0]}`,
      {
        file: path,
        cause: error,
      },
    );
  }
  const specs = (list: typeof session.inputMetadata): TensorSpec[] =>
    list.map((m) =>
      m.isTensor
        ? {
            name: m.name,
            dtype: m.type,
            shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
          }
        : { name: m.name, dtype: 'non-tensor', shape: [] },
    );
  const signature = { inputs: specs(session.inputMetadata), outputs: specs(session.outputMetadata) };
  if (signature.inputs.length !== 1 || signature.inputs[0].dtype !== 'float32') {
    throw new UserError(
      `The ONNX model '${path}' has inputs ${signature.inputs.map((i) => `${i.name}: ${i.dtype}`).join(', ')}; evaluate needs exactly one float32 [rows, features] input.`,
      { file: path },
    );
  }
  const inputName = signature.inputs[0].name;
  // Classifiers exported by skl2onnx have a label output first and probabilities second: prefer
  // a float output with a class axis.
  const output =
    signature.outputs.find((o) => o.dtype === 'float32' && o.shape.length === 2) ??
    signature.outputs.find((o) => o.dtype === 'float32') ??
    signature.outputs[0];
  return {
    format: 'onnx',
    path,
    signature,
    sizeBytes: bytes.byteLength,
    engine: 'onnxruntime cpu',
    inputWidth: lastDimension(signature.inputs[0].shape),
    async predict(batch, rows, width) {
      const input = new ort.Tensor('float32', batch, [rows, width]);
      const result = await session.run({ [inputName]: input }, [output.name]);
      const tensor = result[output.name];
      const values =
        tensor.data instanceof Float32Array
          ? tensor.data
          : Float32Array.from(tensor.data as ArrayLike<number>);
      const dims = tensor.dims;
      return { values, width: dims.length >= 2 ? Number(dims[dims.length - 1]) : 1 };
    },
    dispose() {
      void session.release();
    },
  };
}
