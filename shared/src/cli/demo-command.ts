import { runDemo } from '../demo/run-demo.js';
import { parseArguments } from './arguments.js';
import type { CliCommand } from './commands.js';

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Run the whole lifecycle on the penguins dataset locally (--dir mlops-demo, --port 8517).',
  async run(argv, io) {
    const args = parseArguments(argv);
    if (args.help) {
      io.stdout.write(`mlops demo: ${demoCommand.summary}\n`);
      return 0;
    }
    return runDemo({
      directory: args.inputs.dir ?? 'mlops-demo',
      port: Number(args.inputs.port ?? 8517),
      out: io.stdout,
      err: io.stderr,
    });
  },
};
