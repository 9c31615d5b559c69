import type { ActionName } from './specs.generated.js';

/**
 * Outputs whose value is JSON text (their action.yml description says "as JSON"). A runner output
 * is always a string; the CLI's --json output nests these as objects instead of quoting them.
 */
const JSON_OUTPUTS: Partial<Record<ActionName, readonly string[]>> = {
  evaluate: ['metrics'],
  'compare-baseline': ['diff'],
  'data-validate': ['plan'],
  train: ['plan', 'best-params'],
};

export function isJsonOutput(action: ActionName, output: string): boolean {
  return JSON_OUTPUTS[action]?.includes(output) ?? false;
}
