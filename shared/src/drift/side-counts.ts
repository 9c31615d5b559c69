/**
 * Every value count drift needs from one side, in one scan: a GROUPING SETS query groups each
 * compared column by its raw value (plus the empty set, for the row count) into one temp table.
 * The per-column `(v, c)` relations the ECDF merge and the category tables read, and the side's
 * summary numbers, then come from that table, which has one row per distinct value instead of one
 * per data row. Before, each column was a separate GROUP BY over the data, plus a scan for the
 * summaries: on a CSV read as a view that is one parse of the file instead of six.
 */
import { type Database, quoteIdent } from '../data/database.js';
import { doubleLiteral } from './ecdf.js';
import type { DriftColumnType } from './methods.js';
import { presentSql, type SideStats } from './sources.js';

export interface CountedColumn {
  name: string;
  duckType: string;
  type: DriftColumnType;
}

/**
 * Columns grouped in one scan: DuckDB's GROUPING() takes at most 64 arguments. Wider selections
 * take one scan per 48 columns.
 */
const COLUMNS_PER_SCAN = 48;

interface Slot {
  table: string;
  /** Alias of the column inside the counts table. */
  alias: string;
  /** GROUPING() value of the rows that hold this column's counts. */
  mask: number;
  duckType: string;
}

export interface SideCounts {
  rows: number;
  stats: Map<string, SideStats>;
  /** `(v DOUBLE, c BIGINT)`: counts of the present (non-null, finite) values as doubles. */
  numericSql(column: string): string;
  /** As `numericSql`, values mapped to the lower edge of their power-of-two bin. */
  binnedSql(column: string, widthLog2: number): string;
  /** `(v VARCHAR, c BIGINT)`: counts of the non-null values as text. */
  categorySql(column: string): string;
  drop(): Promise<void>;
}

/**
 * Counts the values of `columns` in `view` with one scan per 48 columns. `alsoRead` are further
 * columns the scan converts without counting them, so that a text file read lazily as a view
 * fails here on a value that does not fit its sniffed type, as materialising it would have.
 */
