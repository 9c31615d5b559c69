import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedModel, loadModelFolder } from '../../../shared/src/serve/loaded-model.js';
import { type ModelServer, startModelServer } from '../../../shared/src/serve/server.js';
import { expected, ROWS, writeTinyModel } from './model-fixture.js';

let dir: string;
const folders: Record<number, string> = {};
const TOKEN = 'test-admin-token';

/** The real model, answering a few ms later so requests are still in flight during a swap. */
async function slowLoad(folder: string): Promise<LoadedModel> {
  const model = await loadModelFolder(folder);
  return {
    ...model,
    signature: model.signature,
    async predict(columns, rows) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (folder.endsWith('broken')) throw new Error('simulated engine failure');
      return model.predict(columns, rows);
    },
    dispose: () => model.dispose(),
  };
}

async function predict(server: ModelServer, row = ROWS[0]!) {
  const response = await fetch(`${server.url}/v1/models/penguins:predict`, {
    method: 'POST',
    body: JSON.stringify({ instances: [row] }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { predictions?: number[][]; error?: string },
  };
}

async function admin(server: ModelServer, method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${server.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A server of version 1 with its admin API. */
function serveVersion1(): Promise<ModelServer> {
  return startModelServer({
    port: 0,
    models: [{ name: 'penguins', folder: folders[1]!, version: 1 }],
    admin: { token: TOKEN },
  });
}

/** Which version's weights produced `prediction`, checked against the plain-JS reference. */
function versionOf(prediction: number[]): number {
  for (const seed of [1, 2]) {
    const want = expected(seed, ROWS[0]!);
    if (want.every((p, j) => Math.abs(p - prediction[j]!) < 1e-5)) return seed;
  }
  return -1;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-swap-'));
  folders[1] = await writeTinyModel(join(dir, 'v1'), 1);
  folders[2] = await writeTinyModel(join(dir, 'v2'), 2);
  folders[3] = await writeTinyModel(join(dir, 'v3-broken'), 2);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hot swap', () => {
  it('swaps versions under concurrent load without losing a request', async () => {
    const server = await startModelServer({
      port: 0,
      models: [{ name: 'penguins', folder: folders[1]!, version: 1 }],
      admin: { token: TOKEN },
      loadModel: slowLoad,
    });
    try {
      const results: { status: number; version: number }[] = [];
      let stop = false;
      // 16 clients send back-to-back requests while the swap happens.
      const clients = Array.from({ length: 16 }, async () => {
        while (!stop) {
          const reply = await predict(server);
          results.push({
            status: reply.status,
            version: reply.body.predictions ? versionOf(reply.body.predictions[0]!) : 0,
          });
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const swap = await admin(server, 'POST', '/admin/models/penguins/swap', {
        version: 2,
        folder: folders[2],
      });
      expect(swap).toEqual({
        status: 200,
        body: { model: 'penguins', version: 2, previous: 1, lease: 'confirmed' },
      });
      const afterSwap = results.length;
      await new Promise((resolve) => setTimeout(resolve, 150));
      stop = true;
      await Promise.all(clients);

      expect(results.length).toBeGreaterThan(50);
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      expect(results.filter((r) => r.version === -1)).toEqual([]);
      expect(results.some((r) => r.version === 1)).toBe(true);
      // Everything that started after the swap returned is answered by version 2.
      expect(results.slice(afterSwap + 16).every((r) => r.version === 2)).toBe(true);
      const status = await (await fetch(`${server.url}/v1/models/penguins`)).json();
      expect(status).toEqual({
        model_version_status: [
          { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
          { version: '1', state: 'END', status: { error_code: 'OK', error_message: '' } },
        ],
      });
      expect(
        (await fetch(`${server.url}/v1/models/penguins/versions/1:predict`, { method: 'POST', body: '{}' }))
          .status,
      ).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('keeps serving the old version when the new one fails to load', async () => {
    const server = await serveVersion1();
    try {
      const failed = await admin(server, 'POST', '/admin/models/penguins/swap', {
        version: 2,
        folder: join(dir, 'nope'),
      });
      expect(failed.status).toBe(409);
      expect(failed.body.error).toMatch(/Version 2 was not loaded: The model '.*nope' does not exist/);
      const reply = await predict(server);
      expect(versionOf(reply.body.predictions![0]!)).toBe(1);
      expect((await admin(server, 'GET', '/admin/status', undefined, 'wrong')).status).toBe(401);
      const status = await admin(server, 'GET', '/admin/status');
      expect((status.body.models as Record<string, { version: number }>).penguins!.version).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('a swap on probation', () => {
  it('swaps back when not confirmed in time, stays when confirmed, and checks lease_ms', async () => {
    const server = await serveVersion1();
    try {
      const swap = (version: number, extra: Record<string, unknown> = {}) =>
        admin(server, 'POST', '/admin/models/penguins/swap', { version, folder: folders[version], ...extra });
      expect((await swap(2, { lease_ms: -5 })).status).toBe(400);
      expect((await swap(2, { lease_ms: 1.5 })).status).toBe(400);

      const onProbation = await swap(2, { lease_ms: 300 });
      expect(onProbation.body).toMatchObject({ version: 2, previous: 1, lease: 'probation' });
      expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(2);
      // Renewed twice past its length, then left to run out: version 1 is back.
      for (let i = 0; i < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect((await admin(server, 'POST', '/admin/lease')).body.lease).toBe('probation');
      }
      expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(2);
      const deadline = Date.now() + 5000;
      while (versionOf((await predict(server)).body.predictions![0]!) !== 1 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(1);

      expect((await swap(2, { lease_ms: 300 })).body.lease).toBe('probation');
      expect((await admin(server, 'POST', '/admin/confirm')).body.lease).toBe('confirmed');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(2);
      // A swap without a lease, or to the version already served, is never on probation.
      expect((await swap(1)).body.lease).toBe('confirmed');
      expect((await swap(1, { lease_ms: 300 })).body.lease).toBe('confirmed');
    } finally {
      await server.close();
    }
  });
});

describe('canary', () => {
  it('sends the asked share to the candidate and promotes it when it meets the criteria', async () => {
    const server = await serveVersion1();
    try {
      const started = await admin(server, 'POST', '/admin/models/penguins/canary', {
        version: 2,
        folder: folders[2],
        // v1 and v2 predict different classes for this row: judged here on errors and latency only.
        criteria: { percent: 25, minRequests: 10, maxErrorRate: 0, maxP99Ms: 5000, minAgreement: 0 },
      });
      expect(started.status).toBe(200);
      const versions: number[] = [];
      for (let i = 0; i < 40; i++) versions.push(versionOf((await predict(server)).body.predictions![0]!));
      // 25% of the first 40 requests is exactly 10: the 10th candidate request promotes it.
      expect(versions.filter((v) => v === 2)).toHaveLength(10);
      const canary = await admin(server, 'GET', '/admin/models/penguins/canary');
      expect((canary.body.canary as { decision: { action: string } }).decision.action).toBe('promote');
      for (let i = 0; i < 5; i++) expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('rolls a failing candidate back and keeps the stable version', async () => {
    const server = await startModelServer({
      port: 0,
      models: [{ name: 'penguins', folder: folders[1]!, version: 1 }],
      admin: { token: TOKEN },
      loadModel: slowLoad,
    });
    try {
      await admin(server, 'POST', '/admin/models/penguins/canary', {
        version: 3,
        folder: folders[3],
        criteria: { percent: 50, minRequests: 20, maxErrorRate: 0.1, minAgreement: 0 },
      });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await predict(server)).status);
      // The error budget is 0.1 x 20 = 2 errors: the 3rd failure rolls back (requests 2, 4, 6).
      expect(statuses.filter((s) => s === 500)).toHaveLength(3);
      const canary = await admin(server, 'GET', '/admin/models/penguins/canary');
      expect((canary.body.canary as { decision: { action: string } }).decision.action).toBe('rollback');
      expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('a version staged beside the served one', () => {
  it('answers only its own /versions/<n> until a swap moves it in without loading it again', async () => {
    const loads: string[] = [];
    const server = await startModelServer({
      port: 0,
      models: [{ name: 'penguins', folder: folders[1]!, version: 1 }],
      admin: { token: TOKEN },
      loadModel: (folder) => {
        loads.push(folder);
        return loadModelFolder(folder);
      },
    });
    try {
      const staged = await admin(server, 'POST', '/admin/models/penguins/stage', {
        version: 2,
        folder: folders[2],
      });
      expect(staged).toEqual({ status: 200, body: { model: 'penguins', version: 2, staged: true } });
      expect((await admin(server, 'GET', '/admin/status')).body.models).toMatchObject({
        penguins: { version: 1, staged: 2 },
      });
      // Clients keep getting v1; the staged version answers only when asked for by number.
      for (let i = 0; i < 10; i++) expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(1);
      const direct = await fetch(`${server.url}/v1/models/penguins/versions/2:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [ROWS[0]] }),
      });
      expect(versionOf(((await direct.json()) as { predictions: number[][] }).predictions[0]!)).toBe(2);
      const swapped = await admin(server, 'POST', '/admin/models/penguins/swap', {
        version: 2,
        folder: folders[2],
      });
      expect(swapped.body).toMatchObject({ version: 2, previous: 1 });
      expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(2);
      expect(loads).toEqual([folders[1], folders[2]]);
    } finally {
      await server.close();
    }
  });

  it('is unloaded by unstage and never takes unversioned traffic', async () => {
    const server = await serveVersion1();
    try {
      await admin(server, 'POST', '/admin/models/penguins/stage', { version: 2, folder: folders[2] });
      const unstaged = await admin(server, 'POST', '/admin/models/penguins/unstage', {
        version: 2,
        folder: folders[2],
      });
      expect(unstaged.body).toEqual({ model: 'penguins', version: 2, unloaded: true });
      const status = (await (await fetch(`${server.url}/v1/models/penguins`)).json()) as {
        model_version_status: { version: string; state: string }[];
      };
      expect(status.model_version_status).toEqual([
        { version: '2', state: 'END', status: { error_code: 'OK', error_message: '' } },
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ]);
      expect(versionOf((await predict(server)).body.predictions![0]!)).toBe(1);
      // Staging the served version is refused: it is already serving.
      const same = await admin(server, 'POST', '/admin/models/penguins/stage', {
        version: 1,
        folder: folders[1],
      });
      expect(same.status).toBe(409);
    } finally {
      await server.close();
    }
  });

  it('a canary compares mirrored outputs: a candidate that agrees is promoted, counted in the status', async () => {
    const server = await serveVersion1();
    try {
      await admin(server, 'POST', '/admin/models/penguins/canary', {
        version: 2,
        folder: folders[2],
        criteria: { percent: 25, minRequests: 8, maxErrorRate: 0, minAgreement: 0.9 },
      });
      // v1 and v2 both predict class 1 for this row.
      const agreeing = { bill_length_mm: 44, island: 'Dream' };
      const deadline = Date.now() + 30_000;
      let canary: Record<string, unknown> = {};
      while (Date.now() < deadline) {
        await predict(server, agreeing);
        canary = (await admin(server, 'GET', '/admin/models/penguins/canary')).body.canary as Record<
          string,
          unknown
        >;
        if (canary.decision) break;
      }
      expect(canary.decision).toMatchObject({ action: 'promote' });
      expect((canary.decision as { reason: string }).reason).toMatch(
        /agreement 1\.0000 on \d+ mirrored rows/,
      );
      expect(canary.compared_rows as number).toBeGreaterThanOrEqual(8);
      expect(canary.agreed_rows).toBe(canary.compared_rows);
    } finally {
      await server.close();
    }
  });
});
