/**
 * The admin API, on its own listener bound to 127.0.0.1 and behind `Authorization: Bearer <token>`
 * (compared in constant time). The deploy step uses it to change a running server:
 *
 * - `GET  /admin/status`: every model's served version, versions with states, canary status
 * - `POST /admin/models/<m>/swap` `{"version": n, "folder": "...", "lease_ms"?: n}`: load, then
 *   swap (hot); with `lease_ms`, on probation: swapped back unless renewed and confirmed
 * - `POST /admin/models/<m>/stage` `{"version": n, "folder": "..."}`: load beside the served
 *   version, taking no traffic but its own `/versions/<n>` requests (the deploy smoke-tests it
 *   there); a later swap or canary to the same version and folder moves it in without a reload
 * - `POST /admin/models/<m>/unstage` `{"version": n, "folder": "..."}`: unload a staged version
 * - `POST /admin/models/<m>/canary` `{"version": n, "folder": "...", "criteria": {...}}`
 * - `GET  /admin/models/<m>/canary`: the running or last canary with its decision
 * - `POST /admin/shutdown`: stop the server (the daemon then exits)
 * - `POST /admin/lease`: renew the probation of a new server or a swapped-in version
 *   (see probation-lease.ts)
 * - `POST /admin/confirm`: end that probation; the change stays
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Log } from '../logging/index.js';
import { validateCanaryCriteria } from './canary.js';
import { ProbationLease } from './probation-lease.js';
import type { CanaryStatus } from './served-model.js';
import type { ModelServer } from './server.js';

export interface AdminContext {
  token: string;
  server: ModelServer;
  log: Log;
  readBody(req: IncomingMessage): Promise<string>;
  /** Called after `/admin/shutdown` has answered. */
  onShutdown?: () => void;
  /**
   * What is on probation now, shared by every request: a server a deploy has just started, or a
   * version it has just swapped in (absent: nothing).
   */
  probation: { current?: ProbationLease };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}

function parseJsonObject(text: string): Record<string, unknown> | string {
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return 'the body must be a JSON object';
    return value as Record<string, unknown>;
  } catch (error) {
    return `the body is not valid JSON: ${(error as Error).message}`;
  }
}

function versionAndFolder(body: Record<string, unknown>): { version: number; folder: string } | string {
  const { version, folder } = body;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1)
    return `'version' must be an integer >= 1`;
  if (typeof folder !== 'string' || folder === '') return `'folder' must be the model folder's path`;
  return { version, folder };
}

export function adminStatus(server: ModelServer): unknown {
  return {
    url: server.url,
    pid: process.pid,
    models: Object.fromEntries(
      [...server.models].map(([name, served]) => [
        name,
        {
          version: served.current?.state === 'AVAILABLE' ? served.current.version : null,
          folder: served.current?.source ?? null,
          versions: served.statuses(),
          staged: served.staged?.state === 'AVAILABLE' ? served.staged.version : null,
          canary: summarizeCanary(served.canaryStatus()),
        },
      ]),
    ),
  };
}

function summarizeCanary(status: CanaryStatus | undefined): unknown {
  if (status === undefined) return null;
  return {
    candidate: status.candidate,
    stable: status.stable,
    criteria: status.criteria,
    candidate_requests: status.candidateStats.requests,
    candidate_errors: status.candidateStats.errors,
    stable_requests: status.stableStats.requests,
    compared_rows: status.agreement.compared,
    agreed_rows: status.agreement.agreed,
    skipped_mirrors: status.agreement.skipped,
    decision: status.decision ?? null,
  };
}