export async function countSide(
  db: Database,
  view: string,
  columns: readonly CountedColumn[],
  tablePrefix: string,
  alsoRead: readonly string[] = [],
): Promise<SideCounts> {
  const from = quoteIdent(view);
  const slots = new Map<string, Slot>();
  const tables: string[] = [];
  let rows = 0;
  const chunks: CountedColumn[][] = [];
  for (let i = 0; i < columns.length; i += COLUMNS_PER_SCAN)
    chunks.push(columns.slice(i, i + COLUMNS_PER_SCAN));
  if (chunks.length === 0) chunks.push([]);
  const drop = async () => {
    for (const table of tables) await db.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  };
  try {
    for (const [j, chunk] of chunks.entries()) {
      const table = `${tablePrefix}_${j}`;
      const extra =
        j === 0 && alsoRead.length > 0
          ? `, max(hash(${alsoRead.map((c) => quoteIdent(c)).join(', ')})) AS __read`
          : '';
      await db.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
      tables.push(table);
      if (chunk.length === 0) {
        await db.run(
          `CREATE TEMP TABLE ${quoteIdent(table)} AS SELECT 0 AS __g, count(*)::BIGINT AS __n${extra} FROM ${from}`,
        );
      } else {
        const cols = chunk.map((c) => quoteIdent(c.name));
        const k = chunk.length;
        const all = 2 ** k - 1;
        chunk.forEach((c, i) => {
          slots.set(c.name, { table, alias: `c${i}`, mask: all - 2 ** (k - 1 - i), duckType: c.duckType });
        });
        await db.run(`CREATE TEMP TABLE ${quoteIdent(table)} AS
          SELECT grouping(${cols.join(', ')}) AS __g, ${cols.map((c, i) => `${c} AS c${i}`).join(', ')},
            count(*)::BIGINT AS __n${extra}
          FROM ${from} GROUP BY GROUPING SETS (${cols.map((c) => `(${c})`).join(', ')}, ())`);
      }
      if (j === 0) {
        const mask = chunk.length === 0 ? 0 : 2 ** chunk.length - 1;
        const [row] = await db.all(
          `SELECT coalesce(sum(__n), 0)::BIGINT AS n FROM ${quoteIdent(table)} WHERE __g = ${mask}`,
        );
        rows = Number(row?.n ?? 0);
      }
    }
    const stats = await summaries(db, columns, slots, rows);
    const slot = (column: string): Slot => {
      const s = slots.get(column);
      if (!s) throw new Error(`column '${column}' was not counted`);
      return s;
    };
    const present = (s: Slot) =>
      `FROM ${quoteIdent(s.table)} WHERE __g = ${s.mask} AND ${presentSql(s.alias, s.duckType)}`;
    return {
      rows,
      stats,
      // Grouped again on the double: distinct integers beyond 2^53 can meet as one double.
      numericSql: (column) => {
        const s = slot(column);
        return `SELECT CAST(${s.alias} AS DOUBLE) AS v, sum(__n)::BIGINT AS c ${present(s)} GROUP BY 1`;
      },
      binnedSql: (column, widthLog2) => {
        const s = slot(column);
        const w = doubleLiteral(2 ** widthLog2);
        return `SELECT floor(CAST(${s.alias} AS DOUBLE) / ${w}) * ${w} AS v, sum(__n)::BIGINT AS c ${present(s)} GROUP BY 1`;
      },
      categorySql: (column) => {
        const s = slot(column);
        return `SELECT CAST(${s.alias} AS VARCHAR) AS v, sum(__n)::BIGINT AS c FROM ${quoteIdent(s.table)}
          WHERE __g = ${s.mask} AND ${s.alias} IS NOT NULL GROUP BY 1`;
      },
      drop,
    };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

/**
 * Present count of every column and, for numeric ones, mean, population std, min and max, from
 * the counts (one query per counts table). The mean is sum(v·c)/sum(c) and the std the two-pass
 * sqrt(sum(c·(v − mean)²)/n): on integer data the sums are exact, as DuckDB's avg over the rows.
 */
async function summaries(
  db: Database,
  columns: readonly CountedColumn[],
  slots: Map<string, Slot>,
  rows: number,
): Promise<Map<string, SideStats>> {
  const out = new Map<string, SideStats>();
  const byTable = new Map<string, { index: number; column: CountedColumn; slot: Slot }[]>();
  columns.forEach((column, index) => {
    const slot = slots.get(column.name)!;
    byTable.set(slot.table, [...(byTable.get(slot.table) ?? []), { index, column, slot }]);
  });
  for (const [table, entries] of byTable) {
    const parts = entries.map(({ index, column, slot }) => {
      const where = `__g = ${slot.mask} AND ${presentSql(slot.alias, slot.duckType)}`;
      if (column.type !== 'numeric') {
        return `SELECT ${index} AS i, sum(__n)::BIGINT AS p, NULL::DOUBLE AS mean, NULL::DOUBLE AS std, NULL::DOUBLE AS lo, NULL::DOUBLE AS hi
          FROM ${quoteIdent(table)} WHERE ${where}`;
      }
      return `SELECT ${index} AS i, p, mean, sqrt(ss / p) AS std, lo, hi FROM (
          SELECT sum(s.n)::BIGINT AS p, any_value(m.mean) AS mean, sum(s.n * (s.v - m.mean) ** 2) AS ss, min(s.v) AS lo, max(s.v) AS hi
          FROM (SELECT CAST(${slot.alias} AS DOUBLE) AS v, CAST(__n AS DOUBLE) AS n FROM ${quoteIdent(table)} WHERE ${where}) AS s,
            (SELECT sum(CAST(${slot.alias} AS DOUBLE) * __n) / sum(__n) AS mean FROM ${quoteIdent(table)} WHERE ${where}) AS m)`;
    });
    const result = await db.all(parts.join(' UNION ALL '));
    const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    for (const row of result) {
      const { column } = entries.find((e) => e.index === Number(row.i))!;
      const present = Number(row.p ?? 0);
      out.set(column.name, {
        rows,
        present,
        mean: present > 0 ? num(row.mean) : null,
        std: present > 0 ? num(row.std) : null,
        min: num(row.lo),
        max: num(row.hi),
      });
    }
  }
  return out;
}
