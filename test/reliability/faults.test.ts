/**
 * GitHub misbehaving while the bundle runs: 5xx bursts, a secondary rate limit with retry-after,
 * connections reset mid-request, a deleted PR, a 422. Each step either succeeds after retries with
 * exactly one comment / issue, or fails with one clear message and writes nothing half-way.
 * (Per-action fault tests elsewhere: compare-baseline 5xx/secondary limit in-process, drift-issue
 * 502/404, GitHub registry 422 race and interrupted release; not repeated here.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep, type StepResult } from '../harness/runner.js';
import { corpusWorkspace } from '../security/fixtures.js';
import { tallyFor } from './record.js';

const tally = tallyFor(import.meta.filename);
let github: GitHubEmulator;
let proxy: Server;
let proxyUrl: string;
/** Requests whose path matches are answered by destroying the socket, `remaining` times. */
const resets: { path: RegExp; method: string; remaining: number }[] = [];

beforeAll(async () => {
  github = await startGitHubEmulator();
  const target = new URL(github.url);
  proxy = createServer((request, response) => {
    const reset = resets.find(
      (r) => r.remaining > 0 && r.method === request.method && r.path.test(request.url ?? ''),
    );
    if (reset) {
      reset.remaining -= 1;
      request.socket.destroy();
      return;
    }
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(response);
      },
    );
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await github.close();
});

function metrics(dir: string, name: string, accuracy: number): void {
  writeFileSync(
    join(dir, name),
    JSON.stringify({
      schema: 'mlops-metrics/v1',
      task: 'binary_classification',
      model: { name: 'm', path: 'm.onnx', digest: 'sha256:0' },
      metrics: { accuracy: { value: accuracy, n: 500 } },
    }),
  );
}

/** Exit 1 with exactly one error annotation that says `what`, and no stack trace or internal error. */
function expectClearFailure(result: StepResult, what: RegExp): void {
  expect(result.exitCode, result.stdout).toBe(1);
  const errors = result.annotations.filter((a) => a.level === 'error');
  expect(errors, result.stdout).toHaveLength(1);
  expect(errors[0]!.message).toMatch(what);
  expect(result.stdout).not.toMatch(/This is a bug|Cannot read properties|\n\s+at .+:\d+:\d+\)?\n/);
}

const env = () => ({ GITHUB_TOKEN: 'write-token', GITHUB_API_URL: proxyUrl });

describe('compare-baseline through the bundle under GitHub faults', () => {
  it('5xx bursts, a secondary rate limit and connection resets: one comment across a re-run, one check run per run', async () => {
    const pr = github.state.addPullRequest({ headSha: '1'.repeat(40) });
    const dir = mkdtempSync(join(tmpdir(), 'mlops-faults-'));
    metrics(dir, 'baseline.json', 0.9);
    metrics(dir, 'current.json', 0.91);
    const comments = new RegExp(`/issues/${pr.number}/comments$`);
    const event = {
      name: 'pull_request',
      payload: { pull_request: { number: pr.number, head: { sha: pr.headSha } } },
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      github.inject({ status: 502, times: 2, method: 'GET', path: comments });
      github.inject({ status: 500, times: 1, method: 'POST', path: /\/check-runs$/ });
      github.inject({ secondaryRateLimit: true, retryAfter: 1, method: attempt === 0 ? 'POST' : 'PATCH' });
      resets.push({ method: 'GET', path: /\/pulls\/\d+$|\/issues\/\d+\/labels|\/comments/, remaining: 1 });
      tally.fault(5);
      const result = await runStep({
        action: 'actions/compare-baseline',
        workspace: dir,
        with: { current: 'current.json', baseline: 'baseline.json' },
        env: env(),
        event,
      });
      expect(result.exitCode, result.stdout).toBe(0);
      const posted = [...github.state.repo().comments.values()].filter((c) => c.issueNumber === pr.number);
      expect(posted).toHaveLength(1);
      // The 500 on creating the check run and its retry leave exactly one run's check, not two.
      const checks = [...github.state.repo().checkRuns.values()].filter(
        (run) => (run as { head_sha?: string }).head_sha === pr.headSha,
      );
      expect(checks).toHaveLength(attempt + 1);
    }
  }, 60_000);

  it('a deleted PR (404) fails with one clear message and posts nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-faults-'));
    metrics(dir, 'baseline.json', 0.9);
    metrics(dir, 'current.json', 0.91);
    const before = github.state.repo().comments.size;
    tally.fault();
    const result = await runStep({
      action: 'actions/compare-baseline',
      workspace: dir,
      with: { current: 'current.json', baseline: 'baseline.json' },
      env: env(),
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: 9999, head: { sha: '2'.repeat(40) } } },
      },
    });
    expectClearFailure(result, /9999/);
    expect(github.state.repo().comments.size).toBe(before);
  });
});

describe('drift-check through the bundle under GitHub faults', () => {
  it('502 bursts around the issue calls: one issue, and a re-run updates it', async () => {
    const dir = corpusWorkspace([{ kind: 'plain', text: 'feature' }]);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt === 0) github.inject({ status: 502, times: 1, method: 'GET', path: /\/issues$/ });
      else github.inject({ status: 502, times: 1, method: 'PATCH', path: /\/issues/ });
      tally.fault();
      const result = await runStep({
        action: 'actions/drift-check',
        workspace: dir,
        with: { reference: 'reference.csv', current: 'current.csv', name: 'faulty', 'drift-share': '0.2' },
        env: env(),
      });
      expect(result.exitCode, result.stdout).toBe(0);
      const issues = [...github.state.repo().issues.values()].filter(
        (i) => !i.isPull && i.title.includes('faulty'),
      );
      expect(issues).toHaveLength(1);
    }
  }, 60_000);

  it('a 422 on creating the issue fails clearly and leaves no issue behind', async () => {
    const dir = corpusWorkspace([{ kind: 'plain', text: 'feature' }]);
    github.inject({ status: 422, times: 1, method: 'POST', path: /\/issues$/, message: 'Validation Failed' });
    tally.fault();
    const result = await runStep({
      action: 'actions/drift-check',
      workspace: dir,
      with: { reference: 'reference.csv', current: 'current.csv', name: 'refused', 'drift-share': '0.2' },
      env: env(),
    });
    expectClearFailure(result, /Validation Failed|422/);
    expect([...github.state.repo().issues.values()].filter((i) => i.title.includes('refused'))).toHaveLength(
      0,
    );
  });
});
