import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import type { TfModule } from '../engines/tfjs.js';
import { UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { crashPoint } from '../files/crash-point.js';

export const CHECKPOINT_SCHEMA = 'mlops-checkpoint/v1';
const CHECKPOINT_FILE = 'checkpoint.json';

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into the weights file. */
  offset: number;
}

/** Training-loop state that must survive a restart besides the tensors. */
export interface LoopState {
  /** Epochs completed. */
  epoch: number;
  /** State of the shuffling PRNG after `epoch` epochs. */
  rngState: number;
  bestLoss: number;
  epochsWithoutImprovement: number;
  stoppedEarly: boolean;
  history: Record<string, number>[];
}

interface CheckpointFile extends LoopState {
  schema: typeof CHECKPOINT_SCHEMA;
  /** Hash of data + config: a checkpoint of a different run is never resumed. */
  fingerprint: string;
  weightsFile: string;
  model: TensorEntry[];
  optimizer: TensorEntry[];
  /**
   * Adam's running beta powers. `setWeights` recomputes them as pow(beta, t+1), which differs in
   * the last float bit from the product the uninterrupted run accumulated; restoring the stored
   * values keeps a resumed run bit-identical.
   */
  adamBetaPowers?: [number, number];
}

type AdamInternals = { accBeta1?: Tf.Variable; accBeta2?: Tf.Variable };

/**
 * Saves model weights, optimizer state and loop state. The weights go to a new file named by
 * epoch and `checkpoint.json` is replaced atomically last, so a kill at any moment leaves the
 * previous complete checkpoint in place.
 */
export async function saveCheckpoint(
  dir: string,
  model: Tf.LayersModel,
  state: LoopState,
  fingerprint: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const modelTensors = model.getWeights().map((t, i) => ({ name: model.weights[i].originalName, tensor: t }));
  const optimizerTensors = await model.optimizer.getWeights();
  const chunks: Float32Array[] = [];
  let offset = 0;
  const layout = (list: { name: string; tensor: Tf.Tensor }[]) =>
    list.map(({ name, tensor }) => {
      const values = tensor.dataSync() as Float32Array;
      chunks.push(Float32Array.from(values));
      const entry = { name, shape: tensor.shape, offset };
      offset += values.length;
      return entry;
    });
  const modelEntries = layout(modelTensors);
  const optimizerEntries = layout(optimizerTensors);
  const data = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  const weightsFile = `weights-${state.epoch}.bin`;
  await writeFileAtomic(join(dir, weightsFile), new Uint8Array(data.buffer));
  const adam = model.optimizer as unknown as AdamInternals;
  const file: CheckpointFile = {
    schema: CHECKPOINT_SCHEMA,
    fingerprint,
    ...state,
    weightsFile,
    model: modelEntries,
    optimizer: optimizerEntries,
    adamBetaPowers:
      adam.accBeta1 && adam.accBeta2 ? [adam.accBeta1.dataSync()[0], adam.accBeta2.dataSync()[0]] : undefined,
  };
  await writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(file));
  await crashPoint('checkpoint:before-cleanup');
  for (const name of await readdir(dir)) {
    if (/^weights-\d+\.bin$/.test(name) && name !== weightsFile) await rm(join(dir, name), { force: true });
  }
}

export async function hasCheckpoint(dir: string): Promise<boolean> {
  return existsSync(join(dir, CHECKPOINT_FILE));
}

/**
 * Restores a checkpoint into a compiled model (same architecture) and its optimizer. Returns
 * undefined when there is none; throws a UserError when it belongs to another run.
 */
export async function restoreCheckpoint(
  tf: TfModule,
  dir: string,
  model: Tf.LayersModel,
  fingerprint: string,
): Promise<LoopState | undefined> {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return undefined;
  const file = JSON.parse(await readFile(path, 'utf8')) as CheckpointFile;
  if (file.schema !== CHECKPOINT_SCHEMA) {
    throw new UserError(`'${path}' is not a ${CHECKPOINT_SCHEMA} checkpoint.`, { file: path });
  }
  if (file.fingerprint !== fingerprint) {
    throw new UserError(
      `The checkpoint in '${dir}' was written for different data or settings, so resume: true cannot continue it. ` +
        'Use another checkpoint folder, delete it, or run with resume: false.',
      { input: 'resume' },
    );
  }
  const bytes = await readFile(join(dir, file.weightsFile));
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const tensorOf = (e: TensorEntry) => {
    const size = e.shape.reduce((a, b) => a * b, 1);
    return tf.tensor(data.slice(e.offset, e.offset + size), e.shape, 'float32');
  };
  model.setWeights(file.model.map(tensorOf));
  await model.optimizer.setWeights(file.optimizer.map((e) => ({ name: e.name, tensor: tensorOf(e) })));
  const adam = model.optimizer as unknown as AdamInternals;
  if (file.adamBetaPowers && adam.accBeta1 && adam.accBeta2) {
    adam.accBeta1.assign(tf.scalar(file.adamBetaPowers[0]));
    adam.accBeta2.assign(tf.scalar(file.adamBetaPowers[1]));
  }
  return {
    epoch: file.epoch,
    rngState: file.rngState,
    // JSON has no Infinity: a checkpoint before any improvement stores null.
    bestLoss: file.bestLoss ?? Number.POSITIVE_INFINITY,
    epochsWithoutImprovement: file.epochsWithoutImprovement,
    stoppedEarly: file.stoppedEarly,
    history: file.history,
  };
}
