import type { LoadedConfig } from '../config/load.js';
import type { Log } from '../logging/index.js';
import type { Services } from '../platform/services.js';
import type { Platform } from '../platform/types.js';
import type { ActionInputs } from './inputs.js';
import type { ActionName } from './specs.generated.js';

export interface ActionContext {
  readonly inputs: ActionInputs;
  readonly config: LoadedConfig | undefined;
  readonly platform: Platform;
  readonly log: Log;
  readonly services: Services;
  /**
   * Writes outputs now and keeps `summary` for the job summary, so that what the step has already
   * computed survives whatever fails afterwards (publishing to GitHub): on an error the summary is
   * still written, and the final result's outputs and summary replace these when the step finishes.
   */
  checkpoint(partial: { outputs: Record<string, OutputValue>; summary?: string }): void;
}

export type OutputValue = string | number | boolean | undefined;

/** One step: parse inputs, call its use case with plain options, return the outputs. */
export interface ActionDefinition {
  readonly name: ActionName;
  run(context: ActionContext): Promise<ActionResult>;
  /**
   * The runner's post step (`runs.post` in action.yml), run when the job ends whatever happened to
   * the main step; it sees only what the main step kept with `platform.saveState`.
   */
  post?(context: Pick<ActionContext, 'platform' | 'log'>): Promise<void>;
}

export interface ActionResult {
  outputs: Record<string, OutputValue>;
  /** Markdown for the job summary. */
  summary?: string;
  /** Set when the step ran but its gate failed (regression, anomalies, drift): exit 1 after outputs are written. */
  failure?: string;
}

export function defineAction(definition: ActionDefinition): ActionDefinition {
  return definition;
}
