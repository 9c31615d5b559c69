/**
 * Where a native engine is loaded from. The engine runs inside the action, next to its token, so
 * only three places are trusted, and each is checked for the pinned name, version and lockfile
 * integrity before anything in it is required:
 *
 * 1. `MLOPS_ENGINE_SOURCE_<ENGINE>` naming a folder (an engine installed ahead of time, for offline
 *    runners): an explicit choice of whoever configured the runner.
 * 2. The suite's own folder (the action's checkout, or this repository in development): the
 *    nearest folder above this module whose package.json is the suite's.
 * 3. The runner's tool cache, where the action installs the engine from the suite's lockfile.
 *
 * The working directory and its parents are never searched: a workflow's workspace holds files from
 * pull requests and artifacts, and a self-hosted runner's `_work` folder outlives jobs.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors/index.js';
import { NETWORK_VARIABLES, pickEnvironment, SYSTEM_VARIABLES } from '../platform/child-env.js';
import { ENGINE_PACKAGES, type EngineName } from './index.js';

export const SUITE_PACKAGE_NAME = 'mlops-actions';
/** The bundle is dist/<file>.js and the source shared/src/engines/locate.ts: the suite root is at most 3 up. */
const SUITE_ROOT_MAX_DEPTH = 3;
/** `npm ping` to an unreachable registry must not hold the job: the whole check is killed after this. */
export const REGISTRY_CHECK_TIMEOUT_MS = 10_000;
/** The stamp the action writes into a tool-cache folder after a verified install. */
const STAMP_FILE = '.mlops-engine.json';

/**
 * The suite's own folder: the nearest folder above `here` (at most 3 levels) that holds a
 * package.json, if that package.json is the suite's; otherwise none.
 */
