/**
 * Where the server gets a model's files: a registry reference (files sha256-verified by
 * `resolveModel`), a TF Serving-style base path whose integer subfolders are versions (the
 * highest is served), or a folder given with its version (the admin swap).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import { LocalRegistry, type Registry, resolveModel } from '../registry/index.js';

export type ModelSourceSpec =
  /**
   * TF Serving's layout. With `pollMs`, the folder is watched as TF Serving does
   * (`--file_system_poll_wait_seconds`): a new highest version is loaded and swapped in, and when
   * the served version's folder disappears the highest remaining one is served again.
   */
  | { name: string; baseDir: string; pollMs?: number }
  | { name: string; registry: Registry | string; reference?: string; cacheDir?: string }
  /**
   * With `staged`, the version is loaded but takes no unversioned traffic (only `/versions/<n>`)
   * until an admin swap to it: a new server's first version can be tested before it serves.
   */
  | { name: string; folder: string; version: number; staged?: boolean };

export interface ResolvedSource {
  version: number;
  folder: string;
}

export async function resolveModelSource(spec: ModelSourceSpec): Promise<ResolvedSource> {
  if ('folder' in spec) return { version: spec.version, folder: spec.folder };
  if ('baseDir' in spec) return highestVersionFolder(spec.baseDir, spec.name);
  const registry = typeof spec.registry === 'string' ? new LocalRegistry(spec.registry) : spec.registry;
  const resolved = await resolveModel(registry, spec.reference ?? `${spec.name}@latest`, {
    cacheDir: spec.cacheDir,
  });
  if (resolved.record.name !== spec.name) {
    throw new UserError(
      `The reference '${spec.reference}' names model '${resolved.record.name}', not '${spec.name}'.`,
      { input: 'model' },
    );
  }
  return { version: resolved.record.version, folder: resolved.path };
}

/** TF Serving's layout: `<base>/<n>/` with n an integer; the highest complete one is served. */
export async function highestVersionFolder(baseDir: string, name: string): Promise<ResolvedSource> {
  let names: string[];
  try {
    names = await readdir(baseDir);
  } catch {
    throw new UserError(`The model base path '${baseDir}' for '${name}' does not exist.`, { file: baseDir });
  }
  const versions: number[] = [];
  for (const entry of names) {
    if (!/^[1-9][0-9]*$/.test(entry)) continue;
    if ((await stat(join(baseDir, entry))).isDirectory()) versions.push(Number(entry));
  }
  if (versions.length === 0) {
    throw new UserError(`The model base path '${baseDir}' has no version folders (1/, 2/, ...).`, {
      file: baseDir,
    });
  }
  const version = Math.max(...versions);
  return { version, folder: join(baseDir, String(version)) };
}
