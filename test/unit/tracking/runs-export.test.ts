import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';
import type { NewRunRecord } from '../../../shared/src/tracking/record.js';
import { LocalRunStore } from '../../../shared/src/tracking/store.js';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);

/** Two fixed runs: a finished search trial with curves, and a failed one. */
function records(): NewRunRecord[] {
  const base = {
    schema: 'mlops-run/v1' as const,
    experiment: 'penguins',
    kind: 'train' as const,
    data_fingerprint: 'sha256:abc',
    code_sha: '0123456789abcdef0123456789abcdef01234567',
    runner: { name: 'gpu-1', os: 'Linux', arch: 'X64' },
    backend: 'cpu',
  };
  return [
    {
      ...base,
      run_id: RUN_A,
      status: 'finished',
      started_at: '2026-12-07T10:00:00.000Z',
      ended_at: '2026-12-07T10:00:02.500Z',
      duration_seconds: 2.5,
      params: { 'learning-rate': 0.01, model: 'mlp', epochs: 2 },
      metrics: { accuracy: 0.95, loss: 0.25 },
      curves: [
        { epoch: 1, loss: 0.9, val_loss: 0.8 },
        { epoch: 2, loss: 0.5, val_loss: 0.25 },
      ],
      search: { id: 's1', strategy: 'random', trial: 1, trials: 2, metric: 'accuracy', direction: 'higher' },
    },
    {
      ...base,
      run_id: RUN_B,
      status: 'failed',
      started_at: '2026-12-07T10:00:03.000Z',
      ended_at: '2026-12-07T10:00:04.000Z',
      duration_seconds: 1,
      params: { 'learning-rate': 5, model: 'mlp, "wide"', epochs: 2 },
      metrics: {},
      curves: [],
      search: { id: 's1', strategy: 'random', trial: 2, trials: 2, metric: 'accuracy', direction: 'higher' },
      error: 'Training diverged at epoch 1',
    },
  ];
}

async function storeWithRuns(): Promise<string> {
  const root = join(mkdtempSync(join(tmpdir(), 'mlops-runs-')), 'runs');
  const store = new LocalRunStore(root);
  for (const record of records()) await store.append(record);
  return root;
}

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

async function cli(argv: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCommandLine(argv, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        out.push(`${relative(root, path)}/`);
        walk(path);
      } else out.push(relative(root, path));
    }
  };
  walk(root);
  return out;
}

