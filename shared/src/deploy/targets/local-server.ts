/**
 * The `local-server` target: the suite's own model server, kept in a state folder (`path`):
 *
 * - `server.json`: the running server's pid, URL and admin URL (`mlops-serve-state/v1`);
 * - `admin-token` (mode 0600): the bearer token of its admin listener, which binds 127.0.0.1 only;
 * - `daemon.json`: how it was started; `server.log`: its output; `requests/`: its request log.
 *
 * When a server from this folder is running, the new version is first loaded beside the serving
 * one, taking no traffic (`stage`), for the smoke test to call it at `/versions/<n>`; then it is
 * hot-swapped in through the admin API (switch, drain: no request is dropped, nothing reloaded)
 * or run as a canary, and rollback swaps the previous version back. Otherwise a detached server is
 * started with the version loaded but not serving (clients get 503) until it has passed, and
 * rollback stops it.
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../errors/index.js';
import { writeJsonAtomic } from '../../files/atomic-write.js';
import type { Log } from '../../logging/index.js';
import { DEFAULT_ON_INVALID, type OnInvalid } from '../../models/preprocessing.js';
import { modelServerEnvironment } from '../../platform/child-env.js';
import type { CanaryCriteria } from '../../serve/canary.js';
import type { DaemonConfig, DaemonState } from '../../serve/run-serve.js';
import { DEFAULT_LIMITS, type ServerLimits } from '../../serve/server.js';
import { DeployFailure } from '../deploy-failure.js';
import type { DeployOutcome, DeployRequest, DeployTarget, StagedVersion } from '../target.js';

export interface LocalServerTargetOptions {
  /** The state folder. */
  path: string;
  /** Where a new server listens (`http://127.0.0.1:8501`); default 127.0.0.1 on a free port. */
  url?: string;
  /** Command that runs `mlops serve`; `--daemon-config <file>` is appended. */
  serverCommand: string[];
  /** How long a new server may take to answer /readyz. */
  startTimeoutMs?: number;
  limits?: Partial<ServerLimits>;
  /**
   * Roll out to a running server as a canary: the new version takes `percent` of traffic and the
   * server promotes or rolls it back by the criteria; `maxDurationMs` bounds the wait.
   */
  canary?: CanaryCriteria & { maxDurationMs: number };
  /** A local registry folder: a new server serves its aliases as version labels (`/labels/<alias>`). */
  registry?: string;
  /** Request log of a new server (in `<path>/requests/`); sampleRate 0 turns it off. */
  requestLog?: { sampleRate: number; maxBytes: number; rotate: number };
  /**
   * The probation lease of a new server or a swapped-in version (see serve/probation-lease.ts):
   * renewed every quarter of it while the deploy runs, confirmed when the deploy keeps the
   * change; default 60 s.
   */
  leaseMs?: number;
  /**
   * Policy of a new server for feature values the model's contract cannot read (mlops.yml's
   * `features.on-invalid`, as train and evaluate take it); default error.
   */
  onInvalid?: OnInvalid;
  log: Log;
}

const DEFAULT_LEASE_MS = 60_000;

