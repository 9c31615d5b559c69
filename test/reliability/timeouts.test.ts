/**
 * A GitHub API that answers too slowly (the emulator's delayMs fault) under the request timeout of
 * createOctokit: a slow GET is retried and the step succeeds; a GET that stays slow fails after the
 * retries with one clear line; a slow POST is not retried (GitHub may have applied it) and a
 * re-run finds what it wrote, so there is never a second issue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../shared/src/logging/index.js';
import {
  createOctokit,
  fetchWithTimeout,
  githubTimeoutMs,
  MIN_UPLOAD_BYTES_PER_SECOND,
} from '../../shared/src/platform/github/octokit.js';
import { describeGitHubFailure } from '../../shared/src/platform/github/request-failure.js';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import type { StepResult } from '../harness/runner.js';
import { corpusWorkspace } from '../security/fixtures.js';
import { tallyFor } from './record.js';
import { runSourceStep } from './source-step.js';

const tally = tallyFor(import.meta.filename);
// Every request of the step must answer within TIMEOUT_MS: 300 ms was too little for an unslowed
// request while the whole suite loads both cores (a POST timed out in CI); the injected delay stays
// well past it.
const TIMEOUT_MS = 800;
const SLOW_MS = 3_000;
let github: GitHubEmulator;

beforeAll(async () => {
  github = await startGitHubEmulator();
});
afterAll(async () => {
  await github.close();
});

function driftStep(name: string): Promise<StepResult> {
  return runSourceStep({
    action: 'actions/drift-check',
    workspace: corpusWorkspace([{ kind: 'plain', text: 'feature' }]),
    with: { reference: 'reference.csv', current: 'current.csv', name, 'drift-share': '0.2' },
    env: {
      GITHUB_TOKEN: 'write-token',
      GITHUB_API_URL: github.url,
      MLOPS_GITHUB_TIMEOUT_MS: String(TIMEOUT_MS),
    },
  });
}

const issuesNamed = (name: string) =>
  [...github.state.repo().issues.values()].filter((issue) => !issue.isPull && issue.title.includes(name));
const requestsTo = (method: string, path: RegExp) =>
  github.state.requests.filter((r) => r.method === method && path.test(r.path)).length;
const errorLines = (result: StepResult) => result.annotations.filter((a) => a.level === 'error');

describe('GitHub answering too slowly', () => {
  it('a GET slow once is retried and the step opens one issue', async () => {
    const listing = /\/issues$/;
    const before = requestsTo('GET', listing);
    github.inject({ delayMs: SLOW_MS, times: 1, method: 'GET', path: listing });
    tally.fault();
    const result = await driftStep('slow-once');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(errorLines(result)).toEqual([]);
    // The abandoned request and its retry both reached the emulator.
    expect(requestsTo('GET', listing) - before).toBeGreaterThanOrEqual(2);
    expect(issuesNamed('slow-once')).toHaveLength(1);
  }, 30_000);

  it('a PATCH slow once is retried on the re-run, which updates the one issue', async () => {
    github.inject({ delayMs: SLOW_MS, times: 1, method: 'PATCH', path: /\/issues\/\d+$/ });
    tally.fault();
    const result = await driftStep('slow-once');
    expect(result.exitCode, result.stdout).toBe(0);
    expect(issuesNamed('slow-once')).toHaveLength(1);
  }, 30_000);

  it('a POST that gets no answer fails in one line, and the re-run finds the issue it made', async () => {
    const before = requestsTo('POST', /\/issues$/);
    github.inject({ delayMs: SLOW_MS, times: 1, method: 'POST', path: /\/issues$/ });
    tally.fault();
    const failed = await driftStep('slow-create');
    expect(failed.exitCode).toBe(1);
    const errors = errorLines(failed);
    expect(errors, failed.stdout).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /GitHub API POST \/repos\/octo-org\/models\/issues got no response within 800 ms; not retried/,
    );
    // The stack goes to the debug log only (shared/src/actions/run.ts).
    const visible = failed.stdout.split('\n').filter((line) => !line.startsWith('::debug::'));
    expect(visible.join('\n')).not.toMatch(/This is a bug|Cannot read properties|at .*\.ts:\d+/);
    // Not sent twice.
    expect(requestsTo('POST', /\/issues$/) - before).toBe(1);
    // GitHub (the emulator) finishes the request the step stopped waiting for.
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    expect(issuesNamed('slow-create').length).toBeLessThanOrEqual(1);
    const rerun = await driftStep('slow-create');
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(issuesNamed('slow-create')).toHaveLength(1);
  }, 30_000);

  it('a GET that stays slow fails after the retries with one clear message, and writes nothing', async () => {
    const log = memoryLog();
    const octokit = createOctokit({
      token: 'write-token',
      baseUrl: github.url,
      log,
      retryAfterUnitMs: 1,
      retries: 3,
      timeoutMs: 200,
      throttleId: 'always-slow',
    });
    const listing = /\/repos\/octo-org\/models\/issues$/;
    const writesBefore = github.state.requests.filter((r) => r.method !== 'GET').length;
    const before = requestsTo('GET', listing);
    github.inject({ delayMs: SLOW_MS, times: 4, method: 'GET', path: listing });
    tally.fault(4);
    const started = Date.now();
    const error = await octokit.rest.issues.listForRepo({ owner: 'octo-org', repo: 'models' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Four tries of 200 ms each, not four of the emulator's 1.5 s.
    expect(Date.now() - started).toBeLessThan(SLOW_MS * 2);
    expect(requestsTo('GET', listing) - before).toBe(4);
    expect(describeGitHubFailure(error)).toBe(
      'GitHub API GET /repos/octo-org/models/issues got no response within 200 ms: GitHub or the network is slow; re-run the job.',
    );
    expect(github.state.requests.filter((r) => r.method !== 'GET').length).toBe(writesBefore);
  }, 20_000);

  it("a caller's own abort is passed on as an abort, not reported as a timeout", async () => {
    const octokit = createOctokit({
      token: 'write-token',
      baseUrl: github.url,
      log: memoryLog(),
      retryAfterUnitMs: 1,
      timeoutMs: 5_000,
    });
    github.inject({ delayMs: 500, times: 1, method: 'GET', path: /\/repos\/octo-org\/models$/ });
    tally.fault();
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 50);
    const error = await octokit.rest.repos
      .get({ owner: 'octo-org', repo: 'models', request: { signal: caller.signal } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as Error).name).toBe('AbortError');
    expect(describeGitHubFailure(error)).toBeUndefined();
  });

  it('gives a request with a body the time to send it: the headers only come after the upload', async () => {
    // A server that answers 600 ms after the request starts, as one would after receiving a body.
    const slowServer: typeof fetch = (_input, init) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(new Response('{}', { status: 201 })), 600);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(init.signal!.reason);
        });
      });
    const limited = fetchWithTimeout(slowServer, 200);
    tally.fault();
    await expect(limited('https://uploads.github.localhost/x', { method: 'POST' })).rejects.toThrow(
      /no response within 200 ms/,
    );
    // 1 MiB at the slowest allowed rate is one more second: the answer at 600 ms is waited for.
    const upload = { method: 'POST', headers: { 'content-length': String(MIN_UPLOAD_BYTES_PER_SECOND) } };
    expect((await limited('https://uploads.github.localhost/x', upload)).status).toBe(201);
  });

  it('reads the limit from MLOPS_GITHUB_TIMEOUT_MS and falls back to 30 s on nonsense', () => {
    expect(githubTimeoutMs({})).toBe(30_000);
    expect(githubTimeoutMs({ MLOPS_GITHUB_TIMEOUT_MS: '250' })).toBe(250);
    for (const bad of ['', '0', '-5', 'soon', 'Infinity']) {
      tally.badInput();
      expect(githubTimeoutMs({ MLOPS_GITHUB_TIMEOUT_MS: bad })).toBe(30_000);
    }
  });
});