describe('mlops runs export --format mlflow: MLflow FileStore layout, file by file', () => {
  it('writes experiments, runs, params, metrics and tags as MLflow FileStore does', async () => {
    const store = await storeWithRuns();
    const root = join(mkdtempSync(join(tmpdir(), 'mlops-mlruns-')), 'mlruns');
    const { code, stdout } = await cli([
      'runs',
      'export',
      '--format',
      'mlflow',
      '--store',
      store,
      '--output',
      root,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('2 runs written');
    const a = `1/${RUN_A}`;
    const b = `1/${RUN_B}`;
    expect(tree(root)).toEqual([
      '.trash/',
      '0/',
      '0/meta.yaml',
      '1/',
      '1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/',
      `${a}/artifacts/`,
      `${a}/meta.yaml`,
      `${a}/metrics/`,
      `${a}/metrics/final_accuracy`,
      `${a}/metrics/final_loss`,
      `${a}/metrics/loss`,
      `${a}/metrics/val_loss`,
      `${a}/params/`,
      `${a}/params/epochs`,
      `${a}/params/learning-rate`,
      `${a}/params/model`,
      `${a}/tags/`,
      `${a}/tags/mlflow.runName`,
      `${a}/tags/mlflow.source.git.commit`,
      `${a}/tags/mlflow.user`,
      `${a}/tags/mlops.backend`,
      `${a}/tags/mlops.data_fingerprint`,
      `${a}/tags/mlops.kind`,
      `${a}/tags/mlops.runner`,
      `${a}/tags/mlops.search.id`,
      `${a}/tags/mlops.search.trial`,
      `${a}/tags/mlops.status`,
      '1/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/',
      `${b}/artifacts/`,
      `${b}/meta.yaml`,
      `${b}/metrics/`,
      `${b}/params/`,
      `${b}/params/epochs`,
      `${b}/params/learning-rate`,
      `${b}/params/model`,
      `${b}/tags/`,
      `${b}/tags/mlflow.runName`,
      `${b}/tags/mlflow.source.git.commit`,
      `${b}/tags/mlflow.user`,
      `${b}/tags/mlops.backend`,
      `${b}/tags/mlops.data_fingerprint`,
      `${b}/tags/mlops.error`,
      `${b}/tags/mlops.kind`,
      `${b}/tags/mlops.runner`,
      `${b}/tags/mlops.search.id`,
      `${b}/tags/mlops.search.trial`,
      `${b}/tags/mlops.status`,
      '1/meta.yaml',
    ]);
    const read = (path: string) => readFileSync(join(root, path), 'utf8');
    const started = Date.parse('2026-12-07T10:00:00.000Z');
    // Experiment meta.yaml: Experiment's fields less tags, sorted, as FileStore._create_experiment_with_id.
    expect(read('1/meta.yaml')).toBe(
      [
        `artifact_location: ${pathToFileURL(join(root, '1')).href}`,
        `creation_time: ${started}`,
        "experiment_id: '1'",
        `last_update_time: ${started}`,
        'lifecycle_stage: active',
        'name: penguins',
        '',
      ].join('\n'),
    );
    expect(read('0/meta.yaml')).toMatch(
      /^artifact_location: file:\/\/.*\/0\ncreation_time: \d+\nexperiment_id: '0'\n/,
    );
    expect(read('0/meta.yaml')).toContain('\nname: Default\n');
    // Run meta.yaml: RunInfo plus the legacy fields FileStore._make_persisted_run_info_dict adds.
    expect(read(`${a}/meta.yaml`)).toBe(
      [
        `artifact_uri: ${pathToFileURL(join(root, a, 'artifacts')).href}`,
        `end_time: ${started + 2500}`,
        "entry_point_name: ''",
        "experiment_id: '1'",
        'lifecycle_stage: active',
        `run_id: ${RUN_A}`,
        'run_name: penguins-1',
        `run_uuid: ${RUN_A}`,
        "source_name: ''",
        'source_type: 4',
        "source_version: ''",
        `start_time: ${started}`,
        'status: 3',
        'tags: []',
        'user_id: gpu-1',
        '',
      ].join('\n'),
    );
    expect(read(`${b}/meta.yaml`)).toContain('\nstatus: 4\n');
    // Params and tags: the value alone, no newline.
    expect(read(`${a}/params/learning-rate`)).toBe('0.01');
    expect(read(`${b}/params/model`)).toBe('mlp, "wide"');
    expect(read(`${a}/tags/mlflow.runName`)).toBe('penguins-1');
    expect(read(`${a}/tags/mlflow.source.git.commit`)).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(read(`${a}/tags/mlops.search.trial`)).toBe('1/2');
    expect(read(`${b}/tags/mlops.error`)).toBe('Training diverged at epoch 1');
    // Metrics: "<timestamp> <value> <step>" lines, the epoch as step; the final value at step 0.
    const ended = started + 2500;
    expect(read(`${a}/metrics/val_loss`)).toBe(`${ended} 0.8 1\n${ended} 0.25 2\n`);
    expect(read(`${a}/metrics/loss`)).toBe(`${ended} 0.9 1\n${ended} 0.5 2\n`);
    expect(read(`${a}/metrics/final_accuracy`)).toBe(`${ended} 0.95 0\n`);
  });
});

describe('mlops runs list | show | compare | export csv/json', () => {
  it('lists, shows, compares into HTML and exports CSV and JSON', async () => {
    const store = await storeWithRuns();
    const list = await cli(['runs', 'list', '--store', store]);
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual([
      'penguins#1  aaaaaaaa  train  finished  trial 1/2  accuracy=0.95 loss=0.25  2.5s',
      'penguins#2  bbbbbbbb  train  failed  trial 2/2    1.0s',
    ]);
    const show = await cli(['runs', 'show', '2', '--store', store]);
    expect(JSON.parse(show.stdout)).toMatchObject({ number: 2, run_id: RUN_B, status: 'failed' });

    const html = join(mkdtempSync(join(tmpdir(), 'mlops-compare-')), 'compare.html');
    const compare = await cli(['runs', 'compare', '--store', store, '--output', html]);
    expect(compare.code).toBe(0);
    expect(compare.stdout.split('\n').slice(0, 3)).toEqual([
      'run  status    epochs  learning-rate  model        accuracy  loss',
      '#1   finished  2       0.01           mlp          0.95      0.25',
      '#2   failed    2       5              mlp, "wide"',
    ]);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<th>learning-rate</th>');
    expect(page).toContain('<td>mlp, &quot;wide&quot;</td>');
    expect(page).toMatch(/<h3>val_loss<\/h3><svg [^>]*aria-label="learning curve"/);
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);

    const csv = await cli(['runs', 'export', '--format', 'csv', '--store', store]);
    expect(csv.stdout.split('\n')[0]).toBe(
      'experiment,number,run_id,kind,status,started_at,duration_seconds,backend,code_sha,data_fingerprint,search_id,trial,param.epochs,param.learning-rate,param.model,metric.accuracy,metric.loss',
    );
    expect(csv.stdout.split('\n')[2]).toBe(
      `penguins,2,${RUN_B},train,failed,2026-12-07T10:00:03.000Z,1,cpu,0123456789abcdef0123456789abcdef01234567,sha256:abc,s1,2,2,5,"mlp, ""wide""",,`,
    );
    const json = await cli(['runs', 'export', '--format', 'json', '--store', store]);
    expect(JSON.parse(json.stdout).map((r: { number: number }) => r.number)).toEqual([1, 2]);

    const bad = await cli(['runs', 'export', '--format', 'xml', '--store', store]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--format must be csv, json or mlflow');
  });
});

/** MLflow's FileStore read path, followed by a Python script (mlflow itself is not installable here). */
const READER = join(import.meta.dirname, 'mlflow_filestore_read.py');
const PYTHON = '/usr/bin/python3';
const pythonProblem = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import yaml'], { encoding: 'utf8' });
  return probe.status === 0
    ? undefined
    : `${PYTHON} with PyYAML is needed (${probe.error?.message ?? probe.stderr.trim()})`;
})();

