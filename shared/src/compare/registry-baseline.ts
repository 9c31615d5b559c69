import { parseModelReference, type Registry, showVersion } from '../registry/index.js';
import { didYouMean } from '../text/nearest.js';
import { metricsFileFromObject } from './metrics-file.js';
import type { BaselineLookup, MissingBaseline } from './run.js';

/** Every registered model with its aliases, for the "what exists" half of a missing-baseline message. */
async function describeRegistry(registry: Registry): Promise<string> {
  const models = await registry.listModels();
  if (models.length === 0) return `the registry ${registry.location} has no model yet`;
  const described = await Promise.all(
    models.sort().map(async (model) => {
      const aliases = Object.entries(await registry.listAliases(model))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([alias, entry]) => `@${alias} → v${entry.version}`);
      const versions = await registry.listVersions(model);
      return `${model} (${versions.length} version(s)${aliases.length > 0 ? `; aliases ${aliases.join(', ')}` : '; no alias'})`;
    }),
  );
  return `the registry ${registry.location} holds: ${described.join('; ')}`;
}

/** Undefined when the registry has something at the reference, else why not (with what exists). */
async function whyMissing(registry: Registry, reference: string): Promise<string | undefined> {
  const ref = parseModelReference(reference, 'baseline');
  const models = await registry.listModels();
  if (!models.includes(ref.name)) return `no model is called ${ref.name}.${didYouMean(ref.name, models)}`;
  if (ref.kind === 'alias') {
    const aliases = await registry.listAliases(ref.name);
    if (aliases[ref.alias] !== undefined) return undefined;
    return `${ref.name} has no alias ${ref.alias}.${didYouMean(ref.alias, Object.keys(aliases))}`;
  }
  const versions = await registry.listVersions(ref.name);
  if (ref.kind === 'latest') return versions.length > 0 ? undefined : `${ref.name} has no complete version`;
  return versions.includes(ref.version) ? undefined : `${ref.name} has no version ${ref.version}`;
}

/**
 * Resolves `registry:<name>@<alias>` (or `<name>/<version>`) to the metrics stored with that
 * version at registration. A reference that names nothing, or a version registered without
 * metrics, is a missing baseline that says what the registry holds: a typo must not pass as
 * "first model".
 */
export function registryBaselineResolver(
  registry: () => Registry,
): (spec: string) => Promise<BaselineLookup> {
  return async (spec) => {
    const reference = spec.replace(/^registry:/, '');
    const opened = registry();
    const missing = (why: string): MissingBaseline => ({
      missing: true,
      lookedFor: `${spec} (${why})`,
      available: '',
    });
    const why = await whyMissing(opened, reference);
    if (why !== undefined) return { ...missing(why), available: await describeRegistry(opened) };
    const { record } = await showVersion(opened, reference);
    if (!record.metrics) {
      return {
        ...missing(`version ${record.version} was registered without metrics`),
        available: await describeRegistry(opened),
      };
    }
    return metricsFileFromObject(record.metrics, `${spec} (version ${record.version})`, 'baseline');
  };
}
