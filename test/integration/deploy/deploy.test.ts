/**
 * The deploy use case end to end on loopback: a real local registry, real TF.js models, a real
 * detached model server process, a real Octokit against the GitHub emulator (responses checked
 * against GitHub's OpenAPI description).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployOptions, runDeploy } from '../../../shared/src/deploy/run-deploy.js';
import { stopLocalServer } from '../../../shared/src/deploy/targets/local-server.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { createOctokit } from '../../../shared/src/platform/github/octokit.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { IntegrityError } from '../../../shared/src/registry/verify.js';
import { validateResponse } from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { expectClose, expected, ROWS } from '../../unit/serve/model-fixture.js';
import { registerTinyVersions } from './registered-models.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const SERVER_COMMAND = [process.execPath, '--import', 'tsx', join(ROOT, 'shared/src/serve/daemon-main.ts')];
const REPO = { owner: 'octo-org', repo: 'models' };
/** Startup lease of the servers these tests start: short, so outliving it proves the confirmation. */
const LEASE_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let work: string;
let emulator: GitHubEmulator;
const statePath = () => join(work, 'serve-production');

function smokeFile(name: string, seed: number): Promise<string> {
  const path = join(work, name);
  const rows = ROWS.slice(0, 3);
  return writeFile(
    path,
    JSON.stringify({
      schema: 'mlops-smoke-test/v1',
      atol: 1e-5,
      rtol: 0,
      max_latency_ms: 5000,
      cases: [
        {
          name: 'three penguins',
          request: { instances: rows },
          expected: rows.map((row) => expected(seed, row)),
        },
      ],
    }),
  ).then(() => path);
}

function deployOptions(overrides: Partial<DeployOptions>): DeployOptions {
  return {
    model: 'penguins/1',
    target: 'local-server',
    environment: 'production',
    // Port 0: a free port, so tests running side by side never fight over production's 8501.
    url: 'http://127.0.0.1:0',
    path: statePath(),
    rollbackOnFailure: true,
    promoteAlias: 'production',
    registry: '.mlops/registry',
    workingDirectory: work,
    runUrl: 'https://github.localhost/octo-org/models/actions/runs/42',
    ...overrides,
  };
}

function deps() {
  const log = memoryLog();
  const github = createOctokit({
    token: 'write-token',
    baseUrl: emulator.url,
    log,
    retryAfterUnitMs: 5,
    throttleId: randomUUID(),
  });
  return {
    log,
    github,
    repo: REPO,
    sha: 'a'.repeat(40),
    serverCommand: SERVER_COMMAND,
    startTimeoutMs: 30_000,
    serverLeaseMs: LEASE_MS,
  };
}

async function predictVersion(url: string): Promise<number[]> {
  const response = await fetch(`${url}/v1/models/penguins:predict`, {
    method: 'POST',
    body: JSON.stringify({ instances: [ROWS[0]] }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { predictions: number[][] }).predictions[0]!;
}

/**
 * Runs the local-server target's deploy of `version` into the state folder `path` in a process
 * that is SIGKILLed as soon as the deploy call returns, as a cancelled job would be between the
 * rollout and the smoke test; resolves with the signal the process died of.
 */
async function deployThenDie(path: string, version: number): Promise<string | null> {
  const script = join(work, 'deploy-then-die.mts');
  const module = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, file)).href);
  await writeFile(
    script,
    `import { LocalServerTarget } from ${module('shared/src/deploy/targets/local-server.ts')};
import { silentLog } from ${module('shared/src/logging/index.ts')};
const [path, folder, version] = process.argv.slice(2);
const target = new LocalServerTarget({
  path, serverCommand: ${JSON.stringify(SERVER_COMMAND)}, startTimeoutMs: 30000, leaseMs: ${LEASE_MS}, log: silentLog,
});
await target.deploy({ name: 'penguins', version: Number(version), path: folder, record: {}, environment: 'killed', log: silentLog });
process.kill(process.pid, 'SIGKILL');
`,
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, path, join(work, `model-v${version}`), String(version)],
    { cwd: ROOT, stdio: 'ignore' },
  );
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

