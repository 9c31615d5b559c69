import { quantileSorted } from '../metrics/summary.js';
import type { ModelAdapter } from '../models/types.js';

export interface LatencyAtBatch {
  batch_size: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** Rows per second at this batch size (batch size / mean call time). */
  throughput_rows_per_s: number;
  calls: number;
}

export const LATENCY_BATCH_SIZES = [1, 32, 256, 1024];

/**
 * Times whole `predict` calls (what a server pays per request) on real preprocessed rows,
 * cycling through the sample to fill larger batches. Each size gets 3 warm-up calls, then calls
 * until `budgetMs` is spent (at least 20, at most 500).
 */
export async function measureLatency(
  model: ModelAdapter,
  sample: { features: Float32Array; rows: number; width: number },
  options: { batchSizes?: number[]; budgetMs?: number } = {},
): Promise<LatencyAtBatch[]> {
  const results: LatencyAtBatch[] = [];
  const { width } = sample;
  for (const size of options.batchSizes ?? LATENCY_BATCH_SIZES) {
    const batch = new Float32Array(size * width);
    for (let r = 0; r < size; r++)
      batch.set(
        sample.features.subarray((r % sample.rows) * width, ((r % sample.rows) + 1) * width),
        r * width,
      );
    for (let i = 0; i < 3; i++) await model.predict(batch, size, width);
    const times: number[] = [];
    const budget = options.budgetMs ?? 400;
    const start = performance.now();
    while (times.length < 20 || (performance.now() - start < budget && times.length < 500)) {
      const t = performance.now();
      await model.predict(batch, size, width);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    results.push({
      batch_size: size,
      p50_ms: quantileSorted(times, 0.5),
      p95_ms: quantileSorted(times, 0.95),
      p99_ms: quantileSorted(times, 0.99),
      throughput_rows_per_s: (size * 1000) / mean,
      calls: times.length,
    });
  }
  return results;
}
