/**
 * The server's request log: what production sent and what the model answered, for drift-check to
 * read as its `current` data (`current: <dir>/requests*.ndjson`).
 *
 * Format `mlops-request-log/v1`: NDJSON, one line per predicted row (not per request), so the
 * file is a plain table whose columns are the model's raw input features:
 *
 * ```json
 * {"_ts":"2026-01-02T03:04:05.678Z","_model":"penguins","_version":3,"bill_length_mm":39.1,"island":"Biscoe","prediction":"Adelie","_output":[0.91,0.06,0.03]}
 * ```
 * - `_ts` (ISO time the request was answered), `_model`, `_version`: where the row went;
 * - one key per input of the serving signature, with the value as sent (null stays null), except
 *   that with a feature contract a numeric or boolean feature's value is logged as the contract
 *   read it (`"300"` as 300), and a missing token of any feature as null (`contractInputs`);
 * - `prediction`: for a classifier with `classes` in its preprocessing, the predicted label
 *   (argmax; for one sigmoid unit, `classes[1]` when >= 0.5); otherwise the first output value;
 * - `_output`: the raw output vector;
 * - `_invalid` (only on rows that had one): the inputs the model's feature contract could not read
 *   and filled under `on-invalid: warn|impute`, by kind (`{"Origin": "unseen_category"}`).
 *
 * Keys starting with `_` are bookkeeping: drift-check never compares them.
 *
 * The line format is published as docs/schemas/request-log.schema.json.
 *
 * Bounded: a request is logged with probability `sampleRate` (all of its rows or none); the live
 * file `requests.ndjson` is rotated to `requests-<UTC time>-<n>.ndjson` before it would pass
 * `maxBytes`, and only the newest `rotate` rotated files are kept. Writes are queued and never
 * delay a response; when the queue is full (a slow disk), requests are dropped and counted.
 */
import { appendFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const REQUEST_LOG_SCHEMA = 'mlops-request-log/v1';

/** Whether a column of a request log is the server's bookkeeping rather than a model input. */
export function isRequestLogBookkeeping(column: string): boolean {
  return column.startsWith('_') || column === 'prediction';
}

/** A table is a request log when it has the keys every line has. */
export function looksLikeRequestLog(columns: readonly string[]): boolean {
  return ['_ts', '_model', '_version', '_output'].every((c) => columns.includes(c));
}
export const REQUEST_LOG_FILE = 'requests.ndjson';

export interface RequestLogOptions {
  dir: string;
  /** 0..1: the share of requests written. */
  sampleRate: number;
  /** Size bound of one file, in bytes. */
  maxBytes: number;
  /** How many rotated files to keep. */
  rotate: number;
  /** Injected for tests; Math.random otherwise. */
  random?: () => number;
}

export interface LoggedPrediction {
  model: string;
  version: number;
  instances: Record<string, unknown>[];
  outputs: number[][];
  classes?: string[];
  /** Per row: the inputs the feature contract could not read and filled, by kind (warn/impute). */
  invalid?: (Record<string, string> | undefined)[];
}

const MAX_PENDING_LINES = 10_000;

export class RequestLog {
  private size = -1;
  private pending: string[] = [];
  private flushing: Promise<void> | undefined;
  private sequence = 0;
  /** Requests skipped because the write queue was full. */
  dropped = 0;
  /** Requests written. */
  written = 0;

  constructor(private readonly options: RequestLogOptions) {}

  /** Queues the request's rows when it is sampled; returns at once. */
  record(entry: LoggedPrediction): void {
    const random = this.options.random ?? Math.random;
    if (this.options.sampleRate <= 0 || random() >= this.options.sampleRate) return;
    if (this.pending.length + entry.instances.length > MAX_PENDING_LINES) {
      this.dropped++;
      return;
    }
    const ts = new Date().toISOString();
    entry.instances.forEach((instance, i) => {
      const output = entry.outputs[i] ?? [];
      this.pending.push(
        JSON.stringify({
          _ts: ts,
          _model: entry.model,
          _version: entry.version,
          ...instance,
          prediction: predictionValue(output, entry.classes),
          _output: output,
          ...(entry.invalid?.[i] === undefined ? {} : { _invalid: entry.invalid[i] }),
        }),
      );
    });
    this.written++;
    this.flushing ??= this.drain();
  }

  /** Resolves when everything queued so far is on disk. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      await mkdir(this.options.dir, { recursive: true });
      if (this.size < 0) this.size = await fileSize(join(this.options.dir, REQUEST_LOG_FILE));
      while (this.pending.length > 0) {
        const lines = this.pending;
        this.pending = [];
        // Cut the batch where a file would pass maxBytes, rotating in between.
        let chunk = '';
        for (const line of lines) {
          const bytes = Buffer.byteLength(line) + 1;
          if (
            this.size + Buffer.byteLength(chunk) + bytes > this.options.maxBytes &&
            this.size + Buffer.byteLength(chunk) > 0
          ) {
            await this.write(chunk);
            chunk = '';
            await this.rotateNow();
          }
          chunk += `${line}\n`;
        }
        await this.write(chunk);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(chunk: string): Promise<void> {
    if (chunk === '') return;
    await appendFile(join(this.options.dir, REQUEST_LOG_FILE), chunk);
    this.size += Buffer.byteLength(chunk);
  }

  private async rotateNow(): Promise<void> {
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    this.sequence++;
    await rename(
      join(this.options.dir, REQUEST_LOG_FILE),
      join(this.options.dir, `requests-${stamp}-${this.sequence}.ndjson`),
    );
    this.size = 0;
    const rotated = (await readdir(this.options.dir)).filter((n) => /^requests-.+\.ndjson$/.test(n));
    // Names sort by time, then by sequence within one second (zero-padding is not needed: the
    // sequence only matters within a second, and files are removed oldest first by mtime).
    const withTimes = await Promise.all(
      rotated.map(async (name) => ({ name, mtime: (await stat(join(this.options.dir, name))).mtimeMs })),
    );
    withTimes.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name, 'en', { numeric: true }));
    for (const old of withTimes.slice(0, Math.max(0, withTimes.length - this.options.rotate))) {
      await unlink(join(this.options.dir, old.name)).catch(() => {});
    }
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The label a classifier picked, or a regressor's value. */
export function predictionValue(output: number[], classes: string[] | undefined): string | number | null {
  if (output.length === 0) return null;
  if (classes !== undefined && classes.length >= 2) {
    if (output.length === 1) return output[0]! >= 0.5 ? classes[1]! : classes[0]!;
    let best = 0;
    for (let i = 1; i < output.length; i++) if (output[i]! > output[best]!) best = i;
    return classes[best] ?? best;
  }
  return output[0]!;
}
