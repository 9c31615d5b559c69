/**
 * `mlops serve`: a TF Serving-compatible REST server on Node's `http`
 * (https://www.tensorflow.org/tfx/serving/api_rest):
 *
 * - `GET  /v1/models/<m>` and `/v1/models/<m>/versions/<v>`: `{"model_version_status": [...]}`
 * - `GET  /v1/models/<m>/metadata` (and per version): `signature_def` as TF Serving writes it
 * - `POST /v1/models/<m>:predict` and `/v1/models/<m>/versions/<v>:predict`: row (`instances`)
 *   or columnar (`inputs`) requests, `{"predictions": ...}` / `{"outputs": ...}` replies
 * - `POST /v1/models/<m>:classify` / `:regress` (and per version): TF Serving's Classify and
 *   Regress APIs (`examples` in, `{"result": ...}` out; classify names the classes)
 * - raw feature values are read by the model's feature contract (preprocessing.json) under the
 *   server's `on-invalid` policy: `error` answers 400 naming the input, row and value; `warn`
 *   and `impute` fill the value; every filled value is counted in
 *   `mlops_serve_feature_values_total` and the request log. A row without one of the inputs is
 *   a 400 naming it, whatever the policy, as TF Serving answers.
 * - errors as `{"error": "..."}` with TF Serving's codes: 400 invalid argument, 404 not found,
 *   503 unavailable, 504 deadline exceeded, 500 internal; plus 413 for a body over the limit and
 *   408 for a body that does not arrive in time
 * - `/healthz` (the process answers), `/readyz` (every model has an AVAILABLE version),
 *   `/metrics` (Prometheus text format)
 *
 * With `admin`, a second listener on 127.0.0.1 only, behind a bearer token, swaps versions and
 * runs canaries (see admin.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_JSON_NESTING } from '../data/json-nesting.js';
import { type Log, silentLog } from '../logging/index.js';
import {
  contractInputs,
  DEFAULT_ON_INVALID,
  FeatureCounts,
  type InvalidKind,
  type OnInvalid,
} from '../models/preprocessing.js';
import { handleAdminRequest } from './admin.js';
import { compareOutputs } from './canary.js';
import { classifyResult, parseExamplesRequest, regressResult } from './classify-regress.js';
import { type InputColumns, InvalidInputError, type LoadedModel, loadModelFolder } from './loaded-model.js';
import { highestVersionFolder, type ModelSourceSpec, resolveModelSource } from './model-source.js';
import { BadRequestError, parsePredictRequest } from './predict-request.js';
import type { ProbationLease } from './probation-lease.js';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
import { RequestLog, type RequestLogOptions } from './request-log.js';
import { RequestBodyScanner } from './request-scan.js';
import { isRestApiPath, parseRestPath, RestPathError, type RestRequest } from './rest-path.js';
import { type Mirror, type Routed, ServedModel } from './served-model.js';
import { tfServingMetadata } from './signature.js';
import type { VersionLabels } from './version-labels.js';

export interface ServerLimits {
  /** Largest request body accepted, in bytes (413 above). */
  maxBodyBytes: number;
  /** Most rows in one predict request (400 above, as TF Serving's batch limit). */
  maxBatch: number;
  /** Time for a request's body to arrive (408) and, separately, for its prediction (504). */
  timeoutMs: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxBatch: 1024,
  timeoutMs: 10_000,
};

export interface ModelServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  models: ModelSourceSpec[];
  limits?: Partial<ServerLimits>;
  requestLog?: RequestLogOptions;
  /** The admin listener (always on 127.0.0.1); off when absent. */
  admin?: { token: string; port?: number; onShutdown?: () => void; lease?: ProbationLease };
  log?: Log;
  /** Loads a model folder; tests and benchmarks may wrap it. */
  loadModel?: (folder: string) => Promise<LoadedModel>;
  /** Policy for raw feature values the model's contract cannot read; default error (400). */
  onInvalid?: OnInvalid;
  /** Version labels (`/labels/<label>`), e.g. the registry's aliases; none when absent. */
  labels?: VersionLabels;
}

