import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import { type ModelReference, parseModelReference } from './names.js';
import type { VersionRecord } from './record.js';
import type { Registry } from './registry.js';

export interface ResolvedModel {
  record: VersionRecord;
  /** A local folder with the version's files, all verified against the record. */
  folder: string;
  /** The file to load: the single file of a one-file model, else the folder. */
  path: string;
  uri: string;
  releaseUrl?: string;
  /** The alias the reference went through, if any. */
  alias?: string;
}

/** The version number a reference points to, without fetching files. */
export async function resolveVersionNumber(registry: Registry, ref: ModelReference): Promise<number> {
  switch (ref.kind) {
    case 'version':
      return ref.version;
    case 'latest': {
      const versions = await registry.listVersions(ref.name);
      if (versions.length === 0) {
        throw new UserError(`Model '${ref.name}' has no versions in the registry ${registry.location}.`, {
          input: 'model',
        });
      }
      return versions.at(-1)!;
    }
    case 'alias': {
      const aliases = await registry.listAliases(ref.name);
      const entry = aliases[ref.alias];
      if (entry === undefined) {
        const known = Object.keys(aliases).sort();
        throw new UserError(
          `Model '${ref.name}' has no alias '${ref.alias}'` +
            (known.length > 0 ? ` (aliases: ${known.join(', ')}).` : ' (it has no aliases yet).'),
          { input: 'model' },
        );
      }
      return entry.version;
    }
  }
}

/**
 * Resolves `name@alias`, `name/version` or `name@latest` to its record and a local folder of its
 * files. Every file's sha256 is checked on the way, so a tampered version fails here rather than
 * being deployed or used as a baseline.
 */
export async function resolveModel(
  registry: Registry,
  reference: string | ModelReference,
  options: { cacheDir?: string } = {},
): Promise<ResolvedModel> {
  const ref = typeof reference === 'string' ? parseModelReference(reference) : reference;
  const version = await resolveVersionNumber(registry, ref);
  const stored = await registry.readVersion(ref.name, version);
  const folder = await registry.materialize(stored.record, options.cacheDir);
  const entry = stored.record.model.entry;
  return {
    record: stored.record,
    folder,
    path: entry === null ? folder : join(folder, entry),
    uri: stored.uri,
    releaseUrl: stored.releaseUrl,
    ...(ref.kind === 'alias' ? { alias: ref.alias } : {}),
  };
}
