/**
 * A webhook URL's credential (`?token=…`, or a secret path segment) is published nowhere: not in
 * the log, the summary, the `url` output, nor the GitHub Deployment's status (`environment_url`,
 * `description`), which the runner does not mask. A URL with `user:password@` is refused without
 * being repeated. Deploys run from source under the runner harness, against the GitHub emulator.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import type { StepResult } from '../harness/runner.js';
import { runSourceStep } from '../reliability/source-step.js';
import { executedCommands } from './runner-commands.js';

const TOKEN = `ghs_${randomBytes(18).toString('hex')}`;
const URL_SECRET = `urlsecret${randomBytes(12).toString('hex')}`;
let github: GitHubEmulator;
let receiver: Server;
let origin: string;
let answer = 200;
const seen: string[] = [];
let workspace: string;

beforeAll(async () => {
  github = await startGitHubEmulator({ tokens: { [TOKEN]: 'write' } });
  receiver = createServer((request, response) => {
    seen.push(request.url ?? '');
    request.resume();
    // A receiver that echoes the request line back in its error.
    request.on('end', () => response.writeHead(answer).end(`bad request for ${request.url}`));
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  workspace = mkdtempSync(join(tmpdir(), 'mlops-webhook-'));
  mkdirSync(join(workspace, 'out'));
  writeFileSync(join(workspace, 'out/model.txt'), 'weights');
  const registered = await runSourceStep({
    action: 'actions/register',
    workspace,
    with: { model: 'out/model.txt', name: 'hooked', 'github-token': TOKEN },
  });
  expect(registered.exitCode, registered.stdout).toBe(0);
}, 120_000);
afterAll(async () => {
  await github.close();
  await new Promise((done) => receiver.close(done));
});

function deploy(url: string): Promise<StepResult> {
  return runSourceStep({
    action: 'actions/deploy',
    workspace,
    with: { model: 'hooked/1', target: 'webhook', url, 'smoke-test': '', 'github-token': TOKEN },
    env: { GITHUB_API_URL: github.url },
  });
}

/** Everything the step and GitHub show, without the runner's own `::add-mask::` lines. */
function published(result: StepResult): string {
  const statuses = [...github.state.repo().deploymentStatuses.values()].flat();
  return [
    result.stdout.replace(/^::add-mask::.*$/gm, ''),
    result.stderr,
    JSON.stringify(result.outputs),
    result.summary,
    JSON.stringify(statuses),
    JSON.stringify([...github.state.repo().deployments.values()]),
  ].join('\n');
}

describe('a webhook URL with a credential in it', () => {
  it('is masked whole, and only its origin is shown, on success', async () => {
    const url = `${origin}/deploy?token=${URL_SECRET}`;
    const result = await deploy(url);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(seen.at(-1)).toBe(`/deploy?token=${URL_SECRET}`);
    expect(published(result)).not.toContain(URL_SECRET);
    expect(result.outputs.url).toBe(origin);
    const masked = executedCommands(result.stdout)
      .filter((command) => command.name === 'add-mask')
      .map((command) => command.data);
    expect(masked).toContain(url);
    const statuses = [...github.state.repo().deploymentStatuses.values()].flat();
    expect(statuses.some((status) => status.environment_url === origin)).toBe(true);
  });

  it('is not quoted in the failure, even when the receiver echoes it', async () => {
    answer = 403;
    try {
      const result = await deploy(`${origin}/hooks/${URL_SECRET}`);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(`The webhook at ${origin} did not accept`);
      // Said once: the deploy's failure was printed twice.
      expect(result.stdout.match(/^::error::/gm)).toHaveLength(1);
      expect(published(result)).not.toContain(URL_SECRET);
    } finally {
      answer = 200;
    }
  });

  it('with user:password@ is refused with a clear message that does not repeat it', async () => {
    const result = await deploy(`http://deployer:${URL_SECRET}@127.0.0.1:9/deploy`);
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(/carries a user name or password/);
    expect(published(result)).not.toContain(URL_SECRET);
    expect(published(result)).not.toMatch(/This is a bug/);
  });
});
