/**
 * `train` with `launcher: slurm` against a real single-node Slurm cluster (slurm-wlm 22.05 from
 * Debian) started on localhost for this file. Where the cluster cannot start the tests are skipped
 * with the reason printed; MLOPS_REQUIRE_SLURM=1 (set by .ci/run once it installed Slurm) turns
 * that into a failure, so CI cannot pass them by skipping.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { trainTracked } from '../../../shared/src/search/train-step.js';
import { RUN_RECORD_FILE } from '../../../shared/src/tracking/record-file.js';
import { LocalRunStore } from '../../../shared/src/tracking/store.js';
import type { TrainOptions } from '../../../shared/src/train/runTrain.js';
import { followJob } from '../../../shared/src/train/slurm/followJob.js';
import { runSlurmTrain, type SlurmLaunchOptions } from '../../../shared/src/train/slurm/runSlurmTrain.js';
import { readJobInfo } from '../../../shared/src/train/slurm/slurmTools.js';
import { REPO_ROOT } from '../../harness/runner.js';
import { type SlurmCluster, startSlurmCluster } from '../../harness/slurm-cluster.js';
import { runSourceStep } from '../../reliability/source-step.js';

let cluster: SlurmCluster | undefined;
let skipped: string | undefined;
// In beforeAll, not at import: a run whose filter selects none of these tests starts no daemons.
beforeAll(async () => {
  const started = await startSlurmCluster();
  if ('cluster' in started) {
    cluster = started.cluster;
    return;
  }
  skipped = `Slurm tests skipped: ${started.skipped}`;
  if (process.env.MLOPS_REQUIRE_SLURM === '1') throw new Error(`${skipped} (MLOPS_REQUIRE_SLURM=1)`);
  console.warn(skipped);
}, 60_000);
afterAll(async () => cluster?.stop());

/** Skips the test, with the reason, where the cluster could not start. */
function needCluster(context: TestContext): SlurmCluster {
  if (!cluster) context.skip(skipped);
  return cluster!;
}

const JOB = join(import.meta.dirname, 'fixtures/epochs-job.mjs');
// Formats are documentation here (ajv-formats is not a dependency); structure is what is checked.
const validateMetrics = new Ajv({ allErrors: true, validateFormats: false }).compile(
  JSON.parse(readFileSync(join(REPO_ROOT, 'docs/schemas/training-metrics.schema.json'), 'utf8')),
);
const work = mkdtempSync(join(tmpdir(), 'slurm-train-'));
/** The mlops CLI from source (no bundle needed): what a node runs for the built-in trainer. */
const entry = join(work, 'cli-entry.mjs');
const main = pathToFileURL(join(REPO_ROOT, 'shared/src/main.ts')).href;
writeFileSync(
  entry,
  `import { runCli } from ${JSON.stringify(main)};\nawait runCli(process.argv.slice(2));\n`,
);
const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/esm/index.mjs')).href;
let runs = 0;

function trainOptions(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    commandArgv: [process.execPath, JOB],
    epochs: 3,
    batchSize: 8,
    learningRate: 0.01,
    seed: 7,
    outputDir: join(work, `run-${++runs}`),
    resume: false,
    cache: false,
    gpu: 'auto',
    workingDirectory: work,
    ...overrides,
  };
}

const slurmOptions = (overrides: Partial<SlurmLaunchOptions> = {}): SlurmLaunchOptions => ({
  gpus: 0,
  nodes: 1,
  tasks: 1,
  extraOptions: [],
  pollSeconds: 0.3,
  ...overrides,
});

const jobEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...cluster!.env, ...extra });

function jobState(jobId: string): string {
  const shown = spawnSync('scontrol', ['show', 'job', '-o', jobId], { env: cluster!.env, encoding: 'utf8' });
  return /JobState=(\S+)/.exec(shown.stdout)?.[1] ?? `unknown: ${shown.stderr}`;
}

