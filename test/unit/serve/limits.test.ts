import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../../shared/src/serve/loaded-model.js';
import { type ModelServer, startModelServer } from '../../../shared/src/serve/server.js';
import { ROWS, writeTinyModel } from './model-fixture.js';

let dir: string;
let server: ModelServer;
let delayMs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-limits-'));
  await writeTinyModel(join(dir, 'm'), 1);
  server = await startModelServer({
    port: 0,
    models: [{ name: 'penguins', folder: join(dir, 'm'), version: 1 }],
    limits: { timeoutMs: 150 },
    // The real model, made slow on demand to stand for an overloaded engine.
    loadModel: async (folder) => {
      const model = await loadModelFolder(folder);
      return {
        ...model,
        async predict(columns, rows) {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          return model.predict(columns, rows);
        },
      };
    },
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('timeouts and odd requests', () => {
  it('answers 504 when the prediction passes the deadline, then serves again', async () => {
    delayMs = 400;
    const slow = await fetch(`${server.url}/v1/models/penguins:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [ROWS[0]] }),
    });
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { error: string }).error).toBe(
      'Deadline exceeded: the prediction took longer than 150 ms.',
    );
    delayMs = 0;
    const fast = await fetch(`${server.url}/v1/models/penguins:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [ROWS[0]] }),
    });
    expect(fast.status).toBe(200);
  });

  it('answers 408 to a body that stops arriving', async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${server.url}/v1/models/penguins:predict`,
        { method: 'POST', headers: { 'content-length': '100' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.write('{"instances"');
    });
    expect(reply.status).toBe(408);
    expect(JSON.parse(reply.body).error).toBe('The request body did not arrive within 150 ms.');
  });

  it('answers 400 to a path with broken percent-encoding and 404 to unknown paths', async () => {
    const broken = await fetch(`${server.url}/v1/models/%E0%A4%A:predict`, { method: 'POST', body: '{}' });
    expect(broken.status).toBe(400);
    const unknown = await fetch(`${server.url}/v2/things`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/^No such path: \/v2\/things/);
  });
});
