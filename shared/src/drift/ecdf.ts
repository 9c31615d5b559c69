/**
 * Numeric comparisons in DuckDB over a merged ECDF table: one row per distinct value of either
 * side with its count in each and the running counts, built from two `(v DOUBLE, c BIGINT)`
 * relations (value counts of the raw data, of a stored profile, or of histogram bins). Millions
 * of rows become a table of distinct values; only a handful of numbers come back to JS.
 *
 * The KS differences are computed as `cr / n - ck / m` in doubles, exactly as scipy's
 * `searchsorted(...) / n1 - searchsorted(...) / n2`, so the statistic is bit-identical.
 */
import { type Database, quoteIdent } from '../data/database.js';
import { UserError } from '../errors/index.js';

/** A DOUBLE literal that DuckDB parses back to the same double (a bare 0.1 would be a DECIMAL). */
export function doubleLiteral(x: number): string {
  if (Number.isNaN(x)) return "'NaN'::DOUBLE";
  if (x === Number.POSITIVE_INFINITY) return "'Infinity'::DOUBLE";
  if (x === Number.NEGATIVE_INFINITY) return "'-Infinity'::DOUBLE";
  return `'${String(x)}'::DOUBLE`;
}

/** A `(v, c)` relation from literal value counts. */
export function valueCountsRelation(pairs: readonly { value: number; count: number }[]): string {
  if (pairs.length === 0) return 'SELECT NULL::DOUBLE AS v, 0::BIGINT AS c WHERE false';
  const rows = pairs.map((p) => `(${doubleLiteral(p.value)}, ${Math.round(p.count)}::BIGINT)`).join(', ');
  return `SELECT * FROM (VALUES ${rows}) AS t(v, c)`;
}

export interface EcdfTotals {
  n: number;
  m: number;
  referenceDistinct: number;
  currentDistinct: number;
  unionDistinct: number;
  min: number | null;
  max: number | null;
}

export interface CountTable {
  labels: string[];
  reference: number[];
  current: number[];
}

/** Categories compared one by one: more than this many distinct values is not a category column. */
export const MAX_CATEGORIES = 10_000;

export class MergedEcdf {
  private totalsCache?: EcdfTotals;

  private constructor(
    private readonly db: Database,
    readonly table: string,
  ) {}

  static async build(
    db: Database,
    table: string,
    referenceSql: string,
    currentSql: string,
  ): Promise<MergedEcdf> {
    await db.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
    await db.run(`CREATE TEMP TABLE ${quoteIdent(table)} AS
      WITH u AS (
        SELECT v, c AS rc, 0::BIGINT AS kc FROM (${referenceSql})
        UNION ALL SELECT v, 0::BIGINT AS rc, c AS kc FROM (${currentSql})
      ), g AS (SELECT v, sum(rc)::BIGINT AS rc, sum(kc)::BIGINT AS kc FROM u GROUP BY v)
      SELECT v, rc, kc, sum(rc) OVER w AS cr, sum(kc) OVER w AS ck, lead(v) OVER (ORDER BY v) AS nv
      FROM g WINDOW w AS (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`);
    return new MergedEcdf(db, table);
  }

  private get from(): string {
    return quoteIdent(this.table);
  }

  async totals(): Promise<EcdfTotals> {
    if (!this.totalsCache) {
      const [row] = await this.db.all(`SELECT sum(rc)::BIGINT AS n, sum(kc)::BIGINT AS m,
        count(*) FILTER (WHERE rc > 0) AS rd, count(*) FILTER (WHERE kc > 0) AS cd, count(*) AS ud,
        min(v) AS lo, max(v) AS hi FROM ${this.from}`);
      this.totalsCache = {
        n: Number(row.n ?? 0),
        m: Number(row.m ?? 0),
        referenceDistinct: Number(row.rd),
        currentDistinct: Number(row.cd),
        unionDistinct: Number(row.ud),
        min: row.lo === null ? null : Number(row.lo),
        max: row.hi === null ? null : Number(row.hi),
      };
    }
    return this.totalsCache;
  }

  private async diffSql(): Promise<string> {
    const { n, m } = await this.totals();
    return `(CAST(cr AS DOUBLE) / ${doubleLiteral(n)} - CAST(ck AS DOUBLE) / ${doubleLiteral(m)})`;
  }

  /** max |F_ref - F_cur| as scipy ks_2samp computes it. */
  async ksStatistic(): Promise<number> {
    const diff = await this.diffSql();
    const [row] = await this.db.all(`SELECT max(${diff}) AS hi, min(${diff}) AS lo FROM ${this.from}`);
    const maxS = Number(row.hi);
    const minS = Math.min(1, Math.max(0, -Number(row.lo)));
    return Math.max(minS, maxS);
  }

  /** ∫ |F_ref - F_cur| dx, as scipy wasserstein_distance. */
  async wasserstein(): Promise<number> {
    const diff = await this.diffSql();
    const [row] = await this.db.all(
      `SELECT sum(abs(${diff}) * (nv - v)) AS w FROM ${this.from} WHERE nv IS NOT NULL`,
    );
    return Number(row.w ?? 0);
  }