const aliasOf = async () =>
  (await new LocalRegistry(join(work, '.mlops/registry')).listAliases('penguins')).production?.version;

/** A free TCP port on 127.0.0.1 (the kernel's pick, released again). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls `/labels/<label>:predict` until it answers `want` (labels are re-read every second). */
async function untilLabelAnswers(url: string, label: string, want: number[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last = '';
  while (Date.now() < deadline) {
    const r = await fetch(`${url}/v1/models/penguins/labels/${label}:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [ROWS[0]] }),
    });
    last = await r.text();
    if (r.status === 200) {
      const got = (JSON.parse(last) as { predictions: number[][] }).predictions[0]!;
      if (want.every((p, i) => Math.abs(p - got[i]!) < 1e-5)) return;
    }
    await sleep(100);
  }
  throw new Error(`/labels/${label} never answered ${JSON.stringify(want)}; last answer: ${last}`);
}

/** The most recently created deployment record. */
function newestDeployment(): { id: number; payload: unknown } {
  return [...emulator.state.repo().deployments.values()].at(-1) as { id: number; payload: unknown };
}

function states(id: number): string[] {
  return (emulator.state.repo().deploymentStatuses.get(id) ?? []).map((s) => String(s.state));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-deploy-'));
  emulator = await startGitHubEmulator();
  await registerTinyVersions(work, [1, 2]);
});

afterAll(async () => {
  // Every state folder a test may have started a server in.
  for (const path of [
    statePath(),
    join(work, 'serve-fresh'),
    join(work, 'serve-tampered'),
    join(work, 'serve-swap'),
  ])
    await stopLocalServer(path, silentLog);
  await emulator?.close();
  await rm(work, { recursive: true, force: true });
});

/** A row on which v1 and v2 predict the same class (so a canary of one over the other agrees). */
const AGREEING_ROW = { bill_length_mm: 44, island: 'Dream' };

/**
 * A client polling `:predict` until stopped: every answer's status, and which version answered it
 * (told apart by its outputs, computed for each version without TF.js), so a test can count what
 * a client was served during a rollout.
 */
function poller(
  url: () => string,
  row: { bill_length_mm: number | null; island: string | null },
): { stop: () => Promise<{ statuses: number[]; byVersion: Record<string, number> }> } {
  let running = true;
  const statuses: number[] = [];
  const byVersion: Record<string, number> = {};
  const loop = (async () => {
    while (running) {
      const r = await fetch(`${url()}/v1/models/penguins:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [row] }),
      });
      statuses.push(r.status);
      if (r.status !== 200) {
        await r.arrayBuffer();
        continue;
      }
      const got = ((await r.json()) as { predictions: number[][] }).predictions[0]!;
      const version =
        [1, 2, 3].find((seed) => expected(seed, row).every((p, i) => Math.abs(p - got[i]!) < 1e-4)) ??
        'other';
      byVersion[version] = (byVersion[version] ?? 0) + 1;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { statuses, byVersion };
    },
  };
}

