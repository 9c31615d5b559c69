import { userInfo } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { GateFailure } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import { escapeMarkdown, inlineCode, markdownTable } from '../report/markdown.js';
import { AliasConflictError } from './alias-conflict.js';
import { modelDigest, scanModel } from './files.js';
import { describeGate, evaluateGates, parseRequire } from './gates.js';
import { readModelMetadata, readReport } from './inputs.js';
import { renderModelCard } from './model-card.js';
import { validateAliasName, validateModelName } from './names.js';
import { openRegistry, type RegistryDeps } from './open.js';
import { VERSION_RECORD_SCHEMA, type VersionRecord, validateTags } from './record.js';
import type { Registry } from './registry.js';

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
  uri: string;
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

  const source = await scanModel(at(options.model));
  const metrics = options.metrics?.trim()
    ? await readReport(at(options.metrics), 'metrics', 'mlops-metrics/v1')
    : null;
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
    uri: stored.uri,
    digest: record.digest,
    releaseUrl: stored.releaseUrl,
    record,
    summaryMarkdown: registerSummary(record, stored.uri, stored.releaseUrl, alias),
  };
}

function registerSummary(
  record: VersionRecord,
  uri: string,
  releaseUrl: string | undefined,
  alias?: string,
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
    `### Registered ${inlineCode(record.name)} version ${record.version}`,
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
