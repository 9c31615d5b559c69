import { UserError } from '../errors/index.js';
import { distinctShare, readCsvSample } from './csv-sample.js';
import type { Database } from './database.js';
import {
  countMissingTokens,
  type Dataset,
  type DatasetColumn,
  openDataset,
  registerDataset,
  withRowCount,
} from './open-dataset.js';
import { type DataFormat, detectFormat, isGlob } from './source.js';
import { countValues, type ValueCounts } from './value-counts.js';

export interface CountedDataset {
  dataset: Dataset;
  counts: ValueCounts;
}

export interface CountedDatasetOptions {
  /** Name of the view or table; default `dataset`. */
  name?: string;
  /** Prefix of the counts tables; default `<name>_counts`. */
  tablePrefix?: string;
  /** The columns to count (default: all). */
  count?: (columns: readonly DatasetColumn[]) => string[];
  /**
   * The columns whose values matter (default: all): a text file read lazily must convert each
   * of them, counted or not, so that a value that does not fit its type is found here.
   */
  read?: (columns: readonly DatasetColumn[]) => string[];
  /**
   * Counted columns served as raw rows (see `countValues`' `raw`) when the data is a table or a
   * columnar file, cheap to scan again; grouped as usual when it is a text file read lazily. Given the
   * view, so that the choice may query the data.
   */
  raw?: (columns: readonly DatasetColumn[], view: string) => string[] | Promise<string[]>;
  /** Missing-value tokens read as null in a delimited file (OpenDatasetOptions.missing). */
  missing?: readonly string[];
}

/** Formats DuckDB parses from text, where a value can fail its sniffed type late in the file. */
const TEXT_FORMATS: ReadonlySet<DataFormat> = new Set(['csv', 'tsv', 'json', 'ndjson']);

/**
 * Most distinct values per row, summed over the columns of a sample, for a delimited file to be
 * counted in one scan. GROUPING SETS keeps one hash table per column, all live at once: cheap for
 * categories and small numbers, but for many unique columns (ids, continuous measurements) it
 * took 3x the time and 6x the memory of parsing the file into a table once and counting each
 * column there (22 columns x 1M rows: 9.9 s and 4 GB against 3.1 s and 0.7 GB).
 */
const ONE_SCAN_MAX_DISTINCT_SHARE = 1.5;

/**
 * Opens a dataset and counts its values (see value-counts.ts) reading the file once. A delimited
 * file whose sample shows mostly repeated values is read lazily, as a view, and counted in one
 * scan: materialising it first would cost a full extra parse. Other text files are parsed into a
 * table once and counted there per column; Parquet and Arrow are cheap to scan again and are
 * counted per column. If the one scan
 * fails (a value that does not fit the type sniffed from the first rows, a ragged line), the
 * dataset is opened materialised instead, whose read retries such a column as text and words
 * every other problem for the user, and the counts are taken from the table.
 */
export async function openCountedDataset(
  db: Database,
  path: string,
  options: CountedDatasetOptions = {},
): Promise<CountedDataset> {
  const name = options.name ?? 'dataset';
  const prefix = options.tablePrefix ?? `${name}_counts`;
  const toCount = options.count ?? ((columns) => columns.map((c) => c.name));
  const toRead = options.read ?? ((columns) => columns.map((c) => c.name));

  const materialised = async (): Promise<CountedDataset> => {
    const dataset = await openDataset(db, path, { name, missing: options.missing });
    const counted = withinColumnLimit(path, toCount(dataset.columns));
    const raw = await options.raw?.(dataset.columns, dataset.view);
    return { dataset, counts: await countValues(db, dataset.view, counted, prefix, { raw }) };
  };
  const format = detectFormat(path);
  const text = TEXT_FORMATS.has(format);
  // Decided before anything is registered when the path names one file, so a file that will be
  // parsed into a table is not sniffed as a view first.
  let oneScan = text && !isGlob(path) ? await oneScanPays(format, path) : undefined;
  if (oneScan === false) return materialised();

  const registered = await registerDataset(db, path, {
    name,
    materialize: false,
    missing: options.missing,
  });
  const counted = withinColumnLimit(path, toCount(registered.columns));
  if (!text) {
    const raw = await options.raw?.(registered.columns, registered.view);
    const counts = await countValues(db, registered.view, counted, prefix, { raw });
    return { dataset: withRowCount(registered, counts.rows), counts };
  }
  oneScan ??= await oneScanPays(format, registered.files[0]!);
  if (oneScan) {
    try {
      const alsoRead = toRead(registered.columns).filter((c) => !counted.includes(c));
      const counts = await countValues(db, registered.view, counted, prefix, { mode: 'one-scan', alsoRead });
      // Read lazily, the data's nulls are known from the counts: only those columns can hold a token.
      await countMissingTokens(db, registered, options.missing, await columnsWithNulls(db, counts, counted));
      return { dataset: withRowCount(registered, counts.rows), counts };
    } catch (error) {
      // Also the way out when the one scan's hash tables outgrow the memory limit: the table is
      // then counted one column at a time, which spills.
      if (error instanceof UserError) throw error;
    }
  }
  return materialised();
}

/** The counted columns with at least one null, from their counts (a scan of the counts, not the data). */
async function columnsWithNulls(db: Database, counts: ValueCounts, columns: string[]): Promise<string[]> {
  if (columns.length === 0) return [];
  const nulls = columns.map(
    (c, i) => `SELECT ${i} AS i, coalesce(sum(n), 0) AS n FROM ${counts.relation(c)} AS t WHERE v IS NULL`,
  );
  const rows = await db.all<{ i: number; n: unknown }>(nulls.join(' UNION ALL '));
  return rows.filter((r) => Number(r.n) > 0).map((r) => columns[Number(r.i)]!);
}

/**
 * Most columns profiled or counted in one run. Each column costs its own queries: a 20,000-column
 * CSV ran for over 300 s in 3.3 GB before this limit. `MLOPS_MAX_COLUMNS` raises it.
 */
export const DEFAULT_MAX_COLUMNS = 5000;

function withinColumnLimit(path: string, columns: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env.MLOPS_MAX_COLUMNS?.trim();
  const limit = raw ? Number(raw) : DEFAULT_MAX_COLUMNS;
  if (!Number.isInteger(limit) || limit < 1)
    throw new UserError(`MLOPS_MAX_COLUMNS must be a whole number of columns, got '${raw}'.`);
  if (columns.length > limit)
    throw new UserError(
      `'${path}' has ${columns.length} columns; at most ${limit} are profiled in one run (each costs its own ` +
        'queries). Choose the columns to check (drift-check: columns), split the file, or set MLOPS_MAX_COLUMNS higher.',
      { file: path },
    );
  return columns;
}

/** Whether a text file is better counted in one scan of the file than parsed into a table first. */
async function oneScanPays(format: DataFormat, file: string): Promise<boolean> {
  if (format !== 'csv' && format !== 'tsv') return false;
  const sample = await readCsvSample(file, format === 'tsv' ? '\t' : ',').catch(() => undefined);
  return sample !== undefined && distinctShare(sample) <= ONE_SCAN_MAX_DISTINCT_SHARE;
}
