import { UserError } from '../../errors/index.js';
import { NOT_SHARED_EXIT_CODE } from './batchScript.js';

/** What Slurm says about a job, from `scontrol show job` or, when that has forgotten it, `sacct`. */
export interface SlurmJobInfo {
  state: string;
  /** Why a job waits (`Resources`, `Priority`) or why it ended (`NonZeroExitCode`, `TimeLimit`). */
  reason: string;
  /** Exit code of the batch script; `signal` is the signal that ended it (0: none). */
  exitCode: number;
  signal: number;
  nodeList: string;
  elapsedSeconds: number;
  /** From submission to start; 0 while pending or when unknown. */
  queuedSeconds: number;
}

/** States after which a job never runs again (Slurm's "completed" family). */
const FINAL_STATES = new Set([
  'COMPLETED',
  'FAILED',
  'TIMEOUT',
  'CANCELLED',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'SPECIAL_EXIT',
  'REVOKED',
]);

export function isFinalState(state: string): boolean {
  return FINAL_STATES.has(state);
}

export interface FinishedJob {
  jobId: string;
  info: SlurmJobInfo;
  /** The last lines the job printed, for the message. */
  tail: string[];
  /** Set when this step cancelled the job (the workflow run was cancelled). */
  cancelledBy?: string;
  timeLimitMinutes?: number;
  memory?: string;
}

/**
 * The step's result for a finished job: nothing for COMPLETED with exit code 0, else one
 * `UserError` whose message says what Slurm decided and what to do about it.
 */
export function finishedJobError(job: FinishedJob): UserError | undefined {
  const { jobId, info } = job;
  const last =
    job.tail.length > 0 ? `\nLast ${job.tail.length} lines of the job's output:\n${job.tail.join('\n')}` : '';
  const on = info.nodeList ? ` on ${info.nodeList}` : '';
  const exit = `exit code ${info.exitCode}${info.signal ? `, signal ${info.signal}` : ''}`;
  const resume =
    'Checkpoints written so far are in the checkpoint folder; run again with resume: true to continue.';
  const fail = (message: string, input = 'launcher') => new UserError(`${message}${last}`, { input });
  switch (info.state) {
    case 'COMPLETED':
      if (info.exitCode === 0 && info.signal === 0) return undefined;
      return fail(`Slurm job ${jobId} completed${on} but its script returned ${exit}.`, 'command');
    case 'FAILED':
      if (info.exitCode === NOT_SHARED_EXIT_CODE) {
        return fail(
          `Slurm job ${jobId} stopped${on}: the node cannot see output-dir. Put output-dir on a filesystem the runner and the cluster nodes share (e.g. /scratch or your home directory).`,
          'output-dir',
        );
      }
      return fail(`Slurm job ${jobId} failed${on}: the training command ended with ${exit}.`, 'command');
    case 'TIMEOUT':
      return fail(
        `Slurm job ${jobId} reached its time limit${job.timeLimitMinutes ? ` (timeout-minutes: ${job.timeLimitMinutes})` : ' (the partition default)'} and was stopped${on}. ${resume}`,
        'timeout-minutes',
      );
    case 'CANCELLED':
      return fail(
        job.cancelledBy
          ? `Slurm job ${jobId} was cancelled because ${job.cancelledBy}.`
          : `Slurm job ${jobId} was cancelled outside this step (scancel by a user or an administrator)${on}.`,
      );
    case 'OUT_OF_MEMORY':
      return fail(
        `Slurm job ${jobId} ran out of memory${on} and was killed${job.memory ? ` (slurm-memory: ${job.memory})` : ''}. Ask for more with slurm-memory, or lower batch-size.`,
        'slurm-memory',
      );
    case 'NODE_FAIL':
      return fail(
        `Slurm job ${jobId} was lost because its node failed${on}; the training command did not fail. ${resume}`,
      );
    case 'PREEMPTED':
      return fail(`Slurm job ${jobId} was preempted by a higher-priority job${on}. ${resume}`);
    case 'BOOT_FAIL':
      return fail(`Slurm job ${jobId} could not start: its node failed to boot${on}.`);
    case 'DEADLINE':
      return fail(`Slurm job ${jobId} missed its deadline and was stopped.`);
    default:
      return fail(`Slurm job ${jobId} ended in state ${info.state} (reason ${info.reason}, ${exit})${on}.`);
  }
}
