import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { runTrain, type TrainOptions } from '../../../shared/src/train/runTrain.js';

const work = mkdtempSync(join(tmpdir(), 'train-resume-'));
const base = (outputDir: string): TrainOptions => ({
  data: join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json'),
  target: 'Species',
  task: 'classification',
  model: 'mlp',
  epochs: 9,
  batchSize: 16,
  learningRate: 0.01,
  seed: 3,
  patience: 100,
  outputDir,
  resume: false,
  cache: false,
  gpu: 'off',
  workingDirectory: work,
});

describe('kill and resume', () => {
  it('a run SIGKILLed after epoch 4 and resumed ends with the weights of an uninterrupted run', async () => {
    const straight = await runTrain(base(join(work, 'straight')), { log: silentLog });

    const killedDir = join(work, 'killed');
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'fixtures/train-and-die.ts'),
        JSON.stringify(base(killedDir)),
        '4',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(existsSync(join(killedDir, 'model.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(killedDir, 'checkpoints/checkpoint.json'), 'utf8')).epoch).toBe(4);

    const log = memoryLog();
    const resumed = await runTrain({ ...base(killedDir), resume: true }, { log });
    expect(log.lines.map((l) => l.message)).toContain(
      `Resuming from the checkpoint of epoch 4 in ${join(killedDir, 'checkpoints')}.`,
    );
    const metrics = JSON.parse(readFileSync(resumed.metricsPath, 'utf8'));
    expect(metrics.resumed_from_epoch).toBe(4);
    expect(metrics.epochs).toEqual(JSON.parse(readFileSync(straight.metricsPath, 'utf8')).epochs);
    expect(readFileSync(join(killedDir, 'weights.bin'))).toEqual(
      readFileSync(join(work, 'straight/weights.bin')),
    );
  });

  it('stops the built-in trainer after the epoch that passes timeout-minutes, and resume finishes the run', async () => {
    const dir = join(work, 'timeout');
    await expect(runTrain({ ...base(dir), timeoutMinutes: 0.000001 }, { log: silentLog })).rejects.toThrow(
      /ran past timeout-minutes \(0\.000001\) and stopped after epoch 1 of 9\. The checkpoint of epoch 1 is in .*; run again with resume: true/,
    );
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
    const resumed = await runTrain({ ...base(dir), resume: true }, { log: silentLog });
    expect(JSON.parse(readFileSync(resumed.metricsPath, 'utf8'))).toMatchObject({
      resumed_from_epoch: 1,
      epochs_run: 9,
    });
  });

  it('refuses to resume a checkpoint written for other settings', async () => {
    const dir = join(work, 'other');
    await runTrain({ ...base(dir), epochs: 2 }, { log: silentLog });
    await expect(
      runTrain({ ...base(dir), epochs: 3, learningRate: 0.02, resume: true }, { log: silentLog }),
    ).rejects.toThrow(/written for different data or settings, so resume: true cannot continue it/);
  });
});
