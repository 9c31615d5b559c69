import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { featureOptions } from '../config/schema.js';
import { UserError } from '../errors/index.js';
import { terminalLog } from '../platform/local.js';
import { DEFAULT_SERVE_PORT, runServe, runServeDaemon } from '../serve/run-serve.js';
import { parseArguments } from './arguments.js';
import type { CliCommand } from './commands.js';

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed))
    throw new UserError(`--${name} must be a number; got '${value}'.`, { input: name });
  return parsed;
}

const SERVE_HELP = `mlops serve: serve registered models over TF Serving's REST API.

Usage: mlops serve --model <name@alias|name/version> [--model ...] [options]

  --model          Model to serve (repeatable), from the registry; or a name with --base-dir
  --registry       Registry root (default .mlops/registry)
  --base-dir       A TF Serving-style folder <base>/<version>/ instead of the registry
  --host           Address to listen on (default 127.0.0.1)
  --port           Port (default ${DEFAULT_SERVE_PORT}; 0 picks a free one)
  --request-log    Folder for the sampled NDJSON request log that drift-check reads
  --sample-rate    Share of requests logged (default 1)
  --max-body-bytes, --max-batch, --timeout-ms   Request limits
  --on-invalid     error (default: 400 naming the input), warn or impute: a feature value the
                   model's preprocessing.json cannot read (unseen category, not a number, NaN/Inf);
                   default: features.on-invalid in mlops.yml, as train and evaluate take it
  --config         mlops.yml to read features.on-invalid from (default ./mlops.yml if present)

Endpoints: GET /v1/models/<m>, GET /v1/models/<m>/metadata, POST /v1/models/<m>:predict,
POST /v1/models/<m>:classify, POST /v1/models/<m>:regress, /healthz, /readyz, /metrics (Prometheus).
`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: "Serve registered models over TF Serving's REST API (predict, metadata, status, /metrics).",
  async run(argv, io) {
    const args = parseArguments(argv);
    const log = terminalLog(io.stderr, new Set());
    if (args.help) {
      io.stdout.write(SERVE_HELP);
      return 0;
    }
    if (args.inputs['daemon-config']) {
      await runServeDaemon(resolve(args.inputs['daemon-config']), log);
      return new Promise<number>(() => {});
    }
    // The flag, else mlops.yml's features.on-invalid (the policy train and evaluate use), else error.
    const onInvalid =
      args.inputs['on-invalid'] ??
      featureOptions(loadConfig(args.inputs.config, process.cwd())?.config).onInvalid;
    const server = await runServe(
      {
        model: (args.inputs.model ?? '').split('\n'),
        registry: args.inputs.registry,
        baseDir: args.inputs['base-dir'],
        host: args.inputs.host,
        port: optionalNumber(args.inputs.port, 'port'),
        maxBodyBytes: optionalNumber(args.inputs['max-body-bytes'], 'max-body-bytes'),
        maxBatch: optionalNumber(args.inputs['max-batch'], 'max-batch'),
        timeoutMs: optionalNumber(args.inputs['timeout-ms'], 'timeout-ms'),
        requestLog: args.inputs['request-log'],
        sampleRate: optionalNumber(args.inputs['sample-rate'], 'sample-rate'),
        onInvalid,
        workingDirectory: process.cwd(),
      },
      log,
    );
    io.stdout.write(`serving on ${server.url}\n`);
    return new Promise<number>((done) => {
      const stop = () => {
        void server.close().then(() => done(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
