import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import { showVersion } from './queries.js';
import type { Registry } from './registry.js';

export const REGISTRY_PREFIX = 'registry:';

export interface StoredReports {
  /** The stored mlops-profile/v1, written to a file, for drift-check and skew checks. */
  profilePath?: string;
  /** The stored mlops-metrics/v1, written to a file, for performance decay. */
  metricsPath?: string;
  version: number;
}

/**
 * Writes the profile and metrics stored with `registry:<name>@<alias>` (or `<name>/<version>`) to
 * files, so steps that take paths can read them: drift-check runs from the registry alone.
 */
export async function storedReports(registry: Registry, spec: string, dir: string): Promise<StoredReports> {
  const reference = spec.startsWith(REGISTRY_PREFIX) ? spec.slice(REGISTRY_PREFIX.length) : spec;
  const { record } = await showVersion(registry, reference);
  mkdirSync(dir, { recursive: true });
  const write = (name: string, value: unknown) => {
    const file = join(dir, `${record.name}-v${record.version}-${name}.json`);
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    return file;
  };
  return {
    version: record.version,
    profilePath: record.profile ? write('profile', record.profile) : undefined,
    metricsPath: record.metrics ? write('metrics', record.metrics) : undefined,
  };
}

export function requireStoredProfile(reports: StoredReports, spec: string): string {
  if (!reports.profilePath) {
    throw new UserError(
      `${spec} (version ${reports.version}) was registered without a data profile: register it with 'profile:' (data-validate's profile-path) to check drift from the registry.`,
      { input: 'reference' },
    );
  }
  return reports.profilePath;
}
