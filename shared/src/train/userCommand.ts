import { spawn } from 'node:child_process';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import { parseMetricLine } from './metricLines.js';

export interface UserCommandOptions {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Stop the program after this long: SIGTERM, then SIGKILL after `killGraceSeconds`. */
  timeoutMinutes?: number;
  killGraceSeconds?: number;
  log: Log;
  /** Lines of output kept for the error message when the program fails. */
  tailLines?: number;
}

export interface UserCommandResult {
  /** Rows from `mlops-metric` stdout lines, in order. */
  metricRows: Record<string, number>[];
  durationSeconds: number;
}

/**
 * Runs the user's training program from an argv array (never through a shell), streaming its
 * stdout and stderr line by line to the log as they arrive. The program runs in its own process
 * group so a timeout stops the children it started (data loaders, torchrun workers) too.
 */
export async function runUserCommand(options: UserCommandOptions): Promise<UserCommandResult> {
  const { argv, log } = options;
  if (argv.length === 0 || argv[0] === '') throw new UserError('The command is empty.', { input: 'command' });
  const tailLimit = options.tailLines ?? 20;
  const tail: string[] = [];
  const metricRows: Record<string, number>[] = [];
  const warnedNames = new Set<string>();
  const started = performance.now();

  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });

  const onLine = (line: string, stream: 'stdout' | 'stderr') => {
    tail.push(line);
    if (tail.length > tailLimit) tail.shift();
    if (stream === 'stdout') {
      const metric = parseMetricLine(line);
      if (metric) {
        if (Object.keys(metric.values).length > 0) metricRows.push(metric.values);
        for (const bad of metric.rejected) {
          if (!warnedNames.has(bad))
            log.warning(`Ignoring '${bad}' in a metric line: expected name=<finite number>.`);
          warnedNames.add(bad);
        }
      }
    }
    log.info(line);
  };
  const pipeLines = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') => {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        onLine(buffer.slice(0, nl).replace(/\r$/, ''), name);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    });
    stream.on('end', () => {
      if (buffer !== '') onLine(buffer, name);
      buffer = '';
    });
  };
  pipeLines(child.stdout!, 'stdout');
  pipeLines(child.stderr!, 'stderr');

  let timedOut = false;
  let killedHard = false;
  const grace = (options.killGraceSeconds ?? 30) * 1000;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  let hardTimer: NodeJS.Timeout | undefined;
  const timer =
    options.timeoutMinutes !== undefined && options.timeoutMinutes > 0
      ? setTimeout(() => {
          timedOut = true;
          log.warning(
            `The command ran longer than timeout-minutes (${options.timeoutMinutes}); sending SIGTERM, and SIGKILL in ${grace / 1000} s if it does not exit.`,
          );
          signalGroup('SIGTERM');
          hardTimer = setTimeout(() => {
            killedHard = true;
            log.warning('The command did not exit after SIGTERM; sending SIGKILL.');
            signalGroup('SIGKILL');
          }, grace);
        }, options.timeoutMinutes * 60_000)
      : undefined;

  const outcome = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    error?: NodeJS.ErrnoException;
  }>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  if (timer) clearTimeout(timer);
  if (hardTimer) clearTimeout(hardTimer);
  const durationSeconds = (performance.now() - started) / 1000;
  const lastLines = tail.length > 0 ? `\nLast ${tail.length} lines of output:\n${tail.join('\n')}` : '';

  if (outcome.error) {
    if (outcome.error.code === 'ENOENT') {
      throw new UserError(
        `The command '${argv[0]}' was not found (working directory '${options.cwd}'). Check the program name and PATH.`,
        { input: 'command' },
      );
    }
    if (outcome.error.code === 'EACCES') {
      throw new UserError(`The command '${argv[0]}' is not executable (permission denied).`, {
        input: 'command',
      });
    }
    throw new UserError(`The command '${argv[0]}' could not be started: ${outcome.error.message}`, {
      input: 'command',
    });
  }
  if (timedOut) {
    throw new UserError(
      `The command was stopped after timeout-minutes (${options.timeoutMinutes}) with SIGTERM${killedHard ? ' and then SIGKILL' : ''}. ` +
        `Checkpoints written so far are kept; run again with resume: true to continue.${lastLines}`,
      { input: 'timeout-minutes' },
    );
  }
  if (outcome.code !== 0) {
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
    throw new UserError(`The command '${argv.join(' ')}' ${how}.${lastLines}`, { input: 'command' });
  }
  return { metricRows, durationSeconds };
}
