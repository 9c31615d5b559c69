/**
 * A local deploy listens on a stable port of its environment and prints its URL; `mlops deploy
 * status` and `mlops deploy stop` look at and end the server it started (real server processes).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';
import { localServerPort, parsePorts } from '../../../shared/src/deploy/local-port.js';
import { runDeploy } from '../../../shared/src/deploy/run-deploy.js';
import { stopLocalServer } from '../../../shared/src/deploy/targets/local-server.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { registerTinyVersions } from './registered-models.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const SERVER_COMMAND = [process.execPath, '--import', 'tsx', join(ROOT, 'shared/src/serve/daemon-main.ts')];

describe('the port of a local deploy', () => {
  it('is stable per environment: production 8501, staging 8502, others fixed by their name', () => {
    expect(localServerPort('production')).toBe(8501);
    expect(localServerPort('staging')).toBe(8502);
    const qa = localServerPort('qa');
    expect(qa).toBeGreaterThanOrEqual(8510);
    expect(qa).toBeLessThan(9000);
    expect(localServerPort('qa')).toBe(qa);
    expect(localServerPort('qa-2')).not.toBe(qa);
    // FNV-1a (32-bit) of "qa" is 0x6c4c4607 = 1816937991, and 1816937991 mod 490 = 351.
    expect(qa).toBe(8510 + 351);
  });

  it('is configurable per environment, and a bad pair is named', () => {
    const ports = parsePorts(['staging=8601', ' production = 9000 ']);
    expect(localServerPort('staging', ports)).toBe(8601);
    expect(localServerPort('production', ports)).toBe(9000);
    expect(localServerPort('dev', ports)).toBe(localServerPort('dev'));
    for (const bad of ['staging', 'staging=abc', 'staging=0', 'staging=70000'])
      expect(() => parsePorts([bad]), bad).toThrow(UserError);
    expect(() => parsePorts(['staging=70000'])).toThrow("got 'staging=70000'");
  });
});

describe('mlops deploy status and stop', () => {
  let work: string;
  const environment = 'i23-control-check';
  let path: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mlops-deploy-control-'));
    path = join(work, '.mlops/serve', environment);
    await registerTinyVersions(work, [1]);
  }, 120_000);

  afterAll(async () => {
    if (path) await stopLocalServer(path, silentLog);
  });

  const cli = async (argv: string[]) => {
    let stdout = '';
    const out = new Writable({
      write(chunk, _e, done) {
        stdout += String(chunk);
        done();
      },
    });
    const code = await runCommandLine(argv, {
      stdout: out,
      stderr: new Writable({ write: (_c, _e, done) => done() }),
      env: {},
    });
    return { code, stdout };
  };

  it('a deploy without url listens on its environment port and says where; status shows it; stop ends it', async () => {
    const log = memoryLog();
    const result = await runDeploy(
      {
        model: 'penguins/1',
        target: 'local-server',
        environment,
        path,
        rollbackOnFailure: true,
        registry: '.mlops/registry',
        workingDirectory: work,
      },
      { log, serverCommand: SERVER_COMMAND, startTimeoutMs: 60_000 },
    );
    const url = `http://127.0.0.1:${localServerPort(environment)}`;
    expect(result.status).toBe('success');
    expect(result.url).toBe(url);
    expect(log.lines.map((line) => line.message).join('\n')).toContain(`at ${url}`);

    const status = await cli(['deploy', 'status', '--environment', environment, '--path', path, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      environment,
      running: true,
      url,
      models: [{ name: 'penguins', version: 1 }],
    });
    const pid = JSON.parse(status.stdout).pid as number;

    const stop = await cli(['deploy', 'stop', '--environment', environment, '--path', path]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe(`${environment}: stopped the model server at ${url} (pid ${pid})\n`);
    expect(() => process.kill(pid, 0)).toThrow();

    const after = await cli(['deploy', 'status', '--environment', environment, '--path', path]);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('no model server running');
    const again = await cli(['deploy', 'stop', '--environment', environment, '--path', path]);
    expect(again.code).toBe(0);
  }, 180_000);

  it('mlops deploy --help points at status and stop', async () => {
    const help = await cli(['deploy', '--help']);
    expect(help.stdout).toContain("'mlops deploy status --environment <env>'");
    expect(help.stdout).toContain("'mlops deploy stop --environment <env>'");
  });

  it('needs --environment, and refuses other options', async () => {
    expect((await cli(['deploy', 'stop'])).code).toBe(1);
    expect((await cli(['deploy', 'status', '--environment', 'x', '--model', 'm'])).code).toBe(1);
  });
});
