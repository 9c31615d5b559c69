import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/src/config/load.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { SuccessiveHalving } from '../../../shared/src/search/halving.js';
import type { SearchSummary } from '../../../shared/src/search/run-search.js';
import { runTrainStep } from '../../../shared/src/search/train-step.js';
import { readRunRecordFiles } from '../../../shared/src/tracking/record-file.js';
import { LocalRunStore } from '../../../shared/src/tracking/store.js';
import { hashFile } from '../../../shared/src/train/contentHash.js';
import type { TrainOptions } from '../../../shared/src/train/runTrain.js';

const PENGUINS = join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json');

function project(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-search-run-'));
  writeFileSync(join(dir, 'mlops.yml'), yaml);
  copyFileSync(PENGUINS, join(dir, 'penguins.json'));
  const train: TrainOptions = {
    data: 'penguins.json',
    target: 'Species',
    task: 'classification',
    model: 'mlp',
    epochs: 3,
    batchSize: 32,
    learningRate: 0.02,
    seed: 7,
    outputDir: 'out',
    resume: false,
    cache: false,
    gpu: 'off',
    workingDirectory: dir,
  };
  return {
    dir,
    train,
    config: loadConfig(undefined, dir)!,
    store: new LocalRunStore(join(dir, '.mlops/runs')),
  };
}

