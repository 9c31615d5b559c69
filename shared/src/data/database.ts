import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { loadDuckDB } from '../engines/duckdb.js';

export interface DatabaseOptions {
  /** DuckDB memory limit, e.g. '2GB'. Work beyond it spills to `tempDirectory`. */
  memoryLimit?: string;
  /** Where DuckDB spills; defaults to RUNNER_TEMP or the OS temp folder. */
  tempDirectory?: string;
  threads?: number;
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
  ) {}

  static async open(options: DatabaseOptions = {}): Promise<Database> {
    const duckdb = await loadDuckDB();
    const temp = options.tempDirectory ?? join(process.env.RUNNER_TEMP || tmpdir(), 'mlops-duckdb');
    mkdirSync(temp, { recursive: true });
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? process.env.MLOPS_MEMORY_LIMIT ?? '4GB',
      temp_directory: temp,
    };
    if (options.threads !== undefined) config.threads = String(options.threads);
    const instance = await duckdb.DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    return new Database(instance, connection);
  }

  /** Runs a statement and returns its rows as plain JS objects (BIGINT as number when safe). */
  async all<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params as never);
    return reader.getRowObjectsJS().map((row) => normaliseRow(row)) as T[];
  }

  async run(sql: string, params?: unknown[]): Promise<void> {
    await this.connection.run(sql, params as never);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
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

/** Quotes a string literal for SQL. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
