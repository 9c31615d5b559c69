import {
  appendFile,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../errors/index.js';
import { writeFileAtomic } from '../../files/atomic-write.js';
import { AliasConflictError } from '../alias-conflict.js';
import { resolveInside, sha256File } from '../files.js';
import { NAME_PATTERN, VERSION_PATTERN, validateAliasName, validateModelName } from '../names.js';
import { MODEL_CARD_FILE, parseVersionRecordText, RECORD_FILE, type VersionRecord } from '../record.js';
import type {
  AliasChange,
  AliasEntry,
  AliasUpdate,
  RegistrationRequest,
  Registry,
  RegistryEvent,
  StoredVersion,
} from '../registry.js';
import { verifyModelFolder } from '../verify.js';
import { type LockOptions, withFileLock } from './lock.js';

const ALIASES_SCHEMA = 'mlops-model-aliases/v1';
const STAGING = '.staging';
/** Staging folders of crashed writers on other hosts are removed after this long. */
const STAGING_MAX_AGE_MS = 24 * 3600_000;
/**
 * Test hook for the kill -9 test: when set to a path, register writes that file once the version
 * is fully staged and then waits forever, so a test can kill the process at the worst moment.
 */
export const PAUSE_AFTER_STAGING_ENV = 'MLOPS_TEST_PAUSE_AFTER_STAGING';

const sleepForever = () => new Promise<never>(() => setInterval(() => {}, 60_000));

async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

/**
 * The embedded registry on a filesystem (DESIGN.md §7):
 *
 *     <root>/models/<name>/versions/<n>/files/...            the model's files
 *     <root>/models/<name>/versions/<n>/mlops-model-version.json
 *     <root>/models/<name>/versions/<n>/MODEL_CARD.md
 *     <root>/models/<name>/aliases.json                      written by temp file + rename
 *     <root>/models/<name>/events.ndjson                     append-only
 *     <root>/models/<name>/.lock                             guards aliases and events
 *     <root>/.staging/                                       versions being written
 *
 * A version appears by one rename of a complete staged folder, so a crash leaves either nothing or
 * the whole version. Renaming a folder onto an existing non-empty one fails, which is how two
 * writers that picked the same number find out: the loser retries with the next number. Model
 * files live under `files/` so a model's own README or JSON can never clash with the record.
 */
export class LocalRegistry implements Registry {
  readonly kind = 'local' as const;
  readonly root: string;

  constructor(
    root: string,
    private readonly lockOptions: LockOptions = {},
  ) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  private modelDir(name: string): string {
    return join(this.root, 'models', validateModelName(name));
  }

  private versionDir(name: string, version: number): string {
    return join(this.modelDir(name), 'versions', String(version));
  }

  private lock<T>(name: string, action: Parameters<typeof withFileLock<T>>[1]): Promise<T> {
    return withFileLock(join(this.modelDir(name), '.lock'), action, this.lockOptions);
  }

  async register(request: RegistrationRequest): Promise<StoredVersion> {
    const versionsDir = join(this.modelDir(request.name), 'versions');
    const stagingRoot = join(this.root, STAGING);
    await mkdir(versionsDir, { recursive: true });
    await mkdir(stagingRoot, { recursive: true });
    await this.removeAbandonedStaging(stagingRoot);

    const owner = `${encodeURIComponent(hostname())}+${process.pid}+`;
    const stage = await mkdtemp(join(stagingRoot, owner));
    try {
      await this.copyIntoStage(request, join(stage, 'files'));
      for (let attempt = 0; ; attempt++) {
        const versions = await this.listVersions(request.name);
        const version = (versions.at(-1) ?? 0) + 1;
        const record = request.makeRecord(version);
        await writeFile(join(stage, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
        await writeFile(join(stage, MODEL_CARD_FILE), request.renderCard(record));
        const pausePath = process.env[PAUSE_AFTER_STAGING_ENV];
        if (pausePath) {
          await writeFile(pausePath, stage);
          await sleepForever();
        }
        const target = join(versionsDir, String(version));
        try {
          await rename(stage, target);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // ENOTEMPTY/EEXIST (POSIX) or EPERM (Windows) with the folder there: another writer took this number.
          const taken =
            (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') && (await exists(target));
          if (taken && attempt < 10_000) continue;
          throw error;
        }
        // A crash right here leaves a complete version without its log line; the version itself
        // (and its record, which names who made it and from which run) is the source of truth.
        await this.appendEvent(request.name, {
          schema: 'mlops-registry-event/v1',
          type: 'register',
          at: record.created_at,
          actor: request.actor,
          run_url: request.runUrl,
          model: request.name,
          version,
          digest: record.digest,
          git_sha: record.git_sha,
          ...(request.forcedGates.length > 0 ? { forced: { gates: request.forcedGates } } : {}),
        });
        return { record, uri: pathToFileURL(join(versionsDir, String(version))).href };
      }
    } finally {
      await rm(stage, { recursive: true, force: true });
    }
  }

  /** Copies and re-hashes: the stored bytes must be the ones the record describes, even if the source changes meanwhile. */
  private async copyIntoStage(request: RegistrationRequest, filesDir: string): Promise<void> {
    for (const file of request.source.files) {
      const target = resolveInside(filesDir, file.path, 'the model');
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file.absolutePath, target);
      const copied = await sha256File(target);
      if (copied.sha256 !== file.sha256) {
        throw new UserError(
          `The model file '${file.path}' changed while it was being registered; try again.`,
          {
            input: 'model',
          },
        );
      }
    }
  }

  /** Staging folders left by killed writers: dead pid on this host, or very old. */
  private async removeAbandonedStaging(stagingRoot: string): Promise<void> {
    const host = encodeURIComponent(hostname());
    for (const entry of await readdir(stagingRoot).catch(() => [] as string[])) {
      const [entryHost, pidText] = entry.split('+');
      const path = join(stagingRoot, entry);
      let abandoned = false;
      if (entryHost === host && /^\d+$/.test(pidText ?? '')) {
        try {
          process.kill(Number(pidText), 0);
        } catch (error) {
          abandoned = (error as NodeJS.ErrnoException).code === 'ESRCH';
        }
      }
      if (!abandoned) {
        const info = await stat(path).catch(() => null);
        abandoned = info !== null && Date.now() - info.mtimeMs > STAGING_MAX_AGE_MS;
      }
      if (abandoned) await rm(path, { recursive: true, force: true });
    }
  }

  async listModels(): Promise<string[]> {
    const entries = await readdir(join(this.root, 'models')).catch(() => [] as string[]);
    const names: string[] = [];
    for (const entry of entries.filter((name) => NAME_PATTERN.test(name)).sort()) {
      if ((await this.listVersions(entry)).length > 0) names.push(entry);
    }
    return names;
  }

  async listVersions(name: string): Promise<number[]> {
    const entries = await readdir(join(this.modelDir(name), 'versions'), { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    return entries
      .filter((entry) => entry.isDirectory() && VERSION_PATTERN.test(entry.name))
      .map((entry) => Number(entry.name))
      .sort((a, b) => a - b);
  }

  async readVersion(name: string, version: number): Promise<StoredVersion> {
    const dir = this.versionDir(name, version);
    const recordPath = join(dir, RECORD_FILE);
    const text = await readTextIfExists(recordPath);
    if (text === null) {
      const known = await this.listVersions(name);
      throw new UserError(
        known.length === 0
          ? `Model '${name}' has no versions in the registry ${this.root}.`
          : `Model '${name}' has no version ${version} (versions: ${known.join(', ')}).`,
        { input: 'model' },
      );
    }
    const record = parseVersionRecordText(text, recordPath);
    if (record.name !== name || record.version !== version) {
      throw new UserError(
        `The record ${recordPath} describes ${record.name}/${record.version}, not ${name}/${version}.`,
      );
    }
    return { record, uri: pathToFileURL(dir).href };
  }

  private async readAliasFile(name: string): Promise<Record<string, AliasEntry>> {
    const path = join(this.modelDir(name), 'aliases.json');
    const text = await readTextIfExists(path);
    if (text === null) return {};
    try {
      const value = JSON.parse(text) as { schema?: unknown; aliases?: Record<string, AliasEntry> };
      if (value.schema !== ALIASES_SCHEMA || value.aliases === null || typeof value.aliases !== 'object') {
        throw new Error(`expected "schema": "${ALIASES_SCHEMA}"`);
      }
      return value.aliases;
    } catch (error) {
      throw new UserError(`The alias file ${path} is corrupted: ${(error as Error).message}.`);
    }
  }

  listAliases(name: string): Promise<Record<string, AliasEntry>> {
    return this.readAliasFile(name);
  }

  async setAlias(update: AliasUpdate): Promise<AliasChange> {
    const alias = validateAliasName(update.alias);
    // Fails with a clear message when the version does not exist.
    await this.readVersion(update.name, update.version);
    return this.lock(update.name, async (held) => {
      const aliases = await this.readAliasFile(update.name);
      const previous = aliases[alias]?.version ?? null;
      if (update.expected !== undefined && update.expected !== previous) {
        throw new AliasConflictError(update.name, alias, update.expected, previous);
      }
      const at = new Date().toISOString();
      const next = {
        ...aliases,
        [alias]: { version: update.version, updated_at: at, updated_by: update.actor },
      };
      await held.assertHeld();
      await writeFileAtomic(
        join(this.modelDir(update.name), 'aliases.json'),
        `${JSON.stringify({ schema: ALIASES_SCHEMA, aliases: next }, null, 2)}\n`,
      );
      await this.appendEventLocked(update.name, {
        schema: 'mlops-registry-event/v1',
        type: 'alias',
        at,
        actor: update.actor,
        run_url: update.runUrl ?? null,
        model: update.name,
        version: update.version,
        alias,
        previous,
      });
      return { name: update.name, alias, previous, version: update.version };
    });
  }

  async materialize(record: VersionRecord): Promise<string> {
    const folder = join(this.versionDir(record.name, record.version), 'files');
    await verifyModelFolder(folder, record);
    return folder;
  }

  private appendEvent(name: string, event: RegistryEvent): Promise<void> {
    return this.lock(name, () => this.appendEventLocked(name, event));
  }

  /** One write per line under the model's lock, so lines never interleave, even on NFS. */
  private async appendEventLocked(name: string, event: RegistryEvent): Promise<void> {
    await appendFile(join(this.modelDir(name), 'events.ndjson'), `${JSON.stringify(event)}\n`);
  }

  async readEvents(name?: string): Promise<RegistryEvent[]> {
    const names = name === undefined ? await this.listModels() : [validateModelName(name)];
    const events: RegistryEvent[] = [];
    for (const model of names) {
      const text = (await readTextIfExists(join(this.modelDir(model), 'events.ndjson'))) ?? '';
      for (const line of text.split('\n')) {
        // A crash mid-append can leave a partial last line; it is skipped rather than failing every reader.
        if (line.trim() === '') continue;
        try {
          events.push(JSON.parse(line) as RegistryEvent);
        } catch {}
      }
    }
    return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}
