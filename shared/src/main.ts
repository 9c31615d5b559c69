import { ACTIONS } from './actions/catalog.js';
import { executeAction, executePost, isActionName } from './actions/run.js';
import { ACTION_NAMES, ACTION_SPECS } from './actions/specs.generated.js';
import { runCommandLine } from './cli/main.js';
import { hideSecretsFromProcessTable } from './platform/child-env.js';
import { runnerPlatform } from './platform/runner.js';
import { runtimeProblem } from './platform/runtime.js';
import { didYouMean } from './text/nearest.js';

/**
 * Entry of a step on a GitHub runner. Without a name (the root action.yml), the `command` input
 * picks the step.
 */
export async function runAction(name?: string): Promise<void> {
  // First, before any child process exists: see hideSecretsFromProcessTable.
  const hidden = hideSecretsFromProcessTable();
  const platform = runnerPlatform();
  platform.log.debug(
    'hidden' in hidden
      ? `Hid ${hidden.hidden} secret value(s) from /proc/<pid>/environ.`
      : `Secrets not hidden from /proc/<pid>/environ: ${hidden.skipped}.`,
  );
  const tooOld = runtimeProblem();
  if (tooOld) {
    platform.log.error(tooOld);
    process.exitCode = 1;
    return;
  }
  const chosen = name ?? (platform.rawInput('command') ?? '').trim();
  if (!isActionName(chosen)) {
    platform.log.error(
      `Input 'command' must be one of ${ACTION_NAMES.join(', ')}; got '${chosen}'.${didYouMean(chosen, ACTION_NAMES)}`,
    );
    process.exitCode = 1;
    return;
  }
  if (name === undefined) dropRootDefaults(process.env);
  await executeAction(ACTIONS[chosen], platform);
}

/** Entry of a step's post step (`runs.post`), e.g. dist/train-post.js. */
export async function runPostAction(name: string): Promise<void> {
  if (!isActionName(name)) throw new Error(`Bug: no action '${name}' for a post step`);
  await executePost(ACTIONS[name], runnerPlatform());
}

export async function runCli(argv: string[]): Promise<void> {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  process.exitCode = await runCommandLine(argv);
}

/**
 * `mlops registry show m | head`: once the reader is gone, further output has nowhere to go. Unix
 * tools stop quietly there; so does the CLI, instead of dying on an unhandled EPIPE with a stack.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
}

/**
 * The root action.yml declares every step's inputs, so the runner fills in defaults that belong to
 * other steps (and, for shared names like `report`, another step's default). Those are dropped so
 * the chosen step sees only what the user set.
 */
function dropRootDefaults(env: NodeJS.ProcessEnv): void {
  delete env.INPUT_COMMAND;
  const rootDefaults = new Map<string, string>();
  for (const action of ACTION_NAMES) {
    for (const [input, spec] of Object.entries(ACTION_SPECS[action].inputs)) {
      if (!rootDefaults.has(input) && spec.default !== undefined) rootDefaults.set(input, spec.default);
    }
  }
  for (const [input, value] of rootDefaults) {
    const key = `INPUT_${input.toUpperCase()}`;
    if (env[key] === value) delete env[key];
  }
}
