/**
 * A real single-node Slurm cluster on localhost for tests: munged (started as the munge user when
 * none answers), then slurmctld and slurmd from a generated slurm.conf whose state, spool, pid and
 * log files live in a temp folder, on free ports. Debian's `slurm-wlm` and `munge` packages provide
 * the programs (.ci/run installs them). Accounting storage is off, as on many small clusters, so
 * job states come from scontrol.
 *
 * `startSlurmCluster` never throws for a machine that cannot run Slurm: it returns the reason, and
 * the tests print it and skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SlurmCluster {
  /** Environment for sbatch, scontrol and friends: the process's, with SLURM_CONF and PATH set. */
  env: NodeJS.ProcessEnv;
  /** The single node's name (also what NodeList reports). */
  node: string;
  folder: string;
  stop(): Promise<void>;
}

export type SlurmStart = { cluster: SlurmCluster } | { skipped: string };

const SBIN_PATHS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

function findProgram(name: string, path: string): string | undefined {
  for (const dir of path.split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function mungeAnswers(env: NodeJS.ProcessEnv): boolean {
  const encoded = spawnSync('munge', ['-n'], { env, encoding: 'utf8' });
  if (encoded.status !== 0) return false;
  return spawnSync('unmunge', [], { env, input: encoded.stdout, encoding: 'utf8' }).status === 0;
}

/** munged as the munge user, with a key when the package left none. Returns a reason on failure. */
function ensureMunge(env: NodeJS.ProcessEnv, path: string): string | undefined {
  if (mungeAnswers(env)) return undefined;
  const munged = findProgram('munged', path);
  if (!munged) return 'munged is not installed (apt-get install munge)';
  const ids = spawnSync('id', ['-u', 'munge'], { encoding: 'utf8' });
  if (ids.status !== 0) return 'there is no munge user (the munge package creates it)';
  const uid = Number(ids.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'munge'], { encoding: 'utf8' }).stdout.trim());
  const key = '/etc/munge/munge.key';
  if (!existsSync(key)) {
    mkdirSync('/etc/munge', { recursive: true });
    writeFileSync(key, readFileSync('/dev/urandom').subarray(0, 1024));
  }
  chownSync(key, uid, gid);
  chmodSync(key, 0o400);
  for (const dir of ['/run/munge', '/var/lib/munge', '/var/log/munge']) {
    mkdirSync(dir, { recursive: true });
    chownSync(dir, uid, gid);
  }
  const started = spawnSync('runuser', ['-u', 'munge', '--', munged], { env, encoding: 'utf8' });
  if (started.status !== 0)
    return `munged did not start: ${started.stderr.trim() || `exit ${started.status}`}`;
  return mungeAnswers(env) ? undefined : 'munged started but munge -n | unmunge fails';
}

export async function startSlurmCluster(): Promise<SlurmStart> {
  if (process.platform !== 'linux') return { skipped: 'Slurm test clusters run on Linux only' };
  if (process.getuid?.() !== 0)
    return { skipped: 'slurmd must run as root (SlurmUser=root), and the tests do not' };
  const path = [process.env.PATH ?? '', ...SBIN_PATHS].join(':');
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path };
  for (const program of ['slurmctld', 'slurmd', 'sbatch', 'scontrol', 'sinfo']) {
    if (!findProgram(program, path))
      return { skipped: `${program} is not installed (apt-get install slurm-wlm munge)` };
  }
  const mungeProblem = ensureMunge(env, path);
  if (mungeProblem) return { skipped: mungeProblem };

  const folder = mkdtempSync(join(tmpdir(), 'mlops-slurm-'));
  for (const sub of ['state', 'spool', 'log']) mkdirSync(join(folder, sub));
  const node = hostname().split('.')[0];
  const conf = join(folder, 'slurm.conf');
  const cpus = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || 1;
  writeFileSync(
    conf,
    [
      `ClusterName=mlopstest`,
      `SlurmctldHost=${node}`,
      `SlurmctldPort=${await freePort()}`,
      `SlurmdPort=${await freePort()}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${folder}/state`,
      `SlurmdSpoolDir=${folder}/spool`,
      `SlurmctldPidFile=${folder}/slurmctld.pid`,
      `SlurmdPidFile=${folder}/slurmd.pid`,
      `SlurmctldLogFile=${folder}/log/slurmctld.log`,
      `SlurmdLogFile=${folder}/log/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      // Cores only: every test job fits beside the others whatever memory it would default to.
      'SelectTypeParameters=CR_Core',
      'AccountingStorageType=accounting_storage/none',
      'JobAcctGatherType=jobacct_gather/none',
      'MpiDefault=none',
      'ReturnToService=2',
      // Quick kills keep the time-limit and cancellation tests short.
      'KillWait=2',
      'OverTimeLimit=0',
      'MinJobAge=300',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=1000 State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  env.SLURM_CONF = conf;
  const logs = () =>
    ['slurmctld.log', 'slurmd.log']
      .map((f) => join(folder, 'log', f))
      .filter(existsSync)
      .map((f) => readFileSync(f, 'utf8').split('\n').slice(-8).join('\n'))
      .join('\n');

  const daemonPids = () =>
    ['slurmd.pid', 'slurmctld.pid']
      .map((name) => join(folder, name))
      .filter(existsSync)
      .map((file) => Number(readFileSync(file, 'utf8').trim()));
  const stop = async () => {
    spawnSync('scancel', ['--user', 'root'], { env });
    for (const pid of daemonPids()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue;
      }
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await sleep(100);
      }
    }
    rmSync(folder, { recursive: true, force: true });
  };

  for (const daemon of ['slurmctld', 'slurmd']) {
    const started = spawnSync(daemon, daemon === 'slurmctld' ? ['-i'] : [], { env, encoding: 'utf8' });
    if (started.status !== 0) {
      await stop();
      return { skipped: `${daemon} did not start: ${started.stderr.trim() || logs()}` };
    }
  }
  for (let i = 0; i < 100; i++) {
    const info = spawnSync('sinfo', ['--noheader', '--format=%T'], { env, encoding: 'utf8' });
    if (info.status === 0 && /^idle/m.test(info.stdout)) return { cluster: { env, node, folder, stop } };
    await sleep(200);
  }
  const problem = logs();
  await stop();
  return { skipped: `the Slurm node did not become idle within 20 s:\n${problem}` };
}
