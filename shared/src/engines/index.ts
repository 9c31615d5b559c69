/**
 * Native engines (DuckDB, onnxruntime, TensorFlow.js) are never inlined into the bundle: ncc would
 * turn an `import()` of an external into a static import at the top of dist/, so the whole bundle
 * would fail to start where the engine is absent. They are resolved at run time with
 * `createRequire`, from a path built at run time.
 */
import { createRequire } from 'node:module';
import { resolveEngineDir } from './locate.js';

export type EngineName = 'duckdb' | 'onnxruntime' | 'tfjs' | 'tfjs-wasm' | 'tfjs-node' | 'tfjs-node-gpu';

/** Packages and pinned versions of each engine; kept in step with package.json by a test. */
export const ENGINE_PACKAGES: Record<EngineName, { pkg: string; version: string }> = {
  duckdb: { pkg: '@duckdb/node-api', version: '1.5.6-r.1' },
  onnxruntime: { pkg: 'onnxruntime-node', version: '1.30.0' },
  tfjs: { pkg: '@tensorflow/tfjs', version: '4.22.0' },
  'tfjs-wasm': { pkg: '@tensorflow/tfjs-backend-wasm', version: '4.22.0' },
  'tfjs-node': { pkg: '@tensorflow/tfjs-node', version: '4.22.0' },
  'tfjs-node-gpu': { pkg: '@tensorflow/tfjs-node-gpu', version: '4.22.0' },
};

const loaded = new Map<string, unknown>();

/**
 * Loads an engine's package by name from wherever `resolveEngineDir` finds it (an explicit
 * MLOPS_ENGINE_SOURCE_<ENGINE> folder, the suite's own node_modules, or the runner's tool cache,
 * installing it there once from the suite's lockfile if allowed).
 */
export async function loadEngine<T = unknown>(
  name: EngineName,
  options: { install?: boolean } = {},
): Promise<T> {
  const cached = loaded.get(name);
  if (cached !== undefined) return cached as T;
  const { pkg } = ENGINE_PACKAGES[name];
  const dir = await resolveEngineDir(name, options);
  const requireFrom = createRequire(`${dir}/`);
  const entry = requireFrom.resolve(pkg);
  const mod = await requireOrImport<T>(requireFrom, entry);
  loaded.set(name, mod);
  return mod;
}

/**
 * The engines are CommonJS packages: `require` loads them without ESM's wrapper work (about 0.1 s
 * per process for DuckDB). An ESM-only package falls back to `import()` of a file URL built at run
 * time, which bundlers leave alone.
 */
async function requireOrImport<T>(requireFrom: NodeJS.Require, entry: string): Promise<T> {
  try {
    return requireFrom(entry) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
    return (await import(/* webpackIgnore: true */ pathToHref(entry))) as T;
  }
}

function pathToHref(file: string): string {
  return new URL(`file://${file.startsWith('/') ? '' : '/'}${file.replace(/\\/g, '/')}`).href;
}
