/**
 * One streamed pass over the numeric columns of a relation, each column's statistics computed by a
 * `ColumnAccumulator` (numeric-accumulator.ts) as the chunks go by, in bounded memory. With two
 * threads, a worker accumulates part of the columns while this thread reads the chunks and
 * accumulates the rest: the sketches' sorting is most of the work on wide data, and DuckDB's own
 * threads are idle while it is read back (measured, 1M rows x 21 continuous columns: the pass
 * took 2.7 s on one thread, about half of the whole profile).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type Database, quoteIdent } from './database.js';
import {
  type AccumulatorBatch,
  type AccumulatorReply,
  type AccumulatorWorkerData,
  ColumnAccumulator,
  type NumericStreamResult,
  type PostedNumericResult,
  receivedResult,
} from './numeric-accumulator.js';

export { EXACT_MAX_DISTINCT, type NumericStreamResult, sketchValueCounts } from './numeric-accumulator.js';

/** Batches posted to the worker and not yet acknowledged, at most: bounds the memory they hold. */
const MAX_IN_FLIGHT = 4;
/** Rows of the worker's columns per message (8 of DuckDB's chunks). */
const ROWS_PER_MESSAGE = 16_384;

/**
 * Streams `columns` of `relation` (as DOUBLE) through one query and returns each column's
 * statistics; `integer[i]` says whether column i holds integers (histogram bins no finer than 1).
 * `manyValued` names columns known to hold far more than `EXACT_MAX_DISTINCT` distinct values
 * (the caller's estimate): their values are not counted one by one only to be given up (each
 * column otherwise counts its first `EXACT_MAX_DISTINCT` values in a Map). `threads: 2` hands
 * half of the columns to a worker thread (when one can be started); the results are the same.
 */
export async function streamNumericColumns(
  db: Database,
  relation: string,
  columns: readonly string[],
  integer: readonly boolean[],
  manyValued: ReadonlySet<string> = new Set(),
  threads: 1 | 2 = 1,
): Promise<{ rows: number; columns: NumericStreamResult[]; threads: 1 | 2 }> {
  const countValues = columns.map((c) => !manyValued.has(c));
  // The worker takes the first `split` columns. This thread also reads every chunk out of DuckDB
  // and posts it, which costs about as much as accumulating 3 or 4 columns (profiled on a quiet
  // machine, 1M x 21: with 5 columns here it waited on the worker half the time): it keeps 2/5.
  const split =
    threads === 2 && columns.length >= 2 ? columns.length - Math.floor((2 * columns.length) / 5) : 0;
  const worker =
    split > 0
      ? startAccumulatorWorker({ integer: integer.slice(0, split), countValues: countValues.slice(0, split) })
      : undefined;
  const local = columns.map((_, j) =>
    j >= (worker ? split : 0) ? new ColumnAccumulator(countValues[j]!) : null,
  );
  const select = columns.map((c) => `CAST(${quoteIdent(c)} AS DOUBLE)`).join(', ');
  let rows = 0;
  let batch = new Float64Array(2048);
  // The worker's columns of several chunks go in one message (posting one costs about as much as
  // accumulating a column's chunk): chunk by chunk, column by column, so that the worker makes the
  // same `addBatch` calls one thread would, and the results are the same to the bit.
  let posted: Float64Array = new Float64Array(0);
  let postedCounts: number[] = [];
  let used = 0;
  const post = async () => {
    if (postedCounts.length === 0) return;
    await worker!.post({ values: posted, counts: Int32Array.from(postedCounts) });
    posted = new Float64Array(0);
    postedCounts = [];
    used = 0;
  };
  try {
    await db.forEachChunk(`SELECT ${select || '1'} FROM ${relation}`, async (chunk) => {
      const count = chunk.rowCount;
      rows += count;
      if (batch.length < count) batch = new Float64Array(count);
      if (worker) {
        if (posted.length - used < split * count) {
          await post();
          posted = worker.buffer(split * Math.max(count, ROWS_PER_MESSAGE));
        }
        for (let j = 0; j < split; j++) {
          const vector = chunk.getColumnVector(j);
          const start = used;
          for (let i = 0; i < count; i++) {
            const x = vector.getItem(i) as number | null;
            if (x !== null) posted[used++] = x;
          }
          postedCounts.push(used - start);
        }
      }
      for (let j = worker ? split : 0; j < columns.length; j++) {
        const vector = chunk.getColumnVector(j);
        let m = 0;
        for (let i = 0; i < count; i++) {
          const x = vector.getItem(i) as number | null;
          if (x !== null) batch[m++] = x;
        }
        local[j]!.addBatch(batch, m);
      }
    });
    if (worker) await post();
    const fromWorker = worker ? (await worker.finish()).map(receivedResult) : [];
    return {
      rows,
      threads: worker ? 2 : 1,
      columns: columns.map((_, j) =>
        j < fromWorker.length ? fromWorker[j]! : local[j]!.result(integer[j]!),
      ),
    };
  } finally {
    await worker?.terminate();
  }
}

