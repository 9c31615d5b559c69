import { UserError } from '../errors/index.js';

export interface ParsedArguments {
  inputs: Record<string, string>;
  json: boolean;
  help: boolean;
  /** --keep-summaries: append to the previous runs' summary.md instead of replacing it. */
  keepSummaries: boolean;
  positional: string[];
}

/**
 * `--name value`, `--name=value`, and bare `--flag` (true) for booleans. Repeating a flag joins the
 * values with newlines, the way list inputs take several lines.
 */
export function parseArguments(argv: readonly string[]): ParsedArguments {
  const inputs: Record<string, string> = {};
  const positional: string[] = [];
  let json = false;
  let help = false;
  let keepSummaries = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--keep-summaries') keepSummaries = true;
    else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      if (!/^[a-z][a-z0-9-]*$/.test(name))
        throw new UserError(`'${arg}' is not an option: options look like --input-name value.`);
      let value: string;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
      else value = 'true';
      inputs[name] = name in inputs ? `${inputs[name]}\n${value}` : value;
    } else positional.push(arg);
  }
  return { inputs, json, help, keepSummaries, positional };
}
