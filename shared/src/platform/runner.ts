import * as core from '@actions/core';
import type { Log, SourceLocation } from '../logging/index.js';
import { measure, STEP_SUMMARY } from '../report/github-limits.js';
import { readRunEnvironment } from './environment.js';
import type { Platform } from './types.js';
import { guardWorkflowCommands, stripControlSequences } from './untrusted-text.js';

function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

function safe(text: string): string {
  return guardWorkflowCommands(stripControlSequences(text));
}

function annotation(where: SourceLocation | undefined): core.AnnotationProperties | undefined {
  if (!where) return undefined;
  return { file: where.file, startLine: where.line, startColumn: where.column };
}

/** Messages go out as workflow commands; one-line, with untrusted parts neutralised. */
function oneLine(text: string): string {
  return stripControlSequences(text).replace(/\r?\n/g, ' ');
}

export function runnerLog(): Log {
  // Progress lines are throttled: a CI log is read by people, not redrawn.
  const lastShown = new Map<string, number>();
  return {
    info: (message) => core.info(safe(message)),
    warning: (message, where) => core.warning(oneLine(message), annotation(where)),
    error: (message, where) => core.error(oneLine(message), annotation(where)),
    debug: (message) => core.debug(oneLine(message)),
    progress: (label, done, total) => {
      const percent = total > 0 ? Math.floor((100 * done) / total) : 0;
      const step = Math.floor(percent / 10);
      if (lastShown.get(label) === step && done < total) return;
      lastShown.set(label, step);
      core.info(safe(`${label}: ${done}/${total} (${percent}%)`));
    },
  };
}

/** The GitHub runner: inputs from INPUT_*, outputs and summary through the runner's files. */
export function runnerPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  const runEnv = readRunEnvironment(env);
  let summaryBytes = 0;
  return {
    kind: 'github',
    log: runnerLog(),
    env: runEnv,
    rawInput(name) {
      const value = env[inputEnvName(name)];
      return value === undefined ? undefined : value;
    },
    unknownInputs(declared) {
      const known = new Set(declared.map(inputEnvName));
      return Object.keys(env)
        .filter((key) => key.startsWith('INPUT_') && !known.has(key))
        .map((key) => key.slice('INPUT_'.length).toLowerCase());
    },
    setOutput: (name, value) => core.setOutput(name, value),
    saveState: (name, value) => core.saveState(name, value),
    state: (name) => env[`STATE_${name}`] || undefined,
    setSecret: (value) => core.setSecret(value),
    async appendSummary(markdown) {
      if (!env.GITHUB_STEP_SUMMARY) return;
      const bytes = measure(markdown, STEP_SUMMARY.unit);
      if (summaryBytes + bytes > STEP_SUMMARY.max) {
        core.warning("The step summary would pass GitHub's 1 MiB limit; the rest is in the JSON report.");
        return;
      }
      summaryBytes += bytes;
      await core.summary.addRaw(markdown, true).write();
    },
    token() {
      const token = env[inputEnvName('github-token')] || env.GITHUB_TOKEN || undefined;
      if (token) core.setSecret(token);
      return token;
    },
    async finish(exitCode) {
      process.exitCode = exitCode;
    },
  };
}
