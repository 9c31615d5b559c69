/**
 * One side's values as drift compares them: the value counts of its compared columns (counted in
 * one scan by data/value-counts.ts) turned into the `(v, c)` relations the ECDF merge and the
 * category tables read, plus each column's summary numbers, all computed from the counts table,
 * which has one row per distinct value instead of one per data row.
 */
import type { Database } from '../data/database.js';
import { countValues, type ValueCounts } from '../data/value-counts.js';
import { doubleLiteral } from './ecdf.js';
import type { DriftColumnType } from './methods.js';
import { presentSql, type SideStats } from './sources.js';

export interface CountedColumn {
  name: string;
  duckType: string;
  type: DriftColumnType;
}

export interface SideCounts {
  rows: number;
  stats: Map<string, SideStats>;
  /** `(v DOUBLE, c BIGINT)`: counts of the present (non-null, finite) values as doubles. */
  numericSql(column: string): string;
  /**
   * `(v DOUBLE, c BIGINT)` as stored: present values with their weights, not grouped (a value may
   * come on many rows, e.g. a column served raw): for aggregates that group on their own.
   */
  weightedSql(column: string): string;
  /** As `numericSql`, values mapped to the lower edge of their power-of-two bin. */
  binnedSql(column: string, widthLog2: number): string;
  /** `(v VARCHAR, c BIGINT)`: counts of the non-null values as text. */
  categorySql(column: string): string;
  drop(): Promise<void>;
}

/** Counts the values of `columns` in `view`, one column at a time (see `countValues`). */
export async function countSide(
  db: Database,
  view: string,
  columns: readonly CountedColumn[],
  tablePrefix: string,
): Promise<SideCounts> {
  const counts = await countValues(
    db,
    view,
    columns.map((c) => c.name),
    tablePrefix,
  );
  return sideFromCounts(db, counts, columns);
}

/**
 * A side from value counts already taken: dropped with the side (or here if this fails), unless
 * `borrowed`, when they belong to the caller, who drops them.
 */
export async function sideFromCounts(
  db: Database,
  counts: ValueCounts,
  columns: readonly CountedColumn[],
  options: { borrowed?: boolean } = {},
): Promise<SideCounts> {
  const owned = options.borrowed ? { ...counts, drop: async () => {} } : counts;
  try {
    return sideCounts(owned, columns, await summaries(db, columns, owned));
  } catch (error) {
    await owned.drop().catch(() => {});
    throw error;
  }
}

function sideCounts(
  counts: ValueCounts,
  columns: readonly CountedColumn[],
  stats: Map<string, SideStats>,
): SideCounts {
  const types = new Map(columns.map((c) => [c.name, c.duckType]));
  const present = (column: string) =>
    `FROM ${counts.relation(column)} AS t WHERE ${presentSql('v', types.get(column)!)}`;
  return {
    rows: counts.rows,
    stats,
    // Grouped again on the double: distinct integers beyond 2^53 can meet as one double.
    numericSql: (column) =>
      `SELECT CAST(v AS DOUBLE) AS v, sum(n)::BIGINT AS c ${present(column)} GROUP BY 1`,
    weightedSql: (column) => `SELECT CAST(v AS DOUBLE) AS v, n AS c ${present(column)}`,
    binnedSql: (column, widthLog2) => {
      const w = doubleLiteral(2 ** widthLog2);
      return `SELECT floor(CAST(v AS DOUBLE) / ${w}) * ${w} AS v, sum(n)::BIGINT AS c ${present(column)} GROUP BY 1`;
    },
    categorySql: (column) =>
      `SELECT CAST(v AS VARCHAR) AS v, sum(n)::BIGINT AS c FROM ${counts.relation(column)} AS t
        WHERE v IS NOT NULL GROUP BY 1`,
    drop: () => counts.drop(),
  };
}

/**
 * Present count of every column and, for numeric ones, mean, population std, min and max, from
 * the counts, in one query. The mean is sum(v·c)/sum(c) and the std the two-pass
 * sqrt(sum(c·(v − mean)²)/n), both summed with Kahan's compensated sum (DuckDB's fsum): the
 * result then does not depend on the order the counts were stored in, so the same data gives the
 * same report however it was read.
 */
async function summaries(
  db: Database,
  columns: readonly CountedColumn[],
  counts: ValueCounts,
): Promise<Map<string, SideStats>> {
  const out = new Map<string, SideStats>();
  if (columns.length === 0) return out;
  const parts = columns.map((column, index) => {
    const where = `WHERE ${presentSql('v', column.duckType)}`;
    const relation = counts.relation(column.name);
    if (column.type !== 'numeric') {
      return `SELECT ${index} AS i, sum(n)::BIGINT AS p, NULL::DOUBLE AS mean, NULL::DOUBLE AS std, NULL::DOUBLE AS lo, NULL::DOUBLE AS hi
          FROM ${relation} AS t ${where}`;
    }
    return `SELECT ${index} AS i, p, mean, sqrt(ss / p) AS std, lo, hi FROM (
          SELECT sum(s.n)::BIGINT AS p, any_value(m.mean) AS mean, fsum(s.n * (s.v - m.mean) ** 2) AS ss, min(s.v) AS lo, max(s.v) AS hi
          FROM (SELECT CAST(v AS DOUBLE) AS v, CAST(n AS DOUBLE) AS n FROM ${relation} AS t ${where}) AS s,
            (SELECT fsum(CAST(v AS DOUBLE) * n) / sum(n) AS mean FROM ${relation} AS t ${where}) AS m)`;
  });
  const result = await db.all(parts.join(' UNION ALL '));
  const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  for (const row of result) {
    const column = columns[Number(row.i)]!;
    const present = Number(row.p ?? 0);
    out.set(column.name, {
      rows: counts.rows,
      present,
      mean: present > 0 ? num(row.mean) : null,
      std: present > 0 ? num(row.std) : null,
      min: num(row.lo),
      max: num(row.hi),
    });
  }
  return out;
}