describe('search: run (trials in one job, built-in trainer)', () => {
  it('runs every trial, records a failed one as failed and goes on, tracks each run, picks the best', async () => {
    const { dir, train, config, store } = project(
      [
        'name: penguins',
        'search:',
        '  strategy: grid',
        '  metric: accuracy',
        '  parameters:',
        '    model: {choices: [mlp, missing-layers.json]}',
        '    learning-rate: {choices: [0.01, 0.05]}',
        '',
      ].join('\n'),
    );
    const step = await runTrainStep(
      { train, search: 'run', config, experiment: 'penguins', store },
      { log: silentLog },
    );
    const summary = JSON.parse(readFileSync(String(step.outputs['search-summary']), 'utf8')) as SearchSummary;
    expect(summary.trials.map((t) => [t.trial, t.status])).toEqual([
      [expect.any(Number), 'finished'],
      [expect.any(Number), 'finished'],
      [3, 'failed'],
      [4, 'failed'],
    ]);
    expect(summary.trials[2].error).toMatch(/missing-layers\.json/);
    expect(summary.best?.params.model).toBe('mlp');
    expect(summary.trials[0].value).toBeGreaterThanOrEqual(summary.trials[1].value as number);
    expect(step.outputs['best-trial']).toBe(summary.best?.trial);
    expect(String(step.outputs['model-path'])).toBe(
      join(dir, 'out', 'trials', `trial-${summary.best?.trial}`, 'model.json'),
    );
    expect(JSON.parse(String(step.outputs.plan))).toEqual({ trial: [1, 2, 3, 4] });
    expect(step.summaryMarkdown).toContain('Best: trial');

    const runs = await store.listRuns('penguins');
    expect(runs.map((r) => [r.number, r.search?.trial, r.status])).toEqual([
      [1, 1, 'finished'],
      [2, 2, 'finished'],
      [3, 3, 'failed'],
      [4, 4, 'failed'],
    ]);
    const fingerprint = `sha256:${await hashFile(join(dir, 'penguins.json'))}`;
    expect(runs[0]).toMatchObject({
      schema: 'mlops-run/v1',
      kind: 'train',
      experiment: 'penguins',
      data_fingerprint: fingerprint,
      params: { model: 'mlp', 'learning-rate': 0.01, epochs: 3, seed: 7, 'batch-size': 32 },
      search: {
        id: summary.search_id,
        strategy: 'grid',
        trial: 1,
        trials: 4,
        metric: 'accuracy',
        direction: 'higher',
      },
    });
    expect(runs[0].curves).toHaveLength(3);
    expect(Object.keys(runs[0].metrics).sort()).toEqual(['accuracy', 'loss']);
    expect(runs[2].error).toMatch(/missing-layers\.json/);
    // Every trial, a failed one too, leaves its record in its folder for a later publish.
    expect(step.outputs['run-records']).toBe(join(dir, 'out'));
    const files = await readRunRecordFiles(String(step.outputs['run-records']), 'run-records');
    expect(files).toEqual(runs.map(({ number: _, ...record }) => record));
  }, 120_000);

  it('fails when every trial fails, with the first trial error', async () => {
    const { train, config, store } = project(
      'search:\n  strategy: grid\n  parameters:\n    model: {choices: [nope-1.json, nope-2.json]}\n',
    );
    const error = await runTrainStep(
      { train, search: 'run', config, experiment: 'default', store },
      { log: silentLog },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/^Every trial of the search failed \(2 of 2\); trial 1: .*nope-1\.json/);
    expect((await store.listRuns('default')).map((r) => r.status)).toEqual(['failed', 'failed']);
  }, 60_000);

  it('the winner retrains bit for bit from its params, seed and data fingerprint', async () => {
    const { dir, train, config, store } = project(
      'search:\n  strategy: random\n  budget: 3\n  seed: 11\n  metric: accuracy\n  parameters:\n    learning-rate: {log-uniform: [0.005, 0.1]}\n    batch-size: {choices: [16, 32]}\n',
    );
    const step = await runTrainStep(
      { train, search: 'run', config, experiment: 'default', store },
      { log: silentLog },
    );
    const best = (await store.listRuns('default')).find(
      (r) => r.search?.trial === step.outputs['best-trial'],
    )!;
    // Only what the record holds: params (seed included) and the data's fingerprint.
    expect(`sha256:${await hashFile(join(dir, 'penguins.json'))}`).toBe(best.data_fingerprint);
    const p = best.params;
    const again = await runTrainStep(
      {
        train: {
          ...train,
          model: String(p.model),
          epochs: Number(p.epochs),
          batchSize: Number(p['batch-size']),
          learningRate: Number(p['learning-rate']),
          seed: Number(p.seed),
          outputDir: 'retrained',
        },
        search: 'off',
        experiment: 'default',
        store,
      },
      { log: silentLog },
    );
    const weights = (path: string) => readFileSync(join(path, '..', 'weights.bin'));
    expect(
      weights(String(again.outputs['model-path'])).equals(weights(String(step.outputs['model-path']))),
    ).toBe(true);
    const runs = await store.listRuns('default');
    expect(runs.at(-1)?.search).toBeNull();
    expect(runs.at(-1)?.metrics).toEqual(best.metrics);
  }, 120_000);

  it('halving stops trials inside the real trainer exactly where the rule says on their recorded curves', async () => {
    const { train, config, store } = project(
      'search:\n  strategy: halving\n  budget: 4\n  seed: 3\n  metric: loss\n  halving: {min-epochs: 1, reduction-factor: 2}\n  parameters:\n    learning-rate: {log-uniform: [0.0005, 0.2]}\n',
    );
    const step = await runTrainStep(
      { train: { ...train, epochs: 4 }, search: 'run', config, experiment: 'default', store },
      { log: silentLog },
    );
    const runs = await store.listRuns('default');
    expect(runs).toHaveLength(4);
    // Replay the documented rule on the curves the trials recorded.
    const replay = new SuccessiveHalving({ minEpochs: 1, reductionFactor: 2, direction: 'lower' });
    for (const run of runs) {
      let stoppedAt: number | null = null;
      for (const epoch of run.curves) {
        if (epoch.epoch < 4 && replay.report(epoch.epoch, epoch.val_loss) !== undefined) {
          stoppedAt = epoch.epoch;
          break;
        }
      }
      expect(run.status).toBe(stoppedAt === null ? 'finished' : 'stopped');
      expect(run.curves).toHaveLength(stoppedAt ?? 4);
      if (stoppedAt !== null) expect(run.stopped_by).toMatch(new RegExp(`rung of epoch ${stoppedAt}`));
    }
    expect(runs[0].status).toBe('finished');
    // With this seed the rule stops at least one trial, so the replay checks real stops.
    expect(runs.map((r) => r.status)).toContain('stopped');
    const summary = JSON.parse(readFileSync(String(step.outputs['search-summary']), 'utf8')) as SearchSummary;
    expect(summary.best?.status).toBe('finished');
  }, 120_000);

  it('a command trial gets its params as MLOPS_PARAM_* and as the JSON file MLOPS_PARAMS_FILE', async () => {
    const { dir, config, store } = project(
      'search:\n  strategy: grid\n  metric: score\n  parameters:\n    alpha: {choices: [1, 2, 3]}\n    kernel-size: {choices: [rbf]}\n    epochs: {choices: [4]}\n',
    );
    // The program echoes what it was given and fails on alpha 3.
    const script = [
      "const fs = require('node:fs');",
      'const e = process.env;',
      "fs.writeFileSync(e.MLOPS_OUTPUT_DIR + '/seen.json', JSON.stringify({ alpha: e.MLOPS_PARAM_ALPHA, kernel: e.MLOPS_PARAM_KERNEL_SIZE, epochs: e.MLOPS_EPOCHS, trial: e.MLOPS_TRIAL, file: JSON.parse(fs.readFileSync(e.MLOPS_PARAMS_FILE, 'utf8')) }));",
      "if (e.MLOPS_PARAM_ALPHA === '3') process.exit(1);",
      'fs.writeFileSync(e.MLOPS_METRICS_FILE, JSON.stringify({ score: 10 - Number(e.MLOPS_PARAM_ALPHA) }));',
    ].join('\n');
    const step = await runTrainStep(
      {
        train: {
          commandArgv: [process.execPath, '-e', script],
          epochs: 1,
          batchSize: 32,
          learningRate: 0.01,
          seed: 7,
          outputDir: 'out',
          resume: false,
          cache: false,
          gpu: 'off',
          workingDirectory: dir,
        },
        search: 'run',
        config,
        experiment: 'default',
        store,
      },
      { log: silentLog },
    );
    const seen = (n: number) =>
      JSON.parse(readFileSync(join(dir, 'out/trials', `trial-${n}`, 'seen.json'), 'utf8'));
    expect(seen(2)).toEqual({
      alpha: '2',
      kernel: 'rbf',
      epochs: '4',
      trial: '2',
      file: { alpha: 2, 'kernel-size': 'rbf', epochs: 4 },
    });
    expect(seen(3).alpha).toBe('3');
    expect(step.outputs['best-trial']).toBe(1);
    expect((await store.listRuns('default')).map((r) => [r.status, r.metrics.score ?? null])).toEqual([
      ['finished', 9],
      ['finished', 8],
      ['failed', null],
    ]);
  }, 60_000);
});
