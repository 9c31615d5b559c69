/**
 * compare-baseline through the bundle, as a runner runs it, with metric and slice names whose
 * UTF-8 bytes far outnumber their characters: GitHub (the emulator) limits the check summary in
 * bytes. The gate alone decides the exit code; the outputs and the job summary are there whatever
 * GitHub answers, a 422 included.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Fault, type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { runStep, type StepResult } from '../../harness/runner.js';

const HEAD = 'c'.repeat(40);
const MARKER = '<!-- mlops:compare-baseline:churn -->';
const emulators: GitHubEmulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

const NAMES = Array.from({ length: 300 }, (_, index) =>
  index % 2 === 0
    ? `指標${String(index).padStart(3, '0')}_${'模型評価精度'.repeat(15)}`
    : `m${String(index).padStart(3, '0')}_${'📈🔥'.repeat(24)}`,
);

function metricsFile(dir: string, name: string, accuracy: number, others: number, slice: number): void {
  const entry = (value: number) => ({ value, n: 500 });
  writeFileSync(
    join(dir, name),
    JSON.stringify({
      schema: 'mlops-metrics/v1',
      task: 'binary_classification',
      metrics: { accuracy: entry(accuracy), ...Object.fromEntries(NAMES.map((n) => [n, entry(others)])) },
      slices: Object.fromEntries(
        Array.from({ length: 400 }, (_, index) => [
          `地域=東京都第${index}区😀`,
          { metrics: { accuracy: entry(slice) } },
        ]),
      ),
    }),
  );
}

async function step(
  accuracy: number,
  faults: Fault[] = [],
): Promise<{ result: StepResult; github: GitHubEmulator }> {
  const github = await startGitHubEmulator();
  emulators.push(github);
  const pull = github.state.addPullRequest({ headSha: HEAD });
  for (const fault of faults) github.inject(fault);
  const dir = mkdtempSync(join(tmpdir(), 'mlops-compare-limits-'));
  metricsFile(dir, 'baseline.json', 0.8, 0.5, 0.8);
  // Every slice worsens (reported, not gated); the 300 wide metrics all improve.
  metricsFile(dir, 'current.json', accuracy, 0.6, 0.7);
  writeFileSync(join(dir, 'mlops.yml'), 'metrics:\n  accuracy: {tolerance: 0.01}\n');
  const result = await runStep({
    action: 'actions/compare-baseline',
    workspace: dir,
    with: { name: 'churn', current: 'current.json', baseline: 'baseline.json' },
    env: { GITHUB_TOKEN: 'write-token', GITHUB_API_URL: github.url },
    event: { name: 'pull_request', payload: { pull_request: { number: pull.number, head: { sha: HEAD } } } },
    timeoutMs: 110_000,
  });
  return { result, github };
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const errors = (result: StepResult) =>
  result.annotations.filter((a) => a.level === 'error').map((a) => a.message);

describe('compare-baseline with emoji and CJK names, through the bundle', () => {
  it('the gate decides the exit code; the check, comment, outputs and summary are all there', async () => {
    const [improved, regressed, refused] = await Promise.all([
      step(0.85),
      step(0.7),
      // GitHub refuses the check twice: the step falls back to a commit status.
      step(0.85, [
        { status: 422, method: 'POST', path: /\/check-runs$/, times: 2, message: 'Validation Failed' },
      ]),
    ]);

    for (const [label, { result, github }, passed] of [
      ['improved', improved, true],
      ['regressed', regressed, false],
      ['check refused', refused, true],
    ] as const) {
      const where = `${label}\n${result.stdout}`;
      expect(result.exitCode, where).toBe(passed ? 0 : 1);
      expect(result.outputs.passed, where).toBe(String(passed));
      expect(result.outputs.regressions, where).toBe(passed ? '0' : '1');
      const diff = JSON.parse(result.outputs.diff!) as { metric: string; verdict: string }[];
      expect(diff, where).toHaveLength(301);
      expect(
        diff.find((row) => row.metric === NAMES[7]),
        where,
      ).toMatchObject({ verdict: 'improved' });
      expect(result.outputs['report-path'], where).toMatch(/comparison\.json$/);
      expect(result.summary, where).toContain(passed ? 'compare-baseline: churn passed' : '1 regression(s)');
      // The job summary (1 MiB) has every row.
      expect(
        result.summary.split('\n').filter((line) => / [↑↓] \| /.test(line)),
        where,
      ).toHaveLength(301);
      expect(errors(result), where).toEqual(
        passed
          ? []
          : [
              expect.stringMatching(/^accuracy: worsened/),
              expect.stringMatching(/^Metrics regressed: accuracy/),
            ],
      );

      const comments = [...github.state.repo().comments.values()].filter((c) => c.body.includes(MARKER));
      expect(comments, where).toHaveLength(1);
      expect(comments[0]!.body.length, where).toBeLessThanOrEqual(65_536);
      expect(result.outputs['comment-url'], where).toContain('#issuecomment-');
      const runs = [...github.state.repo().checkRuns.values()];
      if (label === 'check refused') {
        expect(runs, where).toEqual([]);
        expect(github.state.repo().statuses, where).toEqual([
          expect.objectContaining({ sha: HEAD, context: 'mlops/compare-baseline', state: 'success' }),
        ]);
        const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
        expect(warnings.join('\n'), where).toMatch(
          /reported as the commit status 'mlops\/compare-baseline' instead/,
        );
      } else {
        expect(runs, where).toHaveLength(1);
        expect(runs[0]!.conclusion, where).toBe(passed ? 'success' : 'failure');
        const summary = (runs[0]!.output as { summary: string }).summary;
        expect(bytes(summary), where).toBeLessThanOrEqual(65_535);
        expect(bytes(summary), where).toBeGreaterThan(0.95 * 65_535);
        expect(summary, where).toMatch(/_Showing \d+ of 301 metrics/);
      }
    }
  }, 150_000);
});
