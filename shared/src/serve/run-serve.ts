import { readFile, rm } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import { writeJsonAtomic } from '../files/atomic-write.js';
import type { Log } from '../logging/index.js';
import { DEFAULT_ON_INVALID, ON_INVALID_POLICIES, type OnInvalid } from '../models/preprocessing.js';
import { LocalRegistry } from '../registry/local/local-registry.js';
import { parseModelReference } from '../registry/names.js';
import type { ModelSourceSpec } from './model-source.js';
import { ProbationLease } from './probation-lease.js';
import type { RequestLogOptions } from './request-log.js';
import { DEFAULT_LIMITS, type ModelServer, type ServerLimits, startModelServer } from './server.js';
import { registryVersionLabels, type VersionLabels } from './version-labels.js';

export interface ServeOptions {
  /** `name@alias`, `name/version` or `name@latest` (registry), or a bare name with baseDir. */
  model: string | string[];
  registry?: string;
  /** TF Serving-style base path (`<baseDir>/<n>/`), instead of the registry. */
  baseDir?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  maxBatch?: number;
  timeoutMs?: number;
  /** Folder for the request log; none when absent. */
  requestLog?: string;
  sampleRate?: number;
  logMaxBytes?: number;
  logRotate?: number;
  /** Enables the admin listener on 127.0.0.1 with this token. */
  adminToken?: string;
  adminPort?: number;
  workingDirectory: string;
  /** `error` (default), `warn` or `impute`: raw feature values the model's contract cannot read. */
  onInvalid?: string;
}

export const DEFAULT_SERVE_PORT = 8501;

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new UserError(`--${name} must be a positive number, got ${value}.`, { input: name });
  return value;
}

export function requestLogOptions(
  options: Pick<ServeOptions, 'requestLog' | 'sampleRate' | 'logMaxBytes' | 'logRotate'>,
  at: (p: string) => string,
): RequestLogOptions | undefined {
  if (!options.requestLog) return undefined;
  const sampleRate = options.sampleRate ?? 1;
  if (!(sampleRate >= 0 && sampleRate <= 1))
    throw new UserError(`--sample-rate must be between 0 and 1, got ${sampleRate}.`, {
      input: 'sample-rate',
    });
  return {
    dir: at(options.requestLog),
    sampleRate,
    maxBytes: positive(options.logMaxBytes, 'log-max-bytes', 64 * 1024 * 1024),
    rotate: Math.floor(positive(options.logRotate, 'log-rotate', 5)),
  };
}

/** Starts the server for the CLI; the caller keeps the process alive and calls close() on a signal. */
export async function runServe(options: ServeOptions, log: Log): Promise<ModelServer> {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(options.workingDirectory, p));
  const references = (Array.isArray(options.model) ? options.model : [options.model])
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (references.length === 0)
    throw new UserError('mlops serve needs --model (e.g. penguins@production).', { input: 'model' });
  let models: ModelSourceSpec[];
  let labels: VersionLabels | undefined;
  if (options.baseDir) {
    if (references.length !== 1)
      throw new UserError('--base-dir serves one model: give exactly one --model name.', { input: 'model' });
    models = [{ name: references[0]!, baseDir: at(options.baseDir) }];
  } else {
    const registry = at(options.registry?.trim() || '.mlops/registry');
    // The registry's aliases are the server's version labels (/v1/models/<m>/labels/<alias>).
    labels = registryVersionLabels(new LocalRegistry(registry));
    models = references.map((reference) => {
      const parsed = parseModelReference(reference);
      return { name: parsed.name, registry, reference };
    });
  }
  const limits: ServerLimits = {
    maxBodyBytes: positive(options.maxBodyBytes, 'max-body-bytes', DEFAULT_LIMITS.maxBodyBytes),
    maxBatch: Math.floor(positive(options.maxBatch, 'max-batch', DEFAULT_LIMITS.maxBatch)),
    timeoutMs: positive(options.timeoutMs, 'timeout-ms', DEFAULT_LIMITS.timeoutMs),
  };
  const port = options.port ?? DEFAULT_SERVE_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`--port must be 0..65535, got ${port}.`, { input: 'port' });
  const onInvalid = options.onInvalid ?? DEFAULT_ON_INVALID;
  if (!(ON_INVALID_POLICIES as readonly string[]).includes(onInvalid)) {
    throw new UserError(
      `--on-invalid must be one of ${ON_INVALID_POLICIES.join(', ')}; got '${onInvalid}'.`,
      {
        input: 'on-invalid',
      },
    );
  }
  const server = await startModelServer({
    host: options.host ?? '127.0.0.1',
    port,
    models,
    limits,
    onInvalid: onInvalid as OnInvalid,
    requestLog: requestLogOptions(options, at),
    admin: options.adminToken ? { token: options.adminToken, port: options.adminPort } : undefined,
    labels,
    log,
  });
  log.info(
    `Serving ${[...server.models.keys()].join(', ')} at ${server.url} (TF Serving REST API: ${server.url}/v1/models/<name>).`,
  );
  return server;
}

