/**
 * A 404 and a 500 from each GitHub call compare-baseline makes, through the bundle as a runner
 * runs it: the comparison was computed before publishing, so its outputs and the job summary are
 * there whatever GitHub answers, and the step fails with one error that names the failed call as
 * a publishing error (not a regression, not a bug).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Fault, type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep, type StepResult } from '../harness/runner.js';

const MARKER = '<!-- mlops:compare-baseline:churn -->';
const HEAD = 'c'.repeat(40);
const emulators: GitHubEmulator[] = [];

afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

function metrics(dir: string, name: string, accuracy: number): void {
  writeFileSync(
    join(dir, name),
    JSON.stringify({
      schema: 'mlops-metrics/v1',
      task: 'classification',
      metrics: { accuracy: { value: accuracy, ci: [accuracy - 0.01, accuracy + 0.01], n: 2000 } },
    }),
  );
}

interface Call {
  name: string;
  fault: Omit<Fault, 'status' | 'times'>;
  /** A sticky comment already there (so `GET /user` and the PATCH happen). */
  existingComment?: boolean;
  event?: 'workflow_run';
  check?: boolean;
}

/** Every request compare-baseline makes while publishing, and what makes it happen. */
const CALLS: Call[] = [
  { name: 'GET labels', fault: { method: 'GET', path: /\/issues\/\d+\/labels$/ } },
  { name: 'GET comments', fault: { method: 'GET', path: /\/issues\/\d+\/comments$/ } },
  { name: 'GET /user', fault: { method: 'GET', path: /^\/user$/ }, existingComment: true },
  { name: 'POST comment', fault: { method: 'POST', path: /\/issues\/\d+\/comments$/ } },
  {
    name: 'PATCH comment',
    fault: { method: 'PATCH', path: /\/issues\/comments\/\d+$/ },
    existingComment: true,
  },
  { name: 'POST check run', fault: { method: 'POST', path: /\/check-runs$/ } },
  { name: 'POST status', fault: { method: 'POST', path: /\/statuses\/[0-9a-f]+$/ }, check: false },
  { name: 'GET pulls (workflow_run)', fault: { method: 'GET', path: /\/pulls$/ }, event: 'workflow_run' },
];

async function publishUnder(
  call: Call,
  status: 404 | 500,
): Promise<{ result: StepResult; github: GitHubEmulator }> {
  const github = await startGitHubEmulator();
  emulators.push(github);
  const pull = github.state.addPullRequest({ headSha: HEAD, headOwner: 'octo-org', headRef: 'feature' });
  if (call.existingComment)
    github.state.addComment(pull.number, `old report\n${MARKER}`, 'github-actions[bot]');
  const dir = mkdtempSync(join(tmpdir(), 'mlops-publish-faults-'));
  metrics(dir, 'baseline.json', 0.8);
  metrics(dir, 'current.json', 0.9);
  // Enough answers to outlast Octokit's retries of a 5xx.
  github.inject({ ...call.fault, status, times: 20 });
  const event =
    call.event === 'workflow_run'
      ? {
          name: 'workflow_run',
          payload: {
            workflow_run: {
              event: 'pull_request',
              head_sha: HEAD,
              head_branch: 'feature',
              head_repository: { owner: { login: 'octo-org' } },
              pull_requests: [],
            },
          },
        }
      : { name: 'pull_request', payload: { pull_request: { number: pull.number, head: { sha: HEAD } } } };
  const result = await runStep({
    action: 'actions/compare-baseline',
    workspace: dir,
    with: {
      name: 'churn',
      current: 'current.json',
      baseline: 'baseline.json',
      check: String(call.check ?? true),
    },
    env: { GITHUB_TOKEN: 'write-token', GITHUB_API_URL: github.url },
    event,
    timeoutMs: 110_000,
  });
  return { result, github };
}

describe('compare-baseline keeps its outputs and summary when a GitHub call fails', () => {
  for (const status of [404, 500] as const) {
    it(`${status} from each call`, async () => {
      // The calls are independent (one emulator each), so a 5xx's retry back-off runs in parallel.
      const runs = await Promise.all(CALLS.map((call) => publishUnder(call, status)));
      for (const [index, { result, github }] of runs.entries()) {
        const call = CALLS[index]!;
        const where = `${call.name} → ${status}\n${result.stdout}`;
        // The fault was hit: the call is one compare-baseline really makes.
        expect(
          github.state.requests.some(
            (r) => r.method === call.fault.method && call.fault.path!.test(r.path.replace(/\?.*$/, '')),
          ),
          where,
        ).toBe(true);
        expect(result.exitCode, where).toBe(1);
        expect(result.outputs.passed, where).toBe('true');
        expect(result.outputs.regressions, where).toBe('0');
        expect(JSON.parse(result.outputs.diff!)[0], where).toMatchObject({
          metric: 'accuracy',
          verdict: 'improved',
        });
        expect(result.outputs['report-path'], where).toMatch(/comparison\.json$/);
        expect(result.summary, where).toContain('compare-baseline: churn passed');
        expect(result.summary, where).toMatch(/\| accuracy ↑ \| 0\.8 \| 0\.9 \|/);
        const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
        expect(errors, where).toHaveLength(1);
        expect(errors[0], where).toMatch(/^Publishing the comparison to GitHub failed/);
        expect(errors[0], where).toContain(`HTTP ${status}`);
        expect(errors[0], where).toContain('The comparison itself passed');
        expect(result.stdout, where).not.toMatch(/This is a bug|Metrics regressed/);
      }
    }, 120_000);
  }
});
