/**
 * The model server's HTTP limits hold against hostile requests: a 1M-deep JSON body is a 400 (not a
 * 500), an oversized batch is refused as it arrives (before the whole body is read or parsed), 1e999 is refused instead of
 * being filled as missing, and a 408 or 413 closes the connection instead of keeping a socket for a
 * client that misbehaves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelServer, startModelServer } from '../../shared/src/serve/server.js';
import { ROWS, writeTinyModel } from '../unit/serve/model-fixture.js';

let dir: string;
let server: ModelServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-serve-limits-'));
  await writeTinyModel(join(dir, 'm'), 1);
  server = await startModelServer({
    port: 0,
    models: [{ name: 'penguins', folder: join(dir, 'm'), version: 1 }],
    limits: { timeoutMs: 300, maxBodyBytes: 64 * 1024 },
  });
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const predictUrl = () => `${server.url}/v1/models/penguins:predict`;

/** Sends raw bytes on one socket; resolves with what came back and whether the server closed it. */
function rawExchange(
  head: string,
  body: string,
  waitMs: number,
  to: ModelServer = server,
): Promise<{ reply: string; closed: boolean }> {
  const { port } = new URL(to.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let reply = '';
    let closed = false;
    socket.on('data', (chunk) => {
      reply += chunk;
    });
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => {
      closed = true;
    });
    socket.on('connect', () => {
      socket.write(head);
      if (body) socket.write(body);
      setTimeout(() => {
        resolve({ reply, closed });
        socket.destroy();
      }, waitMs);
    });
    socket.on('timeout', reject);
  });
}

describe('serve limits', () => {
  it('answers 400 to a 1M-deep JSON body', async () => {
    const depth = 1_000_000;
    const body = `{"instances": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const small = await startModelServer({
      port: 0,
      models: [{ name: 'penguins', folder: join(dir, 'm'), version: 1 }],
    });
    try {
      const response = await fetch(`${small.url}/v1/models/penguins:predict`, { method: 'POST', body });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/nests JSON more than 64 levels/);
    } finally {
      await small.close();
    }
  });

  it('refuses an oversized batch before converting its rows', async () => {
    // Every row is malformed: converting even the first would answer with that row's problem.
    const body = JSON.stringify({ instances: Array.from({ length: 5000 }, () => 0) });
    const response = await fetch(predictUrl(), { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe(
      'The request has more than 1024 rows; this server accepts at most 1024 per request.',
    );
    const columnar = JSON.stringify({ inputs: { island: Array.from({ length: 2000 }, () => 'x') } });
    const second = await fetch(predictUrl(), { method: 'POST', body: columnar });
    expect(((await second.json()) as { error: string }).error).toMatch(/has more than 1024 rows/);
    // Rows that are lists, strings holding brackets and commas, nested values: counted as rows, once each.
    const tricky = JSON.stringify({
      instances: Array.from({ length: 1024 }, (_, i) => [`a,[b], "c"${i}`, { x: [1, 2, [3]] }]),
    });
    const counted = await fetch(predictUrl(), { method: 'POST', body: tricky });
    expect(((await counted.json()) as { error: string }).error).not.toMatch(/more than 1024 rows/);
  });

  describe('while the body arrives, before the rest of it is read or any of it parsed', () => {
    let patient: ModelServer;
    beforeAll(async () => {
      // A long body timeout: a server that waited for the whole body would answer nothing here.
      patient = await startModelServer({
        port: 0,
        models: [{ name: 'penguins', folder: join(dir, 'm'), version: 1 }],
        limits: { timeoutMs: 30_000 },
      });
    });
    afterAll(async () => {
      await patient?.close();
    });

    it('refuses a 360k-row request after its first 1025 rows, and closes the connection', async () => {
      // Tiny rows, as in the audit: 360k of them fit under the body limit.
      const full = `{"instances": [${Array.from({ length: 360_000 }, () => '{}').join(',')}]}`;
      const head =
        'POST /v1/models/penguins:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(full)}\r\n\r\n`;
      // The first 2000 rows of it; the rest never comes.
      const { reply, closed } = await rawExchange(head, full.slice(0, 15 + 2000 * 3), 1500, patient);
      expect(reply).toMatch(/^HTTP\/1\.1 400/);
      expect(reply).toContain('The request has more than 1024 rows');
      expect(reply.toLowerCase()).toContain('connection: close');
      expect(closed).toBe(true);
    });

    it('refuses a deep body at its 65th level, and closes the connection', async () => {
      const head =
        'POST /v1/models/penguins:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${2_000_000}\r\n\r\n`;
      const { reply, closed } = await rawExchange(head, `{"instances": ${'['.repeat(1000)}`, 1500, patient);
      expect(reply).toMatch(/^HTTP\/1\.1 400/);
      expect(reply).toContain('nests JSON more than 64 levels');
      expect(closed).toBe(true);
    });
  });

  it('refuses 1e999 rather than filling it as a missing value', async () => {
    const body = '{"instances": [{"bill_length_mm": 1e999, "island": "Dream"}]}';
    const response = await fetch(predictUrl(), { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /instances\[0\]: 'bill_length_mm' is Infinity, not a finite number/,
    );
    // A missing value is still filled (control).
    const missing = await fetch(predictUrl(), {
      method: 'POST',
      body: '{"instances": [{"bill_length_mm": null, "island": "Dream"}]}',
    });
    expect(missing.status).toBe(200);
  });

  it('closes the connection after a 413', async () => {
    const head =
      'POST /v1/models/penguins:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${10 * 1024 * 1024}\r\n\r\n`;
    const { reply, closed } = await rawExchange(head, '{"instances": [', 500);
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
    expect(reply.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
  });

  it('closes the connection after a 408', async () => {
    const body = JSON.stringify({ instances: [ROWS[0]] });
    const head =
      'POST /v1/models/penguins:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;
    const { reply, closed } = await rawExchange(head, body.slice(0, 10), 1200);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
  });

  it('keeps the connection of a good request alive (control)', async () => {
    const body = JSON.stringify({ instances: [ROWS[0]] });
    const head =
      'POST /v1/models/penguins:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;
    const { reply, closed } = await rawExchange(head, body, 500);
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(closed).toBe(false);
  });
});
