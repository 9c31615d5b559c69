import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { UserError } from '../errors/index.js';
import { loadArrowIpcFile } from './arrow-ipc.js';
import { findCsvProblem } from './csv-problem.js';
import { readCsvSample } from './csv-sample.js';
import { type Database, quoteIdent, quoteLiteral } from './database.js';
import { checkJsonNesting } from './json-nesting.js';
import { tokenSpellings } from './missing-tokens.js';
import { type DataFormat, detectFormat, isGlob, tableExpression } from './source.js';

export interface DatasetColumn {
  name: string;
  /** DuckDB's type name, e.g. `DOUBLE`, `BIGINT`, `VARCHAR`, `DATE`. */
  type: string;
}

/** A dataset registered in a database under `view`, ready to query. */
export interface Dataset {
  view: string;
  path: string;
  format: DataFormat;
  files: string[];
  columns: DatasetColumn[];
  rows: number;
  /** Things worth telling the user that do not stop the run (a header-only file, a column read as text). */
  notes: string[];
  /**
   * Per column with any, the values read as missing because they are missing-value tokens
   * (OpenDatasetOptions.missing), with the tokens found; an empty field is not counted here.
   */
  missingTokens?: MissingTokenCount[];
}

export interface MissingTokenCount {
  column: string;
  values: number;
  tokens: string[];
}

export interface OpenDatasetOptions {
  /** Name of the view or table to create; default `dataset`. */
  name?: string;
  /**
   * Load text formats (CSV, TSV, JSON) into a table once instead of a view that parses the file on
   * every query: profiling and validation take a few passes. Parquet stays a view (it is columnar
   * and cheap to rescan). Default: true.
   */
  materialize?: boolean;
  /**
   * Missing-value tokens (missing-tokens.ts) read as null in a delimited file, counted per column
   * and said in `notes`. Default: none, only an empty field is null (split copies data as it is).
   */
  missing?: readonly string[];
  /**
   * Read every field of a delimited file as the text written (no types sniffed): what `split` needs
   * to copy a CSV as it is (dates with offsets, numbers as written). Other formats are typed.
   */
  asText?: boolean;
}

/** Columns whose sniffed type is undone after a conversion error, at most: beyond that the file is not tabular. */
const MAX_TYPE_RETRIES = 20;

/**
 * Registers a dataset (CSV, TSV, Parquet, JSON, NDJSON, Arrow IPC, optionally gzipped, or a glob
 * of shards) in `db` and describes it. Every way a file can be unreadable becomes a `UserError`
 * that names the file and, for text files, the line.
 */
