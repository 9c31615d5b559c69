import { ACTIONS } from '../actions/catalog.js';
import { executeAction, isActionName } from '../actions/run.js';
import { ACTION_NAMES } from '../actions/specs.generated.js';
import { errorMessage, isUserError } from '../errors/index.js';
import { localPlatform, startRunSummary } from '../platform/local.js';
import { didYouMean } from '../text/nearest.js';
import { parseArguments } from './arguments.js';
import { EXTRA_COMMANDS } from './commands.js';
import { DEPLOY_CONTROL_COMMANDS, DEPLOY_CONTROL_HELP_LINE, runDeployControl } from './deploy-control.js';
import { actionHelp, suiteHelp } from './help.js';

export const VERSION = '0.1.0';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** `mlops <command> ...`: returns the exit code. */
export async function runCommandLine(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(suiteHelp(VERSION, EXTRA_COMMANDS));
    return command === undefined ? 1 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  try {
    // `mlops deploy status|stop` look at the server a local deploy started; `mlops deploy --…` is the step.
    if (command === 'deploy' && (DEPLOY_CONTROL_COMMANDS as readonly string[]).includes(rest[0] ?? ''))
      return await runDeployControl(rest[0] as (typeof DEPLOY_CONTROL_COMMANDS)[number], rest.slice(1), io);
    if (isActionName(command)) {
      const args = parseArguments(rest);
      if (args.help) {
        io.stdout.write(actionHelp(command));
        if (command === 'deploy') io.stdout.write(DEPLOY_CONTROL_HELP_LINE);
        return 0;
      }
      if (args.positional.length > 0) {
        io.stderr.write(
          `error: unexpected argument '${args.positional[0]}'; inputs are given as --name value.\n`,
        );
        return 1;
      }
      const summaryFile = io.env.MLOPS_SUMMARY_FILE || 'mlops-reports/summary.md';
      startRunSummary(summaryFile, args.keepSummaries);
      const platform = localPlatform({
        inputs: args.inputs,
        json: args.json,
        summaryFile,
        stdout: io.stdout,
        stderr: io.stderr,
        env: io.env,
      });
      return await executeAction(ACTIONS[command], platform, io.env);
    }
    const extra = EXTRA_COMMANDS.find((c) => c.name === command);
    if (extra) return await extra.run(rest, io);
  } catch (error) {
    io.stderr.write(`error: ${errorMessage(error)}\n`);
    if (!isUserError(error) && error instanceof Error && io.env.MLOPS_DEBUG === '1')
      io.stderr.write(`${error.stack}\n`);
    return 1;
  }
  const known = [...ACTION_NAMES, ...EXTRA_COMMANDS.map((c) => c.name)];
  io.stderr.write(`error: unknown command '${command}'.${didYouMean(command, known)} Run 'mlops --help'.\n`);
  return 1;
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
