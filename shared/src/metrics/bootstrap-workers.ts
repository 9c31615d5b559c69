import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ResampleKernel } from './plan.js';
import type { ReplicateJob } from './resample-kernel.js';
import * as kernelModule from './resample-kernel.js';

/**
 * Worker threads for bootstrap replicates. A worker is an `eval` worker whose program is the
 * source text of `resample-kernel.ts`'s functions (that module imports nothing and its functions
 * refer only to each other), so no worker file has to be found at run time: it works the same
 * from source under tsx or Vitest and from the ncc bundle. Each worker claims replicate numbers
 * from a shared counter and writes each replicate's metrics to its own slot of a shared results
 * array; replicate r's multiplicities come from stream r + 1 of the seed, so the results do not
 * depend on how many threads run or which one computes what.
 */

/** Below this many row-resamples a run takes well under a second: not worth starting threads. */
const MIN_WORK_FOR_THREADS = 20_000_000;
const MAX_THREADS = 8;

/**
 * Threads (the main thread included) for `resamples` resamples of `rows` rows, when not given:
 * every core, up to 8. Measured on a shared 2-core box with 1M rows: 1.75x faster than 1 thread
 * when the other core was free, 1.2x slower while other processes kept both cores busy; a
 * load-average guess (tried) mistook this process's own recent threads for other load.
 */
export function defaultThreads(rows: number, resamples: number): number {
  if (rows * resamples < MIN_WORK_FOR_THREADS) return 1;
  return Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}

export function createJob(seed: number, resamples: number, metrics: number, shared: boolean): ReplicateJob {
  const buffer = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    seed,
    resamples,
    control: new Int32Array(buffer(4 * 4)),
    finished: new Int32Array(buffer(Math.max(1, resamples) * 4)),
    results: new Float64Array(buffer(Math.max(1, resamples * metrics) * 8)),
  };
}

/** The worker's program: the kernel's functions, then a loop claiming replicates until none are left. */
function workerProgram(kernel: ResampleKernel): string {
  const functions = Object.values(kernelModule).filter((v) => typeof v === 'function') as ((
    ...args: never[]
  ) => unknown)[];
  for (const f of [kernel.pass, kernel.scratch]) {
    if (!functions.includes(f as never)) throw new Error(`${f.name} is not a function of resample-kernel.ts`);
  }
  return [
    "const { workerData } = require('node:worker_threads');",
    // esbuild's keepNames (tsx) wraps functions in __name(fn, "name"); the identity does here.
    'const __name = (target) => target;',
    ...functions.map((f) => f.toString()),
    'const { job, arrays, rows, metrics } = workerData;',
    'try {',
    `  const scratch = ${kernel.scratch.name}(arrays);`,
    `  ${kernelModule.claimReplicates.name}(job, job.resamples, ${kernel.pass.name}, arrays, scratch, new Int32Array(rows), new Float64Array(metrics), true);`,
    '} catch (error) {',
    // The main thread cannot hear the error event while it blocks: a flag tells it to take over.
    '  Atomics.store(job.control, 3, 1);',
    '  Atomics.notify(job.control, 1);',
    '  throw error;',
    '}',
  ].join('\n');
}

/** The same object with every typed array copied into shared memory (workers then read one copy). */
function shareArrays(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const source = value as unknown as Int32Array;
    const Constructor = source.constructor as new (buffer: SharedArrayBuffer) => Int32Array;
    const copy = new Constructor(new SharedArrayBuffer(source.byteLength));
    copy.set(source);
    return copy;
  }
  if (Array.isArray(value)) return value.map(shareArrays);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, shareArrays(v)]));
  }
  return value;
}

/**
 * Starts `count` workers on `job` (whose buffers must be shared). They need no event loop on this
 * side: the caller may block (Atomics.wait) while they run. A worker that fails to start or dies
 * only leaves replicates unfinished, which the caller computes itself.
 */
export function startWorkers(
  kernel: ResampleKernel,
  job: ReplicateJob,
  rows: number,
  metrics: number,
  count: number,
): Worker[] {
  const program = workerProgram(kernel);
  const workerData = { job, arrays: shareArrays(kernel.arrays), rows, metrics };
  const workers: Worker[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const worker = new Worker(program, { eval: true, workerData });
      // Errors surface as replicates left unfinished; the listener keeps them from being uncaught.
      worker.on('error', () => {});
      worker.unref();
      workers.push(worker);
    } catch {
      break;
    }
  }
  return workers;
}
