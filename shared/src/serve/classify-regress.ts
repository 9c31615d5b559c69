/**
 * TF Serving's Classify and Regress REST APIs
 * (https://www.tensorflow.org/tfx/serving/api_rest#classify_and_regress_api):
 *
 * - request: `{"signature_name": ..., "context": {<features common to all examples>},
 *   "examples": [{<feature>: <value>, ...}, ...]}`;
 * - `:classify` answers `{"result": [[[label, score], ...], ...]}`, one list of (label, score)
 *   pairs per example, the labels being the model's classes in order;
 * - `:regress` answers `{"result": [value, ...]}`, one number per example.
 *
 * Examples are checked exactly as `:predict` instances are (every input present, no unknown
 * one), after the context's features are added to each; a feature given both in the context and
 * in an example is a 400, as it is ambiguous which one the caller meant.
 */
import type { DroppedColumn } from '../models/preprocessing.js';
import { BadRequestError, type PredictRequest, parsePredictRequest } from './predict-request.js';
import type { TensorSpec } from './signature.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseExamplesRequest(
  text: string,
  inputs: TensorSpec[],
  maxBatch: number,
  leftOut: readonly DroppedColumn[] = [],
): PredictRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
  if (!isPlainObject(body) || !Array.isArray(body['examples'])) {
    throw new BadRequestError('The request body must be a JSON object with "examples": a list of objects.');
  }
  const context = body['context'] ?? {};
  if (!isPlainObject(context)) throw new BadRequestError('"context" must be an object of features.');
  const instances = body['examples'].map((example, index) => {
    if (!isPlainObject(example))
      throw new BadRequestError(`examples[${index}] must be an object of features.`);
    const both = Object.keys(example).filter((k) => k in context);
    if (both.length > 0) {
      throw new BadRequestError(
        `examples[${index}] and "context" both give ${both.map((b) => `'${b}'`).join(', ')}; give each feature once.`,
      );
    }
    return { ...context, ...example };
  });
  const request = parsePredictRequest(
    JSON.stringify({ signature_name: body['signature_name'], instances }),
    inputs,
    maxBatch,
    leftOut,
    'examples',
  );
  return request;
}

/** `[[label, score], ...]` per row; one sigmoid unit scores [1 - p, p] for [negative, positive]. */
export function classifyResult(outputs: number[][], classes: string[]): [string, number][][] {
  return outputs.map((output) => {
    const scores = output.length === 1 && classes.length === 2 ? [1 - output[0]!, output[0]!] : output;
    return classes.map((label, i) => [label, scores[i] ?? Number.NaN] as [string, number]);
  });
}

export function regressResult(outputs: number[][]): number[] {
  return outputs.map((output) => output[0]!);
}
