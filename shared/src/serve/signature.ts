/**
 * The serving signature: what a loaded model takes and returns, in one plain shape that the
 * server reports (as TF Serving's `signature_def`) and the deploy smoke test compares with the
 * signature stored in the registry record.
 *
 * Registry records carry whatever `signature.json` the model folder had (`{inputs, outputs}` as
 * lists of `{name, dtype, shape?}` or as objects keyed by name), or null. When null, the expected
 * inputs are derived from the record's `preprocessing` (one input per raw feature), which is what
 * the server does too.
 */

import {
  FEATURE_KINDS,
  type FeatureKind,
  featureDtype,
  type OnInvalid,
  type Preprocessing,
} from '../models/preprocessing.js';

export interface TensorSpec {
  name: string;
  /** TF.js / numpy style: `float32`, `int32`, `string`, `bool`. */
  dtype: string;
  /** -1 for an unknown dimension (the batch); omitted when unknown. */
  shape?: number[];
}

export interface ServingSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** TF Serving's enum names for the dtypes our models use. */
const TF_DTYPES: Record<string, string> = {
  float32: 'DT_FLOAT',
  float: 'DT_FLOAT',
  float64: 'DT_DOUBLE',
  double: 'DT_DOUBLE',
  int32: 'DT_INT32',
  int64: 'DT_INT64',
  string: 'DT_STRING',
  bool: 'DT_BOOL',
};

export function tfServingDtype(dtype: string): string {
  const lower = dtype.toLowerCase();
  if (lower.startsWith('dt_')) return dtype.toUpperCase();
  return TF_DTYPES[lower] ?? `DT_${dtype.toUpperCase()}`;
}

/**
 * TF Serving's `GET /v1/models/<m>/metadata` body (the JSON form of GetModelMetadataResponse):
 * `metadata.signature_def.signature_def.serving_default` with `inputs`/`outputs` keyed by name,
 * each `{dtype, tensor_shape: {dim: [{size, name}], unknown_rank}, name}`. Sizes are strings,
 * as protobuf's JSON mapping writes int64.
 */
