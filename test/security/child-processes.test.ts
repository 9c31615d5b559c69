/**
 * What the processes the suite starts can reach of the job's secrets:
 *
 * - train's command (possibly a pull request's code) reads its own environment, then
 *   `/proc/<pid>/environ` of its parent and of every ancestor it can read, and tries the runner's
 *   file commands: no token, no webhook secret, no runner service token, no GITHUB_ENV.
 * - deploy's long-lived model server starts with a minimal environment: no inputs, tokens or
 *   ACTIONS_*, with RUNNER_TRACKING_ID kept so the runner's end-of-job cleanup applies.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDeploy } from '../../shared/src/deploy/run-deploy.js';
import { stopLocalServer } from '../../shared/src/deploy/targets/local-server.js';
import { silentLog } from '../../shared/src/logging/index.js';
import { REPO_ROOT } from '../harness/runner.js';
import { registerTinyVersions } from '../integration/deploy/registered-models.js';
import { runSourceStep } from '../reliability/source-step.js';

const TOKEN = `ghs_${randomBytes(18).toString('hex')}`;
const RUNTIME_TOKEN = `runtime_${randomBytes(18).toString('hex')}`;
const OIDC_TOKEN = `oidc_${randomBytes(18).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_${randomBytes(18).toString('hex')}`;
const SECRETS = [TOKEN, RUNTIME_TOKEN, OIDC_TOKEN, WEBHOOK_SECRET];

/**
 * A training command that collects everything it can: its own environment, then the initial
 * environment of each ancestor through /proc, from its parent up to the first it cannot read.
 */
const LEAK_SCRIPT = `
out="$MLOPS_OUTPUT_DIR/leak.txt"
env > "$out"
pid=$PPID
while [ "$pid" -gt 1 ] && [ -r "/proc/$pid/environ" ]; do
  echo "--- /proc/$pid/environ" >> "$out"
  tr '\\0' '\\n' < "/proc/$pid/environ" >> "$out"
  pid=$(awk '{print $4}' "/proc/$pid/stat")
done
echo "ancestors-read-until=$pid" >> "$out"
if [ -n "$GITHUB_ENV" ]; then echo "EVIL=1" >> "$GITHUB_ENV"; fi
echo model > "$MLOPS_OUTPUT_DIR/model.txt"
`;

function runnerSecrets(): Record<string, string> {
  return {
    ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_TOKEN,
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/',
  };
}

describe("train's command", () => {
  it('the method works (control): a child reads a secret from its parent’s /proc/<pid>/environ', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `process.stdout.write(require('child_process').execFileSync('sh', ['-c', 'tr "\\\\0" "\\\\n" < /proc/$PPID/environ'], { env: {} }))`,
      ],
      { env: { PATH: process.env.PATH, ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN }, encoding: 'utf8' },
    );
    expect(out).toContain(RUNTIME_TOKEN);
  });

  it("reads no secret from its environment or any ancestor's /proc/<pid>/environ, and has no GITHUB_ENV", async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-leak-'));
    writeFileSync(join(workspace, 'leak.sh'), LEAK_SCRIPT);
    const result = await runSourceStep({
      action: 'actions/train',
      workspace,
      with: { command: 'sh leak.sh', 'output-dir': 'out', 'github-token': TOKEN },
      env: runnerSecrets(),
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const leak = readFileSync(join(workspace, 'out/leak.txt'), 'utf8');
    // It did read the action's own environ (its parent) and went further up.
    expect(leak).toMatch(/^--- \/proc\/\d+\/environ$/m);
    expect(leak).toMatch(/^INPUT_GITHUB-TOKEN=$/m);
    for (const secret of SECRETS) expect(leak).not.toContain(secret);
    const ownEnvironment = leak.slice(0, leak.indexOf('--- /proc/'));
    expect(ownEnvironment).not.toMatch(/^GITHUB_(ENV|PATH|OUTPUT|STATE)=/m);
    expect(ownEnvironment).toMatch(/^GITHUB_WORKSPACE=/m);
    expect(result.env).toEqual({});
  });

  it('gets the runner file commands when runner-file-commands is true', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-leak-'));
    writeFileSync(join(workspace, 'leak.sh'), LEAK_SCRIPT);
    const result = await runSourceStep({
      action: 'actions/train',
      workspace,
      with: { command: 'sh leak.sh', 'output-dir': 'out', 'runner-file-commands': 'true' },
      env: runnerSecrets(),
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.env).toEqual({ EVIL: '1' });
    for (const secret of SECRETS)
      expect(readFileSync(join(workspace, 'out/leak.txt'), 'utf8')).not.toContain(secret);
  });

  it('train takes no github-token of its own, and ignores one passed to it', async () => {
    const spec = readFileSync(join(REPO_ROOT, 'actions/train/action.yml'), 'utf8');
    expect(spec).not.toMatch(/^ {2}github-token:/m);
  });
});

describe("deploy's model server", () => {
  it('starts with a minimal environment: no inputs, tokens or ACTIONS_*, RUNNER_TRACKING_ID kept', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mlops-daemon-env-'));
    await registerTinyVersions(work, [1]);
    const path = join(work, 'serve');
    const planted = {
      'INPUT_GITHUB-TOKEN': TOKEN,
      GITHUB_TOKEN: TOKEN,
      ...runnerSecrets(),
      'INPUT_WEBHOOK-SECRET': WEBHOOK_SECRET,
      RUNNER_TRACKING_ID: 'github_job_tracking_1',
    };
    const saved = Object.fromEntries(Object.keys(planted).map((key) => [key, process.env[key]]));
    Object.assign(process.env, planted);
    try {
      const result = await runDeploy(
        {
          model: 'penguins/1',
          target: 'local-server',
          environment: 'production',
          path,
          rollbackOnFailure: true,
          registry: '.mlops/registry',
          workingDirectory: work,
        },
        {
          log: silentLog,
          serverCommand: [
            process.execPath,
            '--import',
            'tsx',
            join(REPO_ROOT, 'shared/src/serve/daemon-main.ts'),
          ],
          startTimeoutMs: 60_000,
          serverLeaseMs: 120_000,
        },
      );
      expect(result.status, result.message).toBe('success');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    try {
      const { pid } = JSON.parse(readFileSync(join(path, 'server.json'), 'utf8')) as { pid: number };
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const keys = environ.map((entry) => entry.slice(0, entry.indexOf('=')));
      for (const secret of SECRETS) expect(environ.join('\n')).not.toContain(secret);
      expect(keys.filter((key) => key.startsWith('INPUT_') || key.startsWith('ACTIONS_'))).toEqual([]);
      expect(keys).not.toContain('GITHUB_TOKEN');
      expect(environ).toContain('RUNNER_TRACKING_ID=github_job_tracking_1');
      expect(keys).toContain('PATH');
    } finally {
      await stopLocalServer(path, silentLog);
    }
  }, 120_000);
});
