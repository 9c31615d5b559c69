import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Octokit } from '@octokit/rest';
import { UserError } from '../../errors/index.js';
import { AliasConflictError } from '../alias-conflict.js';
import { resolveInside } from '../files.js';
import { validateAliasName, validateModelName } from '../names.js';
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
import { IntegrityError, verifyModelFolder } from '../verify.js';
import { assetNamesFor } from './asset-names.js';

/** Attempts per release asset upload (see `uploadAsset`): a failure, one stored anyway, its 422, success. */
const UPLOAD_ATTEMPTS = 4;
const UPLOAD_RETRY_DELAY_MS = 500;

/** What a release asset is uploaded from: opened anew for each attempt. */
interface AssetBody {
  size: number;
  open(): Readable | Buffer;
  contentType: string;
}

function bufferBody(text: string, contentType: string): AssetBody {
  const data = Buffer.from(text);
  return { size: data.length, open: () => data, contentType };
}

/** A server error or a request that got no answer (a network failure, a timeout). */
function isWorthRetrying(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return status === undefined || status >= 500;
}

function isAlreadyExists(error: unknown): boolean {
  const { status, response } = error as {
    status?: number;
    response?: { data?: { errors?: { code?: string }[] } };
  };
  return status === 422 && (response?.data?.errors ?? []).some((e) => e.code === 'already_exists');
}

type Rest = Octokit['rest'];
/** The few Octokit methods this backend calls (a real `Octokit` instance fits). */
export interface GitHubClient {
  rest: {
    git: Pick<Rest['git'], 'listMatchingRefs' | 'createTag' | 'createRef' | 'getRef' | 'getTag'>;
    repos: Pick<
      Rest['repos'],
      | 'get'
      | 'createRelease'
      | 'updateRelease'
      | 'uploadReleaseAsset'
      | 'getReleaseByTag'
      | 'getReleaseAsset'
      | 'listReleases'
      | 'listReleaseAssets'
      | 'deleteReleaseAsset'
    >;
  };
  paginate: Octokit['paginate'];
}

export interface GitHubRepo {
  owner: string;
  repo: string;
}

const ALIAS_SCHEMA = 'mlops-registry-alias/v1';
const MAX_ATTEMPTS = 100;

/** GTO's version tag: `<name>@v<n>.0.0`. */
export const versionTag = (name: string, version: number) => `${name}@v${version}.0.0`;
/** GTO's stage/alias assignment tag: `<name>#<alias>#<k>`, append-only. */
export const aliasTag = (name: string, alias: string, k: number) => `${name}#${alias}#${k}`;

/**
 * The refs API says "Reference already exists" to the loser of a race, and under heavy concurrency
 * sometimes the vaguer "Reference update failed" (github/rest-api-description#4887). Both mean
 * "look again": the caller re-lists refs and retries, bounded by MAX_ATTEMPTS.
 */
export function isLostRefRace(error: unknown): boolean {
  const { status, message } = error as { status?: number; message?: string };
  return status === 422 && /already exists|update failed/i.test(message ?? '');
}

/** Every ref under `prefix` (e.g. `tags/name@v`), with the object each points at. */
export async function matchingRefs(
  octokit: GitHubClient,
  repo: GitHubRepo,
  prefix: string,
): Promise<{ ref: string; sha: string }[]> {
  // github.com answers in one page, but paginate also follows a Link header where one is sent.
  const refs = await octokit.paginate(octokit.rest.git.listMatchingRefs, {
    ...repo,
    ref: prefix,
    per_page: 100,
  });
  return refs.map((item) => ({ ref: item.ref, sha: item.object.sha }));
}

/**
 * The compare-and-swap every record of the GitHub backends rests on: an annotated tag `tag` on
 * `commit` holding `message`, claimed by creating its ref, which must not exist yet. False when
 * another writer claimed the name first (the caller looks again); its own tag object is then left
 * unreferenced, which is harmless.
 */