export async function handleAdminRequest(
  req: IncomingMessage,
  res: ServerResponse,
  context: AdminContext,
): Promise<void> {
  if (!tokenMatches(req.headers.authorization, context.token)) {
    send(res, 401, { error: 'Missing or wrong admin token (Authorization: Bearer <token>).' });
    return;
  }
  const path = (req.url ?? '/').split('?')[0]!;
  const method = req.method ?? 'GET';
  if (path === '/admin/status' && method === 'GET') {
    send(res, 200, adminStatus(context.server));
    return;
  }
  if ((path === '/admin/lease' || path === '/admin/confirm') && method === 'POST') {
    const lease = context.probation.current;
    if (path === '/admin/lease') lease?.renew();
    else {
      lease?.confirm();
      context.probation.current = undefined;
    }
    send(res, 200, { lease: lease?.state ?? 'confirmed' });
    return;
  }
  if (path === '/admin/shutdown' && method === 'POST') {
    res.on('finish', () => context.onShutdown?.());
    send(res, 200, { status: 'stopping' });
    return;
  }
  const match = /^\/admin\/models\/([^/]+)\/(swap|canary|stage|unstage)$/.exec(path);
  if (!match) {
    send(res, 404, { error: `No admin route ${method} ${path}.` });
    return;
  }
  const name = decodeURIComponent(match[1]!);
  const served = context.server.models.get(name);
  if (!served) {
    send(res, 404, { error: `This server does not serve a model named '${name}'.` });
    return;
  }
  if (match[2] === 'canary' && method === 'GET') {
    send(res, 200, { canary: summarizeCanary(served.canaryStatus()) });
    return;
  }
  if (method !== 'POST') {
    send(res, 405, { error: `Use POST on ${path}.` });
    return;
  }
  const body = parseJsonObject(await context.readBody(req));
  if (typeof body === 'string') {
    send(res, 400, { error: body });
    return;
  }
  const target = versionAndFolder(body);
  if (typeof target === 'string') {
    send(res, 400, { error: target });
    return;
  }
  try {
    if (match[2] === 'stage') {
      await served.stage(target.version, target.folder, () => context.server.loadModel(target.folder));
      send(res, 200, { model: name, version: target.version, staged: true });
      return;
    }
    if (match[2] === 'unstage') {
      const unloaded = await served.unstage(target.version);
      send(res, 200, { model: name, version: target.version, unloaded });
      return;
    }
    if (match[2] === 'swap') {
      const leaseMs = body['lease_ms'];
      if (
        leaseMs !== undefined &&
        !(typeof leaseMs === 'number' && Number.isSafeInteger(leaseMs) && leaseMs > 0)
      ) {
        send(res, 400, { error: `'lease_ms' must be a positive integer of milliseconds` });
        return;
      }
      const before = served.current?.state === 'AVAILABLE' ? served.current : undefined;
      // Any swap ends an earlier probation: a deploy swapping back decides for itself.
      context.probation.current?.confirm();
      context.probation.current = undefined;
      const result = await context.server.swap(name, target.version, target.folder);
      const revertible = leaseMs !== undefined && before !== undefined && before.version !== target.version;
      if (revertible)
        context.probation.current = swapBackLease(context, name, before, target.version, leaseMs);
      send(res, 200, {
        model: name,
        version: target.version,
        previous: result.previous ?? null,
        lease: revertible ? 'probation' : 'confirmed',
      });
    } else {
      const checked = validateCanaryCriteria(body['criteria']);
      if (!checked.criteria) {
        send(res, 400, { error: `Invalid canary criteria: ${checked.problems.join('; ')}.` });
        return;
      }
      const status = await served.startCanary(
        target.version,
        target.folder,
        () => context.server.loadModel(target.folder),
        checked.criteria,
      );
      send(res, 200, { canary: summarizeCanary(status) });
    }
  } catch (error) {
    context.log.warning(
      `Admin ${match[2]} of '${name}' to version ${target.version} failed: ${(error as Error).message}`,
    );
    send(res, 409, { error: `Version ${target.version} was not loaded: ${(error as Error).message}` });
  }
}

/** The probation of a swapped-in version: unless confirmed in time, the previous one is swapped back. */
function swapBackLease(
  context: AdminContext,
  name: string,
  previous: { version: number; source: string },
  version: number,
  leaseMs: number,
): ProbationLease {
  const lease = new ProbationLease(leaseMs, () => {
    if (context.probation.current === lease) context.probation.current = undefined;
    context.log.warning(
      `The deploy that swapped in version ${version} of '${name}' did not confirm it within ${leaseMs} ms (it was cancelled or killed): swapping back to version ${previous.version}.`,
    );
    context.server.swap(name, previous.version, previous.source).catch((error: unknown) => {
      context.log.error(
        `Swapping '${name}' back to version ${previous.version} failed: ${(error as Error).message}`,
      );
    });
  });
  return lease;
}