export async function openDataset(
  db: Database,
  path: string,
  options: OpenDatasetOptions = {},
): Promise<Dataset> {
  const registered = await registerDataset(db, path, options);
  const rows = Number(
    (await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(registered.view)}`))[0]!.n,
  );
  return withRowCount(registered, rows);
}

/** A registered dataset with its row count, noting a file that has a header but no rows. */
export function withRowCount(registered: Omit<Dataset, 'rows'>, rows: number): Dataset {
  if (rows === 0) registered.notes.push(`'${registered.path}' has a header but no rows.`);
  return { ...registered, rows };
}

/**
 * `openDataset` without the row count: with `materialize: false` nothing beyond what sniffing needs
 * is read, so a caller that scans the data once anyway (drift's value counts) counts the rows in
 * that scan. A value that does not fit a sniffed type then surfaces in the caller's query, not
 * here: such a caller falls back to `openDataset`, whose materialising read handles it.
 */
export async function registerDataset(
  db: Database,
  path: string,
  options: OpenDatasetOptions = {},
): Promise<Omit<Dataset, 'rows'>> {
  const format = detectFormat(path);
  const view = options.name ?? 'dataset';
  const files = await listFiles(db, path);
  for (const file of files) checkFile(file, format);
  if (format === 'json' || format === 'ndjson') for (const file of files) await checkJsonNesting(file);

  const notes: string[] = [];
  const materialize = options.materialize ?? true;
  if (format === 'arrow') {
    // DuckDB's Arrow reader is an extension it would download; read the IPC file in JS instead.
    await dropRelation(db, view);
    for (const [i, file] of files.entries()) await loadArrowIpcFile(db, file, view, i > 0);
  } else {
    const kind = materialize && format !== 'parquet' ? 'TABLE' : 'VIEW';
    const textTypes: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const source = withTextColumns(
        tableExpression(path, format, { missing: options.missing, allText: options.asText }),
        textTypes,
      );
      try {
        await dropRelation(db, view);
        await db.run(`CREATE ${kind} ${quoteIdent(view)} AS SELECT * FROM ${source}`);
        break;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const column = /Error when converting column "((?:[^"]|"")*)"/
          .exec(message)?.[1]
          ?.replace(/""/g, '"');
        if (column !== undefined && !textTypes.includes(column) && attempt < MAX_TYPE_RETRIES) {
          // A value later in the file does not fit the type sniffed from the first rows. Reading the
          // column as text keeps the run going; validation then reports the values as `wrong_type`.
          const line = /CSV Error on Line: (\d+)/.exec(message)?.[1];
          const value = /Could not convert string "(.*)" to/.exec(message)?.[1];
          notes.push(
            `Column '${column}' was read as text: ${line ? `line ${line}` : 'a row'} holds '${value ?? '?'}', which does not fit the type sniffed from the first rows.`,
          );
          textTypes.push(column);
          continue;
        }
        throw await readError(path, files, format, message);
      }
    }
  }

  if (format === 'json' || format === 'ndjson') await jsonColumnsAsText(db, view, materialize, notes);
  const columns = await relationColumns(db, view);
  if (format === 'json' || format === 'ndjson') await noteRecordLists(db, view, path, columns, notes);
  if ((format === 'csv' || format === 'tsv') && files.length === 1)
    await checkCsvHeader(path, files, format, columns.length);
  const registered = { view, path, format, files, columns, notes };
  // A view read lazily is counted by its caller, which knows its nulls from a scan it makes anyway.
  if (materialize) await countMissingTokens(db, registered, options.missing);
  return registered;
}

/**
 * How many values of each column the missing-value tokens turned into nulls, set on the dataset
 * and said in its notes: a value read as missing is a change to the user's data, so it is counted
 * and said, naming the column, the count and the tokens, and how to keep a token as a value (a
 * literal 'NA' that means North America). Only a column with nulls can hold one: `withNulls`
 * names them when the caller knows (from value counts); otherwise the table's null counts do.
 * Those columns are then read once more as text and their tokens counted.
 */
export async function countMissingTokens(
  db: Database,
  dataset: Omit<Dataset, 'rows'>,
  missing: readonly string[] | undefined,
  withNulls?: readonly string[],
): Promise<void> {
  const { path, files, format } = dataset;
  const tokens = [...new Set((missing ?? []).filter((t) => t !== ''))];
  if ((format !== 'csv' && format !== 'tsv') || tokens.length === 0) return;
  let candidates = withNulls ? [...withNulls] : await columnsWithNulls(db, dataset);
  candidates = candidates.filter((c) => dataset.columns.some((d) => d.name === c));
  if (candidates.length === 0) return;
  const source = tableExpression(path, format, { allText: true });
  const aggregates = candidates.flatMap((name, i) =>
    tokens.map(
      (token, j) =>
        `count_if(${quoteIdent(name)} IN (${tokenSpellings(token).map(quoteLiteral).join(', ')})) AS n${i}_${j}`,
    ),
  );
  let row: Record<string, unknown> | undefined;
  try {
    [row] = await db.all<Record<string, unknown>>(`SELECT ${aggregates.join(', ')} FROM ${source}`);
  } catch (error) {
    throw await readError(path, files, format, error instanceof Error ? error.message : String(error));
  }
  const counts: MissingTokenCount[] = [];
  for (const [i, column] of candidates.entries()) {
    const found = tokens.map((token, j) => ({ token, n: Number(row?.[`n${i}_${j}`] ?? 0) }));
    const values = found.reduce((sum, f) => sum + f.n, 0);
    if (values > 0) counts.push({ column, values, tokens: found.filter((f) => f.n > 0).map((f) => f.token) });
  }
  dataset.missingTokens = counts;
  if (counts.length > 0) {
    const each = counts.map(
      (c) => `'${c.column}' ${c.values} (${c.tokens.map((t) => JSON.stringify(t)).join(', ')})`,
    );
    dataset.notes.push(
      `Values read as missing because they are missing-value tokens: ${each.join('; ')}. ` +
        'If one of them is a real value in your data (e.g. "NA" for North America), set features.missing in mlops.yml to the tokens your data uses (a model keeps the tokens it was trained with).',
    );
  }
}

/** Columns of a table with at least one null (a cheap scan of the table, not of the file). */
async function columnsWithNulls(db: Database, dataset: Omit<Dataset, 'rows'>): Promise<string[]> {
  if (dataset.columns.length === 0) return [];
  const nulls = dataset.columns.map((c, i) => `count(*) - count(${quoteIdent(c.name)}) AS n${i}`);
  const [row] = await db.all<Record<string, unknown>>(
    `SELECT ${nulls.join(', ')} FROM ${quoteIdent(dataset.view)}`,
  );
  return dataset.columns.filter((_, i) => Number(row?.[`n${i}`] ?? 0) > 0).map((c) => c.name);
}

/**
 * DuckDB may take a later line as the header when the rows are ragged (a last line with an extra
 * field gave that line as the header and 0 rows, with no error): the file's first line must have
 * as many fields as DuckDB found columns, or the file is refused naming the ragged line.
 */
async function checkCsvHeader(path: string, files: string[], format: DataFormat, columns: number) {
  const file = files[0]!;
  const sample = await readCsvSample(file, format === 'tsv' ? '\t' : ',', 64 * 1024).catch(() => undefined);
  if (!sample || sample.header.length === 0 || sample.header.length === columns) return;
  throw await readError(
    path,
    files,
    format,
    `its first line has ${sample.header.length} fields but its rows have ${columns}`,
  );
}

/**
 * Column names and types of a table or view from the catalog. DESCRIBE would bind a view again,
 * and binding a view over a CSV sniffs the file again (~40 ms on a 50 MB file); the catalog keeps
 * the types the view was created with, which are the ones DESCRIBE reports.
 */
async function relationColumns(db: Database, view: string): Promise<DatasetColumn[]> {
  const rows = await db.all<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ${quoteLiteral(view)}
     ORDER BY column_index`,
  );
  return rows.map((row) => ({ name: row.column_name, type: row.data_type }));
}

