import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { runTrain, type TrainOptions } from '../../../shared/src/train/runTrain.js';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = join(import.meta.dirname, 'fixtures/tiny_train.py');
const FAKE_SMI = join(import.meta.dirname, 'fixtures/fake-nvidia-smi.sh');
const work = mkdtempSync(join(tmpdir(), 'train-command-'));
let runs = 0;

function options(command: string, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    command,
    epochs: 5,
    batchSize: 1,
    learningRate: 0.1,
    seed: 1,
    outputDir: join(work, `run-${++runs}`),
    resume: false,
    cache: false,
    gpu: 'off',
    workingDirectory: work,
    ...overrides,
  };
}

/** Environment without a real nvidia-smi or a runner's CUDA setting leaking in. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const {
    CUDA_VISIBLE_DEVICES: _cuda,
    MLOPS_METRICS_FILE: _m,
    MLOPS_CHECKPOINT_DIR: _c,
    ...rest
  } = process.env;
  return { ...rest, MLOPS_NVIDIA_SMI: join(work, 'no-nvidia-smi'), ...extra };
};

describe('command mode', () => {
  it('runs the program with the MLOPS_* env, streams its output and reads its metrics and checkpoints', async () => {
    const log = memoryLog();
    const result = await runTrain(options(`${PYTHON} ${SCRIPT} --note "two words" 'it''s'`), {
      log,
      env: env(),
    });
    const lines = log.lines.map((l) => l.message);
    expect(lines).toContain('args=["--note", "two words", "its"]');
    expect(lines).toContain('cuda=');
    expect(lines.filter((l) => l.startsWith('mlops-metric epoch='))).toHaveLength(5);
    const metrics = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(metrics).toMatchObject({
      schema: 'mlops-training-metrics/v1',
      mode: 'command',
      evaluated_on: 'reported',
      epochs_run: 5,
    });
    expect(metrics.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    // Plain-Python gradient descent on y = 2x + 1: loss falls every epoch.
    const losses = metrics.epochs.map((e: { loss: number }) => e.loss);
    expect([...losses].sort((a, b) => b - a)).toEqual(losses);
    expect(result.final.loss).toBe(losses[4]);
    expect(result.backend).toBe('command');
    expect(result.modelPath).toBe(join(work, `run-${runs}`));
    expect(JSON.parse(readFileSync(join(work, `run-${runs}`, 'checkpoints/state.json'), 'utf8')).epoch).toBe(
      5,
    );
    expect(result.summaryMarkdown).toContain('xychart-beta');
    expect(result.summaryMarkdown).toContain('| mode | user command |');
  });

  it('resumes the program from its own checkpoint when resume is true', async () => {
    const first = options(`${PYTHON} ${SCRIPT}`, { epochs: 3 });
    await runTrain(first, { log: silentLog, env: env() });
    const log = memoryLog();
    const second = await runTrain({ ...first, epochs: 6, resume: true }, { log, env: env() });
    expect(log.lines.map((l) => l.message)).toContain('resumed at epoch 3');
    const metrics = JSON.parse(readFileSync(second.metricsPath, 'utf8'));
    expect(metrics.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([4, 5, 6]);
  });

  it('passes CUDA_VISIBLE_DEVICES through, and gpu: require sees the GPUs nvidia-smi lists', async () => {
    const log = memoryLog();
    const result = await runTrain(options(`${PYTHON} ${SCRIPT}`, { gpu: 'require' }), {
      log,
      env: env({ MLOPS_NVIDIA_SMI: FAKE_SMI, CUDA_VISIBLE_DEVICES: '1' }),
    });
    expect(log.lines.map((l) => l.message)).toContain('cuda=1');
    expect(result.gpuCount).toBe(2);
    expect(result.backend).toBe('command');
    expect(result.summaryMarkdown).toContain(
      '2 × NVIDIA A100\\-SXM4\\-80GB; utilisation mean 87 %, peak 87 %',
    );
    const metrics = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(metrics.gpu).toMatchObject({ count: 2, utilization_percent: { mean: 87, peak: 87 } });
  });

  it('gpu: require fails fast where there is no GPU', async () => {
    const started = Date.now();
    await expect(
      runTrain(options(`${PYTHON} ${SCRIPT}`, { gpu: 'require' }), { log: silentLog, env: env() }),
    ).rejects.toThrow(
      /gpu: require, but this runner has no usable NVIDIA GPU \(.*no-nvidia-smi not found on PATH\)/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a program that is not found', async () => {
    const run = runTrain(options('no-such-trainer --epochs 3'), { log: silentLog, env: env() });
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(runTrain(options('no-such-trainer'), { log: silentLog, env: env() })).rejects.toThrow(
      /The command 'no-such-trainer' was not found/,
    );
  });

  it('reports a non-zero exit with its code and the last lines of output', async () => {
    const run = runTrain(options(`${PYTHON} ${SCRIPT} --fail 3`), { log: silentLog, env: env() });
    await expect(run).rejects.toThrow(
      /exited with code 3\.\nLast 4 lines of output:\ncuda=\nargs=.*\nloading data\.\.\.\nRuntimeError: CUDA out of memory/,
    );
  });

  it('reports a metrics file that is not JSON', async () => {
    await expect(
      runTrain(options(`${PYTHON} ${SCRIPT} --bad-metrics`), { log: silentLog, env: env() }),
    ).rejects.toThrow(/reported-metrics\.json' \(MLOPS_METRICS_FILE\) is not valid JSON/);
  });

  it('stops a program that runs past timeout-minutes with SIGTERM, then SIGKILL, and says so', async () => {
    const log = memoryLog();
    const started = Date.now();
    const run = runTrain(
      options(`${PYTHON} ${SCRIPT} --hang --ignore-term`, { timeoutMinutes: 0.02, killGraceSeconds: 1 }),
      {
        log,
        env: env(),
      },
    );
    await expect(run).rejects.toThrow(
      /stopped after timeout-minutes \(0\.02\) with SIGTERM and then SIGKILL/,
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThan(2000);
    expect(elapsed).toBeLessThan(8000);
    const messages = log.lines.map((l) => l.message);
    expect(messages).toContain('got SIGTERM, ignoring it');
    expect(messages).toContain('The command did not exit after SIGTERM; sending SIGKILL.');
  });

  it('a program that exits on SIGTERM is not SIGKILLed', async () => {
    const log = memoryLog();
    const run = runTrain(
      options(`${PYTHON} ${SCRIPT} --hang`, { timeoutMinutes: 0.01, killGraceSeconds: 5 }),
      { log, env: env() },
    );
    await expect(run).rejects.toThrow(
      /stopped after timeout-minutes \(0\.01\) with SIGTERM\. Checkpoints written so far are kept/,
    );
    expect(log.lines.map((l) => l.message)).not.toContain(
      'The command did not exit after SIGTERM; sending SIGKILL.',
    );
  });

  it('refuses an unterminated quote in the command', async () => {
    await expect(runTrain(options(`${PYTHON} -c 'print(1)`), { log: silentLog, env: env() })).rejects.toThrow(
      /unterminated single quote/,
    );
  });
});
