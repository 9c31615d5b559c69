/**
 * The attack of a fork's artifact: `actions/download-artifact` without `path:` unpacks a
 * `node_modules/@duckdb/node-api` into the workspace, and a self-hosted runner's `_work` folder
 * keeps one from an earlier job. The privileged workflow's data-validate and compare-baseline then
 * run, through the built bundle, from a checkout of the action laid out as the runner lays it out
 * (`_work/_actions/<owner>/<repo>/<ref>`, no node_modules), with the engines in the tool cache. The
 * planted code must never run: it would write a marker file holding the token.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_PACKAGES } from '../../shared/src/engines/index.js';
import { REPO_ROOT, runStep } from '../harness/runner.js';
import { seedToolCache } from './engine-fixtures.js';

const TOKEN = 'ghs_plantedEngineVictim0000000000000000';
let runner: string;
let actionRoot: string;
let workspace: string;
let toolCache: string;
let marker: string;

function plant(root: string): void {
  for (const { pkg, version } of Object.values(ENGINE_PACKAGES)) {
    const dir = join(root, 'node_modules', ...pkg.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: pkg, version, main: 'index.js' }));
    writeFileSync(
      join(dir, 'index.js'),
      `require('fs').appendFileSync(${JSON.stringify(marker)}, ${JSON.stringify(pkg)} + ' ' + JSON.stringify(process.env) + '\\n');\nmodule.exports = {};\n`,
    );
  }
}

function predictions(offset: number): string {
  const rows = Array.from({ length: 200 }, (_, i) => {
    const truth = i % 2;
    const correct = (i * 7 + offset) % 10 < 8 + offset;
    const pred = correct ? truth : 1 - truth;
    return `${i},${truth},${pred},${pred === 1 ? 0.8 : 0.2}`;
  });
  return `row_id,y_true,y_pred,y_score\n${rows.join('\n')}\n`;
}

function metrics(accuracy: number, file: string): string {
  return JSON.stringify({
    schema: 'mlops-metrics/v1',
    task: 'binary_classification',
    model: { name: 'm', path: 'model.onnx', digest: 'sha256:0' },
    metrics: { accuracy: { value: accuracy, n: 200 } },
    predictions: { path: file, row_id: 'row_id' },
  });
}

beforeAll(() => {
  runner = mkdtempSync(join(tmpdir(), 'mlops-selfhosted-'));
  const work = join(runner, '_work');
  actionRoot = join(work, '_actions/octo-org/mlops-actions/v1');
  workspace = join(work, 'models/models');
  toolCache = join(runner, '_tool');
  marker = join(runner, 'planted-code-ran');
  mkdirSync(workspace, { recursive: true });
  // The action's checkout: what the repository holds at the tag, without node_modules.
  cpSync(join(REPO_ROOT, 'dist'), join(actionRoot, 'dist'), { recursive: true });
  for (const action of ['data-validate', 'compare-baseline'])
    cpSync(
      join(REPO_ROOT, 'actions', action, 'action.yml'),
      join(actionRoot, 'actions', action, 'action.yml'),
    );
  for (const file of ['package.json', 'package-lock.json'])
    cpSync(join(REPO_ROOT, file), join(actionRoot, file));
  // The engine an earlier job installed into the tool cache.
  seedToolCache(toolCache, 'duckdb', [
    '@duckdb/node-api',
    '@duckdb/node-bindings',
    ...readdirSync(join(REPO_ROOT, 'node_modules/@duckdb'))
      .filter((name) => name.startsWith('node-bindings-'))
      .map((name) => `@duckdb/${name}`),
  ]);
  // The planted packages: in the workspace (an artifact), in _work (an earlier job), in the runner's folder.
  for (const root of [workspace, work, runner]) plant(root);
  writeFileSync(
    join(workspace, 'data.csv'),
    `x,label\n${Array.from({ length: 50 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`,
  );
  mkdirSync(join(workspace, 'pr-report'));
  writeFileSync(join(workspace, 'pr-report/current.csv'), predictions(1));
  writeFileSync(join(workspace, 'pr-report/baseline.csv'), predictions(0));
  writeFileSync(join(workspace, 'pr-report/metrics.json'), metrics(0.9, 'current.csv'));
  writeFileSync(join(workspace, 'pr-report/baseline-metrics.json'), metrics(0.8, 'baseline.csv'));
});

const env = () => ({ GITHUB_TOKEN: TOKEN, RUNNER_TOOL_CACHE: toolCache, MLOPS_ENGINE_INSTALL: 'false' });

describe('planted node_modules in the workspace and above it', () => {
  it('the planted package is live code (control): requiring it from the workspace runs it', () => {
    const control = join(runner, 'control');
    const saved = marker;
    marker = control;
    const scratch = mkdtempSync(join(tmpdir(), 'mlops-control-'));
    plant(scratch);
    marker = saved;
    createRequire(join(scratch, 'x.js'))('@duckdb/node-api');
    expect(readFileSync(control, 'utf8')).toContain('@duckdb/node-api');
  });

  it('data-validate loads DuckDB from the tool cache, not from the workspace', async () => {
    const result = await runStep({
      action: 'actions/data-validate',
      actionRoot,
      workspace,
      with: { data: 'data.csv', 'github-token': TOKEN },
      env: env(),
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['row-count'] ?? result.stdout).toMatch(/50/);
    expect(existsSync(marker)).toBe(false);
  });

  it('compare-baseline in the privileged workflow runs no planted code', async () => {
    const result = await runStep({
      action: 'actions/compare-baseline',
      actionRoot,
      workspace,
      with: {
        name: 'm',
        current: 'pr-report/metrics.json',
        baseline: 'pr-report/baseline-metrics.json',
        'github-token': TOKEN,
      },
      env: env(),
      event: { name: 'workflow_run', payload: {} },
    });
    // DuckDB really ran (the paired test reads both predictions files), from the tool cache.
    expect(`${result.stdout}${result.summary}`).toMatch(/paired bootstrap/i);
    expect(existsSync(marker)).toBe(false);
  });
});