function readAsMlflow(root: string): { experiments: Record<string, string>[]; runs: MlflowRun[] } {
  const read = spawnSync(PYTHON, [READER, root], { encoding: 'utf8' });
  expect(read.stderr).toBe('');
  expect(read.status).toBe(0);
  return JSON.parse(read.stdout);
}

interface MlflowRun {
  experiment_id: string;
  run_id: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number;
  user_id: string;
  lifecycle_stage: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  history: Record<string, [number, number, number][]>;
  tags: Record<string, string>;
}

describe('the MLflow export read back along MLflow FileStore read path', () => {
  it('every run, param, metric (latest and history) and tag reads back as MLflow would show it', async (context) => {
    if (pythonProblem) {
      if (process.env.MLOPS_REQUIRE_GOLDENS === '1') throw new Error(pythonProblem);
      context.skip(pythonProblem);
    }
    const root = join(mkdtempSync(join(tmpdir(), 'mlops-runs-')), 'runs');
    const store = new LocalRunStore(root);
    const [trained, failed] = records();
    const stopped: NewRunRecord = {
      ...trained,
      run_id: 'c'.repeat(32),
      status: 'stopped',
      stopped_by: 'halving at epoch 1',
      // A '/' in a name is a subfolder in FileStore; a Unicode letter is a word character.
      curves: [{ epoch: 1, 'val/loss': 0.7, précision: 0.5 }],
      metrics: { 'val/loss': 0.7 },
    };
    const evaluated: NewRunRecord = {
      ...trained,
      experiment: 'cars',
      run_id: 'd'.repeat(32),
      kind: 'evaluate',
      curves: [],
      search: null,
      params: { task: 'regression', bootstrap: 0 },
      metrics: { r2: 0.75, mae: 1.5e-7 },
    };
    const all = [trained, failed, stopped, evaluated];
    for (const record of all) await store.append(record);
    const mlruns = join(mkdtempSync(join(tmpdir(), 'mlops-mlruns-')), 'mlruns');
    const exported = await cli(['runs', 'export', '--format', 'mlflow', '--store', root, '--output', mlruns]);
    expect(exported.code, exported.stderr).toBe(0);
    const read = readAsMlflow(mlruns);
    expect(read.experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage])).toEqual([
      ['0', 'Default', 'active'],
      ['1', 'cars', 'active'],
      ['2', 'penguins', 'active'],
    ]);
    const status = { finished: 'FINISHED', failed: 'FAILED', stopped: 'KILLED' };
    const numbers = new Map((await store.listRuns('penguins')).map((r) => [r.run_id, r.number]));
    numbers.set(evaluated.run_id, 1);
    for (const record of all) {
      const run = read.runs.find((r) => r.run_id === record.run_id)!;
      expect(run, record.run_id).toBeDefined();
      const name = `${record.experiment}-${numbers.get(record.run_id)}`;
      expect(run).toMatchObject({
        experiment_id: record.experiment === 'cars' ? '1' : '2',
        run_name: name,
        status: status[record.status],
        start_time: Date.parse(record.started_at),
        end_time: Date.parse(record.ended_at),
        user_id: record.runner.name,
        lifecycle_stage: 'active',
      });
      expect(run.params).toEqual(
        Object.fromEntries(Object.entries(record.params).map(([k, v]) => [k, String(v)])),
      );
      // What the UI shows per metric: the value at the highest step. A train run's final metrics
      // are final_<name> at step 0; its curves are steps 1.. (epochs).
      const latest: Record<string, number> = {};
      const history: Record<string, [number, number][]> = {};
      for (const epoch of record.curves)
        for (const [key, value] of Object.entries(epoch))
          if (key !== 'epoch') {
            latest[key] = value;
            history[key] = [...(history[key] ?? []), [epoch.epoch, value]];
          }
      for (const [key, value] of Object.entries(record.metrics)) {
        const stored = record.kind === 'train' ? `final_${key}` : key;
        latest[stored] = value;
        history[stored] = [[0, value]];
      }
      expect(run.metrics).toEqual(latest);
      expect(
        Object.fromEntries(
          Object.entries(run.history).map(([k, rows]) => [k, rows.map(([step, v]) => [step, v])]),
        ),
      ).toEqual(history);
      expect(run.tags).toMatchObject({
        'mlflow.runName': name,
        'mlflow.user': record.runner.name,
        'mlflow.source.git.commit': record.code_sha,
        'mlops.kind': record.kind,
        'mlops.status': record.status,
      });
      if (record.error) expect(run.tags['mlops.error']).toBe(record.error);
    }
  });

  it('refuses a run with a name MLflow cannot read, before writing anything', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'mlops-runs-')), 'runs');
    const [trained] = records();
    await new LocalRunStore(root).append({ ...trained, curves: [{ epoch: 1, 'top-1 acc%': 0.5 }] });
    const mlruns = join(mkdtempSync(join(tmpdir(), 'mlops-mlruns-')), 'mlruns');
    const refused = await cli(['runs', 'export', '--format', 'mlflow', '--store', root, '--output', mlruns]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error: Run penguins#1 has the metric name "top-1 acc%", which MLflow cannot read back',
    );
    expect(existsSync(mlruns)).toBe(false);
  });
});

