import { isAbsolute, join, resolve } from 'node:path';
import { findRunningServer, stopLocalServer } from '../deploy/targets/local-server.js';
import { UserError } from '../errors/index.js';
import { terminalLog } from '../platform/local.js';
import { parseArguments } from './arguments.js';
import type { CliIo } from './main.js';

export const DEPLOY_CONTROL_COMMANDS = ['status', 'stop'] as const;

/** Appended to `mlops deploy --help`. */
export const DEPLOY_CONTROL_HELP_LINE =
  "Also: 'mlops deploy status --environment <env>' and 'mlops deploy stop --environment <env>' for the local server a local-server deploy started.\n";

const HELP = `mlops deploy status|stop: the local model server a local-server deploy started.

Usage:
  mlops deploy status --environment <env> [--path <state folder>] [--json]
      is it running, where, serving which versions (exit 0 running, 3 not running)
  mlops deploy stop --environment <env> [--path <state folder>] [--json]
      stop it (in-flight requests are answered first); nothing to stop is not an error

The state folder defaults to .mlops/serve/<environment>, as the deploy step's path does.
`;

/** `mlops deploy status|stop`: the deploy step starts a detached server; these look at it and end it. */
export async function runDeployControl(
  sub: (typeof DEPLOY_CONTROL_COMMANDS)[number],
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const args = parseArguments(argv);
  if (args.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const unknown = Object.keys(args.inputs).filter((key) => !['environment', 'path'].includes(key));
  if (unknown.length > 0 || args.positional.length > 0)
    throw new UserError(`mlops deploy ${sub} takes --environment and --path only.\n\n${HELP}`);
  const environment = args.inputs.environment?.trim();
  if (!environment)
    throw new UserError(`mlops deploy ${sub} needs --environment (e.g. staging).`, { input: 'environment' });
  const given = args.inputs.path?.trim();
  const folder = given
    ? isAbsolute(given)
      ? given
      : resolve(given)
    : resolve(join('.mlops/serve', environment));
  const log = terminalLog(io.stderr, new Set());
  const print = (value: unknown, text: string) =>
    io.stdout.write(args.json ? `${JSON.stringify(value, null, 2)}\n` : text);

  const running = await findRunningServer(folder, log);
  if (sub === 'status') {
    if (!running) {
      print(
        { environment, running: false, path: folder },
        `${environment}: no model server running (${folder})\n`,
      );
      return 3;
    }
    const models = Object.entries(running.models ?? {}).map(([name, model]) => ({
      name,
      version: model.version,
    }));
    print(
      { environment, running: true, pid: running.state.pid, url: running.state.url, models, path: folder },
      `${environment}: running at ${running.state.url} (pid ${running.state.pid}), serving ${
        models.map((m) => `${m.name} v${m.version ?? '?'}`).join(', ') || 'no model'
      }\n`,
    );
    return 0;
  }
  if (!running) {
    print(
      { environment, stopped: false, path: folder },
      `${environment}: no model server running (${folder})\n`,
    );
    return 0;
  }
  await stopLocalServer(folder, log);
  print(
    { environment, stopped: true, pid: running.state.pid, url: running.state.url },
    `${environment}: stopped the model server at ${running.state.url} (pid ${running.state.pid})\n`,
  );
  return 0;
}
