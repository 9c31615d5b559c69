/**
 * The fork-safe two-workflow pattern end to end, with a fork that lies. pr.yml runs for the fork's
 * pull request with a read-only token, from the fork's checkout (its workflow, its mlops.yml, its
 * code): whatever it uploads is the fork's claim. pr-comment-from-fork.yml then runs on
 * workflow_run with a write token in the base repository's checkout, downloads that artifact into
 * a folder of its own, re-evaluates the fork's model on the base's test rows and gates it with the
 * base's mlops.yml against the registry's production model.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { REPO_ROOT, runStep } from '../harness/runner.js';
import { type JobRun, readJob, runJob } from '../harness/workflow.js';
import { mlops, penguinSplit, scrambledLabels, toCsv, writeProject } from './penguins-project.js';

const MARKER = '<!-- mlops:compare-baseline:penguins -->';
const PLANTED = 'planted-code-ran';
let github: GitHubEmulator;
/** The base repository's default branch, as the privileged job checks it out. */
let base: string;
/** The fork's checkout: the base plus the fork's changes. */
let fork: string;

function ok(result: { code: number; stderr: string }) {
  expect(result.code, result.stderr).toBe(0);
}

/**
 * release.yml's register step: the production model goes to the GitHub registry (tags and
 * releases), where pr-comment-from-fork.yml reads it with `registry-backend: github`.
 */
async function registerProduction(model: string, metrics: string) {
  const registered = await runStep({
    action: 'actions/register',
    workspace: base,
    with: { model, name: 'penguins', metrics, alias: 'production', backend: 'github' },
    env: { GITHUB_TOKEN: 'write-token', GITHUB_API_URL: github.url },
    event: { name: 'push', payload: {} },
  });
  expect(registered.exitCode, registered.stdout).toBe(0);
}

beforeAll(async () => {
  github = await startGitHubEmulator();
  const split = penguinSplit(21);
  base = writeProject(split);
  // The base's gates. The fork cannot change what the privileged job reads.
  writeFileSync(
    join(base, 'mlops.yml'),
    'name: penguins\nmetrics:\n  accuracy: { min: 0.5, tolerance: 0.02 }\n',
  );
  for (const args of [
    ['data-validate', '--data', 'data/train.csv', '--infer-schema', '--write-schema', 'schema.yaml'],
    [
      'train',
      '--data',
      'data/train.csv',
      '--target',
      'species',
      '--epochs',
      '30',
      '--output-dir',
      'release/strong',
    ],
    [
      'evaluate',
      '--model',
      'release/strong/model.json',
      '--data',
      'data/test.csv',
      '--target',
      'species',
      '--output',
      'release/strong-reports/metrics.json',
    ],
  ]) {
    ok(mlops(base, args));
  }
  await registerProduction('release/strong', 'release/strong-reports/metrics.json');
  fork = mkdtempSync(join(tmpdir(), 'mlops-fork-'));
  cpSync(base, fork, { recursive: true });
  // The fork's change breaks the labels (a real regression), and its mlops.yml turns the gate off.
  writeFileSync(join(fork, 'data/train.csv'), toCsv(scrambledLabels(split.train)));
  writeFileSync(join(fork, 'mlops.yml'), 'name: penguins\ncompare-baseline:\n  gate: none\n');
}, 240_000);

afterAll(async () => {
  await github.close();
});

function forkPull(n: number) {
  return github.state.addPullRequest({
    headSha: String(n).repeat(40).slice(0, 40),
    headOwner: 'outside-contributor',
    headRef: `patch-${n}`,
  });
}