interface Running {
  state: DaemonState;
  token: string;
  models: Record<string, { version: number | null; folder: string | null }>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function adminCall(
  running: { state: DaemonState; token: string },
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 60_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${running.state.admin_url}${path}`, {
      method,
      headers: { authorization: `Bearer ${running.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (error as Error).message;
    throw new DeployFailure(`The model server's admin API (${method} ${path}) failed: ${reason}.`);
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  return { status: response.status, body: parsed };
}

/** The server this state folder started, if it is still running and answers its admin API. */
export async function findRunningServer(path: string, log: Log): Promise<Running | undefined> {
  let state: DaemonState;
  let token: string;
  try {
    state = JSON.parse(await readFile(join(path, 'server.json'), 'utf8')) as DaemonState;
    token = (await readFile(join(path, 'admin-token'), 'utf8')).trim();
  } catch {
    return undefined;
  }
  if (!isAlive(state.pid)) {
    log.info(
      `The model server recorded in ${path} (pid ${state.pid}) is not running; a new one will be started.`,
    );
    await rm(join(path, 'server.json'), { force: true });
    return undefined;
  }
  try {
    const status = await adminCall({ state, token }, 'GET', '/admin/status', undefined, 5000);
    if (status.status !== 200) throw new Error(`HTTP ${status.status}`);
    return { state, token, models: status.body['models'] as Running['models'] };
  } catch (error) {
    throw new DeployFailure(
      `A model server (pid ${state.pid}) is recorded in ${path} but its admin API does not answer (${(error as Error).message}); stop it or use another path.`,
    );
  }
}

/** Stops the server of a state folder (tests, `mlops serve --stop`); resolves once it has exited. */
export async function stopLocalServer(path: string, log: Log, timeoutMs = 20_000): Promise<boolean> {
  const running = await findRunningServer(path, log).catch(() => undefined);
  if (!running) return false;
  await adminCall(running, 'POST', '/admin/shutdown', undefined, 5000).catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(running.state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(running.state.pid)) process.kill(running.state.pid, 'SIGKILL');
  return true;
}

function listenAddress(url: string | undefined): { host: string; port: number } {
  if (!url) return { host: '127.0.0.1', port: 0 };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`The url ${JSON.stringify(url)} is not a URL; expected e.g. http://127.0.0.1:8501.`, {
      input: 'url',
    });
  }
  if (parsed.protocol !== 'http:')
    throw new UserError(`The local server speaks http, got ${parsed.protocol} in ${url}.`, { input: 'url' });
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 80 : Number(parsed.port),
  };
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export class LocalServerTarget implements DeployTarget {
  readonly kind = 'local-server' as const;
  private undo: (() => Promise<string>) | undefined;
  /** This deploy started the server (rollback stops it, whatever `deploy` does next). */
  private startedHere = false;
  /** Unloads the version `stage` loaded (set only then). */
  private unstageStaged: (() => Promise<string>) | undefined;
  /** Confirms what this deploy put on probation (set only then). */
  private endLease: (() => Promise<void>) | undefined;

  constructor(private readonly options: LocalServerTargetOptions) {}

  /** Loads the version beside the one the running server serves (see DeployTarget.stage). */
  async stage(request: DeployRequest): Promise<StagedVersion | undefined> {
    const { path, log } = this.options;
    await mkdir(path, { recursive: true });
    const running = await findRunningServer(path, log);
    if (!running) {
      // A new server whose version takes no traffic until it has passed: clients that find the
      // port meanwhile get 503 (no version available), never an answer of an untested version.
      const started = await this.start(request, { staged: true });
      this.unstageStaged = () => this.rollback();
      return {
        serverUrl: started.serverUrl!,
        note: `${started.notes[0]} Version ${request.version} was smoke-tested at /versions/${request.version} before it took any traffic.`,
      };
    }
    const previous = this.servedBy(running, request.name);
    if (!previous || previous.version === request.version) return undefined;
    const route = `/admin/models/${encodeURIComponent(request.name)}`;
    const target = { version: request.version, folder: request.path };
    const reply = await adminCall(running, 'POST', `${route}/stage`, target);
    if (reply.status !== 200) {
      throw new DeployFailure(
        `The running server did not load version ${request.version} beside version ${previous.version}: ${String(reply.body['error'] ?? `HTTP ${reply.status}`)}`,
      );
    }
    this.unstageStaged = async () => {
      const back = await adminCall(running, 'POST', `${route}/unstage`, target);
      if (back.status !== 200)
        throw new Error(`unloading version ${request.version} failed: ${String(back.body['error'])}`);
      return `version ${request.version} was unloaded and version ${previous.version} kept serving`;
    };
    return {
      serverUrl: running.state.url,
      note: `Loaded version ${request.version} beside version ${previous.version} in the running server (pid ${running.state.pid}) and smoke-tested it at /versions/${request.version} before it took any traffic.`,
    };
  }

  async unstage(): Promise<string> {
    const unstage = this.unstageStaged;
    this.unstageStaged = undefined;
    return unstage ? unstage() : 'nothing was staged';
  }

  async deploy(request: DeployRequest): Promise<DeployOutcome> {
    const { path, log } = this.options;
    await mkdir(path, { recursive: true });
    const running = await findRunningServer(path, log);
    if (running) await this.warnOnPolicyChange();
    if (running && this.options.canary) return this.canaryRollout(running, request, this.options.canary);
    if (running) return this.hotSwap(running, request);
    const started = await this.start(request);
    if (this.options.canary)
      started.notes.push('No server was running, so there was nothing to run a canary against.');
    return started;
  }

  /**
   * A running server keeps the on-invalid policy it was started with (a hot swap changes the model
   * only): say so when this deploy asks for another one, rather than let the user believe it applies.
   */
  private async warnOnPolicyChange(): Promise<void> {
    const wanted = this.options.onInvalid ?? DEFAULT_ON_INVALID;
    let current: OnInvalid = DEFAULT_ON_INVALID;
    try {
      const config = JSON.parse(
        await readFile(join(this.options.path, 'daemon.json'), 'utf8'),
      ) as DaemonConfig;
      current = config.onInvalid ?? DEFAULT_ON_INVALID;
    } catch {
      return; // a server started by hand or by an older version: its policy is not on record
    }
    if (current !== wanted)
      this.options.log.warning(
        `The running model server in ${this.options.path} keeps on-invalid: ${current} (features.on-invalid asks for ${wanted}); ` +
          'stop it (mlops deploy stop) and deploy again to start a server with the new policy.',
      );
  }

  /** The version the running server serves now, or a DeployFailure when it does not serve this model. */
  private servedBy(running: Running, name: string): { version: number; folder: string } | undefined {
    const current = running.models?.[name];
    if (current === undefined) {
      throw new DeployFailure(
        `The model server in ${this.options.path} serves ${Object.keys(running.models ?? {}).join(', ') || 'no model'}, not '${name}'; use another path for this model.`,
      );
    }
    return current.version !== null && current.folder !== null
      ? { version: current.version, folder: current.folder }
      : undefined;
  }

  /** After a successful hot swap or canary: rollback swaps the previous version back in. */
  private rememberPrevious(
    running: Running,
    request: DeployRequest,
    previous: { version: number; folder: string } | undefined,
    release: () => void = () => {},
  ): void {
    this.undo = async () => {
      release();
      if (!previous || previous.version === request.version)
        return `version ${request.version} was already serving; nothing to roll back`;
      const back = await adminCall(
        running,
        'POST',
        `/admin/models/${encodeURIComponent(request.name)}/swap`,
        previous,
      );
      if (back.status !== 200)
        throw new Error(`swapping back to version ${previous.version} failed: ${String(back.body['error'])}`);
      return `swapped the running server back to version ${previous.version}`;
    };
  }

  private async canaryRollout(
    running: Running,
    request: DeployRequest,
    criteria: CanaryCriteria & { maxDurationMs: number },
  ): Promise<DeployOutcome> {
    const previous = this.servedBy(running, request.name);
    if (!previous) return this.hotSwap(running, request);
    const route = `/admin/models/${encodeURIComponent(request.name)}/canary`;
    const started = await adminCall(running, 'POST', route, {
      version: request.version,
      folder: request.path,
      criteria,
    });
    if (started.status !== 200) {
      throw new DeployFailure(
        `The running server did not start a canary of version ${request.version}: ${String(started.body['error'] ?? `HTTP ${started.status}`)}`,
      );
    }
    // The server decides (and rolls back at maxDurationMs itself); this only waits for the verdict.
    const deadline = Date.now() + criteria.maxDurationMs + 10_000;
    let decision: { action: string; reason: string } | undefined;
    let canary: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      const reply = await adminCall(running, 'GET', route);
      canary = (reply.body['canary'] ?? {}) as Record<string, unknown>;
      if (canary['candidate'] === request.version && canary['decision']) {
        decision = canary['decision'] as { action: string; reason: string };
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const traffic = `${canary['candidate_requests'] ?? 0} canary request(s) at ${criteria.percent}%`;
    if (decision?.action !== 'promote') {
      throw new DeployFailure(
        `The canary of version ${request.version} was rolled back (${decision?.reason ?? 'no decision in time'}; ${traffic}); version ${previous.version} kept serving.`,
        { rolledBack: true, restoredVersion: previous.version },
      );
    }
    this.rememberPrevious(running, request, previous);
    return {
      url: running.state.url,
      serverUrl: running.state.url,
      previousVersion: previous.version,
      notes: [
        `Canary of version ${request.version} promoted after ${traffic} (${decision.reason}), replacing version ${previous.version}.`,
      ],
    };
  }

  private async hotSwap(running: Running, request: DeployRequest): Promise<DeployOutcome> {
    const previous = this.servedBy(running, request.name);
    const reply = await adminCall(running, 'POST', `/admin/models/${encodeURIComponent(request.name)}/swap`, {
      version: request.version,
      folder: request.path,
      lease_ms: this.leaseMs,
    });
    if (reply.status !== 200) {
      throw new DeployFailure(
        `The running server did not take version ${request.version}: ${String(reply.body['error'] ?? `HTTP ${reply.status}`)}`,
      );
    }
    if (this.startedHere) {
      // The server stage() started with this version waiting: it serves now; rollback still stops
      // the server, and its startup lease is still held.
      return {
        url: running.state.url,
        serverUrl: running.state.url,
        notes: [
          `Version ${request.version} now takes the traffic of the new server (pid ${running.state.pid}).`,
          ...(this.options.canary
            ? ['No server was running, so there was nothing to run a canary against.']
            : []),
        ],
      };
    }
    const release =
      reply.body['lease'] === 'probation'
        ? this.holdLease(running, `it swaps version ${previous?.version} back when its lease runs out`)
        : () => {};
    this.rememberPrevious(running, request, previous, release);
    return {
      url: running.state.url,
      serverUrl: running.state.url,
      previousVersion: previous?.version,
      notes: [
        `Hot-swapped version ${request.version} into the running server (pid ${running.state.pid})${previous ? `, replacing version ${previous.version}` : ''}.`,
      ],
    };
  }

  private async start(request: DeployRequest, how: { staged?: boolean } = {}): Promise<DeployOutcome> {
    const { path, log } = this.options;
    const { host, port } = listenAddress(this.options.url);
    const tokenFile = join(path, 'admin-token');
    const token = randomBytes(32).toString('hex');
    await rm(tokenFile, { force: true });
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    const requestLog = this.options.requestLog ?? { sampleRate: 1, maxBytes: 64 * 1024 * 1024, rotate: 5 };
    const config: DaemonConfig = {
      schema: 'mlops-serve-daemon/v1',
      host,
      port,
      models: [
        {
          name: request.name,
          folder: request.path,
          version: request.version,
          ...(how.staged ? { staged: true } : {}),
        },
      ],
      limits: { ...DEFAULT_LIMITS, ...this.options.limits },
      ...(requestLog.sampleRate > 0 ? { requestLog: { dir: join(path, 'requests'), ...requestLog } } : {}),
      ...(this.options.registry ? { registry: this.options.registry } : {}),
      adminTokenFile: tokenFile,
      stateFile: join(path, 'server.json'),
      leaseMs: this.leaseMs,
      ...(this.options.onInvalid ? { onInvalid: this.options.onInvalid } : {}),
    };
    const configFile = join(path, 'daemon.json');
    await writeJsonAtomic(configFile, config);
    const logFile = join(path, 'server.log');
    const out = openSync(logFile, 'a');
    const [command, ...args] = this.options.serverCommand;
    if (!command) throw new Error('serverCommand is empty');
    const child = spawn(command, [...args, '--daemon-config', configFile], {
      detached: true,
      stdio: ['ignore', out, out],
      // It may outlive the job: no inputs, tokens or ACTIONS_* (see modelServerEnvironment).
      env: modelServerEnvironment(process.env),
    });
    closeSync(out);
    let exited: number | null | undefined;
    child.on('exit', (code) => {
      exited = code;
    });
    child.on('error', () => {
      exited = -1;
    });
    child.unref();
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    let state: DaemonState | undefined;
    while (Date.now() < deadline && exited === undefined) {
      try {
        const candidate = JSON.parse(await readFile(config.stateFile, 'utf8')) as DaemonState;
        if (candidate.pid === child.pid) {
          // A staged version is not serving yet (/readyz says 503 until it does): wait for it to load.
          const ready = await fetch(
            how.staged
              ? `${candidate.url}/v1/models/${encodeURIComponent(request.name)}/versions/${request.version}`
              : `${candidate.url}/readyz`,
            { signal: AbortSignal.timeout(2000) },
          );
          if (ready.status === 200) {
            state = candidate;
            break;
          }
        }
      } catch {
        // Not written yet, or not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!state) {
      if (exited === undefined && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      const output = await tail(logFile);
      throw new DeployFailure(
        `The model server did not come up ${exited !== undefined ? `(it exited with code ${exited})` : `within ${this.options.startTimeoutMs ?? 60_000} ms`}.` +
          (output ? `\nLast lines of ${logFile}:\n${output}` : ''),
      );
    }
    const started = { state, token };
    this.startedHere = true;
    log.info(`Started the model server (pid ${state.pid}) at ${state.url}.`);
    const release = this.holdLease(started, 'it stops itself when its lease runs out');
    this.undo = async () => {
      release();
      await adminCall(started, 'POST', '/admin/shutdown', undefined, 5000).catch(() => undefined);
      const until = Date.now() + 20_000;
      while (isAlive(state.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return 'stopped the new server (no version was serving before)';
    };
    return {
      url: state.url,
      serverUrl: state.url,
      notes: [`Started a model server (pid ${state.pid}) at ${state.url}; its state is in ${path}.`],
    };
  }

  /**
   * Keeps what this deploy put on probation on the server (see serve/probation-lease.ts): renews
   * the lease every quarter of it until `confirm`; returns the function that stops renewing.
   */
  private holdLease(running: { state: DaemonState; token: string }, otherwise: string): () => void {
    const renewEvery = Math.max(50, Math.floor(this.leaseMs / 4));
    const heartbeat = setInterval(() => {
      void adminCall(running, 'POST', '/admin/lease', undefined, renewEvery).catch(() => undefined);
    }, renewEvery);
    // The renewals must not keep a finished (or crashed) deploy process alive: that is the point.
    heartbeat.unref();
    const release = () => clearInterval(heartbeat);
    this.endLease = async () => {
      release();
      const reply = await adminCall(running, 'POST', '/admin/confirm', undefined, 5000);
      if (reply.status !== 200) {
        throw new DeployFailure(
          `The model server did not accept the confirmation: ${String(reply.body['error'] ?? `HTTP ${reply.status}`)}; ${otherwise}.`,
        );
      }
    };
    return release;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  async rollback(): Promise<string> {
    this.endLease = undefined;
    if (!this.undo) return 'nothing was deployed';
    return this.undo();
  }

  /** Keeps what this deploy put in place: ends its probation (nothing to do after a canary). */
  async confirm(): Promise<void> {
    const end = this.endLease;
    this.endLease = undefined;
    await end?.();
  }
}
