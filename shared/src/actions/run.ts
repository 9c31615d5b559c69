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
  const written: Record<string, string> = {};
  let pendingSummary: string | undefined;
  const writeOutputs = (outputs: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(outputs)) {
      if (!(name in spec.outputs))
        throw new Error(`Bug: ${definition.name} wrote undeclared output '${name}'`);
      if (value === undefined || written[name] === String(value)) continue;
      platform.setOutput(name, String(value));
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

export function isActionName(name: string): name is ActionName {
  return name in ACTION_SPECS;
}
