import { userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { GateFailure, UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import { AliasConflictError } from './alias-conflict.js';
import { type ModelSource, modelDigest, scanModel } from './files.js';
import { describeGate, evaluateGates, parseRequire } from './gates.js';
import { readModelMetadata, readReport } from './inputs.js';
import { checkMetricsDigest } from './metrics-digest.js';
import { renderModelCard } from './model-card.js';
import { validateAliasName, validateModelName } from './names.js';
import { openRegistry, type RegistryDeps } from './open.js';
import { VERSION_RECORD_SCHEMA, type VersionRecord, validateTags } from './record.js';
import type { Registry, StoredVersion } from './registry.js';

/** Train's resumable state (weights plus optimizer moments) inside its output folder: not the model. */
const CHECKPOINTS_FOLDER = 'checkpoints';

export interface RegisterOptions {
  /** A model folder or a single model file. */
  model: string;
  name: string;
  /** A `mlops-metrics/v1` file from evaluate. */
  metrics?: string;
  /** A `mlops-profile/v1` file from data-validate. */
  profile?: string;
  backend: 'local' | 'github';
  /** local: folder (default `.mlops/registry`); github: `owner/repo` (default deps.repo). */
  registry: string;
  /** Moved to the new version after registering. */
  alias?: string;
  tags?: string[];
  /** Value gates checked before registering, e.g. `accuracy>=0.9, log_loss<=0.4` or YAML. */
  require?: string;
  /** Register even when `require` fails; the override is recorded (status `forced`, event log). */
  force?: boolean;
  /** Keep a top-level `checkpoints/` folder in the version (left out by default). */
  includeCheckpoints?: boolean;
  /** Register even when the model digest in `metrics` is not the model's (tagged `digest-mismatch=true`). */
  allowDigestMismatch?: boolean;
  workingDirectory: string;
  createdBy?: string;
  gitSha?: string;
  runUrl?: string;
}

export interface RegisterDeps extends RegistryDeps {
  log: Log;
}

export interface RegisterResult {
  version: number;
  /** `<name>/<version>`: the reference deploy, evaluate and `mlops registry show` take. */
  uri: string;
  /** Where the version is stored: a file URL (local) or the tag URL (github). */
  location: string;
  /** True when identical content was already registered: `version` is that version, nothing new was stored. */
  alreadyRegistered: boolean;
  digest: string;
  releaseUrl?: string;
  record: VersionRecord;
  summaryMarkdown: string;
}

function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Attempts at the alias's compare-and-swap before giving up (each loses only to another writer). */
const ALIAS_CAS_ATTEMPTS = 20;

/**
 * Moves `alias` to the version just registered with compare-and-swap, and only forward: when
 * registers run concurrently, each newer version must win whatever order their alias moves land
 * in (12 concurrent registers left the alias at v3, not v12). A version older than where the alias
 * points now leaves it there, with a note; `mlops registry alias` moves an alias anywhere.
 */
async function moveAliasForward(
  registry: Registry,
  move: { name: string; alias: string; version: number; actor: string; runUrl?: string },
  log: Log,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = (await registry.listAliases(move.name))[move.alias]?.version ?? null;
    if (current !== null && current >= move.version) {
      log.info(
        current === move.version
          ? `Alias ${move.alias} of ${move.name} already points to version ${move.version}.`
          : `Alias ${move.alias} of ${move.name} stays at version ${current}: it is newer than version ${move.version} (registered meanwhile); an alias moves only forward here.`,
      );
      return;
    }
    try {
      await registry.setAlias({
        name: move.name,
        alias: move.alias,
        version: move.version,
        expected: current,
        actor: move.actor,
        runUrl: move.runUrl?.trim() || null,
      });
      log.info(
        `Alias ${move.alias} of ${move.name}: ${current === null ? 'new' : `version ${current}`} -> version ${move.version}`,
      );
      return;
    } catch (error) {
      if (!(error instanceof AliasConflictError) || attempt >= ALIAS_CAS_ATTEMPTS) throw error;
    }
  }
}

/** The register use case: check gates, store an immutable version, optionally move an alias. */
export async function runRegister(options: RegisterOptions, deps: RegisterDeps): Promise<RegisterResult> {
  const { log } = deps;
  const name = validateModelName(options.name);
  const alias = options.alias?.trim() ? validateAliasName(options.alias.trim()) : undefined;
  const tags = validateTags(options.tags ?? []);
  const at = (path: string) => (isAbsolute(path) ? path : resolve(options.workingDirectory, path));
  const gates = parseRequire(options.require);

  const source = withoutCheckpoints(await scanModel(at(options.model)), !!options.includeCheckpoints, log);
  const metrics = options.metrics?.trim()
    ? await readReport(at(options.metrics), 'metrics', 'mlops-metrics/v1')
    : null;
  const digestCheck = metrics
    ? await checkMetricsDigest(source, metrics, options.metrics!, !!options.allowDigestMismatch, log)
    : undefined;
  if (digestCheck?.outcome === 'mismatch' && !tags.includes('digest-mismatch=true'))
    tags.push('digest-mismatch=true');
  const profile = options.profile?.trim()
    ? await readReport(at(options.profile), 'profile', 'mlops-profile/v1')
    : null;
  const { signature, preprocessing } = await readModelMetadata(source);

  const results = evaluateGates(gates, metrics);
  const failed = results.filter((result) => !result.passed);
  if (failed.length > 0 && !options.force) {
    throw new GateFailure(
      `Model '${name}' was not registered: ${failed.length} requirement(s) failed: ${failed.map(describeGate).join('; ')}` +
        (metrics === null ? ' (no metrics file was given)' : '') +
        '. Set force to register anyway.',
    );
  }
  if (failed.length > 0) {
    log.warning(
      `Registering '${name}' despite failed requirements (force): ${failed.map(describeGate).join('; ')}`,
    );
  }

  const files = source.files.map(({ path, sha256, size }) => ({ path, sha256, size }));
  const createdBy = options.createdBy?.trim() || defaultActor();
  const createdAt = new Date().toISOString();
  const makeRecord = (version: number): VersionRecord => ({
    schema: VERSION_RECORD_SCHEMA,
    name,
    version,
    created_at: createdAt,
    created_by: createdBy,
    digest: modelDigest(files),
    model: { kind: source.kind, entry: source.entry ?? null },
    files,
    git_sha: options.gitSha?.trim() || null,
    run_url: options.runUrl?.trim() || null,
    metrics,
    profile,
    signature,
    preprocessing,
    tags,
    status: gates.length === 0 ? 'unvalidated' : failed.length > 0 ? 'forced' : 'validated',
    gates: results,
  });

  const registry = openRegistry(options, deps);
  const candidate = makeRecord(0);
  const existing = await findIdenticalVersion(registry, candidate);
  if (existing !== undefined) {
    const version = existing.record.version;
    log.info(
      `${name} is already registered as version ${version} (same model files ${candidate.digest}, metrics, profile, tags and gates); nothing new was stored.`,
    );
    if (alias !== undefined)
      await moveAliasForward(
        registry,
        { name, alias, version, actor: createdBy, runUrl: options.runUrl },
        log,
      );
    const uri = formatVersionUri(name, version);
    return {
      version,
      uri,
      location: existing.uri,
      alreadyRegistered: true,
      digest: existing.record.digest,
      releaseUrl: existing.releaseUrl,
      record: existing.record,
      summaryMarkdown: registerSummary(existing.record, existing.uri, existing.releaseUrl, alias, true),
    };
  }
  const stored = await registry.register({
    name,
    source,
    makeRecord,
    renderCard: renderModelCard,
    actor: createdBy,
    runUrl: options.runUrl?.trim() || null,
    forcedGates: failed,
  });
  const { record } = stored;
  log.info(`Registered ${name} version ${record.version} (${record.digest}) in ${registry.location}`);

  if (alias !== undefined) {
    await moveAliasForward(
      registry,
      { name, alias, version: record.version, actor: createdBy, runUrl: options.runUrl },
      log,
    );
  }

  return {
    version: record.version,
    uri: formatVersionUri(name, record.version),
    location: stored.uri,
    alreadyRegistered: false,
    digest: record.digest,
    releaseUrl: stored.releaseUrl,
    record,
    summaryMarkdown: registerSummary(record, stored.uri, stored.releaseUrl, alias),
  };
}

function formatVersionUri(name: string, version: number): string {
  return `${name}/${version}`;
}

/** Leaves out the top-level checkpoints/ folder unless asked to keep it, and says what it left out. */
function withoutCheckpoints(source: ModelSource, include: boolean, log: Log): ModelSource {
  if (source.kind !== 'directory') return source;
  const inside = (path: string) => path.startsWith(`${CHECKPOINTS_FOLDER}/`);
  const left = source.files.filter((file) => inside(file.path));
  if (left.length === 0 || include) return source;
  const kept = source.files.filter((file) => !inside(file.path));
  if (kept.length === 0) {
    throw new UserError(
      `The model folder '${source.path}' holds nothing but ${CHECKPOINTS_FOLDER}/; give the trained model's folder, or set include-checkpoints: true.`,
      { input: 'model' },
    );
  }
  const bytes = left.reduce((sum, file) => sum + file.size, 0);
  log.info(
    `Left out ${CHECKPOINTS_FOLDER}/ (${left.length} files, ${bytes} bytes of training state, not needed to serve the model); set include-checkpoints: true to keep it.`,
  );
  return { ...source, files: kept };
}

/**
 * A version with the same model files, metrics, profile, tags and gate results, newest first.
 * Registering it again (a re-run job) must not mint a new number for the same content.
 */
async function findIdenticalVersion(
  registry: Registry,
  candidate: VersionRecord,
): Promise<StoredVersion | undefined> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const versions = await registry.listVersions(candidate.name);
  for (const version of [...versions].reverse()) {
    const stored = await registry.readVersion(candidate.name, version);
    const record = stored.record;
    if (
      record.digest === candidate.digest &&
      same(record.metrics, candidate.metrics) &&
      same(record.profile, candidate.profile) &&
      same([...record.tags].sort(), [...candidate.tags].sort()) &&
      record.status === candidate.status &&
      same(record.gates, candidate.gates)
    )
      return stored;
  }
  return undefined;
}

function registerSummary(
  record: VersionRecord,
  uri: string,
  releaseUrl: string | undefined,
  alias?: string,
  alreadyRegistered = false,
): string {
  const rows: string[][] = [
    ['Version', String(record.version)],
    ['Digest', inlineCode(record.digest)],
    ['Location', inlineCode(uri)],
    ['Status', record.status],
  ];
  if (releaseUrl) rows.push(['Release', escapeMarkdown(releaseUrl)]);
  if (alias) rows.push(['Alias', inlineCode(alias)]);
  const lines = [
    alreadyRegistered
      ? `### ${inlineCode(record.name)} already registered as version ${record.version}`
      : `### Registered ${inlineCode(record.name)} version ${record.version}`,
    '',
    markdownTable(['', ''], rows),
  ];
  if (record.gates.length > 0) {
    lines.push('', '**Requirements**', '');
    for (const gate of record.gates)
      lines.push(`- ${gate.passed ? 'passed' : 'FAILED (forced)'}: ${escapeMarkdown(describeGate(gate))}`);
  }
  return `${lines.join('\n')}\n`;
}
