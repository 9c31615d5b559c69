import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { parseArguments } from './arguments.js';
import { demoCommand } from './demo-command.js';
import type { ExtraCommand } from './help.js';
import type { CliIo } from './main.js';
import { registryCommand } from './registry-command.js';
import { reportCommand } from './report-command.js';
import { runsCommand } from './runs-command.js';
import { serveCommand } from './serve-command.js';
import { splitCommand } from './split-command.js';

export interface CliCommand extends ExtraCommand {
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

const checkConfig: CliCommand = {
  name: 'check-config',
  summary: 'Validate mlops.yml (or --config PATH) and report the first problem with its line.',
  async run(argv, io) {
    const args = parseArguments(argv);
    const loaded = loadConfig(args.inputs.config ?? 'mlops.yml', resolve('.'));
    io.stdout.write(`${loaded?.file ?? 'mlops.yml'}: ok\n`);
    return 0;
  },
};

/** Commands beyond the seven steps. */
export const EXTRA_COMMANDS: readonly CliCommand[] = [
  demoCommand,
  serveCommand,
  registryCommand,
  runsCommand,
  splitCommand,
  reportCommand,
  checkConfig,
];
