import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import type { Log } from '../logging/index.js';
import { Database, quoteIdent, quoteLiteral, sqlNumber } from './database.js';
import { openDataset } from './open-dataset.js';
import { detectFormat } from './source.js';

export interface SplitOptions {
  data: string;
  /** Share of rows (or, with `by`, of rows through whole groups) that goes to the test file. */
  testFraction: number;
  seed: number;
  /** Column whose classes keep their share in both files. */
  stratify?: string;
  /** Column whose groups (patients, users, sessions) never straddle the two files. */
  by?: string;
  /** Default: `<data stem>-train.<ext>` and `<data stem>-test.<ext>` beside the data. */
  trainOutput?: string;
  testOutput?: string;
  workingDirectory: string;
}

export interface SplitResult {
  data: string;
  train: { path: string; rows: number };
  test: { path: string; rows: number };
  /** test rows / all rows. */
  testShare: number;
  seed: number;
  /** With stratify: rows of each class in train and test (null class values as "null"). */
  classes?: { value: string | null; train: number; test: number }[];
  /** With by: number of groups on each side. */
  groups?: { train: number; test: number };
  notes: string[];
}

const ROW = '__mlops_split_row';
const TEST = '__mlops_split_test';

/**
 * Writes a reproducible train/test split: the same data, fraction, seed and column always give
 * the same rows, on any machine. Rows are ordered by md5(seed|row position) (md5 rather than
 * DuckDB's hash(), which may change between DuckDB versions); with `stratify` each class
 * contributes round(class rows × fraction) test rows, with `by` whole groups (ordered by
 * md5(seed|group)) go to test until it holds the fraction of the rows.
 */
export async function runSplit(options: SplitOptions, log: Log): Promise<SplitResult> {
  const at = (path: string) => resolve(options.workingDirectory, path);
  if (!(options.testFraction > 0 && options.testFraction < 1))
    throw new UserError(`--test-fraction must be above 0 and below 1; got ${options.testFraction}.`, {
      input: 'test-fraction',
    });
  if (!Number.isInteger(options.seed) || options.seed < 0)
    throw new UserError(`--seed must be a whole number of at least 0; got ${options.seed}.`, {
      input: 'seed',
    });
  if (options.stratify && options.by)
    throw new UserError(
      'Give --stratify or --by, not both: whole groups cannot also keep every class share exactly.',
      { input: 'by' },
    );
  const data = at(options.data);
  const { trainPath, testPath } = outputPaths(data, options, at);

  const db = await Database.open({ threads: 1 });
  try {
    // A CSV split into CSVs is copied as written, field by field: typed, DuckDB would rewrite
    // times with an offset in UTC ('14:37:00-03:30' as '18:07:00+00') and numbers as it prints them.
    const verbatim =
      ['csv', 'tsv'].includes(detectFormat(data)) &&
      [trainPath, testPath].every((p) => detectFormat(p) === 'csv');
    const dataset = await openDataset(db, data, { asText: verbatim });
    if (dataset.rows < 2)
      throw new UserError(`'${options.data}' has ${dataset.rows} rows: nothing to split.`, { file: data });
    const names = dataset.columns.map((column) => column.name);
    for (const [flag, column] of [
      ['stratify', options.stratify],
      ['by', options.by],
    ] as const) {
      if (column !== undefined && !names.includes(column))
        throw new UserError(
          `--${flag} names the column '${column}', which '${options.data}' does not have (columns: ${names.join(', ')}).`,
          { input: flag },
        );
    }
    // Single-threaded, so row positions are the file's order.
    await db.run(
      `CREATE TABLE numbered AS SELECT row_number() OVER () - 1 AS ${ROW}, * FROM ${quoteIdent(dataset.view)}`,
    );
    const seed = quoteLiteral(`${options.seed}|`);
    const fraction = options.testFraction;
    const rowKey = `md5(${seed} || CAST(${ROW} AS VARCHAR))`;
    let assign: string;
    const notes: string[] = [];
    if (options.by) {
      const group = quoteIdent(options.by);
      const groupKey = `md5(${seed} || coalesce(CAST(${group} AS VARCHAR), '<null>'))`;
      assign = `
        WITH sizes AS (SELECT ${group} AS g, ${groupKey} AS k, count(*) AS n FROM numbered GROUP BY ALL),
        ordered AS (SELECT g, n, sum(n) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM sizes)
        SELECT numbered.*, coalesce(ordered.before, 0) < ${fraction} * ${dataset.rows} AS ${TEST}
        FROM numbered JOIN ordered ON numbered.${group} IS NOT DISTINCT FROM ordered.g`;
      const nulls = sqlNumber(
        (await db.all(`SELECT count(*) AS n FROM numbered WHERE ${group} IS NULL`))[0]?.n,
      );
      if (nulls > 0) notes.push(`${nulls} rows have no ${options.by}: they form one group together.`);
    } else if (options.stratify) {
      const column = quoteIdent(options.stratify);
      assign = `
        SELECT *, row_number() OVER (PARTITION BY ${column} ORDER BY ${rowKey}) <= round(count(*) OVER (PARTITION BY ${column}) * ${fraction}) AS ${TEST}
        FROM numbered`;
    } else {
      assign = `SELECT *, row_number() OVER (ORDER BY ${rowKey}) <= round(${dataset.rows} * ${fraction}) AS ${TEST} FROM numbered`;
    }
    await db.run(`CREATE TABLE assigned AS ${assign}`);

    const count = async (where: string) =>
      sqlNumber((await db.all(`SELECT count(*) AS n FROM assigned WHERE ${where}`))[0]?.n);
    const testRows = await count(TEST);
    const trainRows = dataset.rows - testRows;
    if (testRows === 0 || trainRows === 0)
      throw new UserError(
        `A test fraction of ${fraction} leaves ${testRows === 0 ? 'no test' : 'no training'} rows out of ${dataset.rows}${options.by ? ` (${options.by} groups are kept whole)` : ''}; choose another fraction.`,
        { input: 'test-fraction' },
      );

    const result: SplitResult = {
      data,
      train: { path: trainPath, rows: trainRows },
      test: { path: testPath, rows: testRows },
      testShare: testRows / dataset.rows,
      seed: options.seed,
      notes,
    };
    if (options.stratify) {
      const column = quoteIdent(options.stratify);
      const rows = await db.all<{ value: unknown; train: unknown; test: unknown }>(
        `SELECT CAST(${column} AS VARCHAR) AS value, count(*) FILTER (WHERE NOT ${TEST}) AS train, count(*) FILTER (WHERE ${TEST}) AS test
         FROM assigned GROUP BY 1 ORDER BY 1 NULLS LAST`,
      );
      result.classes = rows.map((row) => ({
        value: row.value === null ? null : String(row.value),
        train: sqlNumber(row.train),
        test: sqlNumber(row.test),
      }));
      for (const cls of result.classes) {
        if (cls.test === 0)
          notes.push(
            `Class ${cls.value === null ? 'null' : JSON.stringify(cls.value)} has ${cls.train} rows: too few for any to reach the test file.`,
          );
      }
    }
    if (options.by) {
      const group = quoteIdent(options.by);
      const sides = await db.all<{ test: boolean; n: unknown }>(
        `SELECT ${TEST} AS test, count(DISTINCT coalesce(CAST(${group} AS VARCHAR), '<null>')) AS n FROM assigned GROUP BY 1`,
      );
      result.groups = {
        train: sqlNumber(sides.find((side) => !side.test)?.n),
        test: sqlNumber(sides.find((side) => side.test)?.n),
      };
    }

    for (const [path, where] of [
      [trainPath, `NOT ${TEST}`],
      [testPath, TEST],
    ] as const) {
      await writeRows(
        db,
        `SELECT * EXCLUDE (${ROW}, ${TEST}) FROM assigned WHERE ${where} ORDER BY ${ROW}`,
        path,
      );
    }
    log.info(
      `Split ${dataset.rows} rows of ${options.data}: ${trainRows} to ${trainPath}, ${testRows} (${(100 * result.testShare).toFixed(1)}%) to ${testPath} (seed ${options.seed}).`,
    );
    for (const note of notes) log.warning(note);
    return result;
  } finally {
    db.close();
  }
}

