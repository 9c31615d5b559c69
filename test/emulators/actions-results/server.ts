/**
 * A local stand-in for GitHub's Actions results service, enough for unmodified @actions/artifact
 * 6 and @actions/cache 6: a twirp JSON server on 127.0.0.1 that hands out SAS URLs into Azurite.
 * Requests arrive with proto field names (snake_case); responses use JSON names (camelCase),
 * which the clients' `fromJson` accepts. Errors are twirp `{code, msg}`.
 */

import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, freePort, startAzurite } from './azurite.js';

const ARTIFACT = '/twirp/github.actions.results.api.v1.ArtifactService/';
const CACHE = '/twirp/github.actions.results.api.v1.CacheService/';
const CONTAINER = 'actions-results';

interface ArtifactEntry {
  id: number;
  name: string;
  blob: string;
  size: number;
  finalized: boolean;
  createdAt: string;
  digest?: string;
}

interface CacheEntry {
  id: number;
  key: string;
  version: string;
  blob: string;
  size: number;
  finalized: boolean;
  createdAt: number;
}

export interface ActionsResultsEmulator {
  url: string;
  /** Environment a runner job has for these services; GITHUB_SERVER_URL must be unset. */
  env: Record<string, string>;
  artifacts: ArtifactEntry[];
  caches: CacheEntry[];
  /** Count of calls per twirp method, for assertions. */
  calls: Record<string, number>;
  stop(): Promise<void>;
}

