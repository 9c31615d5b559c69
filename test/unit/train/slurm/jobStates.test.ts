import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../../../shared/src/logging/index.js';
import { finishedJobError, type SlurmJobInfo } from '../../../../shared/src/train/slurm/jobStates.js';
import { runSlurmTrain } from '../../../../shared/src/train/slurm/runSlurmTrain.js';
import {
  parseScontrolJob,
  parseSlurmDuration,
  runSlurmTool,
} from '../../../../shared/src/train/slurm/slurmTools.js';

// Printed by slurm-wlm 22.05.8's `scontrol show job -o` for a script that exited 3.
const FAILED_LINE =
  'JobId=1 JobName=f.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:07 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-12-07T13:18:29 EligibleTime=2026-12-07T13:18:29 AccrueTime=2026-12-07T13:18:29 StartTime=2026-12-07T13:18:31 EndTime=2026-12-07T13:18:38 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-12-07T13:18:31 Scheduler=Main Partition=debug AllocNode:Sid=localhost:4217 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=2000M,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* MinCPUsNode=1 MinMemoryNode=0 MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=/tmp/my jobs/f.sh WorkDir=/tmp/my jobs StdErr=/tmp/i21-slurm/o1.out StdIn=/dev/null StdOut=/tmp/i21-slurm/o1.out Power= ';

const info = (state: string, overrides: Partial<SlurmJobInfo> = {}): SlurmJobInfo => ({
  state,
  reason: 'None',
  exitCode: 0,
  signal: 0,
  nodeList: 'gpu01',
  elapsedSeconds: 10,
  queuedSeconds: 2,
  ...overrides,
});

describe('scontrol output', () => {
  it('reads state, exit code, nodes and times from a real line, values with spaces included', () => {
    expect(parseScontrolJob(FAILED_LINE)).toEqual({
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      exitCode: 3,
      signal: 0,
      nodeList: 'vm',
      elapsedSeconds: 7,
      queuedSeconds: 2,
    });
  });

  it('reads Slurm durations', () => {
    expect(parseSlurmDuration('00:01:21')).toBe(81);
    expect(parseSlurmDuration('2-03:00:05')).toBe(2 * 86400 + 3 * 3600 + 5);
    expect(parseSlurmDuration('05:09')).toBe(309);
  });
});

describe('final states', () => {
  it('passes a completed job with exit code 0 only', () => {
    expect(finishedJobError({ jobId: '9', info: info('COMPLETED'), tail: [] })).toBeUndefined();
  });

  it('gives COMPLETED (non-zero), FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY and NODE_FAIL their own messages', () => {
    const tail = ['last line'];
    const messages = [
      finishedJobError({ jobId: '9', info: info('FAILED', { exitCode: 3 }), tail }),
      finishedJobError({
        jobId: '9',
        info: info('TIMEOUT', { exitCode: 0, signal: 15 }),
        tail,
        timeLimitMinutes: 30,
      }),
      finishedJobError({ jobId: '9', info: info('CANCELLED'), tail }),
      finishedJobError({
        jobId: '9',
        info: info('CANCELLED'),
        tail,
        cancelledBy: 'the workflow run was cancelled (SIGTERM)',
      }),
      finishedJobError({
        jobId: '9',
        info: info('OUT_OF_MEMORY', { exitCode: 0, signal: 9 }),
        tail,
        memory: '4G',
      }),
      finishedJobError({ jobId: '9', info: info('NODE_FAIL'), tail }),
    ].map((e) => e?.message.split('\n')[0]);
    expect(messages).toEqual([
      'Slurm job 9 failed on gpu01: the training command ended with exit code 3.',
      'Slurm job 9 reached its time limit (timeout-minutes: 30) and was stopped on gpu01. Checkpoints written so far are in the checkpoint folder; run again with resume: true to continue.',
      'Slurm job 9 was cancelled outside this step (scancel by a user or an administrator) on gpu01.',
      'Slurm job 9 was cancelled because the workflow run was cancelled (SIGTERM).',
      'Slurm job 9 ran out of memory on gpu01 and was killed (slurm-memory: 4G). Ask for more with slurm-memory, or lower batch-size.',
      'Slurm job 9 was lost because its node failed on gpu01; the training command did not fail. Checkpoints written so far are in the checkpoint folder; run again with resume: true to continue.',
    ]);
    const failed = finishedJobError({ jobId: '9', info: info('FAILED', { exitCode: 3 }), tail });
    expect(failed?.message).toContain("\nLast 1 lines of the job's output:\nlast line");
    expect(finishedJobError({ jobId: '9', info: info('FAILED', { exitCode: 97 }), tail: [] })?.input).toBe(
      'output-dir',
    );
  });
});

describe('Slurm programs', () => {
  it('fails train with launcher: slurm before writing a job when sbatch is missing', async () => {
    const work = mkdtempSync(join(tmpdir(), 'slurm-no-sbatch-'));
    const attempt = runSlurmTrain(
      {
        commandArgv: ['python', 'train.py'],
        epochs: 1,
        batchSize: 1,
        learningRate: 0.1,
        seed: 1,
        outputDir: join(work, 'out'),
        resume: false,
        cache: false,
        gpu: 'auto',
        workingDirectory: work,
      },
      { gpus: 0, nodes: 1, tasks: 1, extraOptions: [], pollSeconds: 1 },
      { log: memoryLog(), env: { PATH: join(work, 'empty-bin') } },
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'UserError',
      input: 'launcher',
      message: expect.stringMatching(/^launcher: slurm needs 'sbatch' on PATH, and it was not found\./),
    });
    expect(existsSync(join(work, 'out'))).toBe(false);
  });

  it('names the launcher when sbatch is not on PATH', async () => {
    await expect(runSlurmTool('sbatch', ['--version'], { PATH: '/nonexistent' })).rejects.toThrow(
      "launcher: slurm needs 'sbatch' on PATH, and it was not found. Run the step on a runner that can submit Slurm jobs (a login node), or use launcher: local.",
    );
  });
});
