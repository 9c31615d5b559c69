/**
 * Train runs reach the GitHub tracking store although train holds no token: train writes its
 * record into run-record.json in its output folder, and a step that holds a token (evaluate with
 * tracking: github and run-records, or `mlops runs push`) publishes it, once. `mlops runs` reads
 * the GitHub store with --store github:<owner>/<repo>. Through the runner harness and the GitHub
 * API emulator with the real Octokit client.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { createOctokit } from '../../../shared/src/platform/github/octokit.js';
import { RUN_RECORD_FILE } from '../../../shared/src/tracking/record-file.js';
import { GitHubRunStore, LocalRunStore, publishRunRecords } from '../../../shared/src/tracking/store.js';
import { validateResponse } from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { REPO_ROOT } from '../../harness/runner.js';
import { runSourceStep } from '../../reliability/source-step.js';
import { PENGUINS_FIXTURE } from '../../unit/models/penguins-fixture.js';
import { runRecord } from './records.js';

const TOKEN = `ghs_${randomBytes(18).toString('hex')}`;
const JOB = join(import.meta.dirname, 'fixtures/train-job.mjs');
const repo = { owner: 'octo-org', repo: 'models' };
let github: GitHubEmulator;
let workspace: string;

beforeAll(async () => {
  github = await startGitHubEmulator({ tokens: { [TOKEN]: 'write' } });
  workspace = mkdtempSync(join(tmpdir(), 'mlops-publish-'));
});
afterAll(async () => {
  const problems = github.state.responses.flatMap((response) =>
    validateResponse(response.method, response.template, response.status, response.body),
  );
  await github.close();
  expect(problems).toEqual([]);
});

const runTags = () =>
  [...github.state.repo().refs.keys()].filter((ref) => ref.startsWith('refs/tags/mlops-run/')).sort();

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  const code = await runCommandLine(argv, { stdout, stderr, env: { GITHUB_API_URL: github.url, ...env } });
  return { code, stdout: out, stderr: err };
}

function evaluate(extra: Record<string, string>) {
  return runSourceStep({
    action: 'actions/evaluate',
    workspace,
    with: {
      model: resolve(REPO_ROOT, PENGUINS_FIXTURE, 'model.onnx'),
      data: resolve(REPO_ROOT, PENGUINS_FIXTURE, 'eval.csv'),
      bootstrap: 0,
      latency: false,
      output: 'eval/metrics.json',
      tracking: 'github',
      'github-token': TOKEN,
      ...extra,
    },
    env: { GITHUB_API_URL: github.url },
  });
}

describe('train records reach the GitHub tracking store through a step that holds a token', () => {
  let trainOutput: string;

  it('train (no token) writes run-record.json into its output folder, and its command sees no token', async () => {
    const step = await runSourceStep({
      action: 'actions/train',
      workspace,
      with: { command: `${process.execPath} ${JOB}`, epochs: 3, cache: false, 'output-dir': 'model' },
    });
    expect(step.exitCode, step.stdout).toBe(0);
    trainOutput = step.outputs['run-records'];
    expect(trainOutput).toBe(join(workspace, 'model'));
    const record = JSON.parse(readFileSync(join(trainOutput, RUN_RECORD_FILE), 'utf8'));
    expect(record).toMatchObject({
      schema: 'mlops-run/v1',
      experiment: 'default',
      kind: 'train',
      status: 'finished',
      code_sha: 'a'.repeat(40),
      metrics: { loss: 1 / 3, accuracy: 0.8 },
      params: { model: 'command', epochs: 3 },
    });
    expect(record.number).toBeUndefined();
    expect(record.curves.map((c: { epoch: number }) => c.epoch)).toEqual([1, 2, 3]);
    // The same record went to the local store.
    const [local] = await new LocalRunStore(join(workspace, '.mlops/runs')).listRuns('default');
    expect(local).toEqual({ ...record, number: 1 });
    // train declares no github-token, so the runner hands it none, and its command none either.
    const seen = Object.keys(JSON.parse(readFileSync(join(trainOutput, 'env-seen.json'), 'utf8')));
    expect(seen.filter((key) => /TOKEN|^INPUT_/.test(key))).toEqual([]);
    // Nothing was written to GitHub by train.
    expect(runTags()).toEqual([]);
  }, 120_000);

  it('evaluate with tracking: github publishes the train record once, however often it is given', async () => {
    const first = await evaluate({ 'run-records': 'model' });
    expect(first.exitCode, first.stdout).toBe(0);
    const record = JSON.parse(readFileSync(join(trainOutput, RUN_RECORD_FILE), 'utf8'));
    expect(first.stdout).toContain(
      `Published run ${record.run_id.slice(0, 8)} as default#1 in octo-org/models.`,
    );
    expect(runTags()).toEqual(['refs/tags/mlops-run/default/1', 'refs/tags/mlops-run/default/2']);
    // A re-run of the job: the train record is found by its run id and not appended again.
    const again = await evaluate({ 'run-records': join(trainOutput, RUN_RECORD_FILE) });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.stdout).toContain(
      `Run ${record.run_id.slice(0, 8)} is already default#1 in octo-org/models.`,
    );
    expect(runTags()).toHaveLength(3);
    const runs = await new GitHubRunStore(
      createOctokit({ token: TOKEN, baseUrl: github.url, log: silentLog }),
      repo,
    ).listRuns('default');
    expect(runs.map((r) => [r.number, r.kind])).toEqual([
      [1, 'train'],
      [2, 'evaluate'],
      [3, 'evaluate'],
    ]);
    expect(runs[0]).toEqual({ ...record, number: 1 });
    // Only the runner's own ::add-mask:: command carries it.
    for (const step of [first, again])
      expect(step.stdout.replace(/^::add-mask::.*$/gm, '') + step.summary).not.toContain(TOKEN);
  }, 120_000);

  it('a malformed record in run-records is refused with its file and field, and nothing is published', async () => {
    const bad = join(workspace, 'bad-trial');
    mkdirSync(bad, { recursive: true });
    const record = JSON.parse(readFileSync(join(trainOutput, RUN_RECORD_FILE), 'utf8'));
    writeFileSync(
      join(bad, RUN_RECORD_FILE),
      JSON.stringify({ ...record, run_id: 'a'.repeat(32), metrics: { loss: '<script>' } }),
    );
    const before = runTags();
    const step = await evaluate({ 'run-records': 'bad-trial' });
    expect(step.exitCode).toBe(1);
    expect(step.annotations.map((a) => a.message).join('\n')).toContain(
      "run-records: bad-trial/run-record.json: 'metrics.loss' must be a number (or null).",
    );
    expect(runTags()).toEqual(before);
  }, 120_000);

  it('mlops runs list, show, compare and export read the GitHub store; the token is never printed', async () => {
    const env = { GITHUB_TOKEN: TOKEN };
    const store = ['--store', 'github:octo-org/models'];
    const list = await cli(['runs', 'list', ...store], env);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^default#1 {2}[0-9a-f]{8} {2}train {2}finished {2}/);
    expect(lines[1]).toMatch(/^default#2 {2}[0-9a-f]{8} {2}evaluate {2}finished {2}/);
    const show = await cli(['runs', 'show', '1', ...store], env);
    expect(JSON.parse(show.stdout)).toEqual(
      JSON.parse(
        `${JSON.stringify({ ...JSON.parse(readFileSync(join(trainOutput, RUN_RECORD_FILE), 'utf8')), number: 1 })}`,
      ),
    );
    const html = join(workspace, 'compare.html');
    const compare = await cli(['runs', 'compare', '2', '3', ...store, '--output', html], env);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/^run {2}status/);
    expect(readFileSync(html, 'utf8')).toContain('<table');
    const csv = await cli(['runs', 'export', '--format', 'csv', ...store], env);
    expect(csv.stdout.trim().split('\n')).toHaveLength(4);
    const mlruns = join(workspace, 'mlruns');
    const mlflow = await cli(['runs', 'export', '--format', 'mlflow', '--output', mlruns, ...store], env);
    expect(mlflow.code, mlflow.stderr).toBe(0);
    expect(existsSync(join(mlruns, '1/meta.yaml'))).toBe(true);
    for (const out of [list, show, compare, csv, mlflow])
      expect(out.stdout + out.stderr).not.toContain(TOKEN);
  }, 60_000);

  it('mlops runs push appends to the GitHub store once, and refuses without a token or with a bad --store', async () => {
    const trials = join(workspace, 'trials');
    const fresh = [runRecord(1, 'pushed'), runRecord(2, 'pushed')];
    fresh.forEach((record, i) => {
      mkdirSync(join(trials, `trial-${i + 1}`), { recursive: true });
      writeFileSync(join(trials, `trial-${i + 1}`, RUN_RECORD_FILE), JSON.stringify(record));
    });
    const env = { GH_TOKEN: TOKEN };
    const pushed = await cli(['runs', 'push', trials, '--store', 'github:octo-org/models'], env);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toContain('2 appended, 0 already in octo-org/models');
    const again = await cli(['runs', 'push', trials, trainOutput, '--store', 'github:octo-org/models'], {
      ...env,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 appended, 3 already in octo-org/models');
    expect(runTags().filter((ref) => ref.includes('/pushed/'))).toEqual([
      'refs/tags/mlops-run/pushed/1',
      'refs/tags/mlops-run/pushed/2',
    ]);
    const missing = await cli(['runs', 'list', '--store', 'github:octo-org/models']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'error: --store github:octo-org/models reads the GitHub token from GITHUB_TOKEN or GH_TOKEN; neither is set.\n',
    );
    const malformed = await cli(['runs', 'list', '--store', 'github:octo-org'], env);
    expect(malformed.stderr).toBe('error: --store "github:octo-org" must be github:<owner>/<repo>.\n');
  }, 60_000);
});

describe('publishing is idempotent when two publishers race with the same record', () => {
  it('a record appended twice is listed once, at its lower number, and is not published again', async () => {
    const emulator = await startGitHubEmulator();
    try {
      const store = new GitHubRunStore(
        createOctokit({ token: 'write-token', baseUrl: emulator.url, log: silentLog }),
        repo,
      );
      const record = runRecord(0, 'raced');
      // What a lost race leaves: both publishers found no such run id, so both appended it.
      await Promise.all([store.append(record), store.append(record)]);
      const tags = [...emulator.state.repo().refs.keys()].filter((ref) =>
        ref.startsWith('refs/tags/mlops-run/raced/'),
      );
      expect(tags.sort()).toEqual(['refs/tags/mlops-run/raced/1', 'refs/tags/mlops-run/raced/2']);
      expect(await store.listRuns('raced')).toEqual([{ ...record, number: 1 }]);
      // And a later publish finds it, at the lower number, and appends nothing.
      expect(await publishRunRecords(store, [record])).toEqual({
        appended: [],
        alreadyStored: [{ ...record, number: 1 }],
      });
      const fresh = runRecord(1, 'raced');
      const published = await publishRunRecords(store, [fresh, fresh]);
      expect(published.appended.map((r) => r.number)).toEqual([3]);
      expect(published.alreadyStored.map((r) => r.number)).toEqual([3]);
      expect(
        emulator.state.responses.flatMap((r) => validateResponse(r.method, r.template, r.status, r.body)),
      ).toEqual([]);
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