async function failureOf(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('train on a real Slurm cluster', () => {
  it('runs the command as a job, streams its output, and records job id, node and elapsed time', async (context) => {
    needCluster(context);
    const log = memoryLog();
    let submitted = '';
    const options = trainOptions({ commandArgv: [process.execPath, JOB, 'two words', "it's $(nope)"] });
    const result = await runSlurmTrain(options, slurmOptions(), {
      log,
      env: jobEnv(),
      onSubmitted: (id) => {
        submitted = id;
      },
    });
    const lines = log.lines.map((l) => l.message);
    expect(lines).toContain(
      `job started on ${cluster!.node} in ${work} at epoch 0 with args ["two words","it's $(nope)"]`,
    );
    expect(lines.filter((l) => l.startsWith('mlops-metric epoch='))).toHaveLength(3);
    expect(lines).toContain('job done');
    const metrics = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(validateMetrics(metrics), JSON.stringify(validateMetrics.errors)).toBe(true);
    expect(metrics.slurm).toMatchObject({ job_id: submitted, state: 'COMPLETED', node_list: cluster!.node });
    expect(metrics.slurm.elapsed_seconds).toBeGreaterThanOrEqual(0);
    expect(metrics.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2, 3]);
    expect(metrics.final).toEqual({ accuracy: 0.9, loss: 1 / 3 });
    expect(readFileSync(join(options.outputDir, 'model.txt'), 'utf8')).toBe('trained to epoch 3\n');
    expect(result.summaryMarkdown).toContain(`| Slurm job | ${submitted} (COMPLETED) on ${cluster!.node}`);
    expect(jobState(submitted)).toBe('COMPLETED');
  });

  it('runs the built-in trainer on the node through the mlops CLI and reads its metrics back', async (context) => {
    needCluster(context);
    const options = trainOptions({
      commandArgv: undefined,
      data: join(REPO_ROOT, 'node_modules/vega-datasets/data/penguins.json'),
      target: 'Species',
      task: 'classification',
      model: 'logistic',
      epochs: 2,
    });
    const log = memoryLog();
    const result = await runSlurmTrain(
      options,
      slurmOptions({ mlopsCommand: `${process.execPath} --import ${tsx} ${entry}` }),
      { log, env: jobEnv() },
    );
    expect(result.modelPath).toBe(join(options.outputDir, 'model.json'));
    expect(existsSync(join(options.outputDir, 'weights.bin'))).toBe(true);
    const metrics = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(validateMetrics(metrics), JSON.stringify(validateMetrics.errors)).toBe(true);
    expect(metrics).toMatchObject({ mode: 'builtin', task: 'classification', epochs_run: 2, seed: 7 });
    expect(metrics.slurm).toMatchObject({ state: 'COMPLETED', node_list: cluster!.node });
    expect(metrics.evaluated_on).toBe('validation');
    expect(metrics.final.accuracy).toBeGreaterThan(0.5);
    // The node's own step log came through the job's output file.
    expect(log.lines.map((l) => l.message).some((l) => l.startsWith('TensorFlow.js backend: '))).toBe(true);
    expect(result.summaryMarkdown).toContain('| mode | built-in trainer |');
  }, 120_000);

  it('fails the step with the exit code and the last lines when the job fails', async (context) => {
    needCluster(context);
    const error = await failureOf(
      runSlurmTrain(trainOptions(), slurmOptions(), {
        log: memoryLog(),
        env: jobEnv({ JOB_FAIL_AT: '2', JOB_EXIT_CODE: '3' }),
      }),
    );
    expect(error.message).toMatch(
      /^Slurm job \d+ failed on \S+: the training command ended with exit code 3\./,
    );
    expect(error.message).toContain('failing at epoch 2 on purpose');
  });

  it('keeps the record of a job once it ends: finished with its job, or failed with the job id', async (context) => {
    needCluster(context);
    const store = new LocalRunStore(join(work, `runs-${++runs}`));
    const tracked = (options: TrainOptions, env: NodeJS.ProcessEnv) =>
      trainTracked({ train: options, experiment: 'slurm', store }, { log: memoryLog(), env }, (deps) =>
        runSlurmTrain(options, slurmOptions(), deps),
      );
    const done = trainOptions();
    await tracked(done, jobEnv());
    const failing = trainOptions();
    const error = await failureOf(tracked(failing, jobEnv({ JOB_FAIL_AT: '2', JOB_EXIT_CODE: '3' })));
    const [finished, failed] = await store.listRuns('slurm');
    expect(finished).toMatchObject({
      number: 1,
      kind: 'train',
      status: 'finished',
      backend: 'command',
      metrics: { accuracy: 0.9, loss: 1 / 3 },
      slurm: { state: 'COMPLETED', node_list: cluster!.node },
    });
    expect(finished.curves.map((c) => c.epoch)).toEqual([1, 2, 3]);
    expect(finished.slurm?.job_id).toMatch(/^\d+$/);
    // The record travels with the model: written into the output folder before any upload.
    expect(JSON.parse(readFileSync(join(done.outputDir, RUN_RECORD_FILE), 'utf8'))).toEqual({
      ...finished,
      number: undefined,
    });
    const jobId = /^Slurm job (\d+) failed/.exec(error.message)?.[1];
    expect(failed).toMatchObject({ number: 2, status: 'failed', error: error.message, metrics: {} });
    expect(failed.error).toContain(`Slurm job ${jobId} failed`);
    expect(JSON.parse(readFileSync(join(failing.outputDir, RUN_RECORD_FILE), 'utf8')).status).toBe('failed');
  });

  it("gives Slurm's own message when sbatch rejects the job", async (context) => {
    needCluster(context);
    const error = await failureOf(
      runSlurmTrain(trainOptions(), slurmOptions({ partition: 'no-such-partition' }), {
        log: memoryLog(),
        env: jobEnv(),
      }),
    );
    expect(error.message).toBe(
      'Slurm rejected the training job: invalid partition specified: no-such-partition; Batch job submission failed: Invalid partition name specified',
    );
  });

  it('asks sacct only when scontrol has no answer, and takes no answer from a cluster without accounting', async (context) => {
    needCluster(context);
    // Accounting storage is off on this cluster, as on many: sacct refuses, and the job is unknown.
    expect(await readJobInfo('999999', cluster!.env)).toBeUndefined();
    const sacct = spawnSync('sacct', ['--jobs', '1'], { env: cluster!.env, encoding: 'utf8' });
    expect(sacct.status).not.toBe(0);
    // Following a job Slurm does not know ends with a message, after a grace period, not a hang.
    const log = memoryLog();
    const followed = followJob({
      jobId: '999999',
      outputFile: join(work, 'never.out'),
      env: cluster!.env,
      log,
      pollSeconds: 0.2,
      unknownGraceMs: 1000,
    });
    await expect(followed).rejects.toThrow(
      /^Slurm has not known job 999999 for 1 s \(scontrol does not show it and sacct has no record\): its result is unknown\./,
    );
    expect(log.lines.map((l) => l.message)).toContain(
      'Slurm does not answer about job 999999 (scontrol, sacct); asking again.',
    );
  });

  it('fills a script template with quoted values that stay data', async (context) => {
    needCluster(context);
    const template = join(work, 'template.sh');
    const canary = join(work, 'injected');
    writeFileSync(
      template,
      [
        '#!/bin/bash',
        '#SBATCH --comment=from-template',
        "printf 'template target: %s\\n' {{target}}",
        'echo template output: {{output_dir}}',
        'srun {{command}}',
        '',
      ].join('\n'),
    );
    const evilTarget = `x'; touch ${canary}; echo '$(touch ${canary})`;
    const outputDir = join(work, "odd dir 'quoted' $HOME %j");
    const log = memoryLog();
    await runSlurmTrain(
      trainOptions({ target: evilTarget, outputDir }),
      slurmOptions({ scriptTemplate: template }),
      {
        log,
        env: jobEnv(),
      },
    );
    const lines = log.lines.map((l) => l.message);
    expect(lines).toContain(`template target: ${evilTarget}`);
    expect(lines).toContain(`template output: ${outputDir}`);
    expect(lines).toContain('job done');
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(join(outputDir, 'model.txt'))).toBe(true);
  });

  it('cancels the job when the step gets SIGINT (a cancelled workflow run)', async (context) => {
    needCluster(context);
    const outputDir = join(work, 'cancelled');
    const child = spawn(
      process.execPath,
      [
        '--import',
        tsx,
        entry,
        'train',
        '--launcher',
        'slurm',
        '--command',
        `${process.execPath} ${JOB}`,
        '--epochs',
        '100',
        '--output-dir',
        outputDir,
        '--cache',
        'false',
        '--slurm-poll-seconds',
        '0.3',
      ],
      { cwd: work, env: jobEnv({ JOB_EPOCH_SECONDS: '1' }), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const gotOutput = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes('mlops-metric epoch=1 ')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    await gotOutput;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    const jobId = /Submitted Slurm job (\d+)/.exec(output)?.[1];
    expect(jobId).toBeDefined();
    expect(output).toContain(
      `Slurm job ${jobId} was cancelled because the workflow run was cancelled (SIGINT).`,
    );
    expect(jobState(jobId!)).toBe('CANCELLED');
  }, 90_000);

  it('stops at the time limit with its own message, and a resumed run continues from the checkpoint', async (context) => {
    needCluster(context);
    const outputDir = join(work, 'resumable');
    mkdirSync(outputDir, { recursive: true });
    const env = jobEnv({ JOB_EPOCH_SECONDS: '2' });
    const timedOut = await failureOf(
      runSlurmTrain(
        trainOptions({ outputDir, epochs: 1000, timeoutMinutes: 1 }),
        slurmOptions({ pollSeconds: 1 }),
        {
          log: memoryLog(),
          env,
        },
      ),
    );
    expect(timedOut.message).toMatch(
      /^Slurm job \d+ reached its time limit \(timeout-minutes: 1\) and was stopped on \S+\. Checkpoints written so far/,
    );
    expect(timedOut.input).toBe('timeout-minutes');
    const reached = Number(readFileSync(join(outputDir, 'checkpoints/last-epoch.txt'), 'utf8'));
    expect(reached).toBeGreaterThan(20);

    const log = memoryLog();
    const resumed = await runSlurmTrain(
      trainOptions({ outputDir, epochs: reached + 3, resume: true }),
      slurmOptions(),
      { log, env: jobEnv() },
    );
    expect(log.lines.map((l) => l.message)).toContain(
      `job started on ${cluster!.node} in ${work} at epoch ${reached} with args []`,
    );
    const metrics = JSON.parse(readFileSync(resumed.metricsPath, 'utf8'));
    expect(metrics.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([
      reached + 1,
      reached + 2,
      reached + 3,
    ]);
    expect(metrics.slurm.state).toBe('COMPLETED');
  }, 180_000);

  it('through the runner: outputs the job id, keeps it for the post step, which cancels a job still queued', async (context) => {
    needCluster(context);
    const workspace = mkdtempSync(join(tmpdir(), 'slurm-step-'));
    const env = { SLURM_CONF: cluster!.env.SLURM_CONF, PATH: cluster!.env.PATH };
    const step = await runSourceStep({
      action: 'actions/train',
      workspace,
      with: {
        launcher: 'slurm',
        command: `${process.execPath} ${JOB}`,
        epochs: 2,
        'slurm-poll-seconds': 0.3,
        'slurm-job-name': 'runner-step',
      },
      env,
    });
    expect(step.stderr).toBe('');
    expect(step.exitCode).toBe(0);
    const jobId = step.outputs['slurm-job-id'];
    expect(jobId).toMatch(/^\d+$/);
    expect(step.state).toEqual({ 'slurm-job-id': jobId });
    expect(step.summary).toContain(`| Slurm job | ${jobId} (COMPLETED) on ${cluster!.node}`);
    // Tracked like a run on the runner: the local store and run-record.json in the output folder.
    const [record] = await new LocalRunStore(join(workspace, '.mlops/runs')).listRuns('default');
    expect(record).toMatchObject({
      kind: 'train',
      status: 'finished',
      slurm: { job_id: jobId, state: 'COMPLETED' },
    });
    expect(step.outputs['run-records']).toBe(join(workspace, 'mlops-artifacts/model'));
    expect(JSON.parse(readFileSync(join(step.outputs['run-records'], RUN_RECORD_FILE), 'utf8')).run_id).toBe(
      record.run_id,
    );
    const finished = await runSourceStep({
      action: 'actions/train',
      workspace,
      post: true,
      state: step.state,
      env,
    });
    expect(finished.stdout).toContain(`Slurm job ${jobId} already ended (COMPLETED); nothing to cancel.`);

    // A job the main step never saw end (the runner killed it): still waiting for its start time.
    const queued = spawnSync('sbatch', ['--parsable', '--begin=now+1hour', '--wrap=sleep 600'], {
      env: cluster!.env,
      encoding: 'utf8',
    }).stdout.trim();
    expect(jobState(queued)).toBe('PENDING');
    const post = await runSourceStep({
      action: 'actions/train',
      workspace,
      post: true,
      state: { 'slurm-job-id': queued },
      env,
    });
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain(
      `Slurm job ${queued} was still PENDING when the job ended, so the post step cancelled it (scancel).`,
    );
    expect(jobState(queued)).toBe('CANCELLED');
    // Without a submitted job (launcher: local) the post step does nothing.
    const idle = await runSourceStep({ action: 'actions/train', workspace, post: true, env });
    expect(idle.exitCode).toBe(0);
    expect(idle.stdout).toBe('');
  }, 120_000);
});
