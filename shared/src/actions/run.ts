import { loadConfig } from '../config/load.js';
import { errorMessage, GateFailure, isUserError, UserError } from '../errors/index.js';
import { describeGitHubFailure } from '../platform/github/request-failure.js';
import { platformServices } from '../platform/services.js';
import type { Platform, StepFailure } from '../platform/types.js';
import { didYouMean } from '../text/nearest.js';
import type { ActionDefinition } from './define.js';
import { ActionInputs } from './inputs.js';
import { isJsonOutput } from './json-outputs.js';
import { ACTION_SPECS, type ActionName } from './specs.generated.js';

/**
 * Set to `true` (a workflow's or job's `env:`) to fail a step given an input it does not declare.
 * Off by default on a runner, which itself only warns, as actions/checkout and friends do.
 */
export const STRICT_INPUTS_ENV = 'MLOPS_STRICT_INPUTS';

/**
 * Runs one step on a platform and is the only place errors are caught: a `UserError` becomes one
 * `::error::` line (pointing at a file and line when known), a bug keeps its stack for debug logs.
 * Returns the exit code.
 */
export async function executeAction(
  definition: ActionDefinition,
  platform: Platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const spec = ACTION_SPECS[definition.name];
  const log = platform.log;
  let exitCode = 0;
  let failure: StepFailure | undefined;
  const written: Record<string, string> = {};
  let pendingSummary: string | undefined;
  const writeOutputs = (outputs: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(outputs)) {
      if (!(name in spec.outputs))
        throw new Error(`Bug: ${definition.name} wrote undeclared output '${name}'`);
      if (value === undefined || written[name] === String(value)) continue;
      platform.setOutput(name, String(value), isJsonOutput(definition.name, name));
      written[name] = String(value);
    }
  };
  const writeSummary = async (summary: string | undefined) => {
    pendingSummary = undefined;
    if (summary) await platform.appendSummary(summary);
  };
  try {
    // Masked before anything can echo an input, a bad one included.
    platform.token();
    checkUnknownInputs(definition.name, platform, env);
    const baseDirectory = platform.env.workspace;
    const bootstrap = new ActionInputs(
      definition.name,
      spec,
      (n) => platform.rawInput(n),
      undefined,
      baseDirectory,
    );
    const config = loadConfig(bootstrap.optional('config'), bootstrap.workingDirectory);
    const inputs = new ActionInputs(
      definition.name,
      spec,
      (n) => platform.rawInput(n),
      config,
      baseDirectory,
    );
    for (const [name, input] of Object.entries(spec.inputs)) if (input.required) inputs.required(name);
    const result = await definition.run({
      inputs,
      config,
      platform,
      log,
      services: platformServices(platform),
      checkpoint(partial) {
        writeOutputs(partial.outputs);
        pendingSummary = partial.summary;
      },
    });
    writeOutputs(result.outputs);
    await writeSummary(result.summary ?? pendingSummary);
    if (result.failure) throw new GateFailure(result.failure);
  } catch (error) {
    exitCode = 1;
    // What was computed before the failure (a checkpoint) still reaches the job summary.
    if (pendingSummary) await writeSummary(pendingSummary).catch(() => undefined);
    if (error instanceof GateFailure) {
      failure = { kind: 'gate', message: error.message };
      log.error(error.message);
    } else if (isUserError(error)) {
      failure = {
        kind: 'user-error',
        message: error.message,
        ...(error.input ? { input: error.input } : {}),
        ...(error.location ? { location: error.location } : {}),
      };
      log.error(error.message, error.location);
    } else if (describeGitHubFailure(error)) {
      failure = { kind: 'github-api', message: `${definition.name}: ${describeGitHubFailure(error)}` };
      log.error(failure.message);
      log.debug(error instanceof Error && error.stack ? error.stack : String(error));
    } else {
      failure = {
        kind: 'bug',
        message: `${definition.name} failed unexpectedly: ${errorMessage(error)}. This is a bug; please report it with the debug log (ACTIONS_STEP_DEBUG=true).`,
      };
      log.error(failure.message);
      log.debug(error instanceof Error && error.stack ? error.stack : String(error));
    }
  }
  await platform.finish(exitCode, failure);
  return exitCode;
}

/**
 * An input the step does not declare (a typo such as `treshold`) is named with the nearest valid
 * one. On a runner it is a warning, as the runner's own check is, unless MLOPS_STRICT_INPUTS=true;
 * in a terminal an unknown flag is an error, as command-line tools treat one.
 */
function checkUnknownInputs(action: ActionName, platform: Platform, env: NodeJS.ProcessEnv): void {
  const declared = Object.keys(ACTION_SPECS[action].inputs);
  // `github-token` is the suite's one credential input: a step that needs none (train) ignores it
  // rather than failing workflows that pass it to every step, and the root action.yml, which
  // fills it in for every command. It is masked all the same.
  const unknown = platform.unknownInputs(declared).filter((name) => name !== 'github-token');
  if (unknown.length === 0) return;
  const strict = platform.kind === 'local' || env[STRICT_INPUTS_ENV] === 'true';
  for (const name of unknown) {
    const message = `Unknown input '${name}' for ${action}.${didYouMean(name, declared)}`;
    if (strict) throw new UserError(`${message} Valid inputs: ${declared.join(', ')}.`, { input: name });
    platform.log.warning(
      `${message} It is ignored; set ${STRICT_INPUTS_ENV}: true in the workflow's env to make this an error.`,
    );
  }
}

/** The post step of an action: errors are reported like the main step's, and fail it. */
export async function executePost(definition: ActionDefinition, platform: Platform): Promise<number> {
  let exitCode = 0;
  try {
    await definition.post?.({ platform, log: platform.log });
  } catch (error) {
    exitCode = 1;
    if (isUserError(error)) platform.log.error(error.message, error.location);
    else {
      platform.log.error(
        `${definition.name} post step failed unexpectedly: ${errorMessage(error)}. This is a bug; please report it.`,
      );
      platform.log.debug(error instanceof Error && error.stack ? error.stack : String(error));
    }
  }
  await platform.finish(exitCode);
  return exitCode;
}

export function isActionName(name: string): name is ActionName {
  return name in ACTION_SPECS;
}
