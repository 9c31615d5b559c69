import type * as DuckDB from '@duckdb/node-api';
import { loadEngine } from './index.js';

export type DuckDBModule = typeof DuckDB;

export function loadDuckDB(): Promise<DuckDBModule> {
  return loadEngine<DuckDBModule>('duckdb');
}