function outputPaths(
  data: string,
  options: SplitOptions,
  at: (path: string) => string,
): { trainPath: string; testPath: string } {
  const ext = extname(data.replace(/\.(gz|zst)$/i, ''));
  const stem = join(dirname(data), basename(data.replace(/\.(gz|zst)$/i, ''), ext));
  const trainPath = options.trainOutput ? at(options.trainOutput) : `${stem}-train${ext}`;
  const testPath = options.testOutput ? at(options.testOutput) : `${stem}-test${ext}`;
  for (const [flag, path] of [
    ['train-output', trainPath],
    ['test-output', testPath],
  ] as const) {
    if (path === data)
      throw new UserError(`--${flag} is the data file itself; write the split elsewhere.`, { input: flag });
    const format = detectFormat(path);
    if (!['csv', 'parquet', 'json', 'ndjson'].includes(format))
      throw new UserError(`--${flag} must end in .csv, .parquet, .json or .ndjson; got '${path}'.`, {
        input: flag,
      });
  }
  if (trainPath === testPath)
    throw new UserError('--train-output and --test-output are the same file.', { input: 'test-output' });
  return { trainPath, testPath };
}

/** COPY to a temporary file beside the target, then rename: a failed split leaves no half file. */
async function writeRows(db: Database, query: string, path: string): Promise<void> {
  const format = detectFormat(path);
  const copyFormat =
    format === 'parquet' ? 'FORMAT parquet' : format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT json';
  const json = format === 'json' ? ', ARRAY true' : '';
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    await db.run(`COPY (${query}) TO ${quoteLiteral(temporary)} (${copyFormat}${json})`);
    await rename(temporary, path);
  } finally {
    if (existsSync(temporary)) await rm(temporary, { force: true });
  }
}
