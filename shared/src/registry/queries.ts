import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import { metricEntries } from './model-card.js';
import { type ModelReference, parseModelReference, parseVersion, validateModelName } from './names.js';
import type { VersionRecord } from './record.js';
import type { AliasChange, Registry } from './registry.js';
import { resolveVersionNumber } from './resolve.js';

export interface ModelSummary {
  name: string;
  versions: number[];
  latest: number;
  aliases: Record<string, number>;
}

/** `mlops registry list`: every model with its versions and where its aliases point. */
export async function listModels(registry: Registry): Promise<ModelSummary[]> {
  const summaries: ModelSummary[] = [];
  for (const name of await registry.listModels()) {
    const versions = await registry.listVersions(name);
    const aliases = Object.fromEntries(
      Object.entries(await registry.listAliases(name)).map(([alias, entry]) => [alias, entry.version]),
    );
    summaries.push({ name, versions, latest: versions.at(-1) ?? 0, aliases });
  }
  return summaries;
}

export interface VersionDetails {
  record: VersionRecord;
  uri: string;
  releaseUrl?: string;
  /** Aliases that point to this version now. */
  aliases: string[];
}

/** `mlops registry show <name@alias|name/version>`: the record (files are not downloaded). */
export async function showVersion(
  registry: Registry,
  reference: string | ModelReference,
): Promise<VersionDetails> {
  const ref = typeof reference === 'string' ? parseModelReference(reference) : reference;
  const version = await resolveVersionNumber(registry, ref);
  const stored = await registry.readVersion(ref.name, version);
  const aliases = Object.entries(await registry.listAliases(ref.name))
    .filter(([, entry]) => entry.version === version)
    .map(([alias]) => alias)
    .sort();
  return { record: stored.record, uri: stored.uri, releaseUrl: stored.releaseUrl, aliases };
}

export interface SetAliasOptions {
  name: string;
  alias: string;
  /** A version number, or a reference such as `name@staging` to copy. */
  version: number | string;
  /** Compare-and-swap: the version the alias must point to now ('none' or null: unset). */
  expected?: number | string | null;
  actor: string;
  runUrl?: string | null;
}

/** `mlops registry alias <name> <alias> <version> [--expected n]`. */
export async function setAlias(registry: Registry, options: SetAliasOptions): Promise<AliasChange> {
  const name = validateModelName(options.name);
  let version: number;
  if (typeof options.version === 'number' || /^\d+$/.test(options.version)) {
    version = parseVersion(options.version);
  } else {
    version = await resolveVersionNumber(registry, parseModelReference(options.version, 'version'));
  }
  let expected: number | null | undefined;
  if (options.expected === null || options.expected === 'none') expected = null;
  else if (options.expected !== undefined) expected = parseVersion(options.expected, 'expected');
  return registry.setAlias({
    name,
    alias: options.alias,
    version,
    expected,
    actor: options.actor,
    runUrl: options.runUrl ?? null,
  });
}

export interface MetricDelta {
  name: string;
  a: number | null;
  b: number | null;
  /** b - a, when both exist. */
  delta: number | null;
}

export interface VersionDiff {
  a: { name: string; version: number; digest: string };
  b: { name: string; version: number; digest: string };
  sameDigest: boolean;
  metrics: MetricDelta[];
  files: {
    added: string[];
    removed: string[];
    changed: string[];
    unchanged: string[];
  };
  markdown: string;
}

/** `mlops registry diff a b`: metrics and files of two versions side by side. */
export async function diffVersions(
  registry: Registry,
  a: string | ModelReference,
  b: string | ModelReference,
): Promise<VersionDiff> {
  const [left, right] = await Promise.all([showVersion(registry, a), showVersion(registry, b)]);
  const ra = left.record;
  const rb = right.record;
  const ma = new Map(metricEntries(ra.metrics).map((entry) => [entry.name, entry.value]));
  const mb = new Map(metricEntries(rb.metrics).map((entry) => [entry.name, entry.value]));
  const metrics = [...new Set([...ma.keys(), ...mb.keys()])].sort().map((name) => {
    const va = ma.get(name) ?? null;
    const vb = mb.get(name) ?? null;
    return { name, a: va, b: vb, delta: va !== null && vb !== null ? vb - va : null };
  });
  const fa = new Map(ra.files.map((file) => [file.path, file.sha256]));
  const fb = new Map(rb.files.map((file) => [file.path, file.sha256]));
  const files = {
    added: [] as string[],
    removed: [] as string[],
    changed: [] as string[],
    unchanged: [] as string[],
  };
  for (const [path, sha] of fb) {
    if (!fa.has(path)) files.added.push(path);
    else if (fa.get(path) !== sha) files.changed.push(path);
    else files.unchanged.push(path);
  }
  for (const path of fa.keys()) if (!fb.has(path)) files.removed.push(path);
  for (const list of Object.values(files)) list.sort();
  const diff = {
    a: { name: ra.name, version: ra.version, digest: ra.digest },
    b: { name: rb.name, version: rb.version, digest: rb.digest },
    sameDigest: ra.digest === rb.digest,
    metrics,
    files,
  };
  return { ...diff, markdown: renderDiff(diff) };
}

function formatValue(value: number | null, signed = false): string {
  if (value === null) return '';
  const text = Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
  return signed && value > 0 ? `+${text}` : text;
}

function renderDiff(diff: Omit<VersionDiff, 'markdown'>): string {
  const label = (side: VersionDiff['a']) => `${side.name}/${side.version}`;
  const lines = [`### ${inlineCode(label(diff.a))} vs ${inlineCode(label(diff.b))}`, ''];
  lines.push(diff.sameDigest ? 'Same model files (identical digest).' : 'Model files differ.', '');
  if (diff.metrics.length > 0) {
    lines.push(
      markdownTable(
        [
          'Metric',
          { header: label(diff.a), align: 'right' },
          { header: label(diff.b), align: 'right' },
          { header: 'Δ', align: 'right' },
        ],
        diff.metrics.map((metric) => [
          escapeMarkdown(metric.name),
          formatValue(metric.a),
          formatValue(metric.b),
          formatValue(metric.delta, true),
        ]),
      ),
      '',
    );
  }
  const fileRows = [
    ...diff.files.added.map((path) => [inlineCode(path), 'added']),
    ...diff.files.removed.map((path) => [inlineCode(path), 'removed']),
    ...diff.files.changed.map((path) => [inlineCode(path), 'changed']),
  ];
  if (fileRows.length > 0) lines.push(markdownTable(['File', 'Change'], fileRows), '');
  return lines.join('\n');
}