interface AccumulatorWorker {
  /** A buffer of at least `length` values to fill and post: one the worker sent back, or new. */
  buffer(length: number): Float64Array;
  /** Posts a batch; resolves once fewer than `MAX_IN_FLIGHT` batches wait in the worker. */
  post(batch: NonNullable<AccumulatorBatch>): Promise<void>;
  /** Ends the stream and resolves with the worker's results. */
  finish(): Promise<PostedNumericResult[]>;
  terminate(): Promise<void>;
}

/**
 * The worker's script: `numeric-stream-worker.js` beside the running bundle (dist/, and the
 * benchmarks' bundles), else, running from source, `numeric-stream.worker.ts` through tsx. Both
 * are found from this module's own location, never from the working directory. Undefined when
 * neither is there (one thread does all the work).
 */
function workerProgram(): { file: string } | { source: string } | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'numeric-stream-worker.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(here, 'numeric-stream.worker.ts');
  if (!existsSync(source)) return undefined;
  let tsx: string;
  try {
    // tsx's ESM entry of its register API (its CommonJS one cannot register from an eval worker).
    tsx = createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs');
  } catch {
    return undefined;
  }
  const url = (file: string) => JSON.stringify(pathToFileURL(file).href);
  return {
    source: `import(${url(tsx)}).then((api) => { api.register(); return import(${url(source)}); });`,
  };
}

function startAccumulatorWorker(data: AccumulatorWorkerData): AccumulatorWorker | undefined {
  const program = workerProgram();
  if (!program) return undefined;
  const worker =
    'file' in program
      ? new Worker(program.file, { workerData: data })
      : new Worker(program.source, { eval: true, workerData: data });
  let inFlight = 0;
  let waiting: (() => void) | undefined;
  let finished: ((results: PostedNumericResult[]) => void) | undefined;
  let failure: Error | undefined;
  let failed: ((error: Error) => void) | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    failed?.(failure);
  };
  const free: Float64Array[] = [];
  worker.on('message', (reply: AccumulatorReply) => {
    if ('ack' in reply) {
      free.push(reply.ack);
      inFlight--;
      const wake = waiting;
      waiting = undefined;
      wake?.();
    } else finished?.(reply.results);
  });
  worker.on('error', fail);
  worker.on('exit', (code) =>
    fail(new Error(`The profile's worker thread exited (code ${code}) before it finished`)),
  );
  const settle = <T>(register: (resolve: (value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      if (failure) return reject(failure);
      failed = reject;
      register(resolve);
    });
  return {
    buffer(length) {
      const reused = free.pop();
      return reused && reused.length >= length ? reused : new Float64Array(length);
    },
    async post(batch) {
      if (failure) throw failure;
      inFlight++;
      worker.postMessage(batch, [batch.values.buffer as ArrayBuffer]);
      if (inFlight >= MAX_IN_FLIGHT) await settle<void>((resolve) => (waiting = resolve));
    },
    finish() {
      const results = settle<PostedNumericResult[]>((resolve) => (finished = resolve));
      worker.postMessage(null satisfies AccumulatorBatch);
      return results;
    },
    async terminate() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
