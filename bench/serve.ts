/**
 * Model server benchmark (not a timed test), one bounded run on the committed penguins model
 * (test/fixtures/models/penguins: ONNX MLP + preprocessing):
 * - `mlops serve` (startModelServer) answering TF Serving predict requests from a second process
 *   on 127.0.0.1 (bench/serve.load.ts, keep-alive, CONCURRENCY in flight), single-row and batched;
 * - the same model's raw in-process inference (the same LoadedModel.predict, so preprocessing
 *   included, without HTTP and JSON), sequential calls of the same batch sizes;
 * side by side, with the server's rows/s as a fraction of raw rows/s (its overhead made visible).
 * Each load run stops after MAX_REQUESTS or MAX_SECONDS. Run: `npx tsx bench/serve.ts` (writes
 * bench/out/serve.json); env BENCH_SERVE_SECONDS / BENCH_SERVE_REQUESTS scale it.
 * `runServeBench()` is for the aggregator.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelFolder } from '../shared/src/serve/loaded-model.js';
import { startModelServer } from '../shared/src/serve/server.js';
import { PENGUINS_MODEL, penguinRows } from '../test/unit/serve/penguins-fixture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 8);
const MAX_REQUESTS = Number(process.env.BENCH_SERVE_REQUESTS ?? 5000);
const CONCURRENCY = 4;
const BATCHES = [1, 32];

export interface ServeBenchRow {
  case: string;
  batch: number;
  calls: number;
  errors: number;
  calls_per_s: number;
  rows_per_s: number;
  p50_ms: number;
  p99_ms: number;
}

const percentile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;

function columnsOf(rows: Record<string, unknown>[]): Record<string, unknown[]> {
  const columns: Record<string, unknown[]> = {};
  for (const name of Object.keys(rows[0]!)) columns[name] = rows.map((r) => r[name]);
  return columns;
}

async function rawInference(batch: number, rows: Record<string, unknown>[]): Promise<ServeBenchRow> {
  const model = await loadModelFolder(PENGUINS_MODEL);
  const columns = columnsOf(rows.slice(0, batch));
  for (let i = 0; i < 50; i++) await model.predict(columns, batch);
  const latencies: number[] = [];
  const started = performance.now();
  while (latencies.length < MAX_REQUESTS && performance.now() - started < MAX_SECONDS * 1000) {
    const t0 = performance.now();
    await model.predict(columns, batch);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  latencies.sort((a, b) => a - b);
  return {
    case: `in-process predict, batch ${batch}`,
    batch,
    calls: latencies.length,
    errors: 0,
    calls_per_s: latencies.length / seconds,
    rows_per_s: (latencies.length * batch) / seconds,
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
  };
}

export async function runServeBench() {
  const rows = penguinRows();
  const server = await startModelServer({
    port: 0,
    models: [{ name: 'penguins', folder: PENGUINS_MODEL, version: 1 }],
  });
  const results: ServeBenchRow[] = [];
  try {
    for (const batch of BATCHES) {
      const body = JSON.stringify({ instances: rows.slice(0, batch) });
      const options = {
        url: `${server.url}/v1/models/penguins:predict`,
        body,
        concurrency: CONCURRENCY,
        maxRequests: MAX_REQUESTS,
        maxSeconds: MAX_SECONDS,
        warmup: 50,
      };
      const load = await runChild(options);
      results.push({
        case: `mlops serve over HTTP, batch ${batch}, ${CONCURRENCY} in flight`,
        batch,
        calls: load.requests,
        errors: load.errors,
        calls_per_s: load.requests / load.seconds,
        rows_per_s: (load.requests * batch) / load.seconds,
        p50_ms: load.p50Ms,
        p99_ms: load.p99Ms,
      });
      results.push(await rawInference(batch, rows));
    }
  } finally {
    await server.close();
  }
  const ratios = BATCHES.map((batch) => {
    const served = results.find((r) => r.batch === batch && r.case.startsWith('mlops serve'))!;
    const raw = results.find((r) => r.batch === batch && r.case.startsWith('in-process'))!;
    return {
      batch,
      server_rows_per_s_over_raw: served.rows_per_s / raw.rows_per_s,
      server_p50_over_raw: served.p50_ms / raw.p50_ms,
    };
  });
  return {
    name: 'serve',
    model: 'test/fixtures/models/penguins (ONNX MLP, 5 raw features)',
    max_seconds: MAX_SECONDS,
    max_requests: MAX_REQUESTS,
    rows: results,
    ratios,
  };
}

function runChild(
  options: Record<string, unknown>,
): Promise<{ requests: number; errors: number; seconds: number; p50Ms: number; p99Ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/serve.load.ts'), JSON.stringify(options)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (MAX_SECONDS + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await runServeBench();
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/serve.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const row of result.rows) {
    console.log(
      `${row.case.padEnd(48)} ${row.calls_per_s.toFixed(0).padStart(7)} calls/s ${row.rows_per_s.toFixed(0).padStart(8)} rows/s  p50 ${row.p50_ms.toFixed(3)} ms  p99 ${row.p99_ms.toFixed(3)} ms`,
    );
  }
  for (const ratio of result.ratios) {
    console.log(
      `batch ${ratio.batch}: server delivers ${(ratio.server_rows_per_s_over_raw * 100).toFixed(1)}% of raw in-process rows/s`,
    );
  }
}
