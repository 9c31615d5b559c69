import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { RENDERABLE_SCHEMAS, renderJsonReport } from '../report/json-report.js';
import { parseArguments } from './arguments.js';
import type { CliCommand } from './commands.js';

const HELP = `mlops report: one step's JSON report as a self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched).

Usage: mlops report <report.json> [--output <file.html>]

Renders ${RENDERABLE_SCHEMAS.join(', ')}.
The HTML file goes beside the JSON (same name, .html) unless --output says otherwise.
`;

export const reportCommand: CliCommand = {
  name: 'report',
  summary: "Render a step's JSON report (profile, validation, metrics, comparison, drift) as one HTML file.",
  async run(argv, io) {
    const args = parseArguments(argv);
    if (args.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const unknown = Object.keys(args.inputs).filter((key) => key !== 'output');
    if (args.positional.length !== 1 || unknown.length > 0)
      throw new UserError(`Usage: mlops report <report.json> [--output <file.html>]\n\n${HELP}`);
    const file = resolve(args.positional[0]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(
        code === 'ENOENT'
          ? `The report '${args.positional[0]}' does not exist.`
          : `'${args.positional[0]}' is not JSON: ${(error as Error).message}`,
        { file },
      );
    }
    const html = renderJsonReport(parsed, args.positional[0]);
    const output = resolve(args.inputs.output ?? file.replace(/\.json$/i, '') + '.html');
    if (output === file) throw new UserError('--output is the JSON report itself.', { input: 'output' });
    await writeFileAtomic(output, html);
    io.stdout.write(`${output}\n`);
    return 0;
  },
};
