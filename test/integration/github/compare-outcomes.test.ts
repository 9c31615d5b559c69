/**
 * compare-baseline through the bundle, as a runner runs it: the annotations fit the outcome (an
 * accepted regression is a warning, each message once) and a mistyped registry baseline fails the
 * step naming what the registry holds.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/src/logging/index.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { runStep } from '../../harness/runner.js';
import { metricsReport, writeJson, writeModelFolder } from '../../unit/registry/helpers.js';
import { workdir, writeMetrics } from './fixtures.js';

let github: GitHubEmulator;
beforeAll(async () => {
  github = await startGitHubEmulator();
});
afterAll(async () => {
  await github.close();
});

const withCi = (value: number) => ({ value, ci: [value - 0.01, value + 0.01] as [number, number], n: 2000 });

function pullRequestEvent(labels: string[] = []) {
  const pull = github.state.addPullRequest({
    headSha: `${github.state.repo().issues.size}`.padEnd(40, 'a'),
    labels,
  });
  return {
    pull,
    event: {
      name: 'pull_request',
      payload: { pull_request: { number: pull.number, head: { sha: pull.headSha } } },
    },
  };
}

describe('annotations fit the outcome', () => {
  it('a regression accepted by the override label is a warning, printed once, and the check is neutral', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: withCi(0.9) });
    writeMetrics(dir, 'current.json', { accuracy: withCi(0.8) });
    const { pull, event } = pullRequestEvent(['accept-metric-regression']);
    const result = await runStep({
      action: 'actions/compare-baseline',
      workspace: dir,
      with: { name: 'churn', current: 'current.json', baseline: 'baseline.json' },
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' },
      event,
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.annotations.filter((a) => a.level === 'error')).toEqual([]);
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings.filter((w) => w.startsWith('accuracy: worsened by'))).toHaveLength(1);
    expect(warnings.find((w) => w.startsWith('accuracy:'))).toContain(
      "accepted by the label 'accept-metric-regression'",
    );
    expect(new Set(warnings).size).toBe(warnings.length);
    const checks = [...github.state.repo().checkRuns.values()].filter((run) => run.head_sha === pull.headSha);
    expect(checks.map((c) => c.conclusion)).toEqual(['neutral']);
  }, 60_000);

  it('the same regression without the label is an error and fails the step', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: withCi(0.9) });
    writeMetrics(dir, 'current.json', { accuracy: withCi(0.8) });
    const { event } = pullRequestEvent();
    const result = await runStep({
      action: 'actions/compare-baseline',
      workspace: dir,
      with: { name: 'churn', current: 'current.json', baseline: 'baseline.json' },
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' },
      event,
    });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors.filter((e) => e.startsWith('accuracy: worsened by'))).toHaveLength(1);
    expect(errors.filter((e) => e.startsWith('Metrics regressed: accuracy'))).toHaveLength(1);
  }, 60_000);
});

describe('a mistyped registry baseline', () => {
  it('exits 1 naming the registered models and aliases, and writes no report', async () => {
    const dir = workdir();
    await writeModelFolder(join(dir, 'model'));
    await writeJson(join(dir, 'metrics.json'), metricsReport({ accuracy: 0.93 }));
    await runRegister(
      {
        backend: 'local',
        registry: '.mlops/registry',
        workingDirectory: dir,
        model: 'model',
        name: 'penguins',
        metrics: 'metrics.json',
        alias: 'production',
      },
      { log: silentLog },
    );
    writeMetrics(dir, 'current.json', { accuracy: 0.95 }, { task: 'classification' });
    const { event } = pullRequestEvent();
    const result = await runStep({
      action: 'actions/compare-baseline',
      workspace: dir,
      with: { name: 'penguins', current: 'current.json', baseline: 'registry:penguin@production' },
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' },
      event,
    });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(
      "registry:penguin@production (no model is called penguin. Did you mean 'penguins'?)",
    );
    expect(errors[0]).toContain('penguins (1 version(s); aliases @production → v1)');
    expect(errors[0]).toContain('allow-missing-baseline: true');
    expect(result.outputs).toEqual({});

    // The explicit switch makes it a first model instead.
    const first = await runStep({
      action: 'actions/compare-baseline',
      workspace: dir,
      with: {
        name: 'penguins',
        current: 'current.json',
        baseline: 'registry:penguin@production',
        'allow-missing-baseline': 'true',
        comment: 'false',
        check: 'false',
      },
      env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' },
      event,
    });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.summary).toContain('First model');
  }, 60_000);
});
