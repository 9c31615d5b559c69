/**
 * Secrets stay secret: each action runs through the bundle with a distinctive token (and deploy
 * with a webhook secret), on its success path and its failure paths (bad input, GitHub 500s until
 * retries run out, 401), and everything the step produced is searched for them: stdout, stderr,
 * GITHUB_OUTPUT, GITHUB_ENV, the step summary and every file written under the workspace
 * (reports, models, registry, local artifacts, files a user's program wrote).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep, type StepOptions, type StepResult } from '../harness/runner.js';
import { tallyFor } from '../reliability/record.js';
import { corpusMetrics, corpusWorkspace } from './fixtures.js';
import { executedCommands } from './runner-commands.js';

const tally = tallyFor(import.meta.filename);
const TOKEN = `ghs_${randomBytes(18).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(18).toString('hex')}`;
const SECRETS = [TOKEN, WEBHOOK_SECRET];

let github: GitHubEmulator;
let webhook: Server;
let webhookUrl: string;
const deliveries: string[] = [];

beforeAll(async () => {
  github = await startGitHubEmulator({ tokens: { [TOKEN]: 'write' } });
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      deliveries.push(JSON.stringify(request.headers) + body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/deploy`;
});
afterAll(async () => {
  await github.close();
  await new Promise((resolve) => webhook.close(resolve));
});

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

/** Where a secret shows up in what the step produced. */
export function leaks(result: StepResult, secrets: string[]): string[] {
  const places: [string, string][] = [
    ['stdout', result.stdout.replace(/^::add-mask::.*$/gm, '')],
    ['stderr', result.stderr],
    ['GITHUB_OUTPUT', JSON.stringify(result.outputs)],
    ['GITHUB_ENV', JSON.stringify(result.env)],
    ['step summary', result.summary],
    ...filesUnder(result.workspace).map((file): [string, string] => [
      file,
      readFileSync(file).toString('latin1'),
    ]),
  ];
  return places.flatMap(([where, text]) =>
    secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 6)}… in ${where}`),
  );
}

function masks(result: StepResult): string[] {
  return executedCommands(result.stdout)
    .filter((command) => command.name === 'add-mask')
    .map((command) => command.data);
}

async function run(
  options: Omit<StepOptions, 'env'> & { env?: Record<string, string> },
): Promise<StepResult> {
  return runStep({
    ...options,
    env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url, ...options.env },
  });
}

function expectNoLeak(label: string, result: StepResult, secrets = SECRETS, token = TOKEN): void {
  const found = leaks(result, secrets);
  if (found.length > 0) tally.problem(`${label}: ${found.join(', ')}`);
  expect(found, label).toEqual([]);
  expect(masks(result), `${label}: the token is masked on the runner`).toContain(token);
}

/** A workspace where every action has what it needs. */
function workspace(): string {
  const dir = corpusWorkspace([{ kind: 'plain', text: 'feature' }]);
  corpusMetrics(dir, [{ kind: 'plain', text: 'f1' }]);
  writeFileSync(
    join(dir, 'predictions.csv'),
    `y_true,y_pred,y_score\n${Array.from({ length: 40 }, (_, i) => `${i % 2},${(i >> 1) % 2},${((i * 37) % 100) / 100}`).join('\n')}\n`,
  );
  // A user's training program that writes out everything it was given: env and argv.
  writeFileSync(
    join(dir, 'train.mjs'),
    [
      "import { writeFileSync } from 'node:fs';",
      "writeFileSync(process.env.MLOPS_OUTPUT_DIR + '/seen-env.json', JSON.stringify(process.env));",
      "writeFileSync(process.env.MLOPS_OUTPUT_DIR + '/model.txt', 'weights');",
      '',
    ].join('\n'),
  );
  return dir;
}

describe('the negative control', () => {
  it('the leak search finds a token written to a report file and the summary', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ auth: `token ${TOKEN}` }));
    const fake: StepResult = {
      exitCode: 0,
      stdout: `::add-mask::${TOKEN}\n`,
      stderr: '',
      outputs: {},
      env: {},
      summary: `debug: ${TOKEN}`,
      annotations: [],
      workspace: dir,
    };
    expect(leaks(fake, SECRETS)).toEqual([
      `${TOKEN.slice(0, 6)}… in step summary`,
      `${TOKEN.slice(0, 6)}… in ${join(dir, 'report.json')}`,
    ]);
  });
});

describe('every action through the bundle keeps the token and webhook secret out of its output', () => {
  it('success paths of all seven actions', async () => {
    const dir = workspace();
    const pr = github.state.addPullRequest({ headSha: 'e'.repeat(40) });
    const prEvent = {
      name: 'pull_request',
      payload: { pull_request: { number: pr.number, head: { sha: pr.headSha } } },
    };
    const steps: [string, StepOptions['with'], StepOptions['event']?][] = [
      ['actions/data-validate', { data: 'current.csv', reference: 'reference.csv', 'fail-on': 'never' }],
      ['actions/train', { command: 'node train.mjs', 'artifact-name': 'model', 'output-dir': 'out' }],
      ['actions/evaluate', { predictions: 'predictions.csv' }],
      ['actions/compare-baseline', { current: 'current.json', baseline: 'baseline.json' }, prEvent],
      ['actions/register', { model: 'out/model.txt', name: 'secretive' }],
      [
        'actions/deploy',
        {
          model: 'secretive/1',
          target: 'webhook',
          url: webhookUrl,
          'webhook-secret': WEBHOOK_SECRET,
          'smoke-test': '',
        },
      ],
      ['actions/drift-check', { reference: 'reference.csv', current: 'current.csv', name: 'secretive' }],
    ];
    for (const [action, withValues, event] of steps) {
      // As on a runner, the token reaches the action as its input only (no GITHUB_TOKEN in env),
      // so a user's training program that dumps its environment must not find it.
      const result = await runStep({
        action,
        workspace: dir,
        with: { ...withValues, 'github-token': TOKEN },
        event,
        env: { GITHUB_API_URL: github.url },
      });
      expect(result.exitCode, `${action}\n${result.stdout}\n${result.stderr}`).toBe(0);
      expectNoLeak(action, result);
      if (action === 'actions/deploy') expect(masks(result)).toContain(WEBHOOK_SECRET);
    }
    expect(deliveries.length).toBeGreaterThan(0);
    for (const delivery of deliveries) expect(delivery).not.toContain(WEBHOOK_SECRET);
  });

  it('failure paths: bad input, a 401, and GitHub 500s until the retries run out', async () => {
    const actions = [
      'data-validate',
      'train',
      'evaluate',
      'compare-baseline',
      'register',
      'deploy',
      'drift-check',
    ];
    const badInput = await Promise.all(
      actions.map((name) =>
        run({ action: `actions/${name}`, workspace: workspace(), with: { 'no-such-input': TOKEN } }),
      ),
    );
    for (const [index, result] of badInput.entries()) {
      tally.badInput();
      expect(result.exitCode).toBe(1);
      expectNoLeak(`${actions[index]} with a bad input`, result);
    }

    const pr = github.state.addPullRequest({ headSha: 'f'.repeat(40) });
    const prEvent = {
      name: 'pull_request',
      payload: { pull_request: { number: pr.number, head: { sha: pr.headSha } } },
    };
    const talkers = (env: Record<string, string> = {}) => [
      run({
        action: 'actions/compare-baseline',
        workspace: workspace(),
        // No baseline: gate: none lets it reach GitHub instead of stopping at "nothing would gate".
        with: { current: 'current.json', gate: 'none' },
        event: prEvent,
        env,
      }),
      run({
        action: 'actions/drift-check',
        workspace: workspace(),
        with: {
          reference: 'reference.csv',
          current: 'current.csv',
          name: `bad-${randomBytes(3).toString('hex')}`,
        },
        env,
      }),
    ];
    // 401: GitHub does not know the token (revoked, or from another installation).
    const unknownToken = `ghs_${randomBytes(18).toString('hex')}`;
    const unauthorised = await Promise.all(talkers({ GITHUB_TOKEN: unknownToken }));
    for (const result of unauthorised) {
      tally.fault();
      expect(result.exitCode, result.stdout).toBe(1);
      expect(result.stdout).not.toMatch(/This is a bug/);
      expectNoLeak('401', result, [unknownToken, TOKEN], unknownToken);
    }
    // 500 on every request: three retries each, then one clear failure.
    github.inject({ status: 500, times: 1000, path: /^\/repos\// });
    const exhausted = await Promise.all(talkers());
    for (const result of exhausted) {
      tally.fault();
      expect(result.exitCode, result.stdout).toBe(1);
      expect(result.stdout).not.toMatch(/This is a bug/);
      expectNoLeak('500s exhausted', result);
    }
  }, 60_000);
});
