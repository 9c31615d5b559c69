import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./registry-worker.ts', import.meta.url));

export interface Worker {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  /** The worker's last stdout line, parsed, once it exits with code 0. */
  result: Promise<unknown>;
}

/** Starts a real Node process running registry-worker.ts through tsx. */
export function startWorker(job: object, env: NodeJS.ProcessEnv = {}): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const result = new Promise<unknown>((resolve, reject) => {
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`worker exited with ${code ?? signal}: ${stderr}`));
        return;
      }
      const lines = stdout.trim().split('\n');
      resolve(JSON.parse(lines.at(-1)!));
    });
  });
  return { child, ready, result };
}

/** Starts the workers, waits until all have loaded, then releases them at once. */
export async function runTogether(jobs: object[]): Promise<unknown[]> {
  const workers = jobs.map((job) => startWorker(job));
  await Promise.all(workers.map((worker) => worker.ready));
  for (const worker of workers) worker.child.stdin.write('go\n');
  return Promise.all(workers.map((worker) => worker.result));
}
