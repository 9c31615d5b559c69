/**
 * register, deploy and drift-check through the built bundle with the runner's environment, on a
 * model trained from the penguins data, against the GitHub API emulator.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlops, penguinSplit, toCsv, writeProject } from '../e2e/penguins-project.js';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep } from '../harness/runner.js';

let github: GitHubEmulator;
let project: string;

const env = () => ({ GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' });

/** The nightly job's step: production data against the profile stored with the production model. */
const nightlyDriftCheck = () =>
  runStep({
    action: 'actions/drift-check',
    workspace: project,
    env: env(),
    with: {
      name: 'penguins',
      reference: 'registry:penguins@production',
      current: 'data/production.csv',
      'issue-label': 'model-drift',
    },
  });

beforeAll(async () => {
  github = await startGitHubEmulator();
  const split = penguinSplit(3);
  project = writeProject(split);
  // Production data that moved: heavier birds with longer flippers.
  const drifted = split.test.map((r) => ({
    ...r,
    body_mass_g: Number(r.body_mass_g) + 900,
    flipper_length_mm: Number(r.flipper_length_mm) + 20,
  }));
  writeFileSync(join(project, 'data/production.csv'), toCsv(drifted));
  for (const args of [
    ['data-validate', '--data', 'data/train.csv'],
    ['train', '--data', 'data/train.csv', '--target', 'species', '--epochs', '15', '--output-dir', 'model'],
    [
      'evaluate',
      '--model',
      'model/model.json',
      '--data',
      'data/test.csv',
      '--target',
      'species',
      '--bootstrap',
      '100',
    ],
  ]) {
    const result = mlops(project, args);
    expect(result.code, result.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await github.close();
});

describe('register, deploy and drift-check as a runner runs them', () => {
  it('registers, deploys to a TF Serving folder, promotes the alias, then detects drift and opens one issue', async () => {
    const register = await runStep({
      action: 'actions/register',
      workspace: project,
      env: env(),
      with: {
        model: 'model',
        name: 'penguins',
        metrics: 'mlops-reports/metrics.json',
        profile: 'mlops-reports/profile.json',
        require: 'accuracy>=0.8',
      },
    });
    expect(register.exitCode, register.stdout).toBe(0);
    expect(register.outputs.version).toBe('1');
    // The documented <name>/<version>, which deploy's model input takes.
    expect(register.outputs.uri).toBe('penguins/1');
    expect(register.outputs['already-registered']).toBe('false');
    expect(register.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(register.summary).toContain('penguins');

    const deploy = await runStep({
      action: 'actions/deploy',
      workspace: project,
      env: env(),
      with: {
        model: 'penguins/1',
        target: 'tfserving-dir',
        path: 'serving',
        environment: 'production',
        'promote-alias': 'production',
      },
    });
    expect(deploy.exitCode, deploy.stdout).toBe(0);
    expect(deploy.outputs.status).toBe('success');
    expect(deploy.outputs.version).toBe('1');
    expect(existsSync(join(project, 'serving/penguins/1/model.json'))).toBe(true);
    const deployments = [...github.state.repo().deployments.values()];
    expect(deployments).toHaveLength(1);
    expect(deploy.outputs['deployment-id']).toBe(String(deployments[0].id));

    const drift = await nightlyDriftCheck();
    expect(drift.exitCode, drift.stdout).toBe(0);
    expect(drift.outputs['drift-detected']).toBe('true');
    expect(drift.outputs['drifted-columns']).toContain('body_mass_g');
    const issues = [...github.state.repo().issues.values()].filter((i) => i.labels.includes('model-drift'));
    expect(issues).toHaveLength(1);
    expect(drift.outputs['issue-number']).toBe(String(issues[0].number));

    // The next night, still drifted: the same issue is updated, not a second one opened.
    const again = await nightlyDriftCheck();
    expect(again.outputs['issue-number']).toBe(drift.outputs['issue-number']);
    expect(
      [...github.state.repo().issues.values()].filter((i) => i.labels.includes('model-drift')),
    ).toHaveLength(1);
  }, 180_000);
});
