import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../errors/index.js';
import type { Log } from '../../logging/index.js';
import { parseMetricLine } from '../metricLines.js';
import { isFinalState, type SlurmJobInfo } from './jobStates.js';
import { cancelJob, readJobInfo } from './slurmTools.js';

export interface FollowOptions {
  jobId: string;
  outputFile: string;
  env: NodeJS.ProcessEnv;
  log: Log;
  pollSeconds: number;
  /** Aborted when the workflow run is cancelled: the job is cancelled and followed to its end. */
  stop?: AbortSignal;
  tailLines?: number;
  /** Default UNKNOWN_JOB_GRACE_MS. */
  unknownGraceMs?: number;
}

export interface FollowResult {
  info: SlurmJobInfo;
  metricRows: Record<string, number>[];
  tail: string[];
  /** Why this step cancelled the job, when it did. */
  cancelledBy?: string;
}

/**
 * How long the controller may fail to answer about the job before the step gives up: long enough
 * for a slurmctld restart or failover, short enough not to hold a runner for nothing.
 */
const UNKNOWN_JOB_GRACE_MS = 120_000;

/**
 * Follows a submitted job to its end: polls its state, streams new lines of its output file into
 * the step log as they appear (parsing `mlops-metric` lines as a local command's are), and
 * cancels it when `stop` fires.
 */
export async function followJob(options: FollowOptions): Promise<FollowResult> {
  const { jobId, log } = options;
  const tailLimit = options.tailLines ?? 20;
  const tail: string[] = [];
  const metricRows: Record<string, number>[] = [];
  const warned = new Set<string>();
  const reader = new OutputTail(options.outputFile, (line) => {
    tail.push(line);
    if (tail.length > tailLimit) tail.shift();
    const metric = parseMetricLine(line);
    if (metric) {
      if (Object.keys(metric.values).length > 0) metricRows.push(metric.values);
      for (const bad of metric.rejected) {
        if (!warned.has(bad))
          log.warning(`Ignoring '${bad}' in a metric line: expected name=<finite number>.`);
        warned.add(bad);
      }
    }
    log.info(line);
  });

  let cancelledBy: string | undefined;
  let cancelRequest: Promise<void> | undefined;
  const onStop = () => {
    cancelledBy = `the workflow run was cancelled (${String(options.stop?.reason ?? 'stop signal')})`;
    log.warning(`Cancelling Slurm job ${jobId} (scancel): ${cancelledBy}.`);
    cancelRequest = cancelJob(jobId, options.env).then((problem) => {
      if (problem) log.warning(`scancel ${jobId}: ${problem}`);
    });
  };
  if (options.stop?.aborted) onStop();
  else options.stop?.addEventListener('abort', onStop, { once: true });

  let lastStatus = '';
  let unknownSince: number | undefined;
  const grace = options.unknownGraceMs ?? UNKNOWN_JOB_GRACE_MS;
  try {
    for (;;) {
      const info = await readJobInfo(jobId, options.env);
      if (info === undefined) {
        if (unknownSince === undefined) {
          unknownSince = Date.now();
          log.warning(`Slurm does not answer about job ${jobId} (scontrol, sacct); asking again.`);
        } else if (Date.now() - unknownSince > grace) {
          throw new UserError(
            `Slurm has not known job ${jobId} for ${grace / 1000} s (scontrol does not show it and sacct has no record): its result is unknown. Check the job on the cluster; checkpoints are in the checkpoint folder.`,
            { input: 'launcher' },
          );
        }
      } else {
        unknownSince = undefined;
        const status =
          info.state === 'PENDING'
            ? `Slurm job ${jobId} is pending (${info.reason}).`
            : info.state === 'RUNNING'
              ? `Slurm job ${jobId} is running on ${info.nodeList}.`
              : '';
        if (status && status !== lastStatus) log.info(status);
        if (status) lastStatus = status;
        await reader.readNew();
        if (isFinalState(info.state)) {
          // The node may still be writing the last lines when the controller marks the job done.
          await sleep(Math.min(1000, options.pollSeconds * 1000));
          await reader.readNew();
          reader.finish();
          await cancelRequest;
          return { info, metricRows, tail, cancelledBy };
        }
      }
      await sleep(options.pollSeconds * 1000);
    }
  } finally {
    options.stop?.removeEventListener('abort', onStop);
  }
}

/** Reads what was appended to a file since the last call and hands out complete lines. */
class OutputTail {
  private offset = 0;
  private pending = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
  ) {}

  async readNew(): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return; // Not created yet: the job has not started.
    }
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.push(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  private push(text: string): void {
    this.pending += text;
    let nl = this.pending.indexOf('\n');
    while (nl >= 0) {
      this.onLine(this.pending.slice(0, nl).replace(/\r$/, ''));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.indexOf('\n');
    }
  }

  finish(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.onLine(this.pending);
    this.pending = '';
  }
}
