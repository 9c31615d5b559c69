import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How to start the `mlops` CLI again as a child process (e.g. a detached model server): the
 * bundle's own cli.js when running from dist/, else the current script with Node's flags (tsx).
 */
export function selfCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundledCli = join(here, 'cli.js');
  if (existsSync(bundledCli) && existsSync(join(here, 'index.js'))) return [process.execPath, bundledCli];
  return [process.execPath, ...process.execArgv, process.argv[1] ?? 'mlops'];
}
