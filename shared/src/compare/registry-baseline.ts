import { parseModelReference, type Registry, showVersion } from '../registry/index.js';
import { type MetricsFile, metricsFileFromObject } from './metrics-file.js';

/** True when the registry has something at the reference: a missing model or alias means "first model". */
async function exists(registry: Registry, reference: string): Promise<boolean> {
  const ref = parseModelReference(reference);
  if (ref.kind === 'alias') return (await registry.listAliases(ref.name))[ref.alias] !== undefined;
  const versions = await registry.listVersions(ref.name);
  return ref.kind === 'latest' ? versions.length > 0 : versions.includes(ref.version);
}

/**
 * Resolves `registry:<name>@<alias>` (or `<name>/<version>`) to the metrics stored with that
 * version at registration. No such model or alias yet, or a version registered without metrics,
 * is "no baseline": the caller then applies value thresholds only and says so.
 */
export function registryBaselineResolver(
  registry: () => Registry,
): (spec: string) => Promise<MetricsFile | undefined> {
  return async (spec) => {
    const reference = spec.replace(/^registry:/, '');
    const opened = registry();
    if (!(await exists(opened, reference))) return undefined;
    const { record } = await showVersion(opened, reference);
    if (!record.metrics) return undefined;
    return metricsFileFromObject(record.metrics, `${spec} (version ${record.version})`, 'baseline');
  };
}