/** What the local-server target writes for the daemon: everything it needs, no secrets inline. */
export interface DaemonConfig {
  schema: 'mlops-serve-daemon/v1';
  host: string;
  port: number;
  models: { name: string; folder: string; version: number }[];
  limits: ServerLimits;
  requestLog?: RequestLogOptions;
  /** Policy for raw feature values the model's contract cannot read; default error. */
  onInvalid?: OnInvalid;
  /** A local registry folder whose aliases are the version labels (`/labels/<alias>`). */
  registry?: string;
  /** A file holding the admin token (mode 0600). */
  adminTokenFile: string;
  /** Written (atomically) once the server is ready; removed when it stops. */
  stateFile: string;
  /**
   * Start on probation: the server stops itself unless the deploy that started it renews this
   * lease (`POST /admin/lease`) within this many milliseconds, again and again, until it confirms
   * (`POST /admin/confirm`). Absent: no probation.
   */
  leaseMs?: number;
}

/** What a running daemon publishes in its state file. */
export interface DaemonState {
  schema: 'mlops-serve-state/v1';
  pid: number;
  url: string;
  admin_url: string;
  started_at: string;
}

/**
 * Runs the detached server: starts it from the config, publishes the state file, and on SIGTERM,
 * SIGINT, `POST /admin/shutdown` or an expired startup lease stops it (in-flight requests
 * answer), removes the state file and exits.
 */
export async function runServeDaemon(configPath: string, log: Log): Promise<void> {
  const config = JSON.parse(await readFile(configPath, 'utf8')) as DaemonConfig;
  if (config.schema !== 'mlops-serve-daemon/v1')
    throw new UserError(`${configPath} is not an mlops-serve-daemon/v1 file.`);
  const token = (await readFile(config.adminTokenFile, 'utf8')).trim();
  let stopping = false;
  let server: ModelServer | undefined;
  const shutdown = async (running: ModelServer) => {
    log.info('Stopping the model server.');
    await running.close();
    await rm(config.stateFile, { force: true });
    process.exit(0);
  };
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A stop that comes while the server is still starting (a signal, or a lease that ran out on
    // a slow machine) takes effect as soon as it is up, below.
    if (server !== undefined) void shutdown(server);
  };
  const lease =
    config.leaseMs === undefined
      ? undefined
      : new ProbationLease(config.leaseMs, () => {
          log.warning(
            `The deploy that started this server did not confirm it within ${config.leaseMs} ms (it was cancelled or killed): stopping.`,
          );
          stop();
        });
  server = await startModelServer({
    host: config.host,
    port: config.port,
    models: config.models,
    limits: config.limits,
    requestLog: config.requestLog,
    onInvalid: config.onInvalid,
    labels: config.registry ? registryVersionLabels(new LocalRegistry(config.registry)) : undefined,
    admin: { token, onShutdown: stop, lease },
    log,
  });
  if (stopping) {
    await shutdown(server);
    return;
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const state: DaemonState = {
    schema: 'mlops-serve-state/v1',
    pid: process.pid,
    url: server.url,
    admin_url: server.adminUrl!,
    started_at: new Date().toISOString(),
  };
  await writeJsonAtomic(config.stateFile, state);
  // The probation counts from readiness: the deploy can renew only through the admin API of a
  // running server, so time spent loading models must not use up its lease.
  lease?.renew();
  log.info(`Model server ${process.pid} ready at ${server.url}.`);
}
