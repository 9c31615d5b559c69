/**
 * The worker thread of `streamNumericColumns` when it runs from source (tsx); the bundle's own
 * entry, dist/numeric-stream-worker.js, does the same (shared/tools/build.mjs writes it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type AccumulatorWorkerData, serveAccumulators } from './numeric-accumulator.js';

if (parentPort) serveAccumulators(parentPort, workerData as AccumulatorWorkerData);
