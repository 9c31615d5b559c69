import { loadConfig } from '../config/load.js';
import { errorMessage, GateFailure, isUserError, UserError } from '../errors/index.js';
import { describeGitHubFailure } from '../platform/github/request-failure.js';
import { platformServices } from '../platform/services.js';
import type { Platform } from '../platform/types.js';
import { didYouMean } from '../text/nearest.js';
import type { ActionDefinition } from './define.js';
import { ActionInputs } from './inputs.js';
import { ACTION_SPECS, type ActionName } from './specs.generated.js';

/**
 * Runs one step on a platform and is the only place errors are caught: a `UserError` becomes one
 * `::error::` line (pointing at a file and line when known), a bug keeps its stack for debug logs.
 * Returns the exit code.
 */
export async function executeAction(definition: ActionDefinition, platform: Platform): Promise<number> {
  const spec = ACTION_SPECS[definition.name];
  const log = platform.log;
  let exitCode = 0;
  try {
    // Masked before anything can echo an input, a bad one included.
    platform.token();
    const declared = Object.keys(spec.inputs);
    const unknown = platform.unknownInputs(declared);
    if (unknown.length > 0) {
      const name = unknown[0];
      throw new UserError(
        `Unknown input '${name}' for ${definition.name}.${didYouMean(name, declared)} Valid inputs: ${declared.join(', ')}.`,
        { input: name },
      );
    }
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
    });
    for (const [name, value] of Object.entries(result.outputs)) {
      if (!(name in spec.outputs))
        throw new Error(`Bug: ${definition.name} wrote undeclared output '${name}'`);
      if (value !== undefined) platform.setOutput(name, String(value));
    }
    if (result.summary) await platform.appendSummary(result.summary);
    if (result.failure) throw new GateFailure(result.failure);
  } catch (error) {
    exitCode = 1;
    if (error instanceof GateFailure) {
      log.error(error.message);
    } else if (isUserError(error)) {
      log.error(error.message, error.location);
    } else if (describeGitHubFailure(error)) {
      log.error(`${definition.name}: ${describeGitHubFailure(error)}`);
      log.debug(error instanceof Error && error.stack ? error.stack : String(error));
    } else {
      log.error(
        `${definition.name} failed unexpectedly: ${errorMessage(error)}. This is a bug; please report it with the debug log (ACTIONS_STEP_DEBUG=true).`,
      );
      log.debug(error instanceof Error && error.stack ? error.stack : String(error));
    }
  }
  await platform.finish(exitCode);
  return exitCode;
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
