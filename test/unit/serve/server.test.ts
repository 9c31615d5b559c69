import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../../shared/src/serve/server.js';
import { expectClose, expected, ROWS, writeTinyModel } from './model-fixture.js';
import { parsePrometheusText } from './prometheus-parser.js';

let dir: string;
let server: ModelServer;
let baseDir: string;

async function call(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.url}${path}`, { method, body, headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json: json as Record<string, unknown> };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-serve-'));
  baseDir = join(dir, 'models', 'penguins');
  await writeTinyModel(join(baseDir, '1'), 1);
  await writeTinyModel(join(baseDir, '2'), 2);
  server = await startModelServer({
    port: 0,
    models: [{ name: 'penguins', baseDir }],
    limits: { maxBodyBytes: 4096, maxBatch: 8, timeoutMs: 5000 },
    requestLog: { dir: join(dir, 'log'), sampleRate: 1, maxBytes: 600, rotate: 2 },
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('TF Serving REST API', () => {
  it('serves the highest version folder and reports its status like TF Serving', async () => {
    const status = await call('GET', '/v1/models/penguins');
    expect(status.status).toBe(200);
    expect(status.json).toEqual({
      model_version_status: [
        { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
    const one = await call('GET', '/v1/models/penguins/versions/2');
    expect(one.status).toBe(200);
    const missing = await call('GET', '/v1/models/penguins/versions/7');
    expect(missing.status).toBe(404);
    expect(missing.json.error).toBe('Could not find version 7 of model penguins');
    const unknown = await call('GET', '/v1/models/otter');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toBe('Could not find any versions of model otter');
  });

  it('describes the signature in TF Serving metadata shape', async () => {
    const meta = await call('GET', '/v1/models/penguins/metadata');
    expect(meta.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON reply.
    const def = (meta.json as any).metadata.signature_def.signature_def.serving_default;
    expect(meta.json.model_spec).toEqual({ name: 'penguins', signature_name: '', version: '2' });
    expect(def.method_name).toBe('tensorflow/serving/predict');
    expect(Object.keys(def.inputs)).toEqual(['bill_length_mm', 'island']);
    expect(def.inputs.island.dtype).toBe('DT_STRING');
    expect(def.inputs.bill_length_mm.dtype).toBe('DT_FLOAT');
    const outputs = Object.values(def.outputs) as { dtype: string; tensor_shape: { dim: unknown[] } }[];
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.dtype).toBe('DT_FLOAT');
    expect(outputs[0]!.tensor_shape.dim).toEqual([
      { size: '-1', name: '' },
      { size: '3', name: '' },
    ]);
  });

  it('predicts row-format instances with the saved preprocessing applied', async () => {
    const reply = await call('POST', '/v1/models/penguins:predict', JSON.stringify({ instances: ROWS }));
    expect(reply.status).toBe(200);
    const predictions = reply.json.predictions as number[][];
    expect(predictions).toHaveLength(ROWS.length);
    for (const [i, row] of ROWS.entries()) expectClose(predictions[i]!, expected(2, row));
  });

  it('answers columnar requests with outputs, and array rows in signature order', async () => {
    const columnar = await call(
      'POST',
      '/v1/models/penguins/versions/2:predict',
      JSON.stringify({ inputs: { bill_length_mm: [39.1, 46.5], island: ['Torgersen', 'Dream'] } }),
    );
    expect(columnar.status).toBe(200);
    const outputs = columnar.json.outputs as number[][];
    expectClose(outputs[1]!, expected(2, ROWS[1]!));
    const arrays = await call(
      'POST',
      '/v1/models/penguins:predict',
      JSON.stringify({ instances: [[39.1, 'Torgersen']] }),
    );
    expect(arrays.status).toBe(200);
    expectClose((arrays.json.predictions as number[][])[0]!, expected(2, ROWS[0]!));
  });

  it('rejects bad requests with 400/413 and a clear error, and keeps serving', async () => {
    const badJson = await call('POST', '/v1/models/penguins:predict', '{"instances": [');
    expect(badJson.status).toBe(400);
    expect(badJson.json.error).toMatch(/not valid JSON/);
    const noKey = await call('POST', '/v1/models/penguins:predict', JSON.stringify({ rows: [] }));
    expect(noKey.status).toBe(400);
    expect(noKey.json.error).toMatch(/"instances" \(row format\) or "inputs"/);
    const wrongType = await call(
      'POST',
      '/v1/models/penguins:predict',
      JSON.stringify({ instances: [{ bill_length_mm: 'long', island: 'Dream' }] }),
    );
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error).toBe(
      `instances[0]: 'bill_length_mm' is "long", which is not a number nor a missing-value token.`,
    );
    const missing = await call(
      'POST',
      '/v1/models/penguins:predict',
      JSON.stringify({ instances: [{ island: 'Dream' }] }),
    );
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/missing input\(s\) 'bill_length_mm'/);
    const batch = await call(
      'POST',
      '/v1/models/penguins:predict',
      JSON.stringify({ instances: Array(9).fill(ROWS[0]) }),
    );
    expect(batch.status).toBe(400);
    expect(batch.json.error).toMatch(/more than 8 rows; this server accepts at most 8/);
    const big = await call('POST', '/v1/models/penguins:predict', Buffer.alloc(10_000, 32));
    expect(big.status).toBe(413);
    expect(big.json.error).toMatch(/at most 4096/);
    const wrongMethod = await call('GET', '/v1/models/penguins:predict');
    // TF Serving answers a method its path patterns do not take as a malformed request (400).
    expect(wrongMethod.status).toBe(400);
    expect(wrongMethod.json.error).toBe('Malformed request: GET /v1/models/penguins:predict');
    const ok = await call('POST', '/v1/models/penguins:predict', JSON.stringify({ instances: [ROWS[0]] }));
    expect(ok.status).toBe(200);
  });

  it('rejects a chunked body that grows past the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/v1/models/penguins:predict`, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(Buffer.alloc(1000, 32));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers health and readiness', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.status).toBe('ready');
  });

  it('exports Prometheus metrics that parse, with counts by code and a consistent histogram', async () => {
    const reply = await fetch(`${server.url}/metrics`);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await reply.text());
    const requests = families.get('mlops_serve_requests_total')!;
    expect(requests.type).toBe('counter');
    const count = (code: string) =>
      requests.samples
        .filter(
          (s) => s.labels.code === code && s.labels.method === 'predict' && s.labels.model === 'penguins',
        )
        .reduce((a, s) => a + s.value, 0);
    expect(count('200')).toBeGreaterThanOrEqual(4);
    expect(count('400')).toBeGreaterThanOrEqual(5);
    expect(count('413')).toBeGreaterThanOrEqual(2);
    const hist = families.get('mlops_serve_request_duration_seconds')!;
    expect(hist.type).toBe('histogram');
    const version = families.get('mlops_serve_loaded_version')!;
    expect(version.samples).toEqual([
      { name: 'mlops_serve_loaded_version', labels: { model: 'penguins' }, value: 2 },
    ]);
    const errors = families.get('mlops_serve_errors_total')!;
    expect(errors.samples.find((s) => s.labels.reason === 'too_large')?.value).toBeGreaterThanOrEqual(2);
  });

  it('logs sampled predictions as rotated, size-bounded NDJSON', async () => {
    for (let i = 0; i < 6; i++) {
      await call(
        'POST',
        '/v1/models/penguins:predict',
        JSON.stringify({ instances: [ROWS[i % ROWS.length]] }),
      );
    }
    await server.requestLog!.flush();
    const files = (await readdir(join(dir, 'log'))).sort();
    expect(files).toContain('requests.ndjson');
    // maxBytes 600 with ~200-byte lines: several rotations happened, only 2 rotated files kept.
    expect(files.filter((f) => f.startsWith('requests-'))).toHaveLength(2);
    for (const file of files) {
      const text = await readFile(join(dir, 'log', file), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(600);
      for (const line of text.trim().split('\n')) {
        const row = JSON.parse(line);
        expect(row._model).toBe('penguins');
        expect(row._version).toBe(2);
        expect(Object.keys(row)).toEqual([
          '_ts',
          '_model',
          '_version',
          'bill_length_mm',
          'island',
          'prediction',
          '_output',
        ]);
        expect(['Adelie', 'Chinstrap', 'Gentoo']).toContain(row.prediction);
      }
    }
  });
});