export async function claimTag(
  octokit: GitHubClient,
  repo: GitHubRepo,
  tag: string,
  message: string,
  commit: string,
): Promise<boolean> {
  const { data: tagObject } = await octokit.rest.git.createTag({
    ...repo,
    tag,
    message,
    object: commit,
    type: 'commit',
  });
  try {
    await octokit.rest.git.createRef({ ...repo, ref: `refs/tags/${tag}`, sha: tagObject.sha });
    return true;
  } catch (error) {
    if (!isLostRefRace(error)) throw error;
    return false;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { status?: number }).status === 404;
}

interface AliasMessage {
  schema: typeof ALIAS_SCHEMA;
  model: string;
  alias: string;
  version: number;
  previous: number | null;
  actor: string;
  run_url: string | null;
  at: string;
}

/**
 * The registry inside a GitHub repository (DESIGN.md §7), readable by DVC's GTO:
 * - a version is the annotated tag `<name>@v<n>.0.0` whose message is the version record (JSON),
 *   plus a release on that tag holding the model files, the record and the model card as assets;
 * - creating the tag's ref is the commit point: the refs API answers 422 "Reference already
 *   exists" to all but one concurrent writer of a number, and the others retry with n+1;
 * - a version counts as complete once its release is published; a writer killed between the tag
 *   and the publish leaves a number that is skipped, never a half version;
 * - an alias is a series of tags `<name>#<alias>#<k>`; the highest k is current, so moving an
 *   alias is again "create a ref that must not exist", which makes it a compare-and-swap.
 */
export class GitHubRegistry implements Registry {
  readonly kind = 'github' as const;

  constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: GitHubRepo,
  ) {}

  get location(): string {
    return `${this.repo.owner}/${this.repo.repo}`;
  }

  private matchingRefs(prefix: string): Promise<{ ref: string; sha: string }[]> {
    return matchingRefs(this.octokit, this.repo, prefix);
  }

  /** All version numbers that have a tag, complete or not (numbering must skip both). */
  private async taggedVersions(name: string): Promise<Map<number, string>> {
    const pattern = new RegExp(`^refs/tags/${name}@v([1-9][0-9]*)\\.0\\.0$`);
    const versions = new Map<number, string>();
    for (const ref of await this.matchingRefs(`tags/${name}@v`)) {
      const match = pattern.exec(ref.ref);
      if (match) versions.set(Number(match[1]), ref.sha);
    }
    return versions;
  }

  private async publishedReleaseTags(): Promise<Set<string>> {
    const releases = await this.octokit.paginate(this.octokit.rest.repos.listReleases, {
      ...this.repo,
      per_page: 100,
    });
    return new Set(releases.filter((release) => !release.draft).map((release) => release.tag_name));
  }

  private async headCommit(gitSha: string | null): Promise<string> {
    if (gitSha) return gitSha;
    const { data: repository } = await this.octokit.rest.repos.get({ ...this.repo });
    const { data: ref } = await this.octokit.rest.git.getRef({
      ...this.repo,
      ref: `heads/${repository.default_branch}`,
    });
    return ref.object.sha;
  }

  async register(request: RegistrationRequest): Promise<StoredVersion> {
    const name = validateModelName(request.name);
    const probe = request.makeRecord(1);
    const commit = await this.headCommit(probe.git_sha);
    let record: VersionRecord | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && record === undefined; attempt++) {
      const tagged = await this.taggedVersions(name);
      const version = Math.max(0, ...tagged.keys()) + 1;
      const candidate = request.makeRecord(version);
      const tag = versionTag(name, version);
      // A lost race means another writer took this number: look again.
      if (await claimTag(this.octokit, this.repo, tag, JSON.stringify(candidate, null, 2), commit))
        record = candidate;
    }
    if (record === undefined) {
      throw new Error(`Could not claim a version number for '${name}' after ${MAX_ATTEMPTS} attempts.`);
    }
    const tag = versionTag(name, record.version);
    const { data: draft } = await this.octokit.rest.repos.createRelease({
      ...this.repo,
      tag_name: tag,
      name: `${name} v${record.version}`,
      body: request.renderCard(record),
      draft: true,
    });
    // Uploads go to upload_url's host (uploads.github.com on github.com, /api/uploads on GHES).
    const uploadBase = draft.upload_url.slice(0, draft.upload_url.indexOf('/repos/'));
    const upload = (assetName: string, body: AssetBody) =>
      this.uploadAsset(draft.id, uploadBase, assetName, body);
    const names = assetNamesFor(record.files.map((file) => file.path));
    for (const file of request.source.files) {
      const { size } = await stat(file.absolutePath);
      await upload(names.get(file.path)!, {
        size,
        open: () => createReadStream(file.absolutePath),
        contentType: 'application/octet-stream',
      });
    }
    await upload(RECORD_FILE, bufferBody(`${JSON.stringify(record, null, 2)}\n`, 'application/json'));
    await upload(MODEL_CARD_FILE, bufferBody(request.renderCard(record), 'text/markdown'));
    const { data: release } = await this.octokit.rest.repos.updateRelease({
      ...this.repo,
      release_id: draft.id,
      draft: false,
    });
    return { record, uri: this.tagUri(release.html_url, tag), releaseUrl: release.html_url };
  }

  /**
   * Uploads one release asset, streamed from its file so a model of any size passes through
   * without being held in memory. A stream cannot be sent twice by the client's own retry, so this
   * retries a failed upload itself with a fresh stream; if a failed attempt was stored after all
   * (GitHub then answers 422 already_exists), that copy is deleted and the file sent again.
   */
  private async uploadAsset(
    releaseId: number,
    uploadBase: string,
    assetName: string,
    body: AssetBody,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { data: asset } = await this.octokit.rest.repos.uploadReleaseAsset({
          ...this.repo,
          release_id: releaseId,
          name: assetName,
          // Octokit types `data` as string but sends a Buffer or a stream as is.
          data: body.open() as unknown as string,
          baseUrl: uploadBase,
          headers: { 'content-type': body.contentType, 'content-length': body.size },
          request: { retries: 0 },
        });
        // Readers find files by these names; GitHub renaming one would make the version unreadable.
        if (asset.name !== assetName) {
          throw new Error(`GitHub stored the release asset '${assetName}' as '${asset.name}'.`);
        }
        return;
      } catch (error) {
        const storedAnyway = attempt > 1 && isAlreadyExists(error);
        if (attempt >= UPLOAD_ATTEMPTS || !(storedAnyway || isWorthRetrying(error))) throw error;
        if (storedAnyway) await this.deleteAsset(releaseId, assetName);
        else await new Promise((resolve) => setTimeout(resolve, UPLOAD_RETRY_DELAY_MS * attempt));
      }
    }
  }

  private async deleteAsset(releaseId: number, assetName: string): Promise<void> {
    const assets = await this.octokit.paginate(this.octokit.rest.repos.listReleaseAssets, {
      ...this.repo,
      release_id: releaseId,
      per_page: 100,
    });
    const stored = assets.find((asset) => asset.name === assetName);
    if (stored) await this.octokit.rest.repos.deleteReleaseAsset({ ...this.repo, asset_id: stored.id });
  }

  /**
   * The version's URI: the tagged tree on the web host, derived from the release's html_url so a
   * GitHub Enterprise Server host comes out right.
   */
  private tagUri(releaseHtmlUrl: string, tag: string): string {
    const at = releaseHtmlUrl.indexOf(`/${this.repo.owner}/${this.repo.repo}/releases/`);
    const host = at > 0 ? releaseHtmlUrl.slice(0, at) : 'https://github.com';
    return `${host}/${this.repo.owner}/${this.repo.repo}/tree/${encodeURIComponent(tag)}`;
  }

  async listModels(): Promise<string[]> {
    const tags = await this.matchingRefs('tags/');
    const published = await this.publishedReleaseTags();
    const names = new Set<string>();
    for (const { ref } of tags) {
      const match = /^refs\/tags\/([a-zA-Z0-9_-]+)@v[1-9][0-9]*\.0\.0$/.exec(ref);
      if (match && published.has(ref.slice('refs/tags/'.length))) names.add(match[1]);
    }
    return [...names].sort();
  }

  async listVersions(name: string): Promise<number[]> {
    const tagged = await this.taggedVersions(validateModelName(name));
    if (tagged.size === 0) return [];
    const published = await this.publishedReleaseTags();
    return [...tagged.keys()]
      .filter((version) => published.has(versionTag(name, version)))
      .sort((a, b) => a - b);
  }

  private async tagMessage(tagObjectSha: string): Promise<{ message: string; commit: string }> {
    const { data } = await this.octokit.rest.git.getTag({ ...this.repo, tag_sha: tagObjectSha });
    return { message: data.message, commit: data.object.sha };
  }

  private async readVersionTag(
    name: string,
    version: number,
  ): Promise<{ record: VersionRecord; commit: string }> {
    const tag = versionTag(validateModelName(name), version);
    const sha = (await this.taggedVersions(name)).get(version);
    if (sha === undefined) {
      const known = await this.listVersions(name);
      throw new UserError(
        known.length === 0
          ? `Model '${name}' has no versions in ${this.location}.`
          : `Model '${name}' has no version ${version} (versions: ${known.join(', ')}).`,
        { input: 'model' },
      );
    }
    const { message, commit } = await this.tagMessage(sha);
    const record = parseVersionRecordText(message, `the tag ${tag} of ${this.location}`);
    if (record.name !== name || record.version !== version) {
      throw new UserError(`The tag ${tag} of ${this.location} describes ${record.name}/${record.version}.`);
    }
    return { record, commit };
  }

  async readVersion(name: string, version: number): Promise<StoredVersion> {
    const { record } = await this.readVersionTag(name, version);
    const release = await this.publishedRelease(name, version);
    return {
      record,
      uri: this.tagUri(release.html_url, versionTag(name, version)),
      releaseUrl: release.html_url,
    };
  }

  private async publishedRelease(name: string, version: number) {
    const tag = versionTag(name, version);
    try {
      const { data } = await this.octokit.rest.repos.getReleaseByTag({ ...this.repo, tag });
      if (!data.draft) return data;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    throw new UserError(
      `Version ${version} of '${name}' is incomplete in ${this.location}: the tag ${tag} exists but its release was never published (the registering job was interrupted).`,
      { input: 'model' },
    );
  }

  async listAliases(name: string): Promise<Record<string, AliasEntry>> {
    const current = await this.currentAliasTags(validateModelName(name));
    const result: Record<string, AliasEntry> = {};
    for (const [alias, { sha }] of current) {
      const message = await this.readAliasMessage(sha, alias);
      result[alias] = { version: message.version, updated_at: message.at, updated_by: message.actor };
    }
    return result;
  }

  /** For each alias (or the one asked for), its highest-k tag. */
  private async currentAliasTags(
    name: string,
    only?: string,
  ): Promise<Map<string, { k: number; sha: string }>> {
    const prefix = only === undefined ? `tags/${name}#` : `tags/${name}#${only}#`;
    const pattern = new RegExp(`^refs/tags/${name}#([a-zA-Z0-9_-]+)#([1-9][0-9]*)$`);
    const current = new Map<string, { k: number; sha: string }>();
    for (const ref of await this.matchingRefs(prefix)) {
      const match = pattern.exec(ref.ref);
      if (!match || (only !== undefined && match[1] !== only)) continue;
      const k = Number(match[2]);
      if ((current.get(match[1])?.k ?? 0) < k) current.set(match[1], { k, sha: ref.sha });
    }
    return current;
  }

  private async readAliasMessage(sha: string, alias: string): Promise<AliasMessage> {
    const { message } = await this.tagMessage(sha);
    try {
      const value = JSON.parse(message) as AliasMessage;
      if (value.schema === ALIAS_SCHEMA && Number.isInteger(value.version)) return value;
    } catch {}
    throw new UserError(
      `The alias tag for '${alias}' in ${this.location} does not hold a ${ALIAS_SCHEMA} message.`,
    );
  }

  async setAlias(update: AliasUpdate): Promise<AliasChange> {
    const name = validateModelName(update.name);
    const alias = validateAliasName(update.alias);
    const { commit } = await this.readVersionTag(name, update.version);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = (await this.currentAliasTags(name, alias)).get(alias);
      const previous =
        current === undefined ? null : (await this.readAliasMessage(current.sha, alias)).version;
      if (update.expected !== undefined && update.expected !== previous) {
        throw new AliasConflictError(name, alias, update.expected, previous);
      }
      const k = (current?.k ?? 0) + 1;
      const message: AliasMessage = {
        schema: ALIAS_SCHEMA,
        model: name,
        alias,
        version: update.version,
        previous,
        actor: update.actor,
        run_url: update.runUrl ?? null,
        at: new Date().toISOString(),
      };
      const tag = aliasTag(name, alias, k);
      if (await claimTag(this.octokit, this.repo, tag, JSON.stringify(message, null, 2), commit)) {
        return { name, alias, previous, version: update.version };
      }
      // Someone moved the alias at the same moment: look again (the CAS check above decides).
    }
    throw new Error(`Could not move alias '${alias}' of '${name}' after ${MAX_ATTEMPTS} attempts.`);
  }

  async materialize(record: VersionRecord, cacheDir?: string): Promise<string> {
    const base = cacheDir ?? join(tmpdir(), 'mlops-registry');
    const target = join(base, this.repo.owner, this.repo.repo, record.name, String(record.version));
    if (await stat(target).catch(() => null)) {
      try {
        await verifyModelFolder(target, record);
        return target;
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
        // A damaged cache is not the registry's fault: fetch again.
        await rm(target, { recursive: true, force: true });
      }
    }
    const release = await this.publishedRelease(record.name, record.version);
    const assets = new Map(release.assets.map((asset) => [asset.name, asset.id]));
    const names = assetNamesFor(record.files.map((file) => file.path));
    const staging = `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      for (const file of record.files) {
        const assetName = names.get(file.path)!;
        const id = assets.get(assetName);
        if (id === undefined) {
          throw new IntegrityError(
            `Model ${record.name}/${record.version} is missing the release asset '${assetName}' for ${file.path}.`,
          );
        }
        const path = resolveInside(staging, file.path, `the record of ${record.name}/${record.version}`);
        await mkdir(dirname(path), { recursive: true });
        // Streamed to the file: a model is never held in memory whole.
        const response = await this.octokit.rest.repos.getReleaseAsset({
          ...this.repo,
          asset_id: id,
          headers: { accept: 'application/octet-stream' },
          request: { parseSuccessResponseBody: false },
        });
        const stream = response.data as unknown as WebReadableStream | null;
        if (!stream) throw new IntegrityError(`GitHub sent no body for the release asset '${assetName}'.`);
        await pipeline(Readable.fromWeb(stream), createWriteStream(path));
      }
      await verifyModelFolder(staging, record);
      await mkdir(dirname(target), { recursive: true });
      await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
        // A parallel reader finished first; its copy was verified the same way.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      });
      return target;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async readEvents(name?: string): Promise<RegistryEvent[]> {
    const names = name === undefined ? await this.listModels() : [validateModelName(name)];
    const events: RegistryEvent[] = [];
    for (const model of names) {
      for (const version of await this.listVersions(model)) {
        const { record } = await this.readVersionTag(model, version);
        events.push({
          schema: 'mlops-registry-event/v1',
          type: 'register',
          at: record.created_at,
          actor: record.created_by,
          run_url: record.run_url,
          model,
          version,
          digest: record.digest,
          git_sha: record.git_sha,
          ...(record.status === 'forced'
            ? { forced: { gates: record.gates.filter((gate) => !gate.passed) } }
            : {}),
        });
      }
      const pattern = new RegExp(`^refs/tags/${model}#([a-zA-Z0-9_-]+)#([1-9][0-9]*)$`);
      for (const ref of await this.matchingRefs(`tags/${model}#`)) {
        const match = pattern.exec(ref.ref);
        if (!match) continue;
        const message = await this.readAliasMessage(ref.sha, match[1]);
        events.push({
          schema: 'mlops-registry-event/v1',
          type: 'alias',
          at: message.at,
          actor: message.actor,
          run_url: message.run_url,
          model,
          version: message.version,
          alias: message.alias,
          previous: message.previous,
        });
      }
    }
    return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}