describe('a diverged run (NaN metrics) stays readable', () => {
  it('is stored with JSON null, listed as NaN, and exported as MLflow nan', async (context) => {
    const root = join(mkdtempSync(join(tmpdir(), 'mlops-runs-')), 'runs');
    const store = new LocalRunStore(root);
    const [trained] = records();
    await store.append({
      ...trained,
      metrics: { loss: Number.NaN, accuracy: 0.3 },
      curves: [{ epoch: 1, loss: Number.POSITIVE_INFINITY }],
    });
    const [listed] = await store.listRuns('penguins');
    expect(listed.metrics).toEqual({ loss: Number.NaN, accuracy: 0.3 });
    expect(listed.curves).toEqual([{ epoch: 1, loss: Number.NaN }]);
    const list = await cli(['runs', 'list', '--store', root]);
    expect(list.code, list.stderr).toBe(0);
    if (pythonProblem) {
      if (process.env.MLOPS_REQUIRE_GOLDENS === '1') throw new Error(pythonProblem);
      context.skip(pythonProblem);
    }
    const mlruns = join(mkdtempSync(join(tmpdir(), 'mlops-mlruns-')), 'mlruns');
    expect(
      (await cli(['runs', 'export', '--format', 'mlflow', '--store', root, '--output', mlruns])).code,
    ).toBe(0);
    const [run] = readAsMlflow(mlruns).runs;
    expect(run.metrics).toEqual({ final_loss: 'nan', final_accuracy: 0.3, loss: 'nan' });
  });
});