export function suiteRoot(here = moduleDir()): string | undefined {
  let dir = here;
  for (let depth = 0; depth <= SUITE_ROOT_MAX_DEPTH; depth++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = readJson<{ name?: string }>(manifest)?.name;
      // dist/package.json only says `"type": "module"`: keep going up past a manifest without a name.
      if (name !== undefined) return name === SUITE_PACKAGE_NAME ? dir : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

export function engineSourceVariable(name: EngineName): string {
  return `MLOPS_ENGINE_SOURCE_${name.toUpperCase().replace(/-/g, '_')}`;
}

export function toolCacheDir(name: EngineName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = env.RUNNER_TOOL_CACHE;
  if (!base) return undefined;
  const { version } = ENGINE_PACKAGES[name];
  return join(base, 'mlops-engines', name, version);
}

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Lockfile {
  name?: string;
  lockfileVersion?: number;
  packages: Record<string, LockEntry>;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function packageDir(root: string, pkg: string): string {
  return join(root, 'node_modules', ...pkg.split('/'));
}

/** The suite's package-lock.json, or undefined where the suite's folder has none. */
export function suiteLockfile(root = suiteRoot()): Lockfile | undefined {
  if (!root) return undefined;
  const lock = readJson<Lockfile>(join(root, 'package-lock.json'));
  return lock?.packages ? lock : undefined;
}

/** The lockfile's integrity hash for the engine's package, if the lockfile pins it at the pinned version. */
export function lockedIntegrity(name: EngineName, lock: Lockfile | undefined): string | undefined {
  const { pkg, version } = ENGINE_PACKAGES[name];
  const entry = lock?.packages[`node_modules/${pkg}`];
  return entry?.version === version ? entry.integrity : undefined;
}

/**
 * Checks that `root/node_modules/<pkg>` is the pinned engine: package.json name and version, and,
 * where both are known, the integrity npm recorded when it installed it against the lockfile's.
 * Returns why not, or undefined when it is.
 */
function mismatch(name: EngineName, root: string, expectedIntegrity: string | undefined, recorded?: string) {
  const { pkg, version } = ENGINE_PACKAGES[name];
  const manifest = readJson<{ name?: string; version?: string }>(join(packageDir(root, pkg), 'package.json'));
  if (!manifest) return `${packageDir(root, pkg)} holds no readable package.json`;
  if (manifest.name !== pkg || manifest.version !== version)
    return `${packageDir(root, pkg)} is ${manifest.name}@${manifest.version}, not the pinned ${pkg}@${version}`;
  if (expectedIntegrity && recorded && recorded !== expectedIntegrity)
    return `${packageDir(root, pkg)} was installed from a tarball whose integrity (${recorded}) is not the lockfile's (${expectedIntegrity})`;
  return undefined;
}

/** The integrity npm wrote into node_modules/.package-lock.json when it installed the package. */
function npmRecordedIntegrity(root: string, pkg: string): string | undefined {
  return readJson<Lockfile>(join(root, 'node_modules', '.package-lock.json'))?.packages?.[
    `node_modules/${pkg}`
  ]?.integrity;
}

/**
 * Finds the folder whose node_modules holds the engine (see the top of this file for the order);
 * failing all, installs the pinned version into the tool cache from the suite's lockfile, once
 * (staged in a temp folder and renamed, so a killed install leaves nothing half-done).
 */
export async function resolveEngineDir(
  name: EngineName,
  options: { install?: boolean; env?: NodeJS.ProcessEnv; suite?: string | null } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const { pkg, version } = ENGINE_PACKAGES[name];
  const root = options.suite === null ? undefined : (options.suite ?? suiteRoot());
  const lock = suiteLockfile(root);
  const integrity = lockedIntegrity(name, lock);
  const variable = engineSourceVariable(name);
  const source = env[variable];

  if (source && isDirectory(source)) {
    const dir = resolve(source);
    const why = mismatch(name, dir, integrity, npmRecordedIntegrity(dir, pkg));
    if (why) throw new UserError(`${variable} names ${dir}, which is not the pinned engine: ${why}.`);
    return dir;
  }
  if (root && existsSync(join(packageDir(root, pkg), 'package.json'))) {
    const why = mismatch(name, root, integrity, npmRecordedIntegrity(root, pkg));
    if (why)
      throw new UserError(`The suite's own node_modules has the wrong ${name} engine: ${why}. Run 'npm ci'.`);
    return root;
  }
  const cacheDir = toolCacheDir(name, env);
  if (cacheDir && existsSync(cacheDir)) {
    const stamp = readJson<{ integrity?: string }>(join(cacheDir, STAMP_FILE));
    const why = stamp
      ? mismatch(name, cacheDir, integrity, stamp.integrity)
      : `${cacheDir} has no ${STAMP_FILE} (not installed by this action)`;
    if (why)
      throw new UserError(
        `The tool cache holds a ${name} engine this action will not load: ${why}. Remove ${cacheDir}.`,
      );
    return cacheDir;
  }
  const install = options.install ?? env.MLOPS_ENGINE_INSTALL !== 'false';
  if (!cacheDir || !install) {
    throw new UserError(
      `The ${name} engine (${pkg}@${version}) is not installed. Run 'npm ci' in the suite's folder, ` +
        `set ${variable} to a folder where it is installed (${offlineRecipe(name)}), ` +
        'or run on a GitHub runner (RUNNER_TOOL_CACHE set) where the action installs it once into the tool cache.',
    );
  }
  if (source) await installFromTarball(name, source, cacheDir, integrity, env);
  else await installFromLockfile(name, cacheDir, lock, env);
  return cacheDir;
}

/** How to give an offline runner an engine, in one sentence for error messages. */
export function offlineRecipe(name: EngineName): string {
  const { pkg, version } = ENGINE_PACKAGES[name];
  return `on a machine with network access run 'npm install --prefix /opt/mlops-engines/${name} ${pkg}@${version}', copy that folder to the runner and set ${engineSourceVariable(name)}=/opt/mlops-engines/${name}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The part of the suite's lockfile that installs one engine: its entry and everything it depends
 * on, found the way Node resolves a require (nearest node_modules first), with the lockfile's
 * versions and integrity hashes, so `npm ci` installs exactly what was reviewed.
 */
export function engineLockfile(name: EngineName, lock: Lockfile): { manifest: object; lockfile: Lockfile } {
  const { pkg, version } = ENGINE_PACKAGES[name];
  const top = `node_modules/${pkg}`;
  if (lock.packages[top]?.version !== version)
    throw new UserError(
      `The suite's package-lock.json does not pin ${pkg}@${version}; it cannot install the ${name} engine.`,
    );
  const picked = new Map<string, LockEntry>();
  const queue = [top];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (picked.has(path)) continue;
    const entry = lock.packages[path];
    picked.set(path, entry);
    const wanted = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const dep of Object.keys(wanted)) {
      const found = resolveInLock(lock, path, dep);
      // A missing optional or peer dependency is also missing in the suite's own install.
      if (found) queue.push(found);
    }
  }
  const manifest = {
    name: `mlops-engine-${name}`,
    version: '0.0.0',
    private: true,
    dependencies: { [pkg]: version },
  };
  const packages: Record<string, LockEntry> = { '': { ...manifest } as LockEntry };
  for (const [path, entry] of picked) packages[path] = entry;
  return { manifest, lockfile: { name: manifest.name, lockfileVersion: 3, packages } };
}

