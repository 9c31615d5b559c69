/** One input or output of a model: a name, an element type and a shape (null/strings: dynamic). */
export interface TensorSpec {
  name: string;
  dtype: string;
  shape: (number | null)[];
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/**
 * The one interface the evaluate, deploy and serve code sees, whatever the engine: a batch of
 * preprocessed rows in, one row of outputs (class probabilities, or the regression value) out.
 */
export interface ModelAdapter {
  readonly format: 'tfjs-layers' | 'tfjs-graph' | 'onnx';
  /** The file the user named (model.json or .onnx). */
  readonly path: string;
  readonly signature: ModelSignature;
  /** Bytes of every file the model is made of (topology and weights). */
  readonly sizeBytes: number;
  /** Engine detail for reports, e.g. `tfjs wasm` or `onnxruntime cpu`. */
  readonly engine: string;
  /** Features per row the model takes, when its signature fixes it. */
  readonly inputWidth: number | null;
  /**
   * Runs the model on `rows` rows of `width` features (row-major). Returns row-major outputs and
   * how many values each row has.
   */
  predict(batch: Float32Array, rows: number, width: number): Promise<{ values: Float32Array; width: number }>;
  dispose(): void;
}

/** The fixed size of a shape's last dimension, or null when it is dynamic or absent. */
export function lastDimension(shape: readonly (number | string | null)[]): number | null {
  const last = shape[shape.length - 1];
  return typeof last === 'number' && last > 0 ? last : null;
}
