import type { ModelSource } from './files.js';
import type { GateResult, VersionRecord } from './record.js';

/** What a backend needs to store one new version; the version number is its to choose. */
export interface RegistrationRequest {
  name: string;
  source: ModelSource;
  /** Builds the record once the backend knows the number it is trying to claim. */
  makeRecord(version: number): VersionRecord;
  renderCard(record: VersionRecord): string;
  actor: string;
  runUrl: string | null;
  /** Gates overridden with `force`: logged in the event log. */
  forcedGates: GateResult[];
}

export interface StoredVersion {
  record: VersionRecord;
  /** Where the version lives: a file URL (local) or the tag URL (github). */
  uri: string;
  releaseUrl?: string;
}

export interface AliasEntry {
  version: number;
  updated_at: string;
  updated_by: string;
}

export interface AliasUpdate {
  name: string;
  alias: string;
  version: number;
  /**
   * Compare-and-swap: the version the alias must point to now (null: it must not exist yet).
   * Undefined moves the alias whatever it points to.
   */
  expected?: number | null;
  actor: string;
  runUrl?: string | null;
}

export interface AliasChange {
  name: string;
  alias: string;
  previous: number | null;
  version: number;
}

/** One line of the append-only event log (`mlops-registry-event/v1`). */
export interface RegistryEvent {
  schema: 'mlops-registry-event/v1';
  type: 'register' | 'alias';
  at: string;
  actor: string;
  run_url: string | null;
  model: string;
  version: number;
  digest?: string;
  git_sha?: string | null;
  alias?: string;
  previous?: number | null;
  /** Present on a register that overrode failing `require` gates. */
  forced?: { gates: GateResult[] };
}

/** Storage for model versions and aliases. Records are immutable once `register` returns. */
export interface Registry {
  readonly kind: 'local' | 'github';
  /** A printable location of the registry (a folder or `owner/repo`). */
  readonly location: string;
  register(request: RegistrationRequest): Promise<StoredVersion>;
  listModels(): Promise<string[]>;
  /** Complete versions only, ascending. */
  listVersions(name: string): Promise<number[]>;
  readVersion(name: string, version: number): Promise<StoredVersion>;
  listAliases(name: string): Promise<Record<string, AliasEntry>>;
  setAlias(update: AliasUpdate): Promise<AliasChange>;
  /**
   * A local folder holding exactly the version's files, each checked against the record's sha256
   * (a mismatch, a missing or an extra file throws). `cacheDir` is where a remote backend
   * downloads to; the local backend verifies in place and returns its own folder, which callers
   * must treat as read-only (deploy copies out of it).
   */
  materialize(record: VersionRecord, cacheDir?: string): Promise<string>;
  /** The event log, oldest first (the github backend derives it from the tags). */
  readEvents(name?: string): Promise<RegistryEvent[]>;
}