  /** Reference order statistics (0-based ranks) read from the running counts. */
  async referenceOrderStatistics(ranks: readonly number[]): Promise<Map<number, number>> {
    const list = `[${ranks.join(', ')}]`;
    const rows = await this.db.all<{ i: number; v: number }>(
      `SELECT r.i AS i, t.v AS v FROM ${this.from} AS t, (SELECT unnest(${list}::BIGINT[]) AS i) AS r
       WHERE t.rc > 0 AND t.cr - t.rc <= r.i AND r.i < t.cr`,
    );
    return new Map(rows.map((row) => [Number(row.i), Number(row.v)]));
  }

  /**
   * Counts per bin for inner edges e1 < … (bin = number of edges <= v, numpy
   * `searchsorted(edges, v, 'right')`): outer bins are open.
   */
  async binCounts(edges: readonly number[]): Promise<{ reference: number[]; current: number[] }> {
    const bin =
      edges.length === 0 ? '0' : edges.map((e) => `CAST(v >= ${doubleLiteral(e)} AS INTEGER)`).join(' + ');
    const rows = await this.db.all<{ b: number; r: number; k: number }>(
      `SELECT ${bin} AS b, sum(rc)::BIGINT AS r, sum(kc)::BIGINT AS k FROM ${this.from} GROUP BY 1`,
    );
    const reference = new Array<number>(edges.length + 1).fill(0);
    const current = new Array<number>(edges.length + 1).fill(0);
    for (const row of rows) {
      reference[Number(row.b)] += Number(row.r);
      current[Number(row.b)] += Number(row.k);
    }
    return { reference, current };
  }

  /** Every distinct value with its counts (values compared as categories). */
  async categories(): Promise<CountTable> {
    const { unionDistinct } = await this.totals();
    if (unionDistinct > MAX_CATEGORIES) {
      throw new UserError(
        `Cannot compare a numeric column with ${unionDistinct} distinct values as categories (at most ${MAX_CATEGORIES}); choose ks, wasserstein, psi or jensenshannon for it.`,
        { input: 'method' },
      );
    }
    const rows = await this.db.all<{ v: number; rc: number; kc: number }>(
      `SELECT v, rc, kc FROM ${this.from} ORDER BY v`,
    );
    return {
      labels: rows.map((r) => String(Number(r.v))),
      reference: rows.map((r) => Number(r.rc)),
      current: rows.map((r) => Number(r.kc)),
    };
  }

  async drop(): Promise<void> {
    await this.db.run(`DROP TABLE IF EXISTS ${this.from}`);
  }
}

/** numpy `linspace(lo, hi, bins + 1)` as `histogram_bin_edges(data, bins)` uses it (a flat range widens by ±0.5). */
export function equalWidthEdges(min: number, max: number, bins: number): number[] {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + lo);
  edges[bins] = hi;
  return edges;
}

/**
 * numpy's `quantile(x, q)` (linear method) from the two order statistics around (n-1)·q,
 * with numpy 1.24's lerp (b - (b - a)(1 - t) when t >= 0.5) so edges match to the bit.
 */
export function numpyQuantile(n: number, q: number, at: (rank: number) => number): number {
  const position = (n - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, n - 1);
  const t = position - lo;
  const a = at(lo);
  const b = at(hi);
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The ranks `numpyQuantile` reads for each q. */
export function quantileRanks(n: number, qs: readonly number[]): number[] {
  const ranks = new Set<number>();
  for (const q of qs) {
    const lo = Math.floor((n - 1) * q);
    ranks.add(lo);
    ranks.add(Math.min(lo + 1, n - 1));
  }
  return [...ranks].sort((a, b) => a - b);
}

/**
 * Category counts of two `(v VARCHAR, c BIGINT)` relations over the union of categories; null when
 * there are more than `MAX_CATEGORIES` (an id or free-text column, not a category).
 */
export async function categoryCounts(
  db: Database,
  referenceSql: string,
  currentSql: string,
  /** Values bound to the `$n` placeholders of either relation. */
  params: unknown[] = [],
): Promise<CountTable | null> {
  const rows = await db.all<{
    v: string;
    r: number;
    k: number;
  }>(
    `SELECT v, sum(rc)::BIGINT AS r, sum(kc)::BIGINT AS k FROM (
      SELECT v, c AS rc, 0::BIGINT AS kc FROM (${referenceSql})
      UNION ALL SELECT v, 0::BIGINT, c FROM (${currentSql})) GROUP BY v ORDER BY v LIMIT ${MAX_CATEGORIES + 1}`,
    params,
  );
  if (rows.length > MAX_CATEGORIES) return null;
  return {
    labels: rows.map((r) => String(r.v)),
    reference: rows.map((r) => Number(r.r)),
    current: rows.map((r) => Number(r.k)),
  };
}
