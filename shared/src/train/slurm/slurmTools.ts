import { execFile } from 'node:child_process';
import { UserError } from '../../errors/index.js';
import { isFinalState, type SlurmJobInfo } from './jobStates.js';

interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one Slurm client program (argv, never a shell). A missing program is the user's setup, so
 * it gets a message naming the launcher; anything else is returned for the caller to judge.
 */
export function runSlurmTool(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (failure && failure.code === 'ENOENT') {
        reject(
          new UserError(
            `launcher: slurm needs '${program}' on PATH, and it was not found. Run the step on a runner that can submit Slurm jobs (a login node), or use launcher: local.`,
            { input: 'launcher' },
          ),
        );
        return;
      }
      if (failure && typeof failure.code !== 'number') {
        reject(
          new UserError(`launcher: slurm could not run '${program}': ${failure.message}`, {
            input: 'launcher',
          }),
        );
        return;
      }
      resolve({ code: failure ? Number(failure.code) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** `sbatch --parsable` with the script on stdin; returns the job id. Slurm's refusal is shown as it is. */
export async function submitBatchJob(
  args: string[],
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const run = await runSlurmTool('sbatch', args, env, script);
  if (run.code !== 0) {
    const said = (run.stderr.trim() || run.stdout.trim() || `exit code ${run.code}`)
      .split('\n')
      .map((line) => line.replace(/^sbatch: error: /, '').trim())
      .filter((line) => line !== '')
      .join('; ');
    throw new UserError(`Slurm rejected the training job: ${said}`, { input: 'launcher' });
  }
  // --parsable prints "jobid" or "jobid;cluster".
  const id = run.stdout.trim().split(/[;\n]/)[0];
  if (!/^[0-9]+$/.test(id)) throw new Error(`sbatch --parsable printed '${run.stdout.trim()}', not a job id`);
  return id;
}

/**
 * The job's state from the controller, or from accounting once the controller has purged it
 * (MinJobAge). Undefined when neither knows the job; sacct is only asked when scontrol cannot
 * answer, as many clusters run without accounting storage.
 */
export async function readJobInfo(jobId: string, env: NodeJS.ProcessEnv): Promise<SlurmJobInfo | undefined> {
  const shown = await runSlurmTool('scontrol', ['show', 'job', '-o', jobId], env);
  if (shown.code === 0 && shown.stdout.includes(`JobId=${jobId}`)) return parseScontrolJob(shown.stdout);
  const accounted = await runSlurmTool(
    'sacct',
    [
      '--noheader',
      '--parsable2',
      '--allocations',
      '--jobs',
      jobId,
      '--format=State,ExitCode,NodeList,ElapsedRaw,Reason,Submit,Start',
    ],
    env,
  );
  if (accounted.code === 0) return parseSacctLine(accounted.stdout);
  return undefined;
}

/** `scontrol show job -o` prints one line of Key=Value pairs; values may contain spaces. */
export function parseScontrolJob(line: string): SlurmJobInfo {
  const fields = new Map<string, string>();
  const pattern = /(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=(.*?)(?=\s+[A-Za-z][A-Za-z0-9_/:]*=|\s*$)/g;
  for (const match of line.trim().matchAll(pattern)) fields.set(match[1], match[2]);
  const [code, signal] = (fields.get('ExitCode') ?? '0:0').split(':').map(Number);
  return {
    state: (fields.get('JobState') ?? 'UNKNOWN').split(/[\s+]/)[0],
    reason: fields.get('Reason') ?? 'None',
    exitCode: code,
    signal: signal || 0,
    nodeList: emptyNull(fields.get('NodeList')),
    elapsedSeconds: parseSlurmDuration(fields.get('RunTime') ?? '0'),
    queuedSeconds: secondsBetween(fields.get('SubmitTime'), fields.get('StartTime')),
  };
}

function parseSacctLine(text: string): SlurmJobInfo | undefined {
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (!line) return undefined;
  const [state, exit, nodeList, elapsed, reason, submitted, started] = line.split('|');
  const [code, signal] = (exit ?? '0:0').split(':').map(Number);
  // sacct writes "CANCELLED by 0".
  return {
    state: state.split(' ')[0],
    reason: reason || 'None',
    exitCode: code,
    signal: signal || 0,
    nodeList: emptyNull(nodeList),
    elapsedSeconds: Number(elapsed) || 0,
    queuedSeconds: secondsBetween(submitted, started),
  };
}

/** Slurm prints times in the controller's local time without a zone; both are read alike. */
function secondsBetween(from: string | undefined, to: string | undefined): number {
  const start = Date.parse(from ?? '');
  const end = Date.parse(to ?? '');
  return Number.isFinite(start) && Number.isFinite(end) && end >= start ? (end - start) / 1000 : 0;
}

function emptyNull(value: string | undefined): string {
  return value === undefined || value === '(null)' || value === 'None assigned' ? '' : value;
}

/** `[D-]HH:MM:SS`, `MM:SS` or minutes, as Slurm prints durations, in seconds. */
export function parseSlurmDuration(text: string): number {
  const match = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(text.trim());
  if (!match) return 0;
  const days = Number(match[1] ?? 0);
  const parts = [match[2], match[3], match[4]].filter((p) => p !== undefined).map(Number);
  const [h, m, s] =
    parts.length === 3 ? parts : parts.length === 2 ? [0, parts[0], parts[1]] : [0, parts[0], 0];
  return ((days * 24 + h) * 60 + m) * 60 + s;
}

/** Asks Slurm to cancel the job; a job that already ended is not an error. */
export async function cancelJob(jobId: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const run = await runSlurmTool('scancel', [jobId], env);
  return run.code === 0 ? undefined : run.stderr.trim() || `scancel exited with code ${run.code}`;
}

/**
 * The post step's clean-up: a job the main step submitted but did not see end (it was killed, or
 * the runner stopped it) is cancelled, so no cluster time is spent on a run nobody follows.
 * Returns what it did, for the log.
 */
export async function cancelUnfinishedJob(jobId: string, env: NodeJS.ProcessEnv): Promise<string> {
  const info = await readJobInfo(jobId, env);
  if (info === undefined) return `Slurm job ${jobId} is no longer known to the cluster; nothing to cancel.`;
  if (isFinalState(info.state)) return `Slurm job ${jobId} already ended (${info.state}); nothing to cancel.`;
  const problem = await cancelJob(jobId, env);
  if (problem) return `Slurm job ${jobId} was still ${info.state} and could not be cancelled: ${problem}`;
  return `Slurm job ${jobId} was still ${info.state} when the job ended, so the post step cancelled it (scancel).`;
}
