/**
 * A separate OS process for the concurrency tests: it loads everything, prints "ready", waits for
 * a line on stdin so that all workers start at the same moment, then does one registry operation
 * and prints its result as one JSON line.
 */
import { createInterface } from 'node:readline';
import { silentLog } from '../../../shared/src/logging/index.js';
import { AliasConflictError } from '../../../shared/src/registry/alias-conflict.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { setAlias } from '../../../shared/src/registry/queries.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import type { NewRunRecord } from '../../../shared/src/tracking/record.js';
import { LocalRunStore } from '../../../shared/src/tracking/store.js';

interface Job {
  mode: 'register' | 'alias' | 'track';
  root: string;
  model?: string;
  name: string;
  actor: string;
  alias?: string;
  version?: number;
  expected?: number | null;
  /** track: the run record to append to the tracking store at `root`. */
  record?: NewRunRecord;
}

const job = JSON.parse(process.argv[2]) as Job;
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();

if (job.mode === 'track') {
  const stored = await new LocalRunStore(job.root).append(job.record!);
  process.stdout.write(`${JSON.stringify({ number: stored.number, run_id: stored.run_id })}\n`);
} else if (job.mode === 'register') {
  const result = await runRegister(
    {
      model: job.model!,
      name: job.name,
      backend: 'local',
      registry: job.root,
      workingDirectory: process.cwd(),
      createdBy: job.actor,
      alias: job.alias,
    },
    { log: silentLog },
  );
  process.stdout.write(`${JSON.stringify({ version: result.version, digest: result.digest })}\n`);
} else {
  try {
    const change = await setAlias(new LocalRegistry(job.root), {
      name: job.name,
      alias: job.alias!,
      version: job.version!,
      expected: job.expected,
      actor: job.actor,
    });
    process.stdout.write(`${JSON.stringify({ won: true, change })}\n`);
  } catch (error) {
    if (!(error instanceof AliasConflictError)) throw error;
    process.stdout.write(`${JSON.stringify({ won: false, actual: error.actual })}\n`);
  }
}
