import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
