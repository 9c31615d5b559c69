/**
 * The tfserving-dir target against `mlops serve --base-dir` watching the folder the way TF Serving
 * does: versions appear by rename only, a failed smoke test removes the folder and the watcher
 * falls back to the previous version.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployOptions, runDeploy } from '../../../shared/src/deploy/run-deploy.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { type ModelServer, startModelServer } from '../../../shared/src/serve/server.js';
import { expectClose, expected, ROWS } from '../../unit/serve/model-fixture.js';
import { registerTinyVersions } from './registered-models.js';

let work: string;
let base: string;
let server: ModelServer;

function options(overrides: Partial<DeployOptions>): DeployOptions {
  return {
    model: 'penguins/1',
    target: 'tfserving-dir',
    environment: 'staging',
    path: base,
    rollbackOnFailure: true,
    promoteAlias: 'staging',
    registry: '.mlops/registry',
    workingDirectory: work,
    ...overrides,
  };
}

async function smoke(name: string, seed: number): Promise<string> {
  const path = join(work, name);
  await writeFile(
    path,
    JSON.stringify({
      schema: 'mlops-smoke-test/v1',
      cases: [
        {
          request: { inputs: { bill_length_mm: [39.1], island: ['Torgersen'] } },
          expected: [expected(seed, ROWS[0]!)],
        },
      ],
    }),
  );
  return path;
}

async function served(): Promise<number[]> {
  const reply = await fetch(`${server.url}/v1/models/penguins:predict`, {
    method: 'POST',
    body: JSON.stringify({ instances: [ROWS[0]] }),
  });
  return ((await reply.json()) as { predictions: number[][] }).predictions[0]!;
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const alias = async () =>
  (await new LocalRegistry(join(work, '.mlops/registry')).listAliases('penguins')).staging?.version;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-tfdir-'));
  base = join(work, 'models');
  await registerTinyVersions(work, [1, 2]);
});

afterAll(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

describe('tfserving-dir target', () => {
  it('places v1 by rename, with the registered files and no staging leftovers', async () => {
    const result = await runDeploy(options({}), { log: memoryLog() });
    expect(result.status, result.message).toBe('success');
    expect(await readdir(join(base, 'penguins'))).toEqual(['1']);
    const files = (await readdir(join(base, 'penguins', '1'))).sort();
    expect(files).toEqual(['model.json', 'preprocessing.json', 'weights.bin']);
    expect(await readFile(join(base, 'penguins', '1', 'weights.bin'))).toEqual(
      await readFile(join(work, 'model-v1', 'weights.bin')),
    );
    expect(await alias()).toBe(1);
    server = await startModelServer({
      port: 0,
      models: [{ name: 'penguins', baseDir: join(base, 'penguins'), pollMs: 50 }],
    });
    expectClose(await served(), expected(1, ROWS[0]!));
  });

  it('removes v2 again when its smoke test fails; the watcher serves v1 again', async () => {
    const result = await runDeploy(
      options({ model: 'penguins/2', url: server.url, smokeTest: await smoke('wrong.json', 1) }),
      { log: memoryLog() },
    );
    expect(result.status).toBe('rolled_back');
    expect(result.previousVersion).toBe(1);
    expect(result.message).toMatch(
      /output differs at \[0\]\[0\].*removed .*penguins\/2; the watcher serves the highest remaining version/,
    );
    expect(await readdir(join(base, 'penguins'))).toEqual(['1']);
    await until(async () => server.models.get('penguins')!.current?.version === 1);
    expectClose(await served(), expected(1, ROWS[0]!));
    expect(await alias()).toBe(1);
  });

  it('deploys v2 with a passing smoke test, and a second run leaves it as it is', async () => {
    const result = await runDeploy(
      options({ model: 'penguins/2', url: server.url, smokeTest: await smoke('right.json', 2) }),
      { log: memoryLog() },
    );
    expect(result.status, result.message).toBe('success');
    expect(result.smoke?.checks.every((c) => c.passed)).toBe(true);
    expectClose(await served(), expected(2, ROWS[0]!));
    expect(await alias()).toBe(2);
    const again = await runDeploy(options({ model: 'penguins/2', promoteAlias: '' }), { log: memoryLog() });
    expect(again.status).toBe('success');
    expect(again.notes[0]).toMatch(/already holds version 2; left as it is/);
  });

  it('refuses to overwrite a version folder holding other files', async () => {
    await writeFile(join(base, 'penguins', '1', 'weights.bin'), 'tampered');
    const result = await runDeploy(options({ model: 'penguins/1', promoteAlias: '' }), { log: memoryLog() });
    expect(result.status).toBe('failure');
    expect(result.message).toMatch(/penguins\/1 exists with different files than version 1/);
  });
});
