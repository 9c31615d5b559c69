import { extname } from 'node:path';
import { UserError } from '../errors/index.js';
import { quoteLiteral } from './database.js';

export type DataFormat = 'csv' | 'tsv' | 'parquet' | 'json' | 'ndjson' | 'arrow';

/** The format of a data path, from its extension (a `.gz` suffix is looked through). */
export function detectFormat(path: string): DataFormat {
  const base = path.toLowerCase().replace(/\.(gz|zst)$/, '');
  const ext = extname(base);
  switch (ext) {
    case '.csv':
    case '.txt':
      return 'csv';
    case '.tsv':
    case '.tab':
      return 'tsv';
    case '.parquet':
    case '.pq':
      return 'parquet';
    case '.json':
      return 'json';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    case '.arrow':
    case '.feather':
    case '.ipc':
      return 'arrow';
    default:
      throw new UserError(
        `Cannot tell the format of '${path}': expected one of .csv, .tsv, .parquet, .json, .ndjson/.jsonl, .arrow (optionally .gz).`,
      );
  }
}

/**
 * The DuckDB table expression that reads a path (or a glob of shards). Arrow IPC is not here: it
 * needs an extension DuckDB would download, so it is read in JS and registered as a table instead.
 */
export function tableExpression(path: string, format: DataFormat = detectFormat(path)): string {
  const p = quoteLiteral(path);
  switch (format) {
    case 'csv':
      return `read_csv(${p}, auto_detect = true, header = true, sample_size = 20480)`;
    case 'tsv':
      return `read_csv(${p}, auto_detect = true, header = true, delim = '\\t', sample_size = 20480)`;
    case 'parquet':
      return `read_parquet(${p})`;
    case 'json':
      return `read_json(${p}, format = 'auto')`;
    case 'ndjson':
      return `read_json(${p}, format = 'newline_delimited')`;
    case 'arrow':
      throw new UserError(`Arrow IPC files are loaded through openDataset(), not a table expression: '${path}'.`);
  }
}
