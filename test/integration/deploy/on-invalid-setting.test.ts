/**
 * `mlops serve` and the local-server deploy take mlops.yml's `features.on-invalid`, the policy train
 * and evaluate use: a model served under `impute` fills an unseen category (200, counted) where the
 * default `error` answers 400. Real CLI from source, real registry, real server processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopLocalServer } from '../../../shared/src/deploy/targets/local-server.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { registerTinyVersions } from './registered-models.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
// tsx by file URL: the children run in a temporary folder, where 'tsx' does not resolve.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CLI = [process.execPath, '--import', TSX, join(ROOT, 'test/harness/cli-source.ts')];
const UNSEEN = { instances: [{ bill_length_mm: 40, island: 'Atlantis' }] };

let work: string;
const children: ChildProcess[] = [];
const environment = 'ifix-on-invalid';
let statePath: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-on-invalid-'));
  statePath = join(work, '.mlops/serve', environment);
  await registerTinyVersions(work, [1, 2]);
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  if (statePath) await stopLocalServer(statePath, silentLog);
});

const setPolicy = (policy: string) =>
  writeFile(join(work, 'mlops.yml'), `features:\n  on-invalid: ${policy}\n`);

async function predict(url: string): Promise<{ status: number; body: string }> {
  const reply = await fetch(`${url}/v1/models/penguins:predict`, {
    method: 'POST',
    body: JSON.stringify(UNSEEN),
  });
  return { status: reply.status, body: await reply.text() };
}

/** Starts `mlops serve` and resolves with its URL once it prints "serving on". */
function startServe(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(CLI[0]!, [...CLI.slice(1), 'serve', '--model', 'penguins/1', '--port', '0', ...args], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const match = /serving on (\S+)/.exec(out);
      if (match) done({ url: match[1]!, child });
    });
    child.stderr!.on('data', (chunk) => {
      err += String(chunk);
    });
    child.on('exit', (code) => fail(new Error(`mlops serve exited ${code}: ${err}`)));
  });
}

function runCli(args: string[]): Promise<{ code: number; output: string }> {
  const child = spawn(CLI[0]!, [...CLI.slice(1), ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += String(chunk);
  });
  return new Promise((done) => child.on('exit', (code) => done({ code: code ?? -1, output })));
}

describe('features.on-invalid reaches the model server', () => {
  it('mlops serve reads it from mlops.yml; --on-invalid overrides it', async () => {
    await setPolicy('impute');
    const imputing = await startServe([]);
    const filled = await predict(imputing.url);
    expect(filled.status, filled.body).toBe(200);
    expect(JSON.parse(filled.body).predictions).toHaveLength(1);
    imputing.child.kill('SIGTERM');

    const strict = await startServe(['--on-invalid', 'error']);
    const refused = await predict(strict.url);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Atlantis');
    strict.child.kill('SIGTERM');
  }, 120_000);

  it("the local-server deploy starts its server with it, and warns when a running server's policy differs", async () => {
    await setPolicy('impute');
    const deploy = (model: string) =>
      runCli(['deploy', '--model', model, '--target', 'local-server', '--environment', environment]);
    const first = await deploy('penguins/1');
    expect(first.code, first.output).toBe(0);
    const daemon = JSON.parse(await readFile(join(statePath, 'daemon.json'), 'utf8'));
    expect(daemon.onInvalid).toBe('impute');
    const state = JSON.parse(await readFile(join(statePath, 'server.json'), 'utf8'));
    const filled = await predict(state.url);
    expect(filled.status, filled.body).toBe(200);

    // A hot swap keeps the running server (and its policy): the deploy says so instead of pretending.
    await setPolicy('error');
    const second = await deploy('penguins/2');
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/keeps on-invalid: impute \(features\.on-invalid asks for error\)/);
    expect((await predict(state.url)).status).toBe(200);
  }, 240_000);
});
