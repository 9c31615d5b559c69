import { readFile } from 'node:fs/promises';
import type * as Tf from '@tensorflow/tfjs';
import type { TfModule } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import type { TrainTask } from './tabularData.js';

export type ModelPreset = 'linear' | 'logistic' | 'mlp';
export const MODEL_PRESETS: readonly ModelPreset[] = ['linear', 'logistic', 'mlp'];

/** One hidden layer: a tf.layers factory name and its config (camelCase, as tf.layers takes it). */
export interface LayerSpec {
  type: string;
  config: Record<string, unknown>;
}

/**
 * Layer types that make sense on a flat row of features. Anything else (conv, recurrent) would
 * need input reshaping the trainer does not do, so it is refused up front with a clear message.
 */
const TABULAR_LAYERS = new Set([
  'dense',
  'dropout',
  'activation',
  'batchNormalization',
  'layerNormalization',
  'gaussianNoise',
  'gaussianDropout',
  'alphaDropout',
]);
const RANDOM_AT_TRAIN_TIME = new Set(['dropout', 'gaussianNoise', 'gaussianDropout', 'alphaDropout']);

/**
 * Hidden layers of a preset. `linear` and `logistic` have none: the output layer alone is a linear
 * (regression) or logistic/softmax (classification) model.
 */
export function presetLayers(preset: ModelPreset): LayerSpec[] {
  if (preset === 'mlp') {
    return [
      { type: 'dense', config: { units: 64, activation: 'relu' } },
      { type: 'dense', config: { units: 32, activation: 'relu' } },
    ];
  }
  return [];
}

/**
 * Reads a Keras-style layers file. Accepted shapes:
 * - `{"layers": [...]}` or a bare array;
 * - each layer `{"class_name": "Dense", "config": {"units": 32, "activation": "relu"}}` (Keras
 *   `model.to_json()` style, snake_case keys allowed) or `{"type": "dense", "units": 32}`.
 * The list holds the HIDDEN layers: the trainer adds the input shape and the output layer sized
 * for the task (one unit for regression and binary, one per class otherwise), so one spec fits
 * any dataset.
 */
export async function readLayersSpec(path: string): Promise<LayerSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read the model spec '${path}': ${(error as Error).message}`, {
      input: 'model',
      file: path,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`The model spec '${path}' is not valid JSON: ${(error as Error).message}`, {
      input: 'model',
      file: path,
    });
  }
  return parseLayersSpec(json, path);
}

export function parseLayersSpec(json: unknown, source: string): LayerSpec[] {
  const list = Array.isArray(json)
    ? json
    : isRecord(json) && Array.isArray(json.layers)
      ? json.layers
      : undefined;
  if (list === undefined) {
    throw new UserError(
      `The model spec '${source}' must be a JSON array of layers or an object with a 'layers' array.`,
      {
        input: 'model',
        file: source,
      },
    );
  }
  return list.map((entry, i) => {
    const where = `layer ${i + 1} of '${source}'`;
    if (!isRecord(entry))
      throw new UserError(`${where} must be an object.`, { input: 'model', file: source });
    const rawType = entry.class_name ?? entry.className ?? entry.type;
    if (typeof rawType !== 'string' || rawType === '') {
      throw new UserError(`${where} has no 'type' (or Keras 'class_name').`, {
        input: 'model',
        file: source,
      });
    }
    const type = rawType.charAt(0).toLowerCase() + rawType.slice(1);
    if (!TABULAR_LAYERS.has(type)) {
      throw new UserError(
        `${where} has type '${rawType}', which the tabular trainer does not support. Supported: ${[...TABULAR_LAYERS].join(', ')}.`,
        { input: 'model', file: source },
      );
    }
    const inline = Object.fromEntries(
      Object.entries(entry).filter(([k]) => !['class_name', 'className', 'type', 'config'].includes(k)),
    );
    const nested = isRecord(entry.config) ? entry.config : {};
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries({ ...nested, ...inline })) config[camelCase(key)] = value;
    return { type, config };
  });
}

/** True when a layer draws random numbers while training, so runs are not bit-for-bit repeatable. */
export function usesTrainingRandomness(layers: LayerSpec[]): boolean {
  return layers.some((l) => RANDOM_AT_TRAIN_TIME.has(l.type));
}

export interface BuildModelOptions {
  inputWidth: number;
  task: TrainTask;
  classCount: number;
  seed: number;
  source: string;
}

/**
 * Builds the sequential model. Every kernel initialiser gets a seed derived from `seed`, so two
 * runs start from the same weights. Errors from tf.layers (bad activation, negative units) become
 * UserErrors naming the layer.
 */
export function buildModel(tf: TfModule, layers: LayerSpec[], options: BuildModelOptions): Tf.Sequential {
  const model = tf.sequential();
  const factories = tf.layers as unknown as Record<
    string,
    (config: Record<string, unknown>) => Tf.layers.Layer
  >;
  const all: LayerSpec[] = [...layers, outputLayer(options.task, options.classCount)];
  all.forEach((layer, i) => {
    const config: Record<string, unknown> = { ...layer.config };
    if (i === 0) config.inputShape = [options.inputWidth];
    if (layer.type === 'dense') {
      config.kernelInitializer ??= tf.initializers.glorotUniform({ seed: options.seed + i });
      if (typeof config.kernelInitializer === 'string' && config.kernelInitializer === 'glorotUniform') {
        config.kernelInitializer = tf.initializers.glorotUniform({ seed: options.seed + i });
      }
    }
    const isOutput = i === all.length - 1;
    try {
      model.add(factories[layer.type](config));
    } catch (error) {
      const name = isOutput ? 'the output layer' : `layer ${i + 1} (${layer.type}) of '${options.source}'`;
      throw new UserError(`The model does not compile: ${name}: ${(error as Error).message}`, {
        input: 'model',
        file: isOutput ? undefined : options.source,
      });
    }
  });
  return model;
}

function outputLayer(task: TrainTask, classCount: number): LayerSpec {
  if (task === 'regression') return { type: 'dense', config: { units: 1, activation: 'linear' } };
  return classCount === 2
    ? { type: 'dense', config: { units: 1, activation: 'sigmoid' } }
    : { type: 'dense', config: { units: classCount, activation: 'softmax' } };
}

export function lossFor(task: TrainTask, classCount: number): string {
  if (task === 'regression') return 'meanSquaredError';
  return classCount === 2 ? 'binaryCrossentropy' : 'categoricalCrossentropy';
}

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
