/**
 * A pull_request run with no thresholds anywhere (no mlops.yml, no `thresholds` input), as a user
 * who copied the example workflow gets: evaluate the production model's and the candidate's
 * predictions on the same rows, then compare-baseline through the bundle against the GitHub API
 * emulator. The default gate must fail a significant drop of accuracy and pass noise, for two
 * seeds each.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep } from '../harness/runner.js';

const ROWS = 2000;
let github: GitHubEmulator;

beforeAll(async () => {
  github = await startGitHubEmulator();
});
afterAll(async () => {
  await github.close();
});

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Which rows a model gets right: the baseline 85%, then `broken` right rows made wrong and `fixed` wrong rows made right. */
function outcomes(seed: number, broken: number, fixed: number): { yTrue: number[]; correct: boolean[] } {
  const next = random(seed);
  const yTrue = Array.from({ length: ROWS }, () => (next() < 0.5 ? 1 : 0));
  const correct = Array.from({ length: ROWS }, () => next() < 0.85);
  const change = random(seed * 7919 + broken * 31 + fixed);
  const flip = (want: boolean, count: number) => {
    const indices = correct.flatMap((c, i) => (c === want ? [i] : []));
    for (let k = 0; k < count; k++) {
      const j = k + Math.floor(change() * (indices.length - k));
      [indices[k], indices[j]] = [indices[j]!, indices[k]!];
      correct[indices[k]!] = !want;
    }
  };
  flip(true, broken);
  flip(false, fixed);
  return { yTrue, correct };
}

function predictionsCsv(path: string, model: { yTrue: number[]; correct: boolean[] }, seed: number): void {
  const next = random(seed + 101);
  const lines = ['row_id,y_true,y_pred,y_score'];
  model.yTrue.forEach((y, i) => {
    const pred = model.correct[i] ? y : 1 - y;
    const confidence = 0.5 + 0.49 * next();
    lines.push(`${i},${y},${pred},${(pred === 1 ? confidence : 1 - confidence).toFixed(6)}`);
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function evaluate(workspace: string, predictions: string, output: string, predictionsOutput: string) {
  const result = await runStep({
    action: 'actions/evaluate',
    workspace,
    with: {
      predictions,
      metrics: 'accuracy',
      output,
      'predictions-output': predictionsOutput,
      'github-token': '',
    },
  });
  expect(result.exitCode, result.stdout).toBe(0);
}

/** One PR: the production model and the candidate on the same rows, then the gate with no thresholds. */
async function pullRequest(seed: number, broken: number, fixed: number) {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-default-gate-'));
  mkdirSync(join(workspace, 'data'));
  predictionsCsv(join(workspace, 'data/production.csv'), outcomes(seed, 0, 0), seed);
  predictionsCsv(join(workspace, 'data/candidate.csv'), outcomes(seed, broken, fixed), seed + 1);
  await evaluate(
    workspace,
    'data/production.csv',
    'mlops-reports/baseline-metrics.json',
    'mlops-reports/baseline-predictions.parquet',
  );
  await evaluate(
    workspace,
    'data/candidate.csv',
    'mlops-reports/metrics.json',
    'mlops-reports/predictions.parquet',
  );
  const pull = github.state.addPullRequest({ headSha: `${seed}${broken}${fixed}`.padEnd(40, 'e') });
  const compare = await runStep({
    action: 'actions/compare-baseline',
    workspace,
    with: { name: 'churn', baseline: 'mlops-reports/baseline-metrics.json' },
    env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: 'write-token' },
    event: {
      name: 'pull_request',
      payload: { pull_request: { number: pull.number, head: { sha: pull.headSha } } },
    },
  });
  const checks = [...github.state.repo().checkRuns.values()].filter((run) => run.head_sha === pull.headSha);
  return { compare, conclusion: checks.map((c) => c.conclusion) };
}

describe('a pull_request run with no thresholds configured', () => {
  it.each([3, 11])(
    'fails a significant accuracy drop (seed %i)',
    async (seed) => {
      // 85% -> about 81.5%: 70 more rows wrong out of 2000.
      const { compare, conclusion } = await pullRequest(seed, 70, 0);
      expect(compare.exitCode, compare.stdout).toBe(1);
      expect(compare.outputs.passed).toBe('false');
      expect(conclusion).toEqual(['failure']);
      expect(compare.summary).toMatch(/\*\*Default gate:\*\* no thresholds are configured, so `accuracy`/);
      expect(compare.summary).toContain('paired bootstrap on the same rows');
      expect(compare.summary).toContain('`metrics: { accuracy: { tolerance: 0.01 } }`');
      const errors = compare.annotations.filter((a) => a.level === 'error');
      expect(errors.some((a) => /^accuracy: worsened by/.test(a.message))).toBe(true);
    },
    120_000,
  );

  it.each([3, 11])(
    'passes noise (seed %i)',
    async (seed) => {
      // A few rows change both ways: the net drop is 4 rows out of 2000.
      const { compare, conclusion } = await pullRequest(seed, 12, 8);
      expect(compare.exitCode, compare.stdout).toBe(0);
      expect(compare.outputs.passed).toBe('true');
      expect(conclusion).toEqual(['success']);
      expect(compare.summary).toMatch(/accuracy.*not significant/);
      expect(compare.annotations.filter((a) => a.level === 'error')).toEqual([]);
    },
    120_000,
  );
});