function resolveInLock(lock: Lockfile, from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base}/node_modules/${dep}`;
    if (lock.packages[candidate]) return candidate;
    const cut = base.lastIndexOf('/node_modules/');
    if (cut < 0) break;
    base = base.slice(0, cut);
  }
  return lock.packages[`node_modules/${dep}`] ? `node_modules/${dep}` : undefined;
}

/**
 * The installer's environment: what npm needs to reach the registry (PATH, HOME for ~/.npmrc,
 * proxies, extra CA certificates, registry and TLS settings) and nothing else: no INPUT_*, no
 * GITHUB_TOKEN, no ACTIONS_RUNTIME_TOKEN, since install scripts run with it.
 */
export function installerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const named = new Set([...SYSTEM_VARIABLES, ...NETWORK_VARIABLES]);
  // npm settings that say how to reach the registry; auth tokens stay in ~/.npmrc where npm reads them.
  const npmSettings =
    /^npm_config_(registry|proxy|https_proxy|http_proxy|noproxy|no_proxy|cafile|ca|strict_ssl|cache|userconfig|globalconfig|prefer_offline|offline|fetch_timeout|fetch_retries)$/i;
  const kept = pickEnvironment(env, (key) => named.has(key) || npmSettings.test(key));
  // onnxruntime-node's install script downloads CUDA parts unless told not to.
  kept.npm_config_onnxruntime_node_install = 'skip';
  kept.ONNXRUNTIME_NODE_INSTALL = 'skip';
  kept.npm_config_update_notifier = 'false';
  return kept;
}

interface NpmRun {
  code: number;
  output: string;
  timedOut: boolean;
}

function runNpm(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs?: number): Promise<NpmRun> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return new Promise<NpmRun>((done, fail) => {
    const child = spawn(npm, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      detached: timeoutMs !== undefined,
    });
    let output = '';
    let timedOut = false;
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              // npm's own children (its fetches) go with it: the process group was made for this.
              if (child.pid) process.kill(-child.pid, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, timeoutMs);
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      fail(error);
    });
    child.on('close', (c) => {
      if (timer) clearTimeout(timer);
      done({ code: c ?? 1, output, timedOut });
    });
  });
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-5).join('\n');
}

async function installFromLockfile(
  name: EngineName,
  cacheDir: string,
  lock: Lockfile | undefined,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  if (!lock)
    throw new UserError(
      `Cannot install the ${name} engine: the suite's package-lock.json was not found beside the action. ` +
        `Set ${engineSourceVariable(name)} instead (${offlineRecipe(name)}).`,
    );
  const { manifest, lockfile } = engineLockfile(name, lock);
  const childEnv = installerEnv(env);
  await inStaging(name, cacheDir, async (staging) => {
    await writeFile(join(staging, 'package.json'), JSON.stringify(manifest, null, 2));
    await writeFile(join(staging, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
    const ping = await runNpm(
      ['ping', '--fetch-retries=0', `--fetch-timeout=${REGISTRY_CHECK_TIMEOUT_MS}`],
      staging,
      childEnv,
      REGISTRY_CHECK_TIMEOUT_MS + 2_000,
    );
    if (ping.code !== 0) {
      const why = ping.timedOut ? `no answer in ${REGISTRY_CHECK_TIMEOUT_MS / 1000} s` : tail(ping.output);
      throw new UserError(
        `Cannot install the ${name} engine: the npm registry is unreachable (${why}). ` +
          `For an offline runner, ${offlineRecipe(name)}. Behind a proxy, set HTTPS_PROXY (or npm_config_https_proxy) and NODE_EXTRA_CA_CERTS.`,
      );
    }
    const result = await runNpm(
      ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
      staging,
      childEnv,
    );
    if (result.code !== 0)
      throw new UserError(
        `Installing the ${name} engine from the suite's lockfile into the tool cache failed with exit code ${result.code}:\n${tail(result.output)}`,
      );
    return lockedIntegrity(name, lockfile);
  });
}

async function installFromTarball(
  name: EngineName,
  source: string,
  cacheDir: string,
  integrity: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const variable = engineSourceVariable(name);
  const tarball = isAbsolute(source) ? source : resolve(source);
  let bytes: Buffer;
  try {
    if (!statSync(tarball).isFile()) throw new Error('not a file');
    bytes = await readFile(tarball);
  } catch {
    throw new UserError(`${variable} names ${tarball}, which is neither a package tarball nor a folder.`);
  }
  const actual = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  if (integrity && actual !== integrity)
    throw new UserError(
      `${variable} names ${tarball}, whose integrity (${actual}) is not the lockfile's for ${ENGINE_PACKAGES[name].pkg} (${integrity}).`,
    );
  await inStaging(name, cacheDir, async (staging) => {
    const result = await runNpm(
      ['install', '--no-save', '--no-audit', '--no-fund', '--omit=dev', '--prefix', staging, tarball],
      staging,
      installerEnv(env),
    );
    if (result.code !== 0)
      throw new UserError(
        `Installing the ${name} engine (${tarball}) into the tool cache failed with exit code ${result.code}:\n${tail(result.output)}`,
      );
    return actual;
  });
}

/**
 * Runs an install into a staging folder beside `cacheDir`, checks what it installed, stamps it with
 * the integrity it was installed against and renames it into place.
 */
async function inStaging(
  name: EngineName,
  cacheDir: string,
  install: (staging: string) => Promise<string | undefined>,
): Promise<void> {
  const staging = `${cacheDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const integrity = await install(staging);
    const why = mismatch(name, staging, undefined);
    if (why) throw new UserError(`The installed ${name} engine is not the pinned one: ${why}.`);
    await writeFile(join(staging, STAMP_FILE), JSON.stringify({ integrity }));
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await mkdir(dirname(cacheDir), { recursive: true });
  try {
    await rename(staging, cacheDir);
  } catch (error) {
    // Another job on the same runner installed it first: use theirs.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(cacheDir)) throw error;
  }
}

function moduleDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}
