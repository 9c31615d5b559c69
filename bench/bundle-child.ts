/**
 * Bundles a benchmark child into one plain-JS ESM file, as the shipped dist/ bundle is, so the
 * whole-process figure is the product's start-up and work, not tsx compiling TypeScript on the fly
 * (measured: tsx added ~0.5 s to every child). esbuild comes with tsx; the native engines stay
 * external and are loaded at run time from node_modules, exactly as from dist/.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EXTERNALS = ['@duckdb/*', 'onnxruntime-node', '@tensorflow/*'];

/** Writes the bundle of `entry` into a fresh temp folder and returns its path. */
export async function bundleChild(entry: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(mkdtempSync(join(tmpdir(), 'bench-child-')), 'child.mjs');
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