export interface ModelServer {
  readonly url: string;
  readonly port: number;
  readonly adminUrl?: string;
  readonly models: ReadonlyMap<string, ServedModel>;
  readonly metrics: MetricsRegistry;
  readonly requestLog?: RequestLog;
  /** Loads `folder` as `version` of `name` and swaps to it without dropping requests. */
  swap(name: string, version: number, folder: string): Promise<{ previous?: number }>;
  loadModel(folder: string): Promise<LoadedModel>;
  /** Stops listening, lets in-flight requests answer, unloads models, flushes the request log. */
  close(): Promise<void>;
}

interface ServerMetrics {
  requests: ReturnType<MetricsRegistry['counter']>;
  duration: ReturnType<MetricsRegistry['histogram']>;
  errors: ReturnType<MetricsRegistry['counter']>;
  rows: ReturnType<MetricsRegistry['counter']>;
  version: ReturnType<MetricsRegistry['gauge']>;
  logDropped: ReturnType<MetricsRegistry['counter']>;
  featureValues: ReturnType<MetricsRegistry['counter']>;
}

function createMetrics(): { registry: MetricsRegistry; m: ServerMetrics } {
  const registry = new MetricsRegistry();
  return {
    registry,
    m: {
      requests: registry.counter(
        'mlops_serve_requests_total',
        'HTTP requests answered, by model, API method and status code.',
      ),
      duration: registry.histogram(
        'mlops_serve_request_duration_seconds',
        'Time from request arrival to reply, by model and API method.',
      ),
      errors: registry.counter('mlops_serve_errors_total', 'Requests that failed, by model and reason.'),
      rows: registry.counter('mlops_serve_predict_rows_total', 'Rows predicted, by model and version.'),
      version: registry.gauge(
        'mlops_serve_loaded_version',
        'The version that unversioned requests are served by.',
      ),
      logDropped: registry.counter(
        'mlops_serve_request_log_dropped_total',
        'Sampled requests not logged because the write queue was full.',
      ),
      featureValues: registry.counter(
        'mlops_serve_feature_values_total',
        'Raw feature values filled by the feature contract, by model, version, column and kind (missing, unseen_category, unparseable, non_finite, missing_column).',
      ),
    },
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    /** Refused before the body was read to its end: the answer closes the connection. */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Reads the body up to `maxBytes`; a larger one is a 413, a slow one a 408. Each chunk is scanned
 * as it arrives (serve/request-scan.ts): JSON nested too deep, or more than `maxRows` rows, is a
 * 400 before the rest is read or any of it parsed.
 */
function readBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(
      new HttpError(
        413,
        `The request body is ${declared} bytes; this server accepts at most ${maxBytes}.`,
        'too_large',
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const scanner = new RequestBodyScanner(maxRows);
    let size = 0;
    let done = false;
    const finish = (error?: HttpError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) {
        // Keep reading and discarding, so the client can finish sending and read the answer.
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(
      () => finish(new HttpError(408, `The request body did not arrive within ${timeoutMs} ms.`, 'timeout')),
      timeoutMs,
    );
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes)
        finish(
          new HttpError(
            413,
            `The request body is over ${maxBytes} bytes, the most this server accepts.`,
            'too_large',
          ),
        );
      else {
        const verdict = scanner.feed(chunk);
        if (verdict?.kind === 'too-deep')
          finish(
            new HttpError(
              400,
              `The request body nests JSON more than ${MAX_JSON_NESTING} levels deep.`,
              'bad_request',
              true,
            ),
          );
        else if (verdict?.kind === 'too-many-rows')
          finish(
            new HttpError(
              400,
              `The request has more than ${maxRows} rows; this server accepts at most ${maxRows} per request.`,
              'bad_request',
              true,
            ),
          );
        else chunks.push(chunk);
      }
    });
    req.on('end', () => finish());
    req.on('error', (error) =>
      finish(new HttpError(400, `The request body could not be read: ${error.message}`, 'bad_request')),
    );
  });
}