/**
 * DuckDB types a JSON field whose values mix types (numbers and text) as JSON, whose text form
 * keeps the quotes ('"heavy"'). Such columns are read as plain text, so checks and examples see
 * the values a person would; validation then reports the type change.
 */
async function jsonColumnsAsText(
  db: Database,
  view: string,
  materialized: boolean,
  notes: string[],
): Promise<void> {
  const described = await db.all<{ column_name: string; column_type: string }>(
    `DESCRIBE ${quoteIdent(view)}`,
  );
  const mixed = described.filter((c) => c.column_type === 'JSON').map((c) => c.column_name);
  if (mixed.length === 0) return;
  for (const name of mixed)
    notes.push(`Column '${name}' mixes value types in the JSON file; it was read as text.`);
  const target = quoteIdent(view);
  if (materialized) {
    for (const name of mixed) {
      const c = quoteIdent(name);
      await db.run(`ALTER TABLE ${target} ALTER COLUMN ${c} SET DATA TYPE VARCHAR USING (${c} ->> '$')`);
    }
  } else {
    const replace = mixed.map((name) => `${quoteIdent(name)} ->> '$' AS ${quoteIdent(name)}`).join(', ');
    await db.run(`DROP VIEW IF EXISTS ${quoteIdent(`${view}__json`)}`);
    await db.run(`ALTER VIEW ${target} RENAME TO ${quoteIdent(`${view}__json`)}`);
    await db.run(
      `CREATE VIEW ${target} AS SELECT * REPLACE (${replace}) FROM ${quoteIdent(`${view}__json`)}`,
    );
  }
}

/**
 * A JSON document that wraps its records (GeoJSON's `{"features": [...]}`, an API's
 * `{"data": [...]}`) reads as one row whose column holds every record as a list: profiled and
 * checked as one opaque value, it would pass validation having looked at none of the records.
 * Said, with the count and how to give the records one per line.
 */
async function noteRecordLists(
  db: Database,
  view: string,
  path: string,
  columns: DatasetColumn[],
  notes: string[],
): Promise<void> {
  for (const column of columns) {
    if (!/^STRUCT\(.*\)\[\]$/s.test(column.type)) continue;
    const c = quoteIdent(column.name);
    const jqPath = /^[A-Za-z_][A-Za-z0-9_]*$/.test(column.name)
      ? column.name
      : `[${JSON.stringify(column.name)}]`;
    const [row] = await db.all<{ records: number | bigint | null }>(
      `SELECT sum(len(${c})) AS records FROM ${quoteIdent(view)}`,
    );
    notes.push(
      `Column '${column.name}' holds a list of records in each row (${Number(row?.records ?? 0)} in all): it is read as one value per row, not as rows of data. If those records are the data, give them one per line, e.g. jq -c '.${jqPath}[]' ${basename(path)} > records.ndjson.`,
    );
  }
}

