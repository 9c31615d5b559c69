import { ACTION_NAMES, ACTION_SPECS, type ActionName } from '../actions/specs.generated.js';

export interface ExtraCommand {
  name: string;
  summary: string;
}

/** `mlops --help`: generated from action.yml so the two never disagree. */
export function suiteHelp(version: string, extras: readonly ExtraCommand[]): string {
  const width = Math.max(...ACTION_NAMES.map((n) => n.length), ...extras.map((e) => e.name.length)) + 2;
  const lines = [
    `mlops ${version}: the MLOps actions suite from a terminal.`,
    '',
    'Usage: mlops <command> [--<input> <value> ...] [--json]',
    '',
    'Steps (same inputs and outputs as the GitHub Actions):',
    ...ACTION_NAMES.map((name) => `  ${name.padEnd(width)}${ACTION_SPECS[name].description}`),
    '',
    'Other commands:',
    ...extras.map((e) => `  ${e.name.padEnd(width)}${e.summary}`),
    '',
    "Run 'mlops <command> --help' for a command's inputs. Outputs print as name=value lines, or as JSON with --json.",
  ];
  return `${lines.join('\n')}\n`;
}

export function actionHelp(name: ActionName): string {
  const spec = ACTION_SPECS[name];
  const inputs = Object.entries(spec.inputs).filter(([key]) => key !== 'github-token');
  const width = Math.max(...inputs.map(([key]) => key.length)) + 4;
  const lines = [
    `mlops ${name}: ${spec.description}`,
    '',
    `Usage: mlops ${name} [--<input> <value> ...] [--json]`,
    '',
    'Inputs:',
  ];
  for (const [key, input] of inputs) {
    const extra = input.required ? ' (required)' : input.default ? ` (default: ${input.default})` : '';
    lines.push(`  --${key.padEnd(width)}${input.description}${extra}`);
  }
  lines.push('', 'Outputs:');
  const outWidth = Math.max(...Object.keys(spec.outputs).map((k) => k.length)) + 2;
  for (const [key, output] of Object.entries(spec.outputs))
    lines.push(`  ${key.padEnd(outWidth)}${output.description}`);
  lines.push('', 'The GitHub token is read from GITHUB_TOKEN (or GH_TOKEN) when a step talks to GitHub.');
  return `${lines.join('\n')}\n`;
}
