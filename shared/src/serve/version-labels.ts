/**
 * TF Serving's version labels (`/v1/models/<m>/labels/<label>`), taken from the registry's
 * aliases: `production`, `staging`, `candidate` or any other alias of the model is a label for the
 * version it points to. The aliases are read again at most every `ttlMs`, so a label follows an
 * alias that moves while the server runs; TF Serving, likewise, only serves a label whose version
 * it has loaded (a label of a version this server has not loaded is not found).
 */
import type { Registry } from '../registry/registry.js';

/** The labels of one model: label -> version. */
export type VersionLabels = (model: string) => Promise<Readonly<Record<string, number>>>;

/** Labels read from a registry's aliases, cached for `ttlMs` per model (0: read every time). */
export function registryVersionLabels(registry: Registry, ttlMs = 1000): VersionLabels {
  const cache = new Map<string, { at: number; labels: Promise<Record<string, number>> }>();
  return (model) => {
    const cached = cache.get(model);
    if (cached && Date.now() - cached.at < ttlMs) return cached.labels;
    const labels = registry
      .listAliases(model)
      .then((aliases) =>
        Object.fromEntries(Object.entries(aliases).map(([alias, entry]) => [alias, entry.version])),
      );
    // A failed read is not cached: the next request tries again.
    labels.catch(() => cache.delete(model));
    cache.set(model, { at: Date.now(), labels });
    return labels;
  };
}
