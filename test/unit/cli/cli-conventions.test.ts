/**
 * What a newcomer meets in a terminal: --json that says why a step failed and nests JSON outputs,
 * one summary.md per run, `registry show <name>` meaning the latest version, and a closed pipe
 * (`| head`) that ends the CLI quietly.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';
import { REPO_ROOT } from '../../harness/runner.js';
import { writeModelFolder } from '../registry/helpers.js';

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _enc, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

let work: string;
const summaryFile = () => join(work, 'mlops-reports/summary.md');

async function cli(argv: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCommandLine(argv, {
    stdout,
    stderr,
    env: { MLOPS_SUMMARY_FILE: summaryFile() },
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mlops-cli-conventions-'));
  await writeModelFolder(join(work, 'model-a'), 1);
  await writeModelFolder(join(work, 'model-b'), 2);
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 2},${i % 3 === 0 ? 1 - (i % 2) : i % 2}`);
  writeFileSync(join(work, 'predictions.csv'), `y_true,y_pred\n${rows.join('\n')}\n`);
});

const register = (model: string, ...extra: string[]) =>
  cli([
    'register',
    '--model',
    model,
    '--name',
    'm',
    '--registry',
    'reg',
    '--working-directory',
    work,
    ...extra,
  ]);

describe('mlops --json', () => {
  it('on failure gives the error message, its kind and the input, not just an exit code', async () => {
    const result = await cli([
      'register',
      '--model',
      'nowhere',
      '--name',
      'm',
      '--working-directory',
      work,
      '--json',
    ]);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toEqual({
      exitCode: 1,
      error: {
        kind: 'user-error',
        message: `The model path '${join(work, 'nowhere')}' does not exist.`,
        input: 'model',
        location: { file: join(work, 'nowhere') },
      },
      outputs: {},
    });
  });

  it('a failed gate is kind "gate", and the outputs written before it are kept', async () => {
    const result = await cli([
      'evaluate',
      '--predictions',
      'predictions.csv',
      '--bootstrap',
      '0',
      '--working-directory',
      work,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout);
    // A JSON output is nested, not a string of JSON inside JSON.
    expect(typeof parsed.outputs.metrics).toBe('object');
    expect(parsed.outputs.metrics.accuracy).toBeCloseTo(
      // 40 rows; every third row has the wrong label.
      1 - 14 / 40,
      12,
    );
    expect(parsed).not.toHaveProperty('error');

    const compare = await cli([
      'compare-baseline',
      '--current',
      'mlops-reports/metrics.json',
      '--thresholds',
      '{accuracy: {min: 0.99}}',
      '--working-directory',
      work,
      '--json',
    ]);
    expect(compare.code).toBe(1);
    const gate = JSON.parse(compare.stdout);
    expect(gate.error.kind).toBe('gate');
    expect(gate.error.message).toMatch(/accuracy/);
    expect(Array.isArray(gate.outputs.diff)).toBe(true);
    expect(gate.outputs.diff[0]).toMatchObject({ metric: 'accuracy' });
    expect(gate.outputs.passed).toBe('false');
  });
});

describe('summary.md', () => {
  it('holds one run: the previous run is replaced, and kept only with --keep-summaries', async () => {
    expect((await register('model-a')).code).toBe(0);
    expect(readFileSync(summaryFile(), 'utf8')).toContain('Registered `m` version 1');
    expect((await register('model-b')).code).toBe(0);
    const second = readFileSync(summaryFile(), 'utf8');
    expect(second).toContain('Registered `m` version 2');
    expect(second).not.toContain('version 1');
    expect((await register('model-a', '--tags', 'again=true', '--keep-summaries')).code).toBe(0);
    const kept = readFileSync(summaryFile(), 'utf8');
    expect(kept).toContain('Registered `m` version 2');
    expect(kept).toContain('Registered `m` version 3');
  });
});

describe('mlops registry show', () => {
  it('a bare name shows the latest version', async () => {
    const stdout = sink();
    const code = await runCommandLine(['registry', 'show', 'm', '--registry', join(work, 'reg')], {
      stdout,
      stderr: sink(),
      env: {},
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toMatchObject({ name: 'm', version: 3 });
  });
});

describe('a closed pipe', () => {
  it('`mlops registry show … | head -n 1` ends quietly: no EPIPE, no stack trace', () => {
    // A record far larger than a pipe's buffer, so the CLI is still writing when head has gone.
    const root = join(work, 'reg-big');
    const profile = join(work, 'big-profile.json');
    const columns = Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`column_${i}`, { kind: 'numeric', nulls: i }]),
    );
    writeFileSync(profile, JSON.stringify({ schema: 'mlops-profile/v1', rows: 1, columns }));
    const script = `
      const { runCli } = await import(${JSON.stringify(join(REPO_ROOT, 'shared/src/main.ts'))});
      await runCli(process.argv.slice(1));
    `;
    const node = (args: string[]) =>
      `${JSON.stringify(process.execPath)} --import tsx --input-type=module -e ${shellQuote(script)} ${args.map(shellQuote).join(' ')}`;
    const registerBig = spawnSync(
      'bash',
      [
        '-c',
        node([
          'register',
          '--model',
          join(work, 'model-a'),
          '--name',
          'big',
          '--registry',
          root,
          '--profile',
          profile,
        ]),
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(registerBig.status, registerBig.stderr).toBe(0);
    const piped = spawnSync(
      'bash',
      [
        '-c',
        `${node(['registry', 'show', 'big', '--registry', root])} | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`,
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(piped.stdout).toBe('{\n');
    expect(piped.stderr).toBe('status=0\n');
  });
});

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}