/** actions/download-artifact into `${{ runner.temp }}/fork-pr`: the artifact's files, as they are. */
function downloadArtifact(files: {
  reports?: string;
  model?: string;
  claim?: (metrics: { metrics: Record<string, unknown>; predictions?: unknown }) => void;
}) {
  const temp = mkdtempSync(join(tmpdir(), 'mlops-runner-temp-'));
  const into = join(temp, 'fork-pr');
  mkdirSync(join(into, 'mlops-reports'), { recursive: true });
  if (files.reports) cpSync(files.reports, join(into, 'mlops-reports'), { recursive: true });
  if (files.model) cpSync(files.model, join(into, 'mlops-artifacts/model'), { recursive: true });
  if (files.claim) {
    const path = join(into, 'mlops-reports/metrics.json');
    const metrics = JSON.parse(readFileSync(path, 'utf8'));
    files.claim(metrics);
    writeFileSync(path, JSON.stringify(metrics));
  }
  // A fork can put anything in its artifact: code where an engine might be looked for.
  for (const where of [into, join(into, 'mlops-reports')]) {
    const planted = join(where, 'node_modules/@duckdb/node-api');
    mkdirSync(planted, { recursive: true });
    writeFileSync(
      join(planted, 'package.json'),
      '{"name":"@duckdb/node-api","version":"1.5.6-r.1","main":"index.js"}',
    );
    writeFileSync(
      join(planted, 'index.js'),
      `require('node:fs').writeFileSync(${JSON.stringify(join(temp, PLANTED))}, process.env['INPUT_GITHUB-TOKEN'] ?? '');`,
    );
  }
  return temp;
}

async function runPrivileged(pull: { headSha: string }, temp: string): Promise<JobRun> {
  const run = await runJob(
    readJob(join(REPO_ROOT, 'workflows-examples/pr-comment-from-fork.yml'), 'comment'),
    {
      workspace: base,
      runner: { temp },
      github: { token: 'write-token' },
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' },
      event: {
        name: 'workflow_run',
        payload: {
          workflow_run: {
            event: 'pull_request',
            head_sha: pull.headSha,
            head_branch: `patch-${pull.headSha[0]}`,
            head_repository: { owner: { login: 'outside-contributor' } },
            pull_requests: [],
          },
          repository: { default_branch: 'main' },
        },
      },
    },
  );
  expect(existsSync(join(temp, PLANTED)), 'code from the artifact ran').toBe(false);
  return run;
}

const step = (run: JobRun, id: string) => run.steps.find((s) => s.id === id)?.result;
const commentsOn = (number: number) =>
  [...github.state.repo().comments.values()].filter(
    (c) => c.issueNumber === number && c.body.includes(MARKER),
  );
const checksOn = (sha: string) =>
  [...github.state.repo().checkRuns.values()].filter((run) => run.head_sha === sha);

