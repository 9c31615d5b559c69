import { ACTIONS } from './actions/catalog.js';
import { executeAction, executePost, isActionName } from './actions/run.js';
import { ACTION_NAMES, ACTION_SPECS } from './actions/specs.generated.js';
import { runCommandLine } from './cli/main.js';
import { runnerPlatform } from './platform/runner.js';
import { didYouMean } from './text/nearest.js';

/**
 * Entry of a step on a GitHub runner. Without a name (the root action.yml), the `command` input
 * picks the step.
 */
export async function runAction(name?: string): Promise<void> {
  const platform = runnerPlatform();
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
  process.exitCode = await runCommandLine(argv);
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