/** `alg: none`: the clients decode the token for its `scp` claim but never verify it. */
export function unsignedJwt(payload: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

export async function startActionsResultsEmulator(
  options: { runId?: string; jobId?: string } = {},
): Promise<ActionsResultsEmulator> {
  const runId = options.runId ?? 'run-1';
  const jobId = options.jobId ?? 'job-1';
  const azurite: Azurite = await startAzurite();
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const service = new BlobServiceClient(azurite.blobEndpoint, credential);
  await service.getContainerClient(CONTAINER).createIfNotExists();

  const artifacts: ArtifactEntry[] = [];
  const caches: CacheEntry[] = [];
  const calls: Record<string, number> = {};
  let nextId = 1;

  const sasUrl = (blob: string, permissions: string, contentDisposition?: string) => {
    const query = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName: blob,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + 3600_000),
        contentDisposition,
      },
      credential,
    ).toString();
    return `${azurite.blobEndpoint}/${CONTAINER}/${encodeURIComponent(blob)}?${query}`;
  };
  const blobSize = async (blob: string) => {
    const props = await service.getContainerClient(CONTAINER).getBlobClient(blob).getProperties();
    return props.contentLength ?? 0;
  };
  const checkJob = (body: Record<string, unknown>) => {
    if (body.workflow_run_backend_id !== runId || body.workflow_job_run_backend_id !== jobId) {
      throw new TwirpError('permission_denied', 'backend ids do not match the token');
    }
  };

  const handlers: Record<string, (body: Record<string, unknown>) => Promise<Record<string, unknown>>> = {
    [`${ARTIFACT}CreateArtifact`]: async (body) => {
      checkJob(body);
      const name = String(body.name);
      if (artifacts.some((a) => a.name === name && a.finalized)) {
        throw new TwirpError('already_exists', `an artifact named ${name} already exists for this run`);
      }
      const entry: ArtifactEntry = {
        id: nextId++,
        name,
        blob: `artifacts/${runId}/${name}.zip`,
        size: 0,
        finalized: false,
        createdAt: new Date().toISOString(),
      };
      artifacts.push(entry);
      return { ok: true, signedUploadUrl: sasUrl(entry.blob, 'cw') };
    },
    [`${ARTIFACT}FinalizeArtifact`]: async (body) => {
      checkJob(body);
      const entry = artifacts.find((a) => a.name === body.name && !a.finalized);
      if (!entry) throw new TwirpError('not_found', `no artifact ${String(body.name)} being uploaded`);
      entry.size = await blobSize(entry.blob);
      if (String(entry.size) !== String(body.size))
        throw new TwirpError('invalid_argument', `size ${String(body.size)} != ${entry.size}`);
      entry.finalized = true;
      entry.digest = typeof body.hash === 'string' ? body.hash : undefined;
      return { ok: true, artifactId: String(entry.id) };
    },
    [`${ARTIFACT}ListArtifacts`]: async (body) => {
      checkJob(body);
      const list = artifacts.filter(
        (a) =>
          a.finalized &&
          (body.name_filter === undefined || a.name === body.name_filter) &&
          (body.id_filter === undefined || String(a.id) === String(body.id_filter)),
      );
      return {
        artifacts: list.map((a) => ({
          workflowRunBackendId: runId,
          workflowJobRunBackendId: jobId,
          databaseId: String(a.id),
          name: a.name,
          size: String(a.size),
          createdAt: a.createdAt,
          ...(a.digest ? { digest: a.digest } : {}),
        })),
      };
    },
    [`${ARTIFACT}GetSignedArtifactURL`]: async (body) => {
      checkJob(body);
      const entry = artifacts.find((a) => a.name === body.name && a.finalized);
      if (!entry) throw new TwirpError('not_found', `no artifact named ${String(body.name)}`);
      return { signedUrl: sasUrl(entry.blob, 'r', `attachment; filename="${entry.name}.zip"`) };
    },
    [`${CACHE}CreateCacheEntry`]: async (body) => {
      const key = String(body.key);
      const version = String(body.version);
      if (caches.some((c) => c.key === key && c.version === version)) {
        return { ok: false, signedUploadUrl: '', message: `cache entry ${key} already exists` };
      }
      const entry: CacheEntry = {
        id: nextId++,
        key,
        version,
        blob: `caches/${version}/${encodeURIComponent(key)}`,
        size: 0,
        finalized: false,
        createdAt: Date.now(),
      };
      caches.push(entry);
      return { ok: true, signedUploadUrl: sasUrl(entry.blob, 'cw') };
    },
    [`${CACHE}FinalizeCacheEntryUpload`]: async (body) => {
      const entry = caches.find((c) => c.key === body.key && c.version === body.version && !c.finalized);
      if (!entry) throw new TwirpError('not_found', `no cache entry ${String(body.key)} being uploaded`);
      entry.size = await blobSize(entry.blob);
      entry.finalized = true;
      return { ok: true, entryId: String(entry.id) };
    },
    [`${CACHE}GetCacheEntryDownloadURL`]: async (body) => {
      const version = String(body.version);
      const ready = caches.filter((c) => c.finalized && c.version === version);
      const restoreKeys = Array.isArray(body.restore_keys) ? body.restore_keys.map(String) : [];
      // As the real service: the exact primary key first, then each key as a prefix, newest first.
      let match = ready.find((c) => c.key === body.key);
      for (const prefix of [String(body.key), ...restoreKeys]) {
        if (match) break;
        match = ready.filter((c) => c.key.startsWith(prefix)).sort((a, b) => b.createdAt - a.createdAt)[0];
      }
      if (!match) return { ok: false, signedDownloadUrl: '', matchedKey: '' };
      return { ok: true, signedDownloadUrl: sasUrl(match.blob, 'r'), matchedKey: match.key };
    },
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', async () => {
      const path = (req.url ?? '').split('?')[0];
      const handler = req.method === 'POST' ? handlers[path] : undefined;
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (!handler) return send(404, { code: 'bad_route', msg: `no handler for ${req.method} ${path}` });
      const method = path.slice(path.lastIndexOf('/') + 1);
      calls[method] = (calls[method] ?? 0) + 1;
      if (!/^Bearer .+/.test(req.headers.authorization ?? ''))
        return send(401, { code: 'unauthenticated', msg: 'no token' });
      try {
        send(200, await handler(JSON.parse(raw || '{}')));
      } catch (error) {
        if (error instanceof TwirpError) {
          const status =
            { not_found: 404, already_exists: 409, permission_denied: 403, invalid_argument: 400 }[
              error.code
            ] ?? 400;
          return send(status, { code: error.code, msg: error.message });
        }
        send(500, { code: 'internal', msg: (error as Error).message });
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${port}/`;
  const temp = mkdtempSync(join(tmpdir(), 'actions-runner-'));

  return {
    url,
    env: {
      ACTIONS_RUNTIME_TOKEN: unsignedJwt({ scp: `Actions.GenericRead Actions.Results:${runId}:${jobId}` }),
      ACTIONS_RESULTS_URL: url,
      ACTIONS_CACHE_SERVICE_V2: 'true',
      RUNNER_TEMP: join(temp, 'temp'),
      GITHUB_WORKSPACE: join(temp, 'workspace'),
    },
    artifacts,
    caches,
    calls,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await azurite.stop();
    },
  };
}

class TwirpError extends Error {
  constructor(
    readonly code: 'not_found' | 'already_exists' | 'permission_denied' | 'invalid_argument',
    message: string,
  ) {
    super(message);
  }
}
