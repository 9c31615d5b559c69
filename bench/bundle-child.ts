/**
 * Bundles a benchmark child into one plain-JS ESM file, as the shipped dist/ bundle is, so the
 * whole-process figure is the product's start-up and work, not tsx compiling TypeScript on the fly
 * (measured: tsx added ~0.5 s to every child). esbuild comes with tsx; the native engines stay
 * external and are loaded at run time from node_modules, exactly as from dist/.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTERNALS = ['@duckdb/*', 'onnxruntime-node', '@tensorflow/*'];

/**
 * Children are written under bench/out/ (git-ignored), inside the suite's folder: the engine
 * resolver trusts the suite's own node_modules only from a bundle at most three folders below
 * the suite root (shared/src/engines/locate.ts), never from the OS temp folder.
 */
const CHILDREN = join(dirname(fileURLToPath(import.meta.url)), 'out');

/** Writes the bundle of `entry` into a fresh folder under bench/out/ and returns its path. */
export async function bundleChild(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  mkdirSync(CHILDREN, { recursive: true });
  const folder = mkdtempSync(join(CHILDREN, 'child-'));
  const outfile = join(folder, 'child.mjs');
  // The profile's worker thread, beside the child as dist/numeric-stream-worker.js is beside
  // dist/index.js (shared/src/data/numeric-stream.ts looks for it there).
  await build({
    entryPoints: [join(dirname(CHILDREN), '../shared/src/data/numeric-stream.worker.ts')],
    outfile: join(folder, 'numeric-stream-worker.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNALS,
    logLevel: 'error',
    // CommonJS dependencies inside an ESM bundle call require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return outfile;
}
