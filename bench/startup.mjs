// How long a step takes to start when it needs no engine: `mlops --help`, `mlops evaluate --help`
// and config validation, each the median of several cold Node processes. Not a timed test.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 15;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args, options = {}) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: 'pipe', ...options });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0 && !options.allowFail)
      throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  }
  return median(samples);
}

export function runStartupBench() {
  const project = mkdtempSync(join(tmpdir(), 'mlops-bench-startup-'));
  writeFileSync(
    join(project, 'mlops.yml'),
    'name: penguins\ntarget: species\nmetrics:\n  accuracy: {min: 0.8}\n',
  );
  const cli = join(root, 'dist/cli.js');
  const rows = [
    { case: 'node -e 0 (Node itself)', ms: time(['-e', '0']) },
    { case: 'mlops --help', ms: time([cli, '--help']) },
    { case: 'mlops evaluate --help', ms: time([cli, 'evaluate', '--help']) },
    { case: 'mlops check-config', ms: time([cli, 'check-config'], { cwd: project }) },
    {
      case: 'runner: dist/evaluate.js with a bad input (parse + error)',
      ms: time([join(root, 'dist/evaluate.js')], {
        cwd: project,
        allowFail: true,
        env: { PATH: process.env.PATH, GITHUB_WORKSPACE: project, INPUT_BOOTSTRAP: 'x' },
      }),
    },
  ];
  return { name: 'startup', unit: 'ms (median of 15 processes)', rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = runStartupBench();
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/startup.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const row of result.rows) console.log(`${row.case.padEnd(60)} ${row.ms.toFixed(0).padStart(6)} ms`);
}
