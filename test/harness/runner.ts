/**
 * Runs a built action the way a GitHub runner does: `node dist/<action>.js` in a child process with
 * INPUT_* from the action.yml defaults and the step's `with:`, the runner's file commands
 * (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_STEP_SUMMARY), an event payload, and
 * GITHUB_WORKSPACE / RUNNER_TEMP / RUNNER_TOOL_CACHE.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { executedCommands } from '../security/runner-commands.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface StepOptions {
  /** `actions/<name>` folder, or '.' for the root action. */
  action: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string | undefined>;
  event?: { name: string; payload: Record<string, unknown> };
  workspace?: string;
  /** Where the action lives; defaults to the repository (a test can copy dist elsewhere). */
  actionRoot?: string;
  timeoutMs?: number;
  /** Run the action's post step (`runs.post`) instead of its main step. */
  post?: boolean;
  /** What the main step saved (GITHUB_STATE), given to the post step as STATE_<name>. */
  state?: Record<string, string>;
}

export interface StepResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  env: Record<string, string>;
  /** What the step saved for its post step (GITHUB_STATE). */
  state?: Record<string, string>;
  summary: string;
  /** `::error ...::message` etc. lines as the runner would turn them into annotations. */
  annotations: { level: string; properties: Record<string, string>; message: string }[];
  workspace: string;
}

/** Parses the runner's file-command format: `name=value` lines and `name<<DELIM ... DELIM` blocks. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) body.push(lines[i++]);
      if (i >= lines.length) throw new Error(`unterminated heredoc for ${name}`);
      out[name] = body.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`bad file-command line: ${line}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function inputEnv(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** The inputs a runner would set: action.yml defaults (expressions evaluated as a runner would), then `with:`. */
export function runnerInputs(
  actionDir: string,
  withValues: Record<string, string | number | boolean>,
  token: string,
): Record<string, string> {
  const meta = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: string }>;
  };
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    if (spec.default === undefined) continue;
    env[inputEnv(name)] = String(spec.default).replace('${{ github.token }}', token);
  }
  for (const [name, value] of Object.entries(withValues)) env[inputEnv(name)] = String(value);
  return env;
}

export async function runStep(options: StepOptions): Promise<StepResult> {
  const actionRoot = options.actionRoot ?? REPO_ROOT;
  const actionDir = resolve(actionRoot, options.action);
  const meta = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as {
    runs: { using: string; main: string; post?: string };
  };
  if (meta.runs.using !== 'node24')
    throw new Error(`${options.action} runs ${meta.runs.using}, expected node24`);
  const runnerDir = mkdtempSync(join(tmpdir(), 'mlops-runner-'));
  const workspace = options.workspace ?? join(runnerDir, 'workspace');
  const temp = join(runnerDir, 'temp');
  const toolCache = join(runnerDir, 'tool-cache');
  for (const dir of [workspace, temp, toolCache]) mkdirSync(dir, { recursive: true });
  const files = {
    GITHUB_OUTPUT: join(runnerDir, 'output'),
    GITHUB_ENV: join(runnerDir, 'env'),
    GITHUB_STATE: join(runnerDir, 'state'),
    GITHUB_STEP_SUMMARY: join(runnerDir, 'summary'),
    GITHUB_PATH: join(runnerDir, 'path'),
    GITHUB_EVENT_PATH: join(runnerDir, 'event.json'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(options.event?.payload ?? {}));
  const token = options.env?.GITHUB_TOKEN ?? 'ghs_harnessToken0000000000000000000000';
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'SYSTEMROOT'])
    if (process.env[key]) base[key] = process.env[key] as string;
  const env: Record<string, string | undefined> = {
    ...base,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: toolCache,
    RUNNER_OS: 'Linux',
    GITHUB_REPOSITORY: 'octo-org/models',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: options.event?.name ?? 'push',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_ACTION_PATH: actionDir,
    ...files,
    ...runnerInputs(actionDir, options.with ?? {}, token),
    ...Object.fromEntries(
      Object.entries(options.state ?? {}).map(([name, value]) => [`STATE_${name}`, value]),
    ),
    ...options.env,
  };
  if (options.post && !meta.runs.post) throw new Error(`${options.action} has no post step`);
  const mainFile = resolve(actionDir, options.post ? meta.runs.post! : meta.runs.main);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [mainFile], {
      cwd: workspace,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      // Read as the runner reads them: escaped data (`%25`, `%0A`, …) decoded, fenced text skipped.
      const annotations = executedCommands(stdout)
        .filter((command) => ['error', 'warning', 'notice'].includes(command.name))
        .map((command) => ({ level: command.name, properties: command.properties, message: command.data }));
      done({
        exitCode: code ?? 1,
        stdout,
        stderr,
        outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
        env: parseFileCommands(readFileSync(files.GITHUB_ENV, 'utf8')),
        state: parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8')),
        summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
        annotations,
        workspace,
      });
    });
  });
}
