import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors/index.js';
import { ENGINE_PACKAGES, type EngineName } from './index.js';

/** Folders whose `node_modules` may hold the engine, nearest first. */
export function candidateRoots(env: NodeJS.ProcessEnv = process.env, here = moduleDir()): string[] {
  const roots: string[] = [];
  if (env.MLOPS_ENGINE_DIR) roots.push(resolve(env.MLOPS_ENGINE_DIR));
  for (const start of [here, process.cwd()]) {
    let dir = start;
    for (;;) {
      roots.push(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return [...new Set(roots)];
}

export function toolCacheDir(name: EngineName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = env.RUNNER_TOOL_CACHE;
  if (!base) return undefined;
  const { version } = ENGINE_PACKAGES[name];
  return join(base, 'mlops-engines', name, version);
}

function hasPackage(root: string, pkg: string): boolean {
  return existsSync(join(root, 'node_modules', ...pkg.split('/'), 'package.json'));
}

/**
 * Finds a folder whose node_modules holds the engine: beside the bundle or the project, then the
 * runner's tool cache; failing both, installs the pinned version into the tool cache once
 * (staged in a temp folder and renamed, so a killed install leaves nothing half-done).
 */
export async function resolveEngineDir(
  name: EngineName,
  options: { install?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const { pkg, version } = ENGINE_PACKAGES[name];
  for (const root of candidateRoots(env)) {
    if (hasPackage(root, pkg)) return root;
  }
  const cacheDir = toolCacheDir(name, env);
  if (cacheDir && hasPackage(cacheDir, pkg)) return cacheDir;
  const install = options.install ?? env.MLOPS_ENGINE_INSTALL !== 'false';
  if (!cacheDir || !install) {
    throw new UserError(
      `The ${name} engine (${pkg}@${version}) is not installed. Run 'npm install ${pkg}@${version}' in your project, ` +
        'or run on a GitHub runner (RUNNER_TOOL_CACHE set) where the action installs it once into the tool cache.',
    );
  }
  await installEngine(name, cacheDir, env);
  return cacheDir;
}

/** `MLOPS_ENGINE_SOURCE_<NAME>` may name a local tarball or folder to install from (offline runners). */
export function engineSpec(name: EngineName, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[`MLOPS_ENGINE_SOURCE_${name.toUpperCase().replace(/-/g, '_')}`];
  const { pkg, version } = ENGINE_PACKAGES[name];
  return override && override.length > 0 ? override : `${pkg}@${version}`;
}

async function installEngine(name: EngineName, cacheDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const staging = `${cacheDir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const spec = engineSpec(name, env);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--no-save', '--no-audit', '--no-fund', '--omit=dev', '--prefix', staging, spec];
  let output = '';
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(npm, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // onnxruntime-node's install script downloads CUDA parts unless told not to.
      env: { ...env, npm_config_onnxruntime_node_install: 'skip', ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', fail);
    child.on('close', (c) => done(c ?? 1));
  });
  if (code !== 0) {
    await rm(staging, { recursive: true, force: true });
    const tail = output.trim().split('\n').slice(-5).join('\n');
    throw new UserError(
      `Installing the ${name} engine (${spec}) into the tool cache failed with exit code ${code}:\n${tail}`,
    );
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
