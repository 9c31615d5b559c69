/** Starts a job in a child process, waits until it reaches a named crash point, and SIGKILLs it there. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeployOptions } from '../../shared/src/deploy/run-deploy.js';
import { CRASH_POINT_ENV, CRASH_SIGNAL_ENV } from '../../shared/src/files/crash-point.js';
import type { TrainOptions } from '../../shared/src/train/runTrain.js';
import { REPO_ROOT } from '../harness/runner.js';

export type CrashJob =
  | { kind: 'train'; options: TrainOptions }
  | { kind: 'deploy'; options: DeployOptions }
  | { kind: 'cache-save'; root: string; paths: string[]; key: string };

/** Resolves once the child was killed at `point`; rejects when it ends or stalls before reaching it. */
export async function killAt(job: CrashJob, point: string, timeoutMs = 30_000): Promise<void> {
  const signal = join(mkdtempSync(join(tmpdir(), 'mlops-crash-')), 'reached');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test/reliability/crash-worker.ts'), JSON.stringify(job)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, [CRASH_POINT_ENV]: point, [CRASH_SIGNAL_ENV]: signal },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('close', (code, killedBy) => resolve(killedBy ?? code)),
  );
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(signal)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`the ${job.kind} job never reached ${point}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  const how = await exited;
  if (how !== 'SIGKILL') throw new Error(`the ${job.kind} job ended with ${String(how)} instead of the kill`);
}
