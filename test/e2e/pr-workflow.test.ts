/**
 * workflows-examples/pr.yml, executed step by step through the built bundle as a runner would,
 * against the GitHub API emulator and the Actions artifact/cache emulator: what a user sees on an
 * improvement PR and on a regression PR.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ActionsResultsEmulator,
  startActionsResultsEmulator,
} from '../emulators/actions-results/server.js';
import { validateResponse } from '../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { REPO_ROOT, runStep } from '../harness/runner.js';
import { readJob, runJob } from '../harness/workflow.js';
import { mlops, penguinSplit, scrambledLabels, toCsv, writeProject } from './penguins-project.js';

const MARKER = '<!-- mlops:compare-baseline:penguins -->';
const split = penguinSplit();
let github: GitHubEmulator;
let results: ActionsResultsEmulator;
let project: string;

function ok(result: { code: number; stdout: string; stderr: string }) {
  expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
}

/**
 * Trains, evaluates and registers a model on `rows` as the new production version (the release
 * path: the CLI trains and evaluates, release.yml's register step registers), in the GitHub registry (tags and releases) as release.yml does: pr.yml
 * reads it back with `registry-backend: github`.
 */
async function registerProduction(rows: typeof split.train, tag: string) {
  writeFileSync(join(project, 'data/train.csv'), toCsv(rows));
  ok(
    mlops(project, [
      'train',
      '--data',
      'data/train.csv',
      '--target',
      'species',
      '--epochs',
      '40',
      '--seed',
      '7',
      '--output-dir',
      `release/${tag}`,
    ]),
  );
  ok(
    mlops(project, [
      'evaluate',
      '--model',
      `release/${tag}/model.json`,
      '--data',
      'data/test.csv',
      '--target',
      'species',
      '--output',
      `release/${tag}-metrics.json`,
      '--predictions-output',
      `release/${tag}-predictions.parquet`,
    ]),
  );
  // The register step of release.yml, as a runner runs it.
  const registered = await runStep({
    action: 'actions/register',
    workspace: project,
    with: {
      model: `release/${tag}`,
      name: 'penguins',
      metrics: `release/${tag}-metrics.json`,
      alias: 'production',
      backend: 'github',
    },
    env: { GITHUB_TOKEN: 'write-token', GITHUB_API_URL: github.url },
    event: { name: 'push', payload: {} },
  });
  expect(registered.exitCode, registered.stdout).toBe(0);
}

/** The Actions services' variables; the job's own folders come from the harness. */
function actionsServiceEnv(): Record<string, string> {
  const { GITHUB_WORKSPACE: _workspace, RUNNER_TEMP: _temp, ...service } = results.env;
  return service;
}

async function runPullRequest(number: number, headSha: string) {
  const steps = readJob(join(REPO_ROOT, 'workflows-examples/pr.yml'), 'gate');
  return runJob(steps, {
    workspace: project,
    github: { sha: headSha, token: 'write-token', event: { pull_request: { number } } },
    env: {
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: 'write-token',
      GITHUB_SERVER_URL: undefined,
      ...actionsServiceEnv(),
    },
    event: { name: 'pull_request', payload: { pull_request: { number, head: { sha: headSha } } } },
  });
}

function prComments(number: number) {
  return [...github.state.repo().comments.values()].filter(
    (c) => c.issueNumber === number && c.body.includes(MARKER),
  );
}

function checkRunsFor(sha: string) {
  return [...github.state.repo().checkRuns.values()].filter((run) => run.head_sha === sha);
}

beforeAll(async () => {
  github = await startGitHubEmulator();
  results = await startActionsResultsEmulator();
  project = writeProject(split);
  // The project's gates: compare-baseline reads them from mlops.yml (metrics without one are reported, not gated).
  writeFileSync(
    join(project, 'mlops.yml'),
    'name: penguins\nmetrics:\n  accuracy: { min: 0.5, tolerance: 0.02 }\n  log_loss: { direction: lower, tolerance-pct: 10 }\n',
  );
  ok(
    mlops(project, [
      'data-validate',
      '--data',
      'data/train.csv',
      '--infer-schema',
      '--write-schema',
      'schema.yaml',
    ]),
  );
}, 120_000);

afterAll(async () => {
  const problems = github.state.responses.flatMap((r) =>
    validateResponse(r.method, r.template, r.status, r.body),
  );
  await github.close();
  await results.stop();
  expect(problems).toEqual([]);
});

