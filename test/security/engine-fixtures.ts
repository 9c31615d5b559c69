/** Engine folders for tests: a tool cache as the action leaves it after a verified install. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_PACKAGES, type EngineName } from '../../shared/src/engines/index.js';
import { suiteLockfile, toolCacheDir } from '../../shared/src/engines/locate.js';
import { REPO_ROOT } from '../harness/runner.js';

/** Makes a tool-cache folder as the action leaves it after a verified install, from this repo's install. */
export function seedToolCache(toolCache: string, name: EngineName, packages: string[]): void {
  const env = { RUNNER_TOOL_CACHE: toolCache };
  const dir = toolCacheDir(name, env) as string;
  for (const pkg of packages) {
    const target = join(dir, 'node_modules', ...pkg.split('/'));
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', ...pkg.split('/')), target);
  }
  const lock = suiteLockfile(REPO_ROOT);
  const integrity = lock?.packages[`node_modules/${ENGINE_PACKAGES[name].pkg}`]?.integrity;
  writeFileSync(join(dir, '.mlops-engine.json'), JSON.stringify({ integrity }));
}