function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HttpError(
            504,
            `Deadline exceeded: the prediction took longer than ${timeoutMs} ms.`,
            'timeout',
          ),
        ),
      timeoutMs,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const log = options.log ?? silentLog;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const { registry: metrics, m } = createMetrics();
  const load = options.loadModel ?? loadModelFolder;
  const models = new Map<string, ServedModel>();
  const requestLog = options.requestLog ? new RequestLog(options.requestLog) : undefined;
  const onInvalid = options.onInvalid ?? DEFAULT_ON_INVALID;
  let droppedSeen = 0;
  for (const spec of options.models) {
    if (models.has(spec.name)) throw new Error(`Model '${spec.name}' is listed twice.`);
    models.set(spec.name, new ServedModel(spec.name, log));
  }

  const updateVersionGauge = () => {
    for (const [name, served] of models) {
      if (served.current?.state === 'AVAILABLE') m.version.set({ model: name }, served.current.version);
    }
  };

  async function swap(name: string, version: number, folder: string): Promise<{ previous?: number }> {
    const served = models.get(name);
    if (!served) throw new HttpError(404, `This server does not serve a model named '${name}'.`, 'not_found');
    const result = await served.swapTo(version, folder, () => load(folder));
    updateVersionGauge();
    return result;
  }

  /** The version a label names now, or a 400 as TF Serving answers an unknown label. */
  async function labelledVersion(name: string, label: string): Promise<number> {
    let labels: Readonly<Record<string, number>> = {};
    if (options.labels) {
      try {
        labels = await options.labels(name);
      } catch (error) {
        throw new HttpError(
          503,
          `The version labels of '${name}' could not be read: ${(error as Error).message}`,
          'unavailable',
        );
      }
    }
    const version = Object.hasOwn(labels, label) ? labels[label] : undefined;
    if (version === undefined)
      throw new HttpError(400, `Unrecognized servable version label: ${label}`, 'bad_request');
    return version;
  }

  async function handleModelRequest(
    req: IncomingMessage,
    res: ServerResponse,
    rest: RestRequest,
  ): Promise<string> {
    const { model: name, method: action } = rest;
    const inference = action === 'predict' || action === 'classify' || action === 'regress';
    const served = models.get(name);
    const version =
      rest.selector.kind === 'version'
        ? rest.selector.version
        : rest.selector.kind === 'label' && served
          ? await labelledVersion(name, rest.selector.label)
          : undefined;
    const notFound = () =>
      new HttpError(
        404,
        `Servable not found for request: ${version === undefined ? `Latest(${name})` : `Specific(${name}, ${version})`}`,
        'not_found',
      );

    if (action === 'status') {
      // GetModelStatusImpl's NOT_FOUND messages (get_model_status_impl.cc).
      if (!served) throw new HttpError(404, `Could not find any versions of model ${name}`, 'not_found');
      const statuses = served.statuses().filter((s) => version === undefined || s.version === version);
      if (statuses.length === 0)
        throw new HttpError(
          404,
          version === undefined
            ? `Could not find any versions of model ${name}`
            : `Could not find version ${version} of model ${name}`,
          'not_found',
        );
      sendJson(res, 200, {
        model_version_status: statuses.map((s) => ({
          version: String(s.version),
          state: s.state,
          status: s.error
            ? { error_code: 'UNKNOWN', error_message: s.error }
            : { error_code: 'OK', error_message: '' },
        })),
      });
      return action;
    }
    if (!served) throw notFound();

    const routed: Routed | undefined = version === undefined ? served.route() : served.routeVersion(version);
    if (!routed) {
      if (version === undefined && served.slots.size > 0) {
        throw new HttpError(503, `Model '${name}' has no version available yet (loading).`, 'unavailable');
      }
      throw notFound();
    }
    const started = performance.now();
    let serverError = false;
    try {
      const model = routed.slot.model!;
      if (action === 'metadata') {
        sendJson(
          res,
          200,
          tfServingMetadata(name, routed.slot.version, model.signature, model.preprocessing, onInvalid),
        );
        return action;
      }
      const spec = model.preprocessing;
      if (action === 'classify' && spec?.task !== 'classification') {
        throw new HttpError(
          400,
          `Model '${name}' ${spec ? 'is a regression model: use :regress' : 'has no preprocessing.json naming its classes: use :predict'}.`,
          'bad_request',
        );
      }
      if (action === 'regress' && spec?.task !== 'regression') {
        throw new HttpError(
          400,
          `Model '${name}' ${spec ? 'is a classification model: use :classify' : 'has no preprocessing.json saying it is a regression model: use :predict'}.`,
          'bad_request',
        );
      }
      // readBody refuses a body nested too deep (JSON.parse copes with any depth, but what walks
      // the result afterwards recurses: a 500, not a 400) or with too many rows, as it arrives.
      const text = await readBody(req, limits.maxBodyBytes, limits.timeoutMs, limits.maxBatch);
      const request =
        action === 'predict'
          ? parsePredictRequest(text, model.signature.inputs, limits.maxBatch, model.preprocessing?.dropped)
          : parseExamplesRequest(text, model.signature.inputs, limits.maxBatch, model.preprocessing?.dropped);
      const counts = new FeatureCounts();
      const rowInvalid: (Record<string, InvalidKind> | undefined)[] = [];
      const rowName =
        action !== 'predict'
          ? (r: number) => `examples[${r}]`
          : request.format === 'row'
            ? (r: number) => `instances[${r}]`
            : (r: number) => `inputs row ${r}`;
      let outputs: number[][];
      try {
        outputs = await withDeadline(
          model.predict(request.columns, request.rows, {
            onInvalid,
            counts,
            describeRow: rowName,
            onInvalidValue: (r, column, kind) => {
              rowInvalid[r] = { ...rowInvalid[r], [column]: kind };
            },
          }),
          limits.timeoutMs,
        );
      } catch (error) {
        if (error instanceof InvalidInputError) throw new HttpError(400, error.message, 'bad_request');
        if (error instanceof HttpError) throw error;
        if ((error as Error).name === 'UserError')
          throw new HttpError(400, (error as Error).message, 'bad_request');
        serverError = true;
        throw new HttpError(500, `Prediction failed: ${(error as Error).message}`, 'internal');
      }
      m.rows.inc({ model: name, version: String(routed.slot.version) }, request.rows);
      const versionLabel = String(routed.slot.version);
      for (const [column, n] of Object.entries(counts.missing))
        m.featureValues.inc({ model: name, version: versionLabel, column, kind: 'missing' }, n);
      for (const [column, kinds] of Object.entries(counts.invalid))
        for (const [kind, n] of Object.entries(kinds))
          m.featureValues.inc({ model: name, version: versionLabel, column, kind }, n ?? 0);
      if (counts.invalidTotal > 0 && onInvalid === 'warn') {
        log.warning(`Model '${name}': filled feature values it could not read: ${counts.describeInvalid()}.`);
      }
      // A missing value is not invalid: the contract fills it as train and evaluate do (docs/features.md),
      // but each request that had one says so, naming the column and the fill; `impute` is the quiet opt-in.
      if (counts.missingTotal > 0 && onInvalid !== 'impute') {
        const line = `Model '${name}': filled ${counts.missingTotal} missing feature value(s) in a request of ${request.rows} row(s) with the training fill, as train and evaluate fill them: ${counts.describeMissing(spec ?? undefined)}.`;
        if (onInvalid === 'warn') log.warning(line);
        else log.info(line);
      }
      if (action === 'classify') sendJson(res, 200, { result: classifyResult(outputs, spec!.classes!) });
      else if (action === 'regress') sendJson(res, 200, { result: regressResult(outputs) });
      else sendJson(res, 200, request.format === 'row' ? { predictions: outputs } : { outputs });
      // During a canary, the other version computes the same rows after the reply has gone.
      const mirror = served.mirrorOf(routed);
      if (mirror) void compareOnMirror(mirror, request, outputs, rowName);
      if (requestLog) {
        const contract = model.preprocessing;
        requestLog.record({
          model: name,
          version: routed.slot.version,
          // As the contract read them, so drift-check compares what the model saw.
          instances: contract
            ? request.instances.map((row) => contractInputs(contract, row))
            : request.instances,
          outputs,
          classes: model.preprocessing?.classes,
          invalid: rowInvalid,
        });
        if (requestLog.dropped > droppedSeen) {
          m.logDropped.inc({}, requestLog.dropped - droppedSeen);
          droppedSeen = requestLog.dropped;
        }
      }
      return action;
    } catch (error) {
      if (error instanceof HttpError && error.status >= 500) serverError = true;
      throw error;
    } finally {
      routed.slot.release();
      if (inference) served.observe(routed, performance.now() - started, serverError);
      if (routed.arm !== undefined) updateVersionGauge();
    }
  }

  /** Runs a canary request's rows on the other version and counts whether the outputs agree. */
  async function compareOnMirror(
    mirror: Mirror,
    request: { columns: InputColumns; rows: number },
    answered: number[][],
    describeRow: (r: number) => string,
  ): Promise<void> {
    let other: number[][];
    try {
      other = await mirror.slot.model!.predict(request.columns, request.rows, {
        onInvalid,
        counts: new FeatureCounts(),
        describeRow,
      });
    } catch (error) {
      // The candidate failing on rows the stable version answered is a disagreement on all of them.
      if (mirror.arm === 'candidate')
        mirror.record(
          0,
          request.rows,
          `the candidate failed on a mirrored request: ${(error as Error).message}`,
        );
      else mirror.skip();
      return;
    }
    const [candidate, stable] = mirror.arm === 'candidate' ? [other, answered] : [answered, other];
    const task = mirror.slot.model?.preprocessing?.task === 'classification' ? 'classification' : 'other';
    const compared = compareOutputs(candidate, stable, task, mirror.maxRelativeError);
    mirror.record(compared.agreed, compared.compared, compared.example);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    let modelLabel = '';
    let method = 'other';
    let status = 200;
    try {
      if (path === '/healthz') {
        method = 'healthz';
        sendJson(res, 200, { status: 'ok' });
      } else if (path === '/readyz') {
        method = 'readyz';
        const waiting = [...models.values()]
          .filter((s) => s.current?.state !== 'AVAILABLE')
          .map((s) => s.name);
        status = waiting.length === 0 ? 200 : 503;
        sendJson(
          res,
          status,
          waiting.length === 0 ? { status: 'ready' } : { status: 'loading', models: waiting },
        );
      } else if (path === '/metrics') {
        method = 'metrics';
        const text = metrics.render();
        res.writeHead(200, {
          'content-type': PROMETHEUS_CONTENT_TYPE,
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      } else {
        if (!isRestApiPath(path))
          throw new HttpError(
            404,
            `No such path: ${path}. The API is /v1/models/<model>[/versions/<n>|/labels/<label>][:predict|:classify|:regress|/metadata].`,
            'not_found',
          );
        let rest: RestRequest;
        try {
          rest = parseRestPath(req.method ?? 'GET', path);
        } catch (error) {
          if (error instanceof RestPathError) throw new HttpError(error.status, error.message, 'bad_request');
          throw error;
        }
        modelLabel = models.has(rest.model) ? rest.model : '(unknown)';
        method = rest.method;
        method = await handleModelRequest(req, res, rest);
      }
    } catch (error) {
      // A client whose body was too large or too slow may still be sending: the answer closes the
      // connection rather than keep a socket for a client that misbehaves.
      const refused = error instanceof HttpError || error instanceof BadRequestError ? error.status : 0;
      const unread =
        refused === 408 || refused === 413 || (error instanceof HttpError && error.closeConnection);
      if (unread && !res.headersSent) res.setHeader('connection', 'close');
      if (error instanceof HttpError) {
        status = error.status;
        m.errors.inc({ model: modelLabel, reason: error.reason });
        if (!res.headersSent) sendJson(res, status, { error: error.message });
      } else if (error instanceof BadRequestError) {
        status = error.status;
        m.errors.inc({ model: modelLabel, reason: status === 413 ? 'too_large' : 'bad_request' });
        if (!res.headersSent) sendJson(res, status, { error: error.message });
      } else {
        status = 500;
        m.errors.inc({ model: modelLabel, reason: 'internal' });
        log.error(`Unexpected server error on ${req.method} ${path}: ${(error as Error).stack ?? error}`);
        if (!res.headersSent) sendJson(res, 500, { error: `Internal error: ${(error as Error).message}` });
      }
      const verb = /:(predict|classify|regress)$/.exec(path);
      if (method === 'other' && verb) method = verb[1]!;
    } finally {
      m.requests.inc({ model: modelLabel, method, code: String(status) });
      if (modelLabel !== '')
        m.duration.observe({ model: modelLabel, method }, (performance.now() - started) / 1000);
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  // Keep-alive clients (load generators, smoke tests) reuse sockets; a server close waits for them.
  server.keepAliveTimeout = 5_000;
  const port = await listen(server, options.port, options.host ?? '127.0.0.1');
  const host = options.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let adminServer: Server | undefined;
  let adminPort: number | undefined;
  const canaryTimer = setInterval(() => {
    for (const served of models.values()) served.tick();
    updateVersionGauge();
  }, 1000);
  canaryTimer.unref();

  const pollers = options.models.flatMap((spec) =>
    'baseDir' in spec && spec.pollMs !== undefined && spec.pollMs > 0
      ? [watchBaseDir(spec.name, spec.baseDir, spec.pollMs)]
      : [],
  );

  /** Follows the highest version folder of a base path; a version that failed to load is not retried. */
  function watchBaseDir(name: string, baseDir: string, pollMs: number): NodeJS.Timeout {
    const failed = new Set<string>();
    let busy = false;
    const timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const newest = await highestVersionFolder(baseDir, name).catch(() => undefined);
        const served = models.get(name)!;
        if (newest && newest.version !== served.current?.version && !failed.has(newest.folder)) {
          try {
            await swap(name, newest.version, newest.folder);
          } catch (error) {
            failed.add(newest.folder);
            log.warning(
              `Version ${newest.version} of '${name}' in ${baseDir} did not load: ${(error as Error).message}`,
            );
          }
        }
      } finally {
        busy = false;
      }
    }, pollMs);
    timer.unref();
    return timer;
  }

  const handle_: ModelServer = {
    url: `http://${urlHost}:${port}`,
    port,
    get adminUrl() {
      return adminPort === undefined ? undefined : `http://127.0.0.1:${adminPort}`;
    },
    models,
    metrics,
    requestLog,
    swap,
    loadModel: load,
    async close() {
      clearInterval(canaryTimer);
      for (const poller of pollers) clearInterval(poller);
      await Promise.all([closeServer(server), adminServer ? closeServer(adminServer) : undefined]);
      await Promise.all([...models.values()].map((s) => s.close()));
      await requestLog?.flush();
    },
  };

  if (options.admin) {
    const token = options.admin.token;
    const probation = { current: options.admin.lease };
    adminServer = createServer((req, res) => {
      void handleAdminRequest(req, res, {
        token,
        server: handle_,
        log,
        onShutdown: options.admin?.onShutdown,
        probation,
        readBody: (r) => readBody(r, limits.maxBodyBytes, limits.timeoutMs),
      }).catch((error) => {
        if (!res.headersSent) sendJson(res, 500, { error: (error as Error).message });
      });
    });
    adminPort = await listen(adminServer, options.admin.port ?? 0, '127.0.0.1');
  }

  try {
    await Promise.all(
      options.models.map(async (spec) => {
        const source = await resolveModelSource(spec);
        if ('staged' in spec && spec.staged)
          await models.get(spec.name)!.stage(source.version, source.folder, () => load(source.folder));
        else await swap(spec.name, source.version, source.folder);
      }),
    );
  } catch (error) {
    await handle_.close();
    throw error;
  }
  return handle_;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Connections that are mid-request finish their reply first; keep-alive sockets are closed as
    // soon as they go idle instead of waiting for the keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