/** Drops a table or view of this name, whichever it is, so a dataset can be opened again under it. */
async function dropRelation(db: Database, name: string): Promise<void> {
  const existing = await db.all<{ kind: string }>(
    `SELECT 'VIEW' AS kind FROM duckdb_views() WHERE view_name = ${quoteLiteral(name)} AND NOT internal
     UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ${quoteLiteral(name)}`,
  );
  for (const { kind } of existing) await db.run(`DROP ${kind} IF EXISTS ${quoteIdent(name)}`);
}

export async function listFiles(db: Database, path: string): Promise<string[]> {
  if (!isGlob(path)) {
    try {
      if (!statSync(path).isFile())
        throw new UserError(
          `'${path}' is a folder, not a data file (use a glob such as '${path}/*.parquet').`,
          { file: path },
        );
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`Data file '${path}' does not exist.`, { file: path, input: 'data' });
    }
    return [path];
  }
  const files = (
    await db.all<{ file: string }>(`SELECT file FROM glob(${quoteLiteral(path)}) ORDER BY file`)
  ).map((row) => row.file);
  if (files.length === 0) throw new UserError(`No files match '${path}'.`, { file: path, input: 'data' });
  return files;
}

const MAGIC: Partial<Record<DataFormat, { bytes: string; what: string }>> = {
  parquet: { bytes: 'PAR1', what: 'Parquet' },
  arrow: { bytes: 'ARROW1', what: 'Arrow IPC' },
};

/** Cheap checks before DuckDB sees the file, so the message says what is wrong in the user's terms. */
function checkFile(file: string, format: DataFormat): void {
  const size = statSync(file).size;
  if (size === 0)
    throw new UserError(`Data file '${file}' is empty (0 bytes): expected a header and rows.`, { file });
  const magic = MAGIC[format];
  if (magic === undefined) return;
  const n = magic.bytes.length;
  const head = Buffer.alloc(n);
  const tail = Buffer.alloc(n);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, n, 0);
    if (size >= n) readSync(fd, tail, 0, n, size - n);
  } finally {
    closeSync(fd);
  }
  // Arrow's streaming format has no magic; only the file format does, and it is the one read here.
  const ok =
    head.toString('latin1') === magic.bytes &&
    (format === 'arrow' || tail.toString('latin1') === magic.bytes);
  if (!ok) {
    throw new UserError(
      `'${file}' is not a ${magic.what} file (its first and last bytes are not '${magic.bytes}'); check the file or its extension.`,
      { file },
    );
  }
}

function withTextColumns(expression: string, columns: string[]): string {
  if (columns.length === 0) return expression;
  const types = columns.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ');
  return expression.replace(/\)$/, `, types = {${types}})`);
}

/** Turns DuckDB's read errors into one message that names the file, the line and the cause. */
async function readError(
  path: string,
  files: string[],
  format: DataFormat,
  message: string,
): Promise<UserError> {
  const fileInMessage = /file "?([^"\n]+?)"?[:.,\s]/.exec(message)?.[1];
  const file =
    files.find((f) => message.includes(f)) ?? (files.length === 1 ? files[0]! : (fileInMessage ?? path));
  const csvLine = /CSV Error on Line: (\d+)/.exec(message);
  if (csvLine) {
    const line = Number(csvLine[1]);
    return new UserError(`Cannot read '${file}' line ${line}: ${csvCause(message)}.`, { file, line });
  }
  if (format === 'csv' || format === 'tsv') {
    const problem = await findCsvProblem(file, format === 'tsv' ? '\t' : ',').catch(() => undefined);
    if (problem)
      return new UserError(`Cannot read '${file}' line ${problem.line}: ${problem.message}.`, {
        file,
        line: problem.line,
      });
  }
  const json = /Malformed JSON in file "([^"]+)", at byte (\d+) in line (\d+): ([^.\n]+)/.exec(message);
  if (json) {
    const line = Number(json[3]);
    return new UserError(
      `Cannot read '${json[1]}' line ${line} (byte ${json[2]}): malformed JSON, ${json[4]!.trim()}.`,
      {
        file: json[1]!,
        line,
      },
    );
  }
  const first = message.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, '');
  return new UserError(`Cannot read '${file}' as ${format}: ${first}`, { file });
}

function csvCause(message: string): string {
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (columns) return `expected ${columns[1]} fields (as in the header), found ${columns[2]}`;
  if (/Invalid unicode/i.test(message)) return 'the file is not valid UTF-8 (save it as UTF-8)';
  if (/unterminated quote/i.test(message)) return 'a quoted value is never closed';
  if (/quote/i.test(message)) return 'bad quoting (quote whole values and double the quotes inside them)';
  const lines = message.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Original Line'));
  return (lines[1] ?? lines[0] ?? message).trim();
}
