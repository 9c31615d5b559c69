import { extname } from 'node:path';
import { UserError } from '../errors/index.js';
import { quoteLiteral } from './database.js';
import { tokenSpellings } from './missing-tokens.js';

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
 *
 * `missing`: the missing-value tokens (missing-tokens.ts) a delimited file's fields are read as
 * null by, whole fields compared exactly, quoted or not; types are then sniffed without them, so a
 * number column with 'NA' in it is numbers. An empty field is null either way (DuckDB's default,
 * which train has always read). Without it, only an empty field is null: what `split` needs to
 * copy the data as it is. Other formats carry their own nulls and are read as they are.
 */
export function tableExpression(
  path: string,
  format: DataFormat = detectFormat(path),
  options: { missing?: readonly string[]; allText?: boolean } = {},
): string {
  const p = quoteLiteral(path);
  // Shards may differ in column order or miss a column: match them by name, not position.
  const shards = isGlob(path) ? ', union_by_name = true' : '';
  const tokens = options.missing ? [...new Set(['', ...options.missing].flatMap(tokenSpellings))] : undefined;
  const nulls = tokens ? `, nullstr = [${tokens.map(quoteLiteral).join(', ')}]` : '';
  const text = options.allText ? ', all_varchar = true' : '';
  switch (format) {
    // The dialect is fixed by the extension and strict: left to sniff, DuckDB reads a ragged CSV as
    // one text column and an unterminated quote as part of a value, and reports no error. Types are
    // still sniffed.
    case 'csv':
      return `read_csv(${p}, header = true, delim = ',', quote = '"', escape = '"', strict_mode = true, sample_size = 20480${nulls}${text}${shards})`;
    case 'tsv':
      return `read_csv(${p}, header = true, delim = '\\t', quote = '"', escape = '"', strict_mode = true, sample_size = 20480${nulls}${text}${shards})`;
    case 'parquet':
      return `read_parquet(${p}${shards})`;
    case 'json':
      return `read_json(${p}, format = 'auto')`;
    case 'ndjson':
      return `read_json(${p}, format = 'newline_delimited')`;
    case 'arrow':
      throw new UserError(
        `Arrow IPC files are loaded through openDataset(), not a table expression: '${path}'.`,
      );
  }
}

/** Whether a path names several files through glob characters (`*`, `?`, `[...]`, `**`). */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}
