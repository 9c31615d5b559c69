/**
 * Entry of the detached model server when run from source (`node --import tsx daemon-main.ts
 * --daemon-config FILE`); the CLI's `mlops serve --daemon-config FILE` calls the same function.
 * Log lines go to stdout/stderr, which the deploy target redirects to `<path>/server.log`.
 */
import type { Log } from '../logging/index.js';
import { runServeDaemon } from './run-serve.js';

const stamp = () => new Date().toISOString();
const consoleLog: Log = {
  info: (message) => console.log(`${stamp()} info ${message}`),
  warning: (message) => console.log(`${stamp()} warning ${message}`),
  error: (message) => console.error(`${stamp()} error ${message}`),
  debug: () => {},
  progress: () => {},
};

const index = process.argv.indexOf('--daemon-config');
const configPath = index >= 0 ? process.argv[index + 1] : undefined;
if (!configPath) {
  console.error('usage: daemon-main --daemon-config FILE');
  process.exit(2);
}
runServeDaemon(configPath, consoleLog).catch((error: unknown) => {
  console.error(`${stamp()} error The model server could not start: ${(error as Error).message}`);
  process.exit(1);
});
