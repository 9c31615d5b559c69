/**
 * Every column's value counts from one scan of the data. A GROUPING SETS query groups each
 * counted column by its raw value (plus the empty set, for the row count) into one temp table
 * with a row per distinct value. Profiles, schema checks and drift statistics are then weighted
 * aggregates over that table instead of scans of the data: on a CSV read lazily as a view, that
 * is one parse of the file instead of one per question asked of it, and checks such as a regex
 * run once per distinct value instead of once per row.
 */
import { type Database, quoteIdent } from './database.js';

export interface ValueCounts {
  /** Rows of the counted data. */
  rows: number;
  /** Whether `column` was counted. */
  has(column: string): boolean;
  /**
   * SQL relation `(v, n)` of one column: each distinct value `v` in the column's own type (NULL
   * included, as one row) and `n` (BIGINT), how many rows hold it. An aggregate over the data is
   * the weighted aggregate over this: `count(x)` is `sum(n) FILTER (WHERE v IS NOT NULL)`.
   */
  relation(column: string): string;
  /**
   * Whether `relation(column)` has one row per distinct value (true) or is the column's raw rows,
   * each with n = 1 (counted with `raw`): weighted sums, extremes and `count(DISTINCT v)` are the
   * same over both, a count of rows of the relation (distinct values) or `max(n)` are not.
   */
  grouped(column: string): boolean;
  /**
   * The relation (SQL) whose columns the raw columns' relations read, when some are raw: their
   * aggregates may then share one scan of it, each row weighing 1.
   */
  rawSource?: string;
  drop(): Promise<void>;
}

/** Columns grouped in one scan: DuckDB's GROUPING() takes at most 64 arguments. */
const COLUMNS_PER_SCAN = 48;

/**
 * How the counts are taken: `one-scan` groups every column in one GROUPING SETS scan (one parse
 * of a text file read lazily; its hash tables are all live at once, so it needs more memory),
 * `per-column` runs one GROUP BY per column (for data that is cheap to scan again: Parquet, a
 * table; memory holds one column's hash table at a time and spills beyond the limit).
 */
export type CountMode = 'one-scan' | 'per-column';

/**
 * Counts the values of `columns` in `view` (by default per column) into temp tables named
 * `<tablePrefix>_<k>`. With
 * `one-scan`, `alsoRead` are further columns the scan converts without counting them, so that a
 * text file read lazily as a view fails here on a value that does not fit its sniffed type, as
 * materialising it would have.
 */
export async function countValues(
  db: Database,
  view: string,
  columns: readonly string[],
  tablePrefix: string,
  options: {
    mode?: CountMode;
    alsoRead?: readonly string[];
    /**
     * Columns of a table (cheap to scan again) served as their raw rows instead of grouped: no
     * hash table of every distinct value, for consumers that need only weighted aggregates.
     */
    raw?: readonly string[];
  } = {},
): Promise<ValueCounts> {
  const tables: string[] = [];
  const drop = async () => {
    for (const table of tables) await db.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  };
  try {
    const create = async (table: string, select: string) => {
      await db.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      tables.push(table);
      await db.run(`CREATE TEMP TABLE ${quoteIdent(table)} AS ${select}`);
    };
    const raw = new Set(options.raw ?? []);
    const grouped = columns.filter((c) => !raw.has(c));
    const counted =
      (options.mode ?? 'per-column') === 'one-scan'
        ? await countInOneScan(create, view, grouped, tablePrefix, options.alsoRead ?? [])
        : await countPerColumn(create, view, grouped, tablePrefix);
    for (const c of columns)
      if (raw.has(c))
        counted.slots.set(c, `(SELECT ${quoteIdent(c)} AS v, 1::BIGINT AS n FROM ${quoteIdent(view)})`);
    const [row] = await db.all(`SELECT coalesce(sum(n), 0)::BIGINT AS n FROM ${counted.rowsRelation}`);
    const slots = counted.slots;
    return {
      rows: Number(row?.n ?? 0),
      has: (column) => slots.has(column),
      grouped: (column) => !raw.has(column),
      ...(raw.size > 0 ? { rawSource: quoteIdent(view) } : {}),
      relation: (column) => {
        const s = slots.get(column);
        if (!s) throw new Error(`column '${column}' was not counted`);
        return s;
      },
      drop,
    };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

type CreateTable = (table: string, select: string) => Promise<void>;

interface Counted {
  /** Relation of each column, by name. */
  slots: Map<string, string>;
  /** A relation whose `n` sums to the row count. */
  rowsRelation: string;
}

async function countInOneScan(
  create: CreateTable,
  view: string,
  columns: readonly string[],
  tablePrefix: string,
  alsoRead: readonly string[],
): Promise<Counted> {
  const from = quoteIdent(view);
  const slots = new Map<string, string>();
  const chunks: string[][] = [];
  for (let i = 0; i < columns.length; i += COLUMNS_PER_SCAN)
    chunks.push(columns.slice(i, i + COLUMNS_PER_SCAN));
  if (chunks.length === 0) chunks.push([]);
  let rowsRelation = '';
  for (const [j, chunk] of chunks.entries()) {
    const table = quoteIdent(`${tablePrefix}_${j}`);
    const extra =
      j === 0 && alsoRead.length > 0
        ? `, max(hash(${alsoRead.map((c) => quoteIdent(c)).join(', ')})) AS __read`
        : '';
    const cols = chunk.map((c) => quoteIdent(c));
    const all = 2 ** chunk.length - 1;
    if (chunk.length === 0) {
      await create(`${tablePrefix}_${j}`, `SELECT 0 AS __g, count(*)::BIGINT AS __n${extra} FROM ${from}`);
    } else {
      await create(
        `${tablePrefix}_${j}`,
        `SELECT grouping(${cols.join(', ')}) AS __g, ${cols.map((c, i) => `${c} AS c${i}`).join(', ')},
          count(*)::BIGINT AS __n${extra}
        FROM ${from} GROUP BY GROUPING SETS (${cols.map((c) => `(${c})`).join(', ')}, ())`,
      );
    }
    chunk.forEach((c, i) => {
      const mask = all - 2 ** (chunk.length - 1 - i);
      slots.set(c, `(SELECT c${i} AS v, __n AS n FROM ${table} WHERE __g = ${mask})`);
    });
    if (j === 0) rowsRelation = `(SELECT __n AS n FROM ${table} WHERE __g = ${all})`;
  }
  return { slots, rowsRelation };
}

async function countPerColumn(
  create: CreateTable,
  view: string,
  columns: readonly string[],
  tablePrefix: string,
): Promise<Counted> {
  const from = quoteIdent(view);
  const slots = new Map<string, string>();
  for (const [i, column] of columns.entries()) {
    const table = `${tablePrefix}_${i}`;
    await create(table, `SELECT ${quoteIdent(column)} AS v, count(*)::BIGINT AS n FROM ${from} GROUP BY ALL`);
    slots.set(column, `(SELECT v, n FROM ${quoteIdent(table)})`);
  }
  if (columns.length > 0) return { slots, rowsRelation: slots.get(columns[0]!)! };
  const table = `${tablePrefix}_rows`;
  await create(table, `SELECT count(*)::BIGINT AS n FROM ${from}`);
  return { slots, rowsRelation: quoteIdent(table) };
}