describe('a pull request from a fork', () => {
  it('claims accuracy 0.99 for a model that scores far less on the base data: the check fails', async () => {
    const pull = forkPull(1);
    // The fork's own run: its workflow, its mlops.yml (gate: none), a read-only token. It passes.
    const unprivileged = await runJob(readJob(join(REPO_ROOT, 'workflows-examples/pr.yml'), 'gate'), {
      workspace: fork,
      github: { sha: pull.headSha, token: 'read-token', event: { pull_request: { number: pull.number } } },
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'read-token' },
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: pull.number, head: { sha: pull.headSha } } },
      },
    });
    const own = step(unprivileged, 'compare');
    expect(own?.exitCode, own?.stdout).toBe(0);
    expect(own?.summary).toContain('not gated (gate: none)');
    // Read-only: each refused write is reported once, nothing is posted.
    const refusals = own!.annotations.filter(
      (a) => a.level === 'warning' && /cannot|read-only/i.test(a.message),
    );
    expect(refusals.length).toBeGreaterThan(0);
    expect(new Set(refusals.map((a) => a.message)).size).toBe(refusals.length);
    expect(commentsOn(pull.number)).toHaveLength(0);

    // Its artifact, with the claim the fork's workflow is free to write.
    const temp = downloadArtifact({
      reports: join(fork, 'mlops-reports'),
      model: join(fork, 'mlops-artifacts/model'),
      claim: (metrics) => {
        metrics.metrics.accuracy = { value: 0.99, ci: [0.98, 1], n: 104 };
      },
    });
    const requestsBefore = github.state.requests.length;
    const privileged = await runPrivileged(pull, temp);
    const verified = step(privileged, 'verify');
    expect(verified?.exitCode, verified?.stdout).toBe(0);
    const accuracy = JSON.parse(verified!.outputs.metrics).accuracy as number;
    expect(accuracy).toBeLessThan(0.7);
    const compare = step(privileged, 'compare');
    expect(compare?.exitCode, compare?.stdout).toBe(1);
    expect(compare?.outputs.passed).toBe('false');
    expect(checksOn(pull.headSha).map((c) => c.conclusion)).toEqual(['failure']);
    const comments = commentsOn(pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/accuracy.*regressed/);
    expect(comments[0]!.body).toContain('reported accuracy 0.99 (re-evaluated here:');
    // Both sides evaluated here on the base's rows: the paired bootstrap decided.
    expect(comments[0]!.body).toMatch(/paired bootstrap/i);
    // The comments were listed once in the privileged run.
    const listings = github.state.requests
      .slice(requestsBefore)
      .filter((r) => r.method === 'GET' && r.path.endsWith(`/issues/${pull.number}/comments`));
    expect(listings).toHaveLength(1);
  }, 400_000);

  it('a genuine improvement passes', async () => {
    // Production is now the weak model; the fork's model is the strong one.
    ok(
      mlops(base, [
        'evaluate',
        '--model',
        join(fork, 'mlops-artifacts/model/model.json'),
        '--data',
        'data/test.csv',
        '--target',
        'species',
        '--output',
        'release/weak-reports/metrics.json',
      ]),
    );
    await registerProduction(join(fork, 'mlops-artifacts/model'), 'release/weak-reports/metrics.json');
    const pull = forkPull(2);
    const temp = downloadArtifact({
      reports: join(base, 'release/strong-reports'),
      model: join(base, 'release/strong'),
    });
    const privileged = await runPrivileged(pull, temp);
    const compare = step(privileged, 'compare');
    expect(compare?.exitCode, compare?.stdout).toBe(0);
    expect(checksOn(pull.headSha).map((c) => c.conclusion)).toEqual(['success']);
    const body = commentsOn(pull.number)[0]!.body;
    expect(body).toMatch(/accuracy.*improved/);
    expect(body).not.toContain('unverified');
  }, 300_000);

  it('an artifact with no model gets a neutral check marked unverified, never success', async () => {
    const pull = forkPull(3);
    const temp = downloadArtifact({
      reports: join(base, 'release/strong-reports'),
      claim: (metrics) => {
        metrics.metrics.accuracy = { value: 0.99, ci: [0.98, 1], n: 104 };
        delete metrics.predictions;
      },
    });
    const privileged = await runPrivileged(pull, temp);
    expect(step(privileged, 'verify')?.exitCode).toBe(1);
    const compare = step(privileged, 'compare');
    expect(compare?.exitCode, compare?.stdout).toBe(0);
    expect(checksOn(pull.headSha).map((c) => c.conclusion)).toEqual(['neutral']);
    const body = commentsOn(pull.number)[0]!.body;
    expect(body).toContain("unverified: metrics reported by the fork's own run");
    expect(compare?.summary).toContain("unverified: metrics reported by the fork's own run");
  }, 300_000);

  it('an artifact whose metrics.json points at /etc/passwd, with no model, is refused with a clear message', async () => {
    const pull = forkPull(4);
    const temp = downloadArtifact({
      reports: join(base, 'release/strong-reports'),
      claim: (metrics) => {
        metrics.predictions = { path: '/etc/passwd', row_id: 'row_id', loss: 'log_loss' };
      },
    });
    const privileged = await runPrivileged(pull, temp);
    const compare = step(privileged, 'compare');
    expect(compare?.exitCode).toBe(1);
    const errors = compare!.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('predictions.path "/etc/passwd" is an absolute path outside it');
    expect(compare?.stdout).not.toMatch(/This is a bug|root:x:0/);
    expect(checksOn(pull.headSha).filter((c) => c.conclusion === 'success')).toHaveLength(0);
  }, 300_000);

  it('an artifact whose metrics.json points at ../../x is refused, and its model is still gated', async () => {
    const pull = forkPull(5);
    const temp = downloadArtifact({
      reports: join(base, 'release/strong-reports'),
      model: join(base, 'release/strong'),
      claim: (metrics) => {
        metrics.predictions = { path: '../../x', row_id: 'row_id', loss: 'log_loss' };
      },
    });
    const privileged = await runPrivileged(pull, temp);
    const compare = step(privileged, 'compare');
    expect(compare?.exitCode, compare?.stdout).toBe(0);
    const refused = compare!.annotations.filter(
      (a) => a.level === 'warning' && a.message.startsWith('Refused the metrics the untrusted run reported'),
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]!.message).toContain('predictions.path "../../x" leads outside it');
    // The verdict comes from the model re-evaluated here, as for any fork.
    expect(checksOn(pull.headSha).map((c) => c.conclusion)).toEqual(['success']);
  }, 300_000);
});
