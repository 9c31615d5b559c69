/**
 * Times a whole process for the benchmarks: wall seconds, and under GNU time (when installed) its
 * CPU seconds (user + system, threads included) and peak RSS. On a shared machine the wall time
 * moves with other people's load; CPU seconds show the work each side did.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface TimedProcess {
  ok: boolean;
  stdout: string;
  stderr: string;
  seconds: number;
  /** User + system CPU seconds; NaN without GNU time. */
  cpuSeconds: number;
  /** Peak resident set size; NaN without GNU time. */
  peakRssMiB: number;
}

export function timedProcess(command: string, args: string[], cwd: string): TimedProcess {
  const useTime = existsSync('/usr/bin/time');
  const options = { encoding: 'utf8' as const, cwd, maxBuffer: 64 * 1024 * 1024 };
  const started = performance.now();
  const run = useTime
    ? spawnSync('/usr/bin/time', ['-v', command, ...args], options)
    : spawnSync(command, args, options);
  const seconds = (performance.now() - started) / 1000;
  const stderr = run.stderr ?? '';
  const figure = (label: string) => {
    const match = new RegExp(`${label}: ([\\d.]+)`).exec(stderr);
    return match ? Number(match[1]) : Number.NaN;
  };
  return {
    ok: run.status === 0,
    stdout: run.stdout ?? '',
    stderr,
    seconds,
    cpuSeconds: figure('User time \\(seconds\\)') + figure('System time \\(seconds\\)'),
    peakRssMiB: figure('Maximum resident set size \\(kbytes\\)') / 1024,
  };
}