describe('pr.yml end to end', () => {
  it('an improvement PR passes the check and gets one comment with the diff table', async () => {
    await registerProduction(scrambledLabels(split.train), 'weak');
    writeFileSync(join(project, 'data/train.csv'), toCsv(split.train));
    const pull = github.state.addPullRequest({ headSha: 'b'.repeat(40), title: 'Better features' });
    const run = await runPullRequest(pull.number, pull.headSha);

    const failed = run.steps.filter((s) => s.result && s.result.exitCode !== 0);
    expect(failed.map((s) => `${s.id}: ${s.result?.stdout}`)).toEqual([]);
    const ids = run.steps.filter((s) => !s.skipped).map((s) => s.id);
    expect(ids).toEqual(['validate', 'train', 'evaluate', 'baseline', 'compare']);
    // The production model lives in the GitHub registry only; the baseline step found it there.
    expect(existsSync(join(project, '.mlops/registry'))).toBe(false);
    expect(run.steps.find((s) => s.id === 'baseline')?.result?.stdout).toMatch(
      /registry:penguins@production is version 1/,
    );
    const compare = run.steps.find((s) => s.id === 'compare')?.result;
    expect(compare?.outputs.passed).toBe('true');
    expect(
      Number(
        run.steps.find((s) => s.id === 'evaluate')?.result?.outputs.metrics &&
          JSON.parse(run.steps.find((s) => s.id === 'evaluate')!.result!.outputs.metrics).accuracy,
      ),
    ).toBeGreaterThan(0.9);

    const comments = prComments(pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/\| Metric \| Baseline \| Current \|/);
    expect(comments[0].body).toMatch(/accuracy/);
    expect(compare?.outputs['comment-url']).toContain(`/pull/${pull.number}`);
    const checks = checkRunsFor(pull.headSha);
    expect(checks.map((c) => c.conclusion)).toEqual(['success']);
    expect(checks[0].name).toBe('mlops/compare-baseline');
    expect(compare?.summary).toContain('compare-baseline');
    // Both models were evaluated on the same rows, so the gate used the paired bootstrap.
    expect(comments[0].body).toMatch(/paired bootstrap/i);
    // train ran with cache: true against the Actions cache emulator.
    expect(results.calls.CreateCacheEntry ?? 0).toBeGreaterThan(0);
  }, 240_000);

  it('a regression PR fails the check and the job, and a re-run updates the same comment', async () => {
    await registerProduction(split.train, 'strong');
    writeFileSync(join(project, 'data/train.csv'), toCsv(scrambledLabels(split.train)));
    const pull = github.state.addPullRequest({ headSha: 'c'.repeat(40), title: 'Refactor data loading' });
    github.state.addComment(pull.number, 'LGTM once the numbers are in');

    const first = await runPullRequest(pull.number, pull.headSha);
    expect(first.failed).toBe(true);
    const compare = first.steps.find((s) => s.id === 'compare')?.result;
    expect(compare?.exitCode).toBe(1);
    expect(compare?.outputs.passed).toBe('false');
    expect(Number(compare?.outputs.regressions)).toBeGreaterThan(0);
    expect(compare?.annotations.some((a) => a.level === 'error' && /regress/i.test(a.message))).toBe(true);
    expect(checkRunsFor(pull.headSha).map((c) => c.conclusion)).toEqual(['failure']);

    await runPullRequest(pull.number, pull.headSha);
    const comments = prComments(pull.number);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/regress/i);
  }, 300_000);

  it('with a search: section in mlops.yml, train runs the search and the comment shows its summary', async () => {
    writeFileSync(join(project, 'data/train.csv'), toCsv(split.train));
    const withoutSearch = readFileSync(join(project, 'mlops.yml'), 'utf8');
    writeFileSync(
      join(project, 'mlops.yml'),
      `${withoutSearch}search:\n  strategy: grid\n  metric: accuracy\n  parameters:\n    learning-rate: { choices: [0.01, 0.05] }\n`,
    );
    try {
      const pull = github.state.addPullRequest({ headSha: 'd'.repeat(40), title: 'Tune the learning rate' });
      const run = await runPullRequest(pull.number, pull.headSha);
      const train = run.steps.find((s) => s.id === 'train')?.result;
      expect(train?.exitCode, train?.stdout).toBe(0);
      expect(train?.outputs['best-trial']).toMatch(/^[12]$/);
      expect(train?.outputs['search-summary']).toMatch(/search-summary\.json$/);
      const [comment] = prComments(pull.number);
      expect(comment.body).toContain('Hyperparameter search (grid, 2 trials)');
      expect(comment.body).toContain('learning-rate');
    } finally {
      writeFileSync(join(project, 'mlops.yml'), withoutSearch);
    }
  }, 300_000);
});
