import { basename } from 'node:path';
import { UserError } from '../errors/index.js';
import { digestFiles, tfjsModelFiles } from '../evaluate/digest.js';
import type { Log } from '../logging/index.js';
import type { ModelSource } from './files.js';

/** What the metrics file says about the model it was computed on (evaluate's `model` section). */
interface EvaluatedModel {
  path: string;
  format: string;
  digest: string;
}

function evaluatedModel(metrics: Record<string, unknown>): EvaluatedModel | null {
  const model = metrics['model'];
  if (model === null || typeof model !== 'object') return null;
  const { path, format, digest } = model as Record<string, unknown>;
  if (typeof digest !== 'string') return null;
  return { path: String(path ?? '?'), format: String(format ?? '?'), digest };
}

/**
 * The digests evaluate would compute for each model inside `source`, by evaluate's own rule
 * (`digestFiles` over the .onnx, or model.json then its weight shards): every .onnx file and every
 * model.json, wherever they sit in the folder, since a command's output folder may nest them.
 */
async function candidateDigests(source: ModelSource): Promise<{ path: string; digest: string }[]> {
  const out: { path: string; digest: string }[] = [];
  for (const file of source.files) {
    if (/\.onnx$/i.test(file.path)) out.push({ path: file.path, digest: `sha256:${file.sha256}` });
    else if (basename(file.path) === 'model.json') {
      // A model.json that is not a TF.js model (or lacks a shard) is simply not a candidate.
      const files = await tfjsModelFiles(file.absolutePath).catch(() => null);
      const digest = files === null ? null : await digestFiles(files).catch(() => null);
      if (digest !== null) out.push({ path: file.path, digest });
    }
  }
  return out;
}

export interface DigestCheck {
  /** 'match', 'mismatch' (allowed by the override), or 'unchecked' (the metrics name no model). */
  outcome: 'match' | 'mismatch' | 'unchecked';
  message?: string;
}

/**
 * Metrics describe one model: registering other weights beside them (retrained, stale metrics)
 * would publish numbers that belong to a different model. A mismatch is an error unless the
 * caller explicitly allows it, and then it is said loudly.
 */
export async function checkMetricsDigest(
  source: ModelSource,
  metrics: Record<string, unknown>,
  metricsFile: string,
  allowMismatch: boolean,
  log: Log,
): Promise<DigestCheck> {
  const evaluated = evaluatedModel(metrics);
  if (evaluated === null) {
    const message = `The metrics file '${metricsFile}' names no model digest (it was computed from a predictions file), so it cannot be checked against the model being registered.`;
    log.warning(message);
    return { outcome: 'unchecked', message };
  }
  const candidates = await candidateDigests(source);
  if (candidates.some((candidate) => candidate.digest === evaluated.digest)) return { outcome: 'match' };
  const found =
    candidates.length === 0
      ? 'it holds no model.json or .onnx file'
      : `it holds ${candidates.map((c) => `${c.path} (${c.digest})`).join(', ')}`;
  const message =
    `The metrics file '${metricsFile}' was computed on the model ${evaluated.path} with digest ${evaluated.digest}, ` +
    `but the model being registered (${source.path}) does not contain that model: ${found}.`;
  if (!allowMismatch) {
    throw new UserError(
      `${message} Re-run evaluate on this model, or set allow-digest-mismatch: true to register it with these metrics anyway.`,
      { input: 'metrics', file: metricsFile },
    );
  }
  log.warning(
    `${message} Registering anyway (allow-digest-mismatch); the version is tagged digest-mismatch=true.`,
  );
  return { outcome: 'mismatch', message };
}