describe('runDeploy to a local server', () => {
  let v1Deployment: number;
  let v2Deployment: number;
  let url: string;

  it('deploys v1: starts the server, smoke test passes, alias set, deployment success', async () => {
    const d = deps();
    const result = await runDeploy(
      deployOptions({ model: 'penguins/1', smokeTest: await smokeFile('smoke-v1.json', 1) }),
      d,
    );
    expect(result.status, result.message).toBe('success');
    expect(result.version).toBe(1);
    expect(result.smoke?.checks.map((c) => [c.name, c.passed])).toEqual([
      ['status', true],
      ['signature', true],
      ['case three penguins', true],
    ]);
    url = result.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expectClose(await predictVersion(url), expected(1, ROWS[0]!));
    expect(await aliasOf()).toBe(1);
    v1Deployment = result.deploymentId!;
    expect(states(v1Deployment)).toEqual(['in_progress', 'success']);
    const deployment = emulator.state.repo().deployments.get(v1Deployment)!;
    expect(deployment.environment).toBe('production');
    const success = emulator.state.repo().deploymentStatuses.get(v1Deployment)!.at(-1)!;
    expect(success.environment_url).toBe(url);
    expect(success.log_url).toBe('https://github.localhost/octo-org/models/actions/runs/42');
    expect(result.summaryMarkdown).toContain('✅ deployed');
    expect(result.notes).toContain(
      `Started a model server (pid ${JSON.parse(await readFile(join(statePath(), 'server.json'), 'utf8')).pid}) at ${url}; its state is in ${statePath()}. Version 1 was smoke-tested at /versions/1 before it took any traffic.`,
    );
    // The registry's aliases are the server's version labels, read again as they move.
    await untilLabelAnswers(url, 'production', expected(1, ROWS[0]!));
    // Confirmed by the deploy: still serving well past its startup lease.
    await sleep(2 * LEASE_MS);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('smoke-tests v2 beside v1 before it takes traffic: a failing v2 never answers a client', async () => {
    // A client polls the whole time; every answer is told apart by version.
    const client = poller(() => url, ROWS[0]!);
    const result = await runDeploy(
      deployOptions({ model: 'penguins/2', smokeTest: await smokeFile('smoke-wrong.json', 1) }),
      deps(),
    );
    const { statuses, byVersion } = await client.stop();
    expect(result.status).toBe('failure');
    expect(result.message).toMatch(
      /^The smoke test of penguins v2 in production failed before it took any traffic \(case three penguins: output differs at \[0\]\[0\]/,
    );
    expect(result.message).toMatch(
      /version 2 was unloaded and version 1 kept serving\. Production is unchanged\.$/,
    );
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(byVersion).toEqual({ 1: statuses.length });
    expectClose(await predictVersion(url), expected(1, ROWS[0]!));
    expect(await aliasOf()).toBe(1);
    // Unloaded again: the server holds only v1 as AVAILABLE.
    const status = (await (await fetch(`${url}/v1/models/penguins`)).json()) as {
      model_version_status: { version: string; state: string }[];
    };
    expect(status.model_version_status.filter((s) => s.state === 'AVAILABLE').map((s) => s.version)).toEqual([
      '1',
    ]);
    v2Deployment = result.deploymentId!;
    expect(v2Deployment).not.toBe(v1Deployment);
    expect(states(v2Deployment)).toEqual(['in_progress', 'failure']);
    // Nothing was rolled back (v2 never served), so v1's record stays the active one.
    expect(states(v1Deployment)).toEqual(['in_progress', 'success']);
    expect(result.summaryMarkdown).toContain('❌ failed');
  });

  it('redeploys v2 with a good smoke test: hot swap, alias moved, a new deployment per attempt succeeds', async () => {
    const result = await runDeploy(
      deployOptions({ model: 'penguins/2', smokeTest: await smokeFile('smoke-v2.json', 2) }),
      deps(),
    );
    expect(result.status, result.message).toBe('success');
    expect(result.url).toBe(url);
    expectClose(await predictVersion(url), expected(2, ROWS[0]!));
    expect(await aliasOf()).toBe(2);
    expect(result.notes.find((n) => n.startsWith('Loaded'))).toMatch(
      /^Loaded version 2 beside version 1 in the running server \(pid \d+\) and smoke-tested it at \/versions\/2 before it took any traffic\.$/,
    );
    // One record per attempt: the failed attempt keeps its history, the new one is visible.
    expect(result.deploymentId).not.toBe(v2Deployment);
    expect(states(v2Deployment)).toEqual(['in_progress', 'failure']);
    expect(states(result.deploymentId!)).toEqual(['in_progress', 'success']);
    expect(states(v1Deployment).at(-1)).toBe('inactive');
    v2Deployment = result.deploymentId!;
    // The label follows the alias the deploy moved.
    await untilLabelAnswers(url, 'production', expected(2, ROWS[0]!));
    const problems = emulator.state.responses.flatMap((r) =>
      validateResponse(r.method, r.template, r.status, r.body),
    );
    expect(problems).toEqual([]);
  });

  it('fails clearly before touching production on bad input', async () => {
    await expect(runDeploy(deployOptions({ model: 'penguins/9' }), deps())).rejects.toThrow(UserError);
    await expect(runDeploy(deployOptions({ model: 'penguins/9' }), deps())).rejects.toThrow(
      /version 9|penguins\/9|does not exist/i,
    );
    const wrong = join(work, 'smoke-signature.json');
    await writeFile(
      wrong,
      JSON.stringify({
        schema: 'mlops-smoke-test/v1',
        cases: [{ request: { instances: [{ flipper_length_mm: 181 }] }, expected: [[1, 0, 0]] }],
      }),
    );
    await expect(runDeploy(deployOptions({ model: 'penguins/1', smokeTest: wrong }), deps())).rejects.toThrow(
      /case 1 does not match the model's signature: unknown input\(s\) flipper_length_mm; missing input\(s\) bill_length_mm, island/,
    );
    expectClose(await predictVersion(url), expected(2, ROWS[0]!));
    expect(await aliasOf()).toBe(2);
  });

  it('skips GitHub without a token and says so', async () => {
    const { github: _github, repo: _repo, ...local } = deps();
    const result = await runDeploy(
      deployOptions({ model: 'penguins/2', smokeTest: await smokeFile('smoke-v2.json', 2) }),
      local,
    );
    expect(result.status).toBe('success');
    expect(result.deploymentId).toBeNull();
    expect(result.notes).toContain(
      'No GitHub token or repository: the deployment is not recorded on GitHub.',
    );
  });

  it('rolls a canary back by its latency criterion: v2 keeps serving, alias unchanged', async () => {
    const traffic = poller(() => url, AGREEING_ROW);
    const result = await runDeploy(
      deployOptions({
        model: 'penguins/1',
        smokeTest: await smokeFile('smoke-v1.json', 1),
        canary: { percent: 50, minRequests: 10, maxErrorRate: 0, maxP99Ms: 0.001, maxDurationMs: 20_000 },
      }),
      deps(),
    );
    const { statuses } = await traffic.stop();
    expect(result.status).toBe('rolled_back');
    expect(result.message).toMatch(
      /The canary of version 1 was rolled back \(p99 latency .* ms > 0\.001 ms; \d+ canary request\(s\) at 50%\); version 2 kept serving/,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expectClose(await predictVersion(url), expected(2, ROWS[0]!));
    expect(await aliasOf()).toBe(2);
    expect(states(result.deploymentId!)).toEqual(['in_progress', 'failure']);
    const rollback = newestDeployment();
    expect(rollback.payload).toEqual({
      mlops_model: 'penguins',
      mlops_version: 2,
      mlops_rollback_of: result.deploymentId,
    });
    expect(states(rollback.id)).toEqual(['success']);
    expect(states(v2Deployment).at(-1)).toBe('inactive');
  });

  it('promotes a canary that meets its criteria under live traffic, then moves the alias', async () => {
    const traffic = poller(() => url, AGREEING_ROW);
    const result = await runDeploy(
      deployOptions({
        model: 'penguins/1',
        smokeTest: await smokeFile('smoke-v1.json', 1),
        canary: { percent: 25, minRequests: 20, maxErrorRate: 0, maxP99Ms: 5000, maxDurationMs: 20_000 },
      }),
      deps(),
    );
    const { statuses } = await traffic.stop();
    expect(result.status, result.message).toBe('success');
    expect(result.notes.find((n) => n.startsWith('Canary'))).toMatch(
      /^Canary of version 1 promoted after \d+ canary request\(s\) at 25% \(.*, agreement 1\.0000 on \d+ mirrored rows\)/,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expectClose(await predictVersion(url), expected(1, ROWS[0]!));
    expect(await aliasOf()).toBe(1);
    // A redeploy of v1 is a new record; v1's first record and v2's stay inactive.
    expect(result.deploymentId).not.toBe(v1Deployment);
    expect(states(result.deploymentId!)).toEqual(['in_progress', 'success']);
    expect(states(v1Deployment).at(-1)).toBe('inactive');
    expect(states(v2Deployment).at(-1)).toBe('inactive');
  });

  it('rolls back a canary whose outputs disagree with the stable version on mirrored requests', async () => {
    // v2 passes its own smoke test, answers fast and without errors, but predicts another class
    // than v1 for this row: only the comparison of outputs can catch it.
    const traffic = poller(() => url, ROWS[0]!);
    const result = await runDeploy(
      deployOptions({
        model: 'penguins/2',
        smokeTest: await smokeFile('smoke-v2.json', 2),
        canary: { percent: 25, minRequests: 20, maxErrorRate: 0, maxP99Ms: 5000, maxDurationMs: 30_000 },
      }),
      deps(),
    );
    const { statuses, byVersion } = await traffic.stop();
    expect(result.status).toBe('rolled_back');
    expect(result.message).toMatch(
      /The canary of version 2 was rolled back \(the candidate agreed with the stable version on 0 of \d+ mirrored rows \(0\.0000 < 0\.9; relative error bound 0\.1\), e\.g\. class 2 \[.*\] where the stable version predicts class 0 \[.*\]; \d+ canary request\(s\) at 25%\); version 1 kept serving/,
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Rolled back early: the disagreements passed the budget before minRequests canary requests.
    expect(byVersion[2] ?? 0).toBeLessThan(20);
    expectClose(await predictVersion(url), expected(1, ROWS[0]!));
    expect(await aliasOf()).toBe(1);
    expect(states(result.deploymentId!)).toEqual(['in_progress', 'failure']);
    expect(newestDeployment().payload).toMatchObject({
      mlops_version: 1,
      mlops_rollback_of: result.deploymentId,
    });
  });

  it('stops the detached server through its admin API', async () => {
    const state = JSON.parse(await readFile(join(statePath(), 'server.json'), 'utf8')) as { pid: number };
    expect(await stopLocalServer(statePath(), silentLog)).toBe(true);
    expect(() => process.kill(state.pid, 0)).toThrow();
    await expect(access(join(statePath(), 'server.json'))).rejects.toThrow();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('runDeploy faults', () => {
  it('reports a server that does not come up, with its output, and moves no alias', async () => {
    const path = join(work, 'serve-broken');
    const broken = join(work, 'broken-server.mjs');
    await writeFile(broken, 'console.error("port already taken"); process.exit(3);\n');
    const result = await runDeploy(
      deployOptions({ model: 'penguins/1', environment: 'staging', promoteAlias: 'staging', path }),
      {
        log: memoryLog(),
        serverCommand: [process.execPath, broken],
        startTimeoutMs: 10_000,
      },
    );
    expect(result.status).toBe('failure');
    expect(result.message).toMatch(/The model server did not come up \(it exited with code 3\)/);
    expect(result.message).toMatch(/port already taken/);
    expect(result.message).toMatch(/^Deploying penguins v1 to staging failed; production is unchanged: /);
    expect(
      (await new LocalRegistry(join(work, '.mlops/registry')).listAliases('penguins')).staging,
    ).toBeUndefined();
  });

  it('a new server whose deploy is killed before keeping it stops itself when its lease runs out', async () => {
    const path = join(work, 'serve-orphan');
    expect(await deployThenDie(path, 1)).toBe('SIGKILL');
    const state = JSON.parse(await readFile(join(path, 'server.json'), 'utf8')) as { pid: number };
    expect(isAlive(state.pid)).toBe(true);
    const deadline = Date.now() + LEASE_MS + 10_000;
    while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
    expect(isAlive(state.pid)).toBe(false);
    await expect(access(join(path, 'server.json'))).rejects.toThrow();
    expect(await readFile(join(path, 'server.log'), 'utf8')).toMatch(
      /did not confirm it within 5000 ms \(it was cancelled or killed\): stopping/,
    );
  }, 60_000);

  it('a version hot-swapped in by a deploy that is killed is swapped back when its lease runs out', async () => {
    const path = join(work, 'serve-swap');
    const first = await runDeploy(
      deployOptions({ model: 'penguins/1', environment: 'swap', promoteAlias: 'swap', path }),
      deps(),
    );
    expect(first.status, first.message).toBe('success');
    expect(await deployThenDie(path, 2)).toBe('SIGKILL');
    expectClose(await predictVersion(first.url), expected(2, ROWS[0]!));
    const deadline = Date.now() + LEASE_MS + 10_000;
    let answer = await predictVersion(first.url);
    while (Math.abs(answer[0]! - expected(1, ROWS[0]!)[0]!) > 1e-5 && Date.now() < deadline) {
      await sleep(100);
      answer = await predictVersion(first.url);
    }
    expectClose(answer, expected(1, ROWS[0]!));
    expect(await readFile(join(path, 'server.log'), 'utf8')).toMatch(
      /swapped in version 2 of 'penguins' did not confirm it within 5000 ms \(it was cancelled or killed\): swapping back to version 1/,
    );
    // The server itself was confirmed by the first deploy: it is still up.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it('a new server holds a failing first version back from clients, then stops (nothing served before)', async () => {
    const path = join(work, 'serve-fresh');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // A client knocking on the port the whole time: refused, then 503 while v2 is tested, never v2.
    let polling = true;
    const seen: Record<string, number> = {};
    const client = (async () => {
      while (polling) {
        let outcome: string;
        try {
          const r = await fetch(`${url}/v1/models/penguins:predict`, {
            method: 'POST',
            body: JSON.stringify({ instances: [ROWS[0]] }),
          });
          outcome = String(r.status);
          await r.arrayBuffer();
        } catch {
          outcome = 'refused';
          await sleep(20);
        }
        seen[outcome] = (seen[outcome] ?? 0) + 1;
      }
    })();
    const result = await runDeploy(
      deployOptions({
        model: 'penguins/2',
        environment: 'canary',
        promoteAlias: 'canary',
        path,
        url,
        smokeTest: await smokeFile('smoke-v1-again.json', 1),
      }),
      { log: memoryLog(), serverCommand: SERVER_COMMAND, startTimeoutMs: 30_000 },
    );
    polling = false;
    await client;
    expect(result.status).toBe('failure');
    expect(result.message).toMatch(
      /failed before it took any traffic \(.*\); stopped the new server \(no version was serving before\)\. Production is unchanged\.$/,
    );
    expect(seen['200']).toBeUndefined();
    expect(Object.keys(seen).every((k) => k === 'refused' || k === '503')).toBe(true);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(
      (await new LocalRegistry(join(work, '.mlops/registry')).listAliases('penguins')).canary,
    ).toBeUndefined();
  });

  it('refuses a version whose files fail their sha256 check, before recording anything', async () => {
    await registerTinyVersions(work, [3]);
    await writeFile(join(work, '.mlops/registry/models/penguins/versions/3/files/weights.bin'), 'tampered');
    const before = emulator.state.repo().deployments.size;
    await expect(
      runDeploy(deployOptions({ model: 'penguins/3', path: join(work, 'serve-tampered') }), deps()),
    ).rejects.toThrow(IntegrityError);
    expect(emulator.state.repo().deployments.size).toBe(before);
    expect(await aliasOf()).toBe(1);
  });
});
