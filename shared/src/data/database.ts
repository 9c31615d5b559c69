import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';
import { loadDuckDB } from '../engines/duckdb.js';
import { UserError } from '../errors/index.js';

export interface DatabaseOptions {
  /** DuckDB memory limit, e.g. '2GB'. Work beyond it spills to `tempDirectory`. */
  memoryLimit?: string;
  /**
   * Where DuckDB spills. Default: a folder of this database's own under RUNNER_TEMP (or the OS
   * temp folder), removed on close.
   */
  tempDirectory?: string;
  threads?: number;
  /**
   * A query running longer than this is interrupted and fails with a `UserError`; default
   * MLOPS_QUERY_TIMEOUT_SECONDS, else 15 minutes; 0: no limit.
   */
  queryTimeoutMs?: number;
}

/** Pathological input (deep JSON, a huge cross product of columns) must not hold a runner for hours. */
export const DEFAULT_QUERY_TIMEOUT_MS = 15 * 60_000;

function queryTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.MLOPS_QUERY_TIMEOUT_SECONDS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_QUERY_TIMEOUT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new UserError(
      `MLOPS_QUERY_TIMEOUT_SECONDS must be a number of seconds (0: no limit), got '${raw}'.`,
    );
  return seconds * 1000;
}

export type Row = Record<string, unknown>;

/**
 * One in-memory DuckDB with a bounded memory limit and a spill folder, so profiling a file larger
 * than memory finishes instead of failing.
 */
export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly queryTimeoutMs: number,
    /** The folder DuckDB spills to. */
    readonly spillDirectory: string,
    private readonly ownsSpillDirectory: boolean,
  ) {}

  static async open(options: DatabaseOptions = {}): Promise<Database> {
    const duckdb = await loadDuckDB();
    // DuckDB names its spill file duckdb_temp_storage_DEFAULT-0.tmp in whatever folder it is
    // given: two databases sharing a folder (two steps, two CLI runs, two workers) overwrite each
    // other's spilled data ("Could not read enough bytes"). Each gets its own folder.
    const base = join(process.env.RUNNER_TEMP || tmpdir(), 'mlops-duckdb');
    const owned = options.tempDirectory === undefined;
    let temp: string;
    if (owned) {
      mkdirSync(base, { recursive: true });
      temp = mkdtempSync(join(base, `${process.pid}-`));
    } else {
      temp = options.tempDirectory!;
      mkdirSync(temp, { recursive: true });
    }
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? process.env.MLOPS_MEMORY_LIMIT ?? '4GB',
      temp_directory: temp,
    };
    if (options.threads !== undefined) config.threads = String(options.threads);
    try {
      const instance = await duckdb.DuckDBInstance.create(':memory:', config);
      const connection = await instance.connect();
      // Times without an offset are UTC in every step (docs/features.md), whatever the runner's own
      // time zone: DuckDB would otherwise read them, in a column where other times carry an
      // offset, in the machine's zone (a runner on Pacific time moved them by 8 hours).
      await connection.run("SET TimeZone = 'UTC'");
      return new Database(
        instance,
        connection,
        options.queryTimeoutMs ?? queryTimeoutFromEnv(process.env),
        temp,
        owned,
      );
    } catch (error) {
      if (owned) rmSync(temp, { recursive: true, force: true });
      throw error;
    }
  }

  /** Runs a statement and returns its rows as plain JS objects (BIGINT as number when safe). */
  async all<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
    const reader = await this.limited(() => this.connection.runAndReadAll(sql, params as never));
    return reader.getRowObjectsJS().map((row) => normaliseRow(row)) as T[];
  }

  /**
   * Streams a query's result chunk by chunk (about 2,048 rows each) to `onChunk`: memory holds
   * two chunks at a time (the one handed over and the next), whatever the size of the result.
   */
  async forEachChunk(sql: string, onChunk: (chunk: DuckDBDataChunk) => void | Promise<void>): Promise<void> {
    await this.limited(async () => {
      const result = await this.connection.stream(sql);
      // The next chunk is asked for before this one is handed over: DuckDB produces it on a
      // worker thread while `onChunk` runs here, instead of the two taking turns.
      let next = result.fetchChunk();
      try {
        for (;;) {
          const chunk = await next;
          if (!chunk || chunk.rowCount === 0) break;
          next = result.fetchChunk();
          await onChunk(chunk);
        }
      } finally {
        // When `onChunk` throws, the chunk asked for ahead is not awaited: its failure is not news.
        next.catch(() => undefined);
      }
    });
  }

  async run(sql: string, params?: unknown[]): Promise<void> {
    await this.limited(() => this.connection.run(sql, params as never));
  }

  /** Runs a query under the time limit: past it, DuckDB is interrupted and the query fails clearly. */
  private async limited<T>(query: () => Promise<T>): Promise<T> {
    if (!(this.queryTimeoutMs > 0)) return query();
    let interrupted = false;
    const timer = setTimeout(() => {
      interrupted = true;
      this.connection.interrupt();
    }, this.queryTimeoutMs);
    try {
      return await query();
    } catch (error) {
      if (!interrupted) throw error;
      throw new UserError(
        `A DuckDB query ran for more than ${this.queryTimeoutMs / 1000} s and was stopped. ` +
          'If the data is that large, set MLOPS_QUERY_TIMEOUT_SECONDS higher (0: no limit).',
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      // Best effort: a folder still held open (Windows) must not replace the step's own result.
      if (this.ownsSpillDirectory) {
        try {
          rmSync(this.spillDirectory, { recursive: true, force: true });
        } catch {}
      }
    }
  }
}

function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] =
      typeof value === 'bigint' &&
      value <= BigInt(Number.MAX_SAFE_INTEGER) &&
      value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value;
  }
  return out;
}

/** A number from a SQL result (BIGINT and HUGEINT arrive as bigint); NULL counts as 0. */
export function sqlNumber(value: unknown): number {
  return typeof value === 'bigint'
    ? Number(value)
    : value === null || value === undefined
      ? 0
      : Number(value);
}

/** Quotes an identifier for SQL: column names come from data and may hold anything. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Values bound to one statement's `$n` parameters. Data values (categories and bounds of a schema,
 * a stored profile's values) go to DuckDB this way, never as SQL text: any byte, NUL included,
 * arrives as it was.
 */
export class BoundValues {
  readonly values: unknown[] = [];

  /** The placeholder that stands for `value` in the statement. */
  add(value: string | number | boolean): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Quotes a string literal for SQL, for text the suite or the user writes (paths, patterns), not
 * data values (BoundValues). DuckDB's parser ends a string at a NUL byte: one is spelled as a
 * concatenation with `chr(0)`, so the literal still equals the value exactly.
 */
export function quoteLiteral(value: string): string {
  const quoted = `'${value.replace(/'/g, "''")}'`;
  if (!value.includes('\0')) return quoted;
  return `(${quoted.split('\0').join("' || chr(0) || '")})`;
}
