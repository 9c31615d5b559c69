import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Log } from '../logging/index.js';
import { readRunEnvironment } from './environment.js';
import type { Platform, StepFailure } from './types.js';
import { stripControlSequences } from './untrusted-text.js';

export interface LocalOptions {
  /** Inputs from CLI flags, by input name. */
  inputs: Record<string, string>;
  /** Print outputs as one JSON object at the end instead of `name=value` lines. */
  json: boolean;
  /** Where the step summary (markdown) is appended. */
  summaryFile: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

/** A terminal log: messages on stderr (stdout is for outputs), a redrawn bar on a TTY. */
export function terminalLog(stderr: NodeJS.WritableStream & { isTTY?: boolean }, secrets: Set<string>): Log {
  const mask = (text: string) => {
    let out = stripControlSequences(text);
    for (const secret of secrets) out = out.split(secret).join('***');
    return out;
  };
  let barOpen = false;
  const write = (line: string) => {
    if (barOpen) {
      stderr.write('\n');
      barOpen = false;
    }
    stderr.write(`${line}\n`);
  };
  const lastStep = new Map<string, number>();
  return {
    info: (m) => write(mask(m)),
    warning: (m, where) =>
      write(`warning: ${where ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : ''}${mask(m)}`),
    error: (m, where) =>
      write(`error: ${where ? `${where.file}${where.line ? `:${where.line}` : ''}: ` : ''}${mask(m)}`),
    debug: (m) => {
      if (process.env.MLOPS_DEBUG === '1' || process.env.RUNNER_DEBUG === '1') write(`debug: ${mask(m)}`);
    },
    progress: (label, done, total) => {
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      if (stderr.isTTY) {
        const width = 30;
        const filled = Math.round(fraction * width);
        stderr.write(
          `\r${mask(label)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
        );
        barOpen = done < total;
        if (!barOpen) stderr.write('\n');
        return;
      }
      const step = Math.floor(fraction * 10);
      if (lastStep.get(label) === step && done < total) return;
      lastStep.set(label, step);
      write(`${mask(label)}: ${done}/${total} (${Math.floor(fraction * 100)}%)`);
    },
  };
}

/**
 * One summary file per run: a run (one CLI command, one demo) starts by removing the previous
 * run's summary, unless the user asked to keep it (`--keep-summaries`: appended after it).
 */
export function startRunSummary(summaryFile: string, keepPrevious: boolean): void {
  if (!keepPrevious) rmSync(resolve(summaryFile), { force: true });
}

/** The terminal: inputs from flags, outputs printed, summary appended to a markdown file. */
export function localPlatform(options: LocalOptions): Platform & { outputs: Record<string, string> } {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const secrets = new Set<string>();
  const mask = (text: string) => [...secrets].reduce((out, secret) => out.split(secret).join('***'), text);
  const outputs: Record<string, string> = {};
  // What --json prints: JSON outputs as nested values, not JSON text inside JSON.
  const printed: Record<string, unknown> = {};
  const summaryFile = resolve(options.summaryFile);
  const states = new Map<string, string>();
  return {
    kind: 'local',
    log: terminalLog(stderr, secrets),
    env: readRunEnvironment(env),
    outputs,
    rawInput: (name) => options.inputs[name],
    unknownInputs: (declared) => Object.keys(options.inputs).filter((name) => !declared.includes(name)),
    setOutput(name, value, json) {
      outputs[name] = value;
      printed[name] = json && value !== '' ? JSON.parse(value) : value;
      if (!options.json) stdout.write(`${name}=${value}\n`);
    },
    setSecret: (value) => {
      if (value) secrets.add(value);
    },
    saveState: (name, value) => {
      states.set(name, value);
    },
    state: (name) => states.get(name),
    async appendSummary(markdown) {
      mkdirSync(dirname(summaryFile), { recursive: true });
      appendFileSync(summaryFile, `${markdown}\n`);
    },
    token() {
      const token = options.inputs['github-token'] || env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
      if (token) secrets.add(token);
      return token;
    },
    async finish(exitCode, failure?: StepFailure) {
      if (options.json) {
        const error = failure ? { error: { ...failure, message: mask(failure.message) } } : {};
        stdout.write(`${JSON.stringify({ exitCode, ...error, outputs: printed }, null, 2)}\n`);
      }
      process.exitCode = exitCode;
    },
  };
}
