import type { Registry } from '../registry/index.js';
import { resolveModel } from '../registry/resolve.js';
import { type MetricsFile, metricsFileFromObject } from './metrics-file.js';

/**
 * Resolves `registry:<name>@<alias>` (or `<name>/<version>`) to the metrics stored with that
 * version at registration. A version registered without metrics is "no baseline", said plainly.
 */
export function registryBaselineResolver(
  registry: () => Registry,
): (spec: string) => Promise<MetricsFile | undefined> {
  return async (spec) => {
    const reference = spec.replace(/^registry:/, '');
    const resolved = await resolveModel(registry(), reference);
    if (!resolved.record.metrics) return undefined;
    return metricsFileFromObject(
      resolved.record.metrics,
      `${spec} (version ${resolved.record.version})`,
      'baseline',
    );
  };
}
