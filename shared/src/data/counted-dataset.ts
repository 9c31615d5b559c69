import { UserError } from '../errors/index.js';
import type { Database } from './database.js';
import {
  type Dataset,
  type DatasetColumn,
  openDataset,
  registerDataset,
  withRowCount,
} from './open-dataset.js';
import type { DataFormat } from './source.js';
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
}

/** Formats DuckDB parses from text, where a value can fail its sniffed type late in the file. */
const TEXT_FORMATS: ReadonlySet<DataFormat> = new Set(['csv', 'tsv', 'json', 'ndjson']);

/**
 * Opens a dataset and counts its values (see value-counts.ts) reading the file once. A text file
 * is read lazily, as a view, and counted in one scan: materialising it first would cost a full
 * extra parse. Other formats are cheap to scan again and are counted per column. If that scan
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

  const registered = await registerDataset(db, path, { name, materialize: false });
  const text = TEXT_FORMATS.has(registered.format);
  const counted = toCount(registered.columns);
  if (!text) {
    const counts = await countValues(db, registered.view, counted, prefix);
    return { dataset: withRowCount(registered, counts.rows), counts };
  }
  try {
    const alsoRead = toRead(registered.columns).filter((c) => !counted.includes(c));
    const counts = await countValues(db, registered.view, counted, prefix, { mode: 'one-scan', alsoRead });
    return { dataset: withRowCount(registered, counts.rows), counts };
  } catch (error) {
    // Also the way out when the one scan's hash tables outgrow the memory limit: the table is
    // then counted one column at a time, which spills.
    if (error instanceof UserError) throw error;
  }
  const dataset = await openDataset(db, path, { name });
  return { dataset, counts: await countValues(db, dataset.view, toCount(dataset.columns), prefix) };
}
