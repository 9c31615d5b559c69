/** What `train` says first: inputs checked before the GPU probe, and one short backend line. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { runTrain, type TrainOptions } from '../../../shared/src/train/runTrain.js';

const work = mkdtempSync(join(tmpdir(), 'mlops-train-first-'));
const options = (extra: Partial<TrainOptions>): TrainOptions => ({
  data: join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json'),
  target: 'Species',
  task: 'classification',
  model: 'logistic',
  epochs: 1,
  batchSize: 64,
  learningRate: 0.05,
  seed: 3,
  outputDir: join(work, 'out'),
  resume: false,
  cache: false,
  gpu: 'off',
  workingDirectory: work,
  ...extra,
});

describe('train: the first lines', () => {
  it('a missing data file is reported before the GPU is probed', async () => {
    const log = memoryLog();
    // gpu: require on a machine whose nvidia-smi is missing would fail on the GPU first.
    const attempt = runTrain(options({ data: 'data/missing.csv', gpu: 'require' }), {
      log,
      env: { MLOPS_NVIDIA_SMI: join(work, 'no-nvidia-smi') },
    });
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(`The data file 'data/missing.csv' does not exist`);
    expect(log.lines).toEqual([]);
  });

  it('the backend is one short line; why faster backends were skipped is in the debug log', async () => {
    const log = memoryLog();
    const result = await runTrain(options({}), { log, env: {} });
    const backendLines = log.lines.filter((line) => line.message.startsWith('TensorFlow.js backend:'));
    expect(backendLines).toHaveLength(1);
    expect(backendLines[0].level).toBe('info');
    expect(backendLines[0].message.length).toBeLessThanOrEqual(100);
    expect(backendLines[0].message).toContain(result.backend);
    for (const line of log.lines.filter((l) => l.level === 'info'))
      expect(line.message.length, line.message).toBeLessThanOrEqual(200);
    if (result.backend !== 'tensorflow-gpu') {
      expect(
        log.lines.some(
          (line) => line.level === 'debug' && /TensorFlow\.js backend skipped: gpu:/.test(line.message),
        ),
      ).toBe(true);
    }
  }, 120_000);
});
