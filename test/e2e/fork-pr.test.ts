/**
 * The fork-safe two-workflow pattern end to end: pr.yml runs for a fork's pull request with a
 * read-only token (the gate decides, nothing is posted, the reports are kept), then
 * pr-comment-from-fork.yml runs on workflow_run with a write token, reads those reports as data
 * and posts the one comment and the check on the fork's PR, found by head SHA.
 */
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { REPO_ROOT } from '../harness/runner.js';
import { readJob, runJob } from '../harness/workflow.js';
import { mlops, penguinSplit, scrambledLabels, toCsv, writeProject } from './penguins-project.js';

const MARKER = '<!-- mlops:compare-baseline:penguins -->';
let github: GitHubEmulator;
let project: string;

beforeAll(async () => {
  github = await startGitHubEmulator();
  const split = penguinSplit(21);
  project = writeProject(split);
  writeFileSync(
    join(project, 'mlops.yml'),
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
      'release/model',
    ],
    [
      'evaluate',
      '--model',
      'release/model/model.json',
      '--data',
      'data/test.csv',
      '--target',
      'species',
      '--output',
      'release/metrics.json',
    ],
    [
      'register',
      '--model',
      'release/model',
      '--name',
      'penguins',
      '--metrics',
      'release/metrics.json',
      '--alias',
      'production',
    ],
  ]) {
    const result = mlops(project, args);
    expect(result.code, result.stderr).toBe(0);
  }
  // The fork's change breaks the labels: a real regression.
  writeFileSync(join(project, 'data/train.csv'), toCsv(scrambledLabels(split.train)));
}, 180_000);

afterAll(async () => {
  await github.close();
});

describe('a pull request from a fork', () => {
  it('is gated with a read-only token, then commented and checked by the workflow_run half', async () => {
    const pull = github.state.addPullRequest({
      headSha: 'd'.repeat(40),
      headOwner: 'outside-contributor',
      headRef: 'patch-1',
    });
    const env = { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'read-token' };
    const unprivileged = await runJob(readJob(join(REPO_ROOT, 'workflows-examples/pr.yml'), 'gate'), {
      workspace: project,
      github: { sha: pull.headSha, token: 'read-token', event: { pull_request: { number: pull.number } } },
      env,
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: pull.number, head: { sha: pull.headSha } } },
      },
    });
    const compare = unprivileged.steps.find((s) => s.id === 'compare')?.result;
    expect(compare?.exitCode).toBe(1);
    expect(compare?.outputs.passed).toBe('false');
    expect(
      compare?.annotations.some((a) => a.level === 'warning' && /cannot|read-only|fork/i.test(a.message)),
    ).toBe(true);
    expect(compare?.summary).toMatch(/regress/i);
    expect([...github.state.repo().comments.values()].filter((c) => c.body.includes(MARKER))).toHaveLength(0);
    expect(existsSync(join(project, 'mlops-reports/baseline-metrics.json'))).toBe(true);

    // actions/upload-artifact then actions/download-artifact: the reports travel as files.
    cpSync(join(project, 'mlops-reports'), join(project, 'pr-report'), { recursive: true });

    const privileged = await runJob(
      readJob(join(REPO_ROOT, 'workflows-examples/pr-comment-from-fork.yml'), 'comment'),
      {
        workspace: project,
        github: { token: 'write-token' },
        env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' },
        event: {
          name: 'workflow_run',
          payload: {
            workflow_run: {
              event: 'pull_request',
              head_sha: pull.headSha,
              head_branch: 'patch-1',
              head_repository: { owner: { login: 'outside-contributor' } },
              pull_requests: [],
            },
          },
        },
      },
    );
    const posted = privileged.steps.find((s) => !s.skipped)?.result;
    // The regression fails the privileged job too: its check is the one branch protection requires.
    expect(posted?.exitCode, posted?.stdout).toBe(1);
    expect(posted?.outputs['comment-url']).toContain(`/pull/${pull.number}`);
    const comments = [...github.state.repo().comments.values()].filter(
      (c) => c.issueNumber === pull.number && c.body.includes(MARKER),
    );
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toMatch(/regress/i);
    // The baseline came from the artifact and was evaluated on the same rows: the paired test ran.
    expect(comments[0].body).toMatch(/paired bootstrap/i);
    const checks = [...github.state.repo().checkRuns.values()].filter((run) => run.head_sha === pull.headSha);
    expect(checks.map((c) => c.conclusion)).toEqual(['failure']);
  }, 300_000);
});