export function tfServingMetadata(
  name: string,
  version: number,
  signature: ServingSignature,
  preprocessing?: Preprocessing,
  onInvalid?: OnInvalid,
): unknown {
  const tensorInfo = (spec: TensorSpec, role: string) => ({
    dtype: tfServingDtype(spec.dtype),
    tensor_shape:
      spec.shape === undefined
        ? { dim: [], unknown_rank: true }
        : { dim: spec.shape.map((size) => ({ size: String(size), name: '' })), unknown_rank: false },
    name: `${role}_${spec.name}:0`,
  });
  const classes = preprocessing?.task === 'classification' ? (preprocessing.classes ?? []) : undefined;
  const k = String(classes?.length ?? -1);
  // A classification model also has TF Serving's classify signature: `classes` (the labels, in
  // the order of the scores) and `scores` per example, as an Estimator export declares them.
  const classify =
    classes === undefined
      ? {}
      : {
          classification: {
            inputs: {
              inputs: {
                dtype: 'DT_STRING',
                tensor_shape: { dim: [], unknown_rank: true },
                name: 'input_example_tensor:0',
              },
            },
            outputs: {
              classes: batchOfRows('DT_STRING', k, 'classes:0'),
              scores: batchOfRows('DT_FLOAT', k, 'scores:0'),
            },
            method_name: 'tensorflow/serving/classify',
          },
        };
  const regress =
    preprocessing?.task === 'regression'
      ? {
          regression: {
            inputs: {
              inputs: {
                dtype: 'DT_STRING',
                tensor_shape: { dim: [], unknown_rank: true },
                name: 'input_example_tensor:0',
              },
            },
            outputs: {
              outputs: {
                dtype: 'DT_FLOAT',
                tensor_shape: {
                  dim: [
                    { size: '-1', name: '' },
                    { size: '1', name: '' },
                  ],
                  unknown_rank: false,
                },
                name: 'outputs:0',
              },
            },
            method_name: 'tensorflow/serving/regress',
          },
        }
      : {};
  return {
    model_spec: { name, signature_name: '', version: String(version) },
    metadata: {
      // Not part of TF Serving's response (which has no place for label values or feature
      // types): what a client needs to read the outputs and send valid inputs.
      ...(preprocessing === undefined
        ? {}
        : {
            mlops: {
              task: preprocessing.task,
              target: preprocessing.target,
              classes: classes ?? null,
              features: preprocessing.features.map((f) => ({ name: f.name, kind: f.kind })),
              missing_values: preprocessing.missing,
              on_invalid: onInvalid ?? null,
            },
          }),
      signature_def: {
        signature_def: {
          ...classify,
          ...regress,
          serving_default: {
            inputs: Object.fromEntries(
              signature.inputs.map((s) => [s.name, tensorInfo(s, 'serving_default')]),
            ),
            outputs: Object.fromEntries(
              signature.outputs.map((s) => [s.name, tensorInfo(s, 'StatefulPartitionedCall')]),
            ),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}

/** Reads TF Serving's metadata body back into a signature (the smoke test's view of a server). */
export function signatureFromTfServingMetadata(body: unknown): ServingSignature | undefined {
  const def = dig(body, ['metadata', 'signature_def', 'signature_def', 'serving_default']);
  if (def === undefined || typeof def !== 'object' || def === null) return undefined;
  const side = (value: unknown): TensorSpec[] => {
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value as Record<string, unknown>).map(([name, info]) => {
      const dtype = String(dig(info, ['dtype']) ?? '');
      const dims = dig(info, ['tensor_shape', 'dim']);
      const shape = Array.isArray(dims) ? dims.map((d) => Number(dig(d, ['size']))) : undefined;
      return shape === undefined || shape.length === 0 ? { name, dtype } : { name, dtype, shape };
    });
  };
  const d = def as Record<string, unknown>;
  return { inputs: side(d['inputs']), outputs: side(d['outputs']) };
}

function dig(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Accepts the registry's free-form signature (`[{name, dtype}]` lists or `{name: {dtype}}` maps). */
export function normalizeSignature(value: unknown): ServingSignature | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const side = (entry: unknown): TensorSpec[] | undefined => {
    if (Array.isArray(entry)) {
      return entry.flatMap((item) => {
        if (item === null || typeof item !== 'object') return [];
        const it = item as Record<string, unknown>;
        if (typeof it['name'] !== 'string') return [];
        return [specOf(it['name'], it)];
      });
    }
    if (entry !== null && typeof entry === 'object') {
      return Object.entries(entry as Record<string, unknown>).map(([name, info]) =>
        specOf(name, info !== null && typeof info === 'object' ? (info as Record<string, unknown>) : {}),
      );
    }
    return undefined;
  };
  const inputs = side(v['inputs']);
  const outputs = side(v['outputs']);
  if (inputs === undefined || outputs === undefined) return undefined;
  return { inputs, outputs };
}

function specOf(name: string, info: Record<string, unknown>): TensorSpec {
  const dtype = typeof info['dtype'] === 'string' ? info['dtype'] : 'float32';
  const shape = Array.isArray(info['shape'])
    ? info['shape'].map((n) => (n === null ? -1 : Number(n)))
    : undefined;
  return shape === undefined ? { name, dtype } : { name, dtype, shape };
}

/** One input per raw feature of an `mlops-preprocessing` spec (v1 or v2), typed by its kind. */
export function signatureFromPreprocessing(preprocessing: unknown): TensorSpec[] | undefined {
  if (preprocessing === null || typeof preprocessing !== 'object') return undefined;
  const features = (preprocessing as Record<string, unknown>)['features'];
  if (!Array.isArray(features)) return undefined;
  return features.flatMap((f) => {
    if (f === null || typeof f !== 'object') return [];
    const feature = f as Record<string, unknown>;
    if (typeof feature['name'] !== 'string') return [];
    return [
      {
        name: feature['name'],
        dtype: (FEATURE_KINDS as readonly unknown[]).includes(feature['kind'])
          ? featureDtype(feature['kind'] as FeatureKind)
          : 'float32',
        shape: [-1],
      },
    ];
  });
}

/**
 * Differences between what the registry expects and what a server reports, as sentences; empty
 * when they agree. Inputs must match by name and dtype (in TF Serving's dtype names); outputs by
 * dtype and count, because output names come from layer names that the registry rarely knows.
 * Shapes are compared only where both sides give them, ignoring -1 (batch) dimensions.
 */
export function compareSignatures(
  expected: ServingSignature | { inputs: TensorSpec[] },
  actual: ServingSignature,
): string[] {
  const problems: string[] = [];
  const served = new Map(actual.inputs.map((s) => [s.name, s]));
  for (const want of expected.inputs) {
    const got = served.get(want.name);
    if (got === undefined) {
      problems.push(
        `input '${want.name}' is missing (served inputs: ${actual.inputs.map((s) => s.name).join(', ') || 'none'})`,
      );
      continue;
    }
    served.delete(want.name);
    if (tfServingDtype(want.dtype) !== tfServingDtype(got.dtype)) {
      problems.push(
        `input '${want.name}' has dtype ${tfServingDtype(got.dtype)}, expected ${tfServingDtype(want.dtype)}`,
      );
    }
    if (!shapesAgree(want.shape, got.shape)) {
      problems.push(
        `input '${want.name}' has shape [${got.shape?.join(', ')}], expected [${want.shape?.join(', ')}]`,
      );
    }
  }
  for (const extra of served.keys())
    problems.push(`input '${extra}' is served but not in the registered signature`);
  if ('outputs' in expected && expected.outputs.length > 0) {
    if (expected.outputs.length !== actual.outputs.length) {
      problems.push(`${actual.outputs.length} output(s) served, ${expected.outputs.length} registered`);
    } else {
      expected.outputs.forEach((want, i) => {
        const got = actual.outputs[i]!;
        if (tfServingDtype(want.dtype) !== tfServingDtype(got.dtype)) {
          problems.push(
            `output ${i + 1} has dtype ${tfServingDtype(got.dtype)}, expected ${tfServingDtype(want.dtype)}`,
          );
        }
        if (!shapesAgree(want.shape, got.shape)) {
          problems.push(
            `output ${i + 1} has shape [${got.shape?.join(', ')}], expected [${want.shape?.join(', ')}]`,
          );
        }
      });
    }
  }
  return problems;
}

function shapesAgree(a: number[] | undefined, b: number[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  if (a.length !== b.length) return false;
  return a.every((size, i) => size === -1 || b[i] === -1 || size === b[i]);
}

/** The registry's expectation for a version record: its signature, else its preprocessing's inputs. */
export function expectedSignature(record: {
  signature: unknown;
  preprocessing: unknown;
}): ServingSignature | { inputs: TensorSpec[] } | undefined {
  const stored = normalizeSignature(record.signature);
  if (stored !== undefined) return stored;
  const inputs = signatureFromPreprocessing(record.preprocessing);
  return inputs === undefined ? undefined : { inputs };
}

/** A TensorInfo of shape [batch, width], as TF Serving's metadata describes a classify output. */
function batchOfRows(dtype: string, width: number | string, name: string) {
  return {
    dtype,
    tensor_shape: {
      dim: [
        { size: '-1', name: '' },
        { size: width, name: '' },
      ],
      unknown_rank: false,
    },
    name,
  };
}
