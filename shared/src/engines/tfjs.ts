import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';
import { errorMessage } from '../errors/index.js';
import { loadEngine } from './index.js';
import { resolveEngineDir } from './locate.js';

export type TfModule = typeof Tf;
export type TfBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type TfPreference = 'auto' | 'gpu' | 'node' | 'wasm' | 'cpu';

export interface LoadedTf {
  tf: TfModule;
  /** The backend in use: `tensorflow` is tfjs-node (libtensorflow), `tensorflow-gpu` its CUDA build. */
  backend: TfBackendName;
  /** Why faster backends were skipped, for the log. */
  notes: string[];
}

let current: Promise<LoadedTf> | undefined;

/**
 * tfjs-node-gpu, then tfjs-node (both optional: their install downloads libtensorflow), then the
 * wasm backend, then plain JS `cpu`. The first that loads wins and is reported.
 */
export function loadTf(preference: TfPreference = 'auto'): Promise<LoadedTf> {
  current ??= pickBackend(preference);
  return current;
}

async function pickBackend(preference: TfPreference): Promise<LoadedTf> {
  const notes: string[] = [];
  const order: TfPreference[] =
    preference === 'auto'
      ? ['gpu', 'node', 'wasm', 'cpu']
      : preference === 'gpu'
        ? ['gpu', 'node', 'wasm', 'cpu']
        : [preference];
  for (const choice of order) {
    try {
      if (choice === 'gpu' || choice === 'node') {
        const tf = await loadEngine<TfModule>(choice === 'gpu' ? 'tfjs-node-gpu' : 'tfjs-node', {
          install: false,
        });
        return { tf, backend: choice === 'gpu' ? 'tensorflow-gpu' : 'tensorflow', notes };
      }
      const tf = await loadEngine<TfModule>('tfjs', { install: true });
      if (choice === 'wasm') {
        const wasm = await loadEngine<{ setWasmPaths(p: string): void }>('tfjs-wasm', { install: true });
        const root = await resolveEngineDir('tfjs-wasm');
        const entry = createRequire(`${root}/`).resolve('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(`${dirname(entry)}/`);
        if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) returned false');
        await tf.ready();
        return { tf, backend: 'wasm', notes };
      }
      await tf.setBackend('cpu');
      await tf.ready();
      return { tf, backend: 'cpu', notes };
    } catch (error) {
      notes.push(`${choice}: ${errorMessage(error).split('\n')[0]}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be loaded (${notes.join('; ')})`);
}

/** Tests and benchmarks compare backends in one process. */
export function resetTfForTests(): void {
  current = undefined;
}
