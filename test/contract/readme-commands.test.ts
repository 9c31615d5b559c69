/**
 * Every command block of the README runs, line by line, as a newcomer would type it, in a fresh
 * project folder, with `mlops` being the CLI from this source tree. What is substituted, and why,
 * is listed in SUBSTITUTIONS and NOT_RUN_HERE below; nothing else is skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPenguins, PENGUIN_FEATURES, PENGUIN_TARGET, toCsv } from '../../shared/src/demo/penguins.js';
import { stopLocalServer } from '../../shared/src/deploy/targets/local-server.js';
import { silentLog } from '../../shared/src/logging/index.js';
import { runRegister } from '../../shared/src/registry/register.js';
import { REPO_ROOT } from '../harness/runner.js';
import { writeTinyModel } from '../unit/serve/model-fixture.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The fenced blocks of a language, in order. */
function blocks(language: string): string[] {
  return [...README.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]);
}

/** A block's commands: one per line, without the trailing `# comment`. */
const commands = (block: string) =>
  block
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/**
 * Commands not run by this test, each with what is checked instead. `npm ci` would replace the
 * node_modules every worktree shares, and `npm test` is the suite this test is part of.
 */
const NOT_RUN_HERE: Record<string, () => void> = {
  'npm ci': () =>
    expect(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')).toContain('"lockfileVersion"'),
  'npm test': () =>
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.test).toBe(
      'npm run lint && npm run typecheck && vitest run',
    ),
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let project: string;
let servePort: number;
let demoPort: number;
// tsx by absolute URL: the project folder has no node_modules to resolve it from.
const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CLI = `${JSON.stringify(process.execPath)} --import ${TSX} ${JSON.stringify(join(REPO_ROOT, 'test/harness/cli-source.ts'))}`;

/** Ports the README names are taken by whatever else runs on this machine: free ones are used instead. */
const substitutions = (command: string) =>
  command
    .replace('--port 8501', `--port ${servePort}`)
    .replace('npm run demo', `mlops demo --dir ${JSON.stringify(join(project, 'demo'))} --port ${demoPort}`);

function run(command: string, timeoutMs = 240_000) {
  return spawnSync('bash', ['-c', `mlops() { ${CLI} "$@"; }\nset -o pipefail\n${command}`], {
    cwd: project,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, GITHUB_TOKEN: '', GH_TOKEN: '', MLOPS_DEBUG: '' },
  });
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'mlops-readme-'));
  servePort = await freePort();
  demoPort = await freePort();
  const stagingPort = await freePort();
  mkdirSync(join(project, 'data'));
  const csv = toCsv(loadPenguins(), [PENGUIN_TARGET, ...PENGUIN_FEATURES]);
  writeFileSync(join(project, 'data/penguins.csv'), csv);
  writeFileSync(join(project, 'data/train.csv'), csv);
  const predictions = Array.from({ length: 50 }, (_, i) => `${i % 3},${i % 7 === 0 ? (i + 1) % 3 : i % 3}`);
  writeFileSync(join(project, 'preds.csv'), `y_true,y_pred\n${predictions.join('\n')}\n`);
  // The staging server's port, configured per environment as the README says.
  writeFileSync(join(project, 'mlops.yml'), `deploy:\n  ports: [staging=${stagingPort}]\n`);
  await writeTinyModel(join(project, 'model'), 1);
  await runRegister(
    {
      model: 'model',
      name: 'penguins',
      alias: 'production',
      backend: 'local',
      registry: '',
      workingDirectory: project,
    },
    { log: silentLog },
  );
}, 120_000);

afterAll(async () => {
  if (!project) return;
  // Servers the deploy line and the demo leave running, as they do for a user.
  await stopLocalServer(join(project, '.mlops/serve/staging'), silentLog);
  await stopLocalServer(join(project, 'demo/.mlops/serve/demo'), silentLog);
});

describe('README command blocks', () => {
  it('there are command blocks, and every line is run or listed in NOT_RUN_HERE', () => {
    const all = blocks('sh').flatMap(commands);
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const line of all)
      for (const part of line.split('&&').map((p) => p.trim())) expect(part).toMatch(/^(npm|mlops) /);
  });

  for (const [index, block] of blocks('sh').entries()) {
    it(`block ${index + 1} runs: ${commands(block)[0]} …`, async () => {
      for (const line of commands(block)) {
        for (const part of line.split('&&').map((p) => p.trim())) {
          if (part in NOT_RUN_HERE) {
            NOT_RUN_HERE[part]();
            continue;
          }
          const command = substitutions(part);
          if (command.startsWith('mlops serve ')) {
            // A server runs until stopped: it must come up and answer, then it is stopped.
            const child = spawn('bash', ['-c', `mlops() { exec ${CLI} "$@"; }\n${command}`], {
              cwd: project,
            });
            let out = '';
            child.stdout.on('data', (chunk) => {
              out += String(chunk);
            });
            const deadline = Date.now() + 120_000;
            while (!out.includes('serving on') && Date.now() < deadline && child.exitCode === null)
              await new Promise((r) => setTimeout(r, 200));
            expect(out, command).toContain(`serving on http://127.0.0.1:${servePort}`);
            const status = await fetch(`http://127.0.0.1:${servePort}/v1/models/penguins`);
            expect(status.status).toBe(200);
            child.kill('SIGTERM');
            await new Promise((r) => child.once('exit', r));
            continue;
          }
          const result = run(command);
          expect(result.status, `${command}\n${result.stdout}\n${result.stderr}`).toBe(0);
        }
      }
    }, 600_000);
  }

  it('the mlops.yml block is valid (mlops check-config)', () => {
    const [yaml] = blocks('yaml').filter((block) => block.startsWith('name: penguins'));
    expect(yaml).toBeDefined();
    const folder = mkdtempSync(join(tmpdir(), 'mlops-readme-config-'));
    writeFileSync(join(folder, 'mlops.yml'), yaml);
    const result = spawnSync('bash', ['-c', `${CLI} check-config`], { cwd: folder, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${join(folder, 'mlops.yml')}: ok\n`);
  });
});
