/**
 * What the action's own secrets are, and what each kind of child process is given of the job's
 * environment. One place for the rule, used by train (the user's command), deploy (the model
 * server) and the engine installer.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * The action's credentials in its environment: its inputs (`INPUT_GITHUB-TOKEN`,
 * `INPUT_WEBHOOK-SECRET`, …) and the runner's service tokens, which a `run:` step does not get.
 */
export function isActionSecret(key: string): boolean {
  return (
    key.startsWith('INPUT_') ||
    key === 'ACTIONS_RUNTIME_TOKEN' ||
    key === 'ACTIONS_RUNTIME_URL' ||
    key === 'ACTIONS_RESULTS_URL' ||
    key === 'ACTIONS_CACHE_URL' ||
    key.startsWith('ACTIONS_ID_TOKEN_REQUEST_')
  );
}

/** The runner's file commands: a process that can write to these changes the job's later steps. */
export const RUNNER_FILE_COMMANDS = ['GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STATE'] as const;

/** What any program needs to run: search path, home, locale, temp folders (and Windows' own). */
export const SYSTEM_VARIABLES = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'SYSTEMROOT',
  'SystemRoot',
  'COMSPEC',
  'PATHEXT',
];

/** How to reach the network from behind a proxy that inspects TLS. */
export const NETWORK_VARIABLES = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

export function pickEnvironment(env: NodeJS.ProcessEnv, keep: (key: string) => boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && keep(key)) out[key] = value;
  return out;
}

/**
 * The long-lived model server's environment: it may outlive the job, so it gets only what it needs
 * (documented in SECURITY.md): the system variables, the proxy and CA settings (it may install an
 * engine), where engines live (`RUNNER_TOOL_CACHE`, `MLOPS_ENGINE_*`), GPU selection and libraries,
 * `NODE_OPTIONS`, `MLOPS_DEBUG`, and `RUNNER_TRACKING_ID`: the runner stops, at the end of the job,
 * every process that carries the job's tracking id, so a server started by a job ends with it unless
 * the step sets `RUNNER_TRACKING_ID: ""` (self-hosted runners, to keep a server across jobs).
 */
export function modelServerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const named = new Set([
    ...SYSTEM_VARIABLES,
    ...NETWORK_VARIABLES,
    'RUNNER_TOOL_CACHE',
    'RUNNER_TRACKING_ID',
    'NODE_OPTIONS',
    'CUDA_VISIBLE_DEVICES',
    'LD_LIBRARY_PATH',
    'MLOPS_DEBUG',
    'MLOPS_NVIDIA_SMI',
  ]);
  return pickEnvironment(
    env,
    (key) => named.has(key) || key.startsWith('MLOPS_ENGINE_') || key.startsWith('NVIDIA_'),
  );
}

/**
 * The user's training program gets the job's environment, as a `run:` step would, without the
 * action's secrets and, unless `withFileCommands`, without the runner's file commands.
 */
export function userProgramEnvironment(env: NodeJS.ProcessEnv, withFileCommands: boolean): NodeJS.ProcessEnv {
  const fileCommands = new Set<string>(RUNNER_FILE_COMMANDS);
  return pickEnvironment(env, (key) => !isActionSecret(key) && (withFileCommands || !fileCommands.has(key)));
}

/**
 * `/proc/<pid>/environ` shows a process's *initial* environment, which `delete process.env.X`
 * does not change, and any process of the same user may read it: so a child could read the
 * action's token there. On Linux this overwrites the values of the action's secrets in that initial
 * block (through /proc/self/mem, which a process may write for itself), after putting them back
 * into `process.env`, which then lives on the heap. Returns how many were hidden, or why none were.
 */
export function hideSecretsFromProcessTable(
  isSecret: (key: string) => boolean = isActionSecret,
): { hidden: number } | { skipped: string } {
  if (process.platform !== 'linux') return { skipped: `no /proc on ${process.platform}` };
  let fd: number | undefined;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after "(comm) " start at field 3; env_start and env_end are fields 50 and 51 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const envStart = Number(fields[50 - 3]);
    const envEnd = Number(fields[51 - 3]);
    const block = readFileSync('/proc/self/environ');
    if (!Number.isSafeInteger(envStart) || envStart <= 0 || envEnd - envStart !== block.length)
      return { skipped: 'the initial environment block was not where /proc/self/stat says' };
    const writes: { at: number; length: number; key: string; value: string }[] = [];
    let offset = 0;
    for (const entry of block.toString('latin1').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) {
        const key = entry.slice(0, eq);
        const value = process.env[key];
        if (isSecret(key) && entry.length > eq + 1 && value !== undefined)
          writes.push({ at: envStart + offset + eq + 1, length: entry.length - eq - 1, key, value });
      }
      offset += entry.length + 1;
    }
    if (writes.length === 0) return { hidden: 0 };
    fd = openSync('/proc/self/mem', 'r+');
    for (const write of writes) {
      writeSync(fd, Buffer.alloc(write.length, 0), 0, write.length, write.at);
      // setenv copies the value onto the heap; the block above keeps only `KEY=` and NUL bytes.
      process.env[write.key] = write.value;
    }
    return { hidden: writes.length };
  } catch (error) {
    return { skipped: (error as Error).message };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
