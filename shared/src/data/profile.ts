import { availableParallelism } from 'node:os';
import { HllSketch } from '../stats/hll.js';
import { KllSketch } from '../stats/kll.js';
import {
  type ColumnKind,
  canHoldNonFinite,
  columnKind,
  isNumericPhysical,
  type PhysicalKind,
  physicalKind,
} from './column-kind.js';
import { type Database, sqlNumber as num, quoteIdent, quoteLiteral } from './database.js';
import {
  binIndexSql,
  chooseWidthLog2,
  HISTOGRAM_MAX_BINS,
  type Histogram,
  histogramFromBins,
  histogramQuantile,
} from './histogram.js';
import {
  EXACT_MAX_DISTINCT,
  type NumericStreamResult,
  sketchValueCounts,
  streamNumericColumns,
} from './numeric-stream.js';
import type { Dataset } from './open-dataset.js';
import {
  type ColumnProfile,
  type DatasetProfile,
  MAX_TRACKED_VALUES,
  PROFILE_QUANTILES,
  PROFILE_SCHEMA,
  type ProfileValue,
  TOP_K,
  type ValueCount,
} from './profile-format.js';
import { countValues, type ValueCounts } from './value-counts.js';

export interface ProfileOptions {
  /**
   * `true`: exact statistics for every column (value counts, as before sketches). `false`: numeric
   * columns are profiled in one streamed pass (numeric-stream.ts), with KLL quantiles and
   * HyperLogLog distinct counts for a column with more than `EXACT_MAX_DISTINCT` distinct values.
   * Default: `false` for a dataset of more than `SKETCH_MIN_ROWS` rows, else `true`. On the
   * sketch path, numeric columns the caller gives grouped by value keep their exact profile and
   * get the same sketches, built from their counts, while they have at most `EXACT_MAX_DISTINCT`.
   */
  exact?: boolean;
  /**
   * Exact quantiles, from the value counts (weighted order statistics). When false they are read
   * from the histogram (error under one bin width).
   */
  exactQuantiles?: boolean;
  /** Overrides `created_at` (tests, reproducible outputs). */
  now?: Date;
  /** The dataset's value counts, when the caller has taken them (else they are taken here). */
  counts?: ValueCounts;
  /**
   * Numeric columns the caller knows hold far more than `EXACT_MAX_DISTINCT` distinct values
   * (`distinctEstimates`): on the sketch path they are sketched from the start instead of having
   * their first values counted exactly only to give the count up.
   */
  manyValued?: ReadonlySet<string>;
  /**
   * Threads of the streamed pass (numeric-stream.ts); the profile is the same either way. Default:
   * 2 for a dataset of more than `SKETCH_MIN_ROWS` rows on a machine with two cores or more.
   */
  threads?: 1 | 2;
}

/**
 * Rows above which numeric columns are sketched unless `exact` is asked. Below it the exact
 * statistics cost little; a column with at most `EXACT_MAX_DISTINCT` distinct values stays
 * exact on the sketch path too (only its moments are summed in a different order).
 */
export const SKETCH_MIN_ROWS = 100_000;

/** Integer types whose values are exact as doubles (BIGINT up to 2^53, checked as it streams). */
const DOUBLE_SAFE_INTEGERS = /^(U?TINYINT|U?SMALLINT|U?INTEGER|BIGINT)$/i;
const SAFE_INTEGER = 2 ** 53;

/** Whether a column of this DuckDB type can be profiled in the numeric stream (floats and integers). */
export function isStreamableNumeric(type: string): boolean {
  const physical = physicalKind(type);
  return physical === 'float' || (physical === 'integer' && DOUBLE_SAFE_INTEGERS.test(type));
}

/**
 * The numeric columns of a dataset worth streaming as raw rows (data-validate's default): those
 * DuckDB's `approx_count_distinct` (HyperLogLog, one query for all of them) puts above
 * `EXACT_MAX_DISTINCT` values. A continuous column would cost a hash table of every value to
 * group; the stream skips it and sketches. A column with fewer values is grouped by DuckDB
 * (faster than the JS stream's ~0.3-1 us per row: 4.5M rows of a 7-value int) and keeps its exact
 * profile. Only the path depends on the estimate: both give exact checks, and a column the
 * estimate misplaces is still profiled exactly or within the sketch bounds.
 */
export async function continuousNumericColumns(
  db: Database,
  view: string,
  columns: readonly { name: string; type: string }[],
): Promise<string[]> {
  return (await numericColumnPaths(db, view, columns)).continuous;
}

/**
 * An estimate this many times `EXACT_MAX_DISTINCT` is taken as proof that a column has more
 * distinct values than are counted exactly: DuckDB's HyperLogLog errs by about 1.6 % (one standard
 * error), so a column estimated at twice the cut holds over the cut unless the estimate is off
 * by some thirty standard errors. Such a column is sketched from its first value (`manyValued`).
 */
const MANY_VALUED_MARGIN = 2;

/**
 * How far from the cut DuckDB's stored column statistics must put a column for their distinct
 * estimate alone to decide its path. A table's statistics come with it (DuckDB keeps a
 * HyperLogLog of a sample of the values written), so reading them costs no scan, but a sampled
 * estimate can be off by a factor of a few near small counts (9 categories read as 7). Ten times
 * above or below the cut is far outside that; a column in between is estimated by a scan.
 */
const STORED_ESTIMATE_MARGIN = 10;

/**
 * DuckDB's stored distinct estimate of each column of a table (`stats()`'s "Approx Unique"),
 * or undefined for a column without one (a view over a file keeps no statistics).
 */
async function storedDistinctEstimates(
  db: Database,
  view: string,
  columns: readonly string[],
): Promise<(number | undefined)[]> {
  const tables = await db.all<{ n: number | bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ${quoteLiteral(view)}`,
  );
  if (Number(tables[0]?.n ?? 0) === 0) return columns.map(() => undefined);
  const [row] = await db.all<Record<string, string | null>>(
    `SELECT ${columns.map((c, i) => `stats(${quoteIdent(c)}) AS s${i}`).join(', ')} FROM ${quoteIdent(view)} LIMIT 1`,
  );
  return columns.map((_, i) => {
    const match = /\[Approx Unique: (\d+)\]/.exec(row?.[`s${i}`] ?? '');
    return match ? Number(match[1]) : undefined;
  });
}

/**
 * `continuousNumericColumns`, and among them the `manyValued` ones (estimated at over
 * `MANY_VALUED_MARGIN` times the cut). A table's stored statistics decide the columns they put
 * far from the cut (`STORED_ESTIMATE_MARGIN`): 21 continuous columns of 1M rows then cost no
 * scan; the rest are estimated together by one `approx_count_distinct` query.
 */
export async function numericColumnPaths(
  db: Database,
  view: string,
  columns: readonly { name: string; type: string }[],
): Promise<{ continuous: string[]; manyValued: Set<string> }> {
  const numeric = columns.filter((c) => isStreamableNumeric(c.type)).map((c) => c.name);
  if (numeric.length === 0) return { continuous: [], manyValued: new Set() };
  const estimates = new Map<string, number>();
  const stored = await storedDistinctEstimates(db, view, numeric);
  numeric.forEach((c, i) => {
    const e = stored[i];
    // Far above the cut is also far above `MANY_VALUED_MARGIN` times it (5x at these settings).
    if (
      e !== undefined &&
      (e > STORED_ESTIMATE_MARGIN * EXACT_MAX_DISTINCT || e < EXACT_MAX_DISTINCT / STORED_ESTIMATE_MARGIN)
    )
      estimates.set(c, e);
  });
  const scanned = numeric.filter((c) => !estimates.has(c));
  if (scanned.length > 0) {
    const [row] = await db.all<Record<string, number | bigint>>(
      `SELECT ${scanned.map((c, i) => `approx_count_distinct(${quoteIdent(c)}) AS d${i}`).join(', ')} FROM ${quoteIdent(view)}`,
    );
    for (const [i, c] of scanned.entries()) estimates.set(c, Number(row?.[`d${i}`] ?? 0));
  }
  return {
    continuous: numeric.filter((c) => estimates.get(c)! > EXACT_MAX_DISTINCT),
    manyValued: new Set(numeric.filter((c) => estimates.get(c)! > MANY_VALUED_MARGIN * EXACT_MAX_DISTINCT)),
  };
}

interface Plan {
  name: string;
  physical: PhysicalKind;
  type: string;
  /** SQL of the value `v` as DOUBLE, for numeric and datetime columns. */
  number?: string;
  /** SQL of the value `v` as text, for text-like columns. */
  text?: string;
}

type Aggregates = Record<string, unknown>;

interface Frequencies {
  distinct: number;
  /** The most frequent values (all of them when `complete`), most frequent first. */
  top: ValueCount[];
  complete: boolean;
}

/**
 * Profiles a dataset from its value counts (value-counts.ts: one scan of the data, one row per
 * distinct value), per column: (1) the exact distinct count and the most frequent values (every
 * value, with its count, when there are at most `MAX_TRACKED_VALUES`); (2) counts, moments,
 * extremes and NaN/inf as weighted aggregates; (3) exact quantiles as weighted order statistics
 * and the histogram on edges chosen from (2). Numeric columns with few distinct values get their
 * quantiles and histogram from their frequency table in JS instead.
 */
export async function profileDataset(
  db: Database,
  dataset: Dataset | string,
  options: ProfileOptions = {},
): Promise<DatasetProfile> {
  const ds = typeof dataset === 'string' ? await describeView(db, dataset) : dataset;
  const source =
    typeof dataset === 'string'
      ? { path: dataset, format: 'view', files: 0 }
      : { path: dataset.path, format: dataset.format, files: dataset.files.length };
  const plans: Plan[] = ds.columns.map((c) => {
    const physical = physicalKind(c.type);
    const plan: Plan = { name: c.name, physical, type: c.type };
    if (isNumericPhysical(physical)) plan.number = 'CAST(v AS DOUBLE)';
    else if (physical === 'datetime') plan.number = 'epoch(v)';
    else if (physical === 'text') plan.text = 'v';
    else if (physical !== 'boolean') plan.text = 'CAST(v AS VARCHAR)';
    return plan;
  });
  const sketchOn =
    options.exact === false ||
    (options.exact === undefined && typeof dataset !== 'string' && dataset.rows > SKETCH_MIN_ROWS);
  const given = options.counts;
  // A column given as raw rows (not grouped by value) must be streamed: its relation cannot say
  // how many distinct values it has.
  const raw = (p: Plan) => given?.has(p.name) === true && !given.grouped(p.name);
  let streamed = new Map<string, NumericStreamResult>();
  let streamedRows: number | undefined;
  // By default, columns the caller counted by value keep their (already paid for) exact profile.
  const chosen = plans.filter(
    (p) =>
      isStreamableNumeric(p.type) &&
      (raw(p) || options.exact === false || (sketchOn && given?.has(p.name) !== true)),
  );
  if (chosen.length > 0) {
    const result = await streamNumericColumns(
      db,
      quoteIdent(ds.view),
      chosen.map((p) => p.name),
      chosen.map((p) => p.physical === 'integer'),
      sketchOn ? options.manyValued : undefined,
      options.threads ??
        (typeof dataset !== 'string' && dataset.rows > SKETCH_MIN_ROWS && availableParallelism() >= 2
          ? 2
          : 1),
    );
    streamedRows = result.rows;
    // Counted exactly instead: BIGINTs past 2^53 (not exact as doubles), and, below the sketch
    // cut, a raw column with too many distinct values for the stream to keep them all.
    streamed = new Map(
      chosen
        .map((p, i) => [p.name, result.columns[i]!] as const)
        .filter(
          ([, r]) =>
            (r.min === null || (Math.abs(r.min) <= SAFE_INTEGER && Math.abs(r.max!) <= SAFE_INTEGER)) &&
            (sketchOn || r.frequencies !== null),
        ),
    );
  }
  const toCount = plans.filter(
    (p) => !streamed.has(p.name) && !(given?.has(p.name) && given.grouped(p.name)),
  );
  const owned =
    toCount.length === 0
      ? undefined
      : await countValues(
          db,
          ds.view,
          toCount.map((c) => c.name),
          `${ds.view}__profile`,
        );
  const relation = (name: string) =>
    given?.has(name) && given.grouped(name) ? given.relation(name) : owned!.relation(name);
  const rows = given?.rows ?? owned?.rows ?? streamedRows ?? 0;
  try {
    const columns: ColumnProfile[] = [];
    for (const p of plans) {
      const fromStream = streamed.get(p.name);
      columns.push(
        fromStream
          ? sketchedColumn(p, rows, fromStream)
          : await profileColumn(db, relation(p.name), p, rows, options.exactQuantiles ?? true, sketchOn),
      );
    }
    return {
      schema: PROFILE_SCHEMA,
      created_at: (options.now ?? new Date()).toISOString(),
      source,
      rows,
      columns,
      sketch: {
        histogram_max_bins: HISTOGRAM_MAX_BINS,
        max_tracked_values: MAX_TRACKED_VALUES,
        top_k: TOP_K,
        quantiles: [...PROFILE_QUANTILES],
      },
      parts: 1,
    };
  } finally {
    await owned?.drop();
  }
}

/**
 * A numeric column's profile from its streamed pass: exact frequencies, distinct count and
 * quantiles while it has at most `EXACT_MAX_DISTINCT` values, else KLL quantiles and a
 * HyperLogLog distinct count (and no top values: which are most frequent is not tracked).
 */
function sketchedColumn(p: Plan, rows: number, r: NumericStreamResult): ColumnProfile {
  const all = r.frequencies
    ? sortValueCounts([...r.frequencies].map(([value, count]) => ({ value, count })))
    : undefined;
  const distinct = all ? all.length : Math.round(r.hll.estimate());
  const complete = all !== undefined && all.length <= MAX_TRACKED_VALUES;
  const std = r.finite > 1 ? Math.sqrt(r.m2 / (r.finite - 1)) : null;
  const quantiles = all
    ? quantilesFromFrequencies(all)
    : r.finite > 0
      ? r.kll.quantiles(PROFILE_QUANTILES).map((value, i) => ({ q: PROFILE_QUANTILES[i]!, value: value! }))
      : [];
  return {
    name: p.name,
    type: columnKind(p.physical, distinct, r.nonNull),
    physical_type: p.type,
    rows,
    nulls: rows - r.nonNull,
    nan: r.nan,
    pos_inf: r.posInf,
    neg_inf: r.negInf,
    distinct,
    distinct_exact: all !== undefined,
    numeric: {
      count: r.finite,
      min: r.min,
      max: r.max,
      mean: r.mean,
      std,
      m2: r.m2,
      quantiles,
      quantiles_exact: all !== undefined,
      histogram: r.histogram,
    },
    sketches: { kll: r.kll.toJSON(), hll: r.hll.toJSON() },
    top_values: all ? all.slice(0, complete ? MAX_TRACKED_VALUES : TOP_K) : [],
    top_values_complete: complete,
  };
}

async function profileColumn(
  db: Database,
  relation: string,
  p: Plan,
  rows: number,
  exactQuantiles: boolean,
  sketch: boolean,
): Promise<ColumnProfile> {
  const a = (await db.all(aggregatesSql(relation, p)))[0] as Aggregates;
  const frequencies = await columnFrequencies(db, relation, p, num(a.distinct));
  const finite = num(a.fin);
  const all = frequencies.all;
  let quantiles: number[] | { q: number; value: number }[] | undefined;
  if (all) quantiles = quantilesFromFrequencies(all);
  else if (exactQuantiles && isNumericPhysical(p.physical) && finite > 0)
    quantiles = await weightedQuantiles(db, relation, p, finite, num(a.maxn) === 1);

  let histogram: Histogram | null = null;
  if (p.number && finite > 0) {
    const k = chooseWidthLog2(num(a.min), num(a.max), p.physical === 'integer' || p.physical === 'datetime');
    if (all) {
      histogram = histogramFromBins(
        k,
        all.map((v): [number, number] => [Math.floor(Number(v.value) / 2 ** k), v.count]),
      );
    } else {
      const bins = await db.all<{ b: number; n: number }>(
        `SELECT ${binIndexSql(p.number, k)} AS b, sum(n) AS n FROM ${relation} AS t WHERE ${finiteSql(p)} GROUP BY 1`,
      );
      histogram = histogramFromBins(
        k,
        bins.map((r) => [num(r.b), num(r.n)]),
      );
    }
  }
  const column = buildColumn(p, rows, a, frequencies, histogram, quantiles);
  // On the sketch path a numeric column grouped here (few values) carries the same mergeable
  // sketches as a streamed one, built from its value counts, so that shard profiles merge alike.
  if (sketch && all && isStreamableNumeric(p.type) && finite > 0 && all.every((c) => doubleSafe(c.value))) {
    const kll = new KllSketch();
    const hll = new HllSketch();
    sketchValueCounts(
      kll,
      hll,
      all.map((c): [number, number] => [c.value as number, c.count]),
    );
    column.sketches = { kll: kll.toJSON(), hll: hll.toJSON() };
  }
  return column;
}

function doubleSafe(value: ProfileValue): boolean {
  return typeof value === 'number' && Math.abs(value) <= SAFE_INTEGER;
}

/**
 * One query of weighted aggregates over a column's value counts `(v, n)`: what count, min, max,
 * avg and stddev_samp over the rows would give. The mean of integers is summed in HUGEINT, exact
 * as DuckDB's avg; other sums are Kahan-compensated (fsum), so they do not depend on the order the
 * counts are stored in; the standard deviation is the two-pass sum of n·(v − mean)².
 */
function aggregatesSql(relation: string, p: Plan): string {
  // Distinct values as the frequency table counts them (NaN and infinities apart), and the most
  // rows any value has (1: every value unique).
  const keep = canHoldNonFinite(p.physical) ? 'isfinite(v)' : 'v IS NOT NULL';
  const items: string[] = [
    'sum(n) FILTER (WHERE v IS NOT NULL) AS "nn"',
    `count(*) FILTER (WHERE ${keep}) AS "distinct"`,
    `max(n) FILTER (WHERE ${keep}) AS "maxn"`,
  ];
  if (p.physical === 'datetime') {
    // Extremes of the raw values, converted once: epoch() on every value costs several times more.
    const finite = 'FILTER (WHERE isfinite(v))';
    items.push(
      `sum(n) ${finite} AS "fin"`,
      `epoch(min(v) ${finite}) AS "min"`,
      `epoch(max(v) ${finite}) AS "max"`,
      `CAST(min(v) ${finite} AS VARCHAR) AS "tmin"`,
      `CAST(max(v) ${finite} AS VARCHAR) AS "tmax"`,
    );
  } else if (p.number) {
    // Only IEEE floats can hold NaN or infinities; other numbers need no finite filter.
    const float = canHoldNonFinite(p.physical);
    const x = p.number;
    const finite = float ? `FILTER (WHERE isfinite(${x}))` : 'FILTER (WHERE v IS NOT NULL)';
    const exactSum = p.physical === 'integer' && SMALL_INTEGERS.test(p.type);
    const weighted = exactSum ? 'CAST(v AS HUGEINT) * n' : `${x} * n`;
    items.push(
      `sum(n) ${finite} AS "fin"`,
      `CAST(min(v) ${finite} AS DOUBLE) AS "min"`,
      `CAST(max(v) ${finite} AS DOUBLE) AS "max"`,
      'any_value(m.mean) AS "mean"',
      `CASE WHEN sum(n) ${finite} > 1 THEN sqrt(fsum(n * (${x} - m.mean) ** 2) ${finite} / (sum(n) ${finite} - 1)) END AS "sd"`,
    );
    if (float) {
      items.push(
        'sum(n) FILTER (WHERE isnan(v)) AS "nan"',
        `sum(n) FILTER (WHERE v = CAST('inf' AS DOUBLE)) AS "pinf"`,
        `sum(n) FILTER (WHERE v = CAST('-inf' AS DOUBLE)) AS "ninf"`,
      );
    }
    const sum = exactSum ? `sum(${weighted})` : `fsum(${weighted})`;
    const mean = `SELECT CAST(${sum} ${finite} AS DOUBLE) / sum(n) ${finite} AS mean FROM t`;
    return `WITH t AS ${relation}, m AS (${mean}) SELECT ${items.join(', ')} FROM t, m`;
  }
  if (p.text) {
    items.push(
      `min(length(${p.text})) AS "lmin"`,
      `max(length(${p.text})) AS "lmax"`,
      `CAST(sum(length(${p.text}) * n) AS DOUBLE) / sum(n) FILTER (WHERE v IS NOT NULL) AS "lmean"`,
    );
  }
  return `SELECT ${items.join(', ')} FROM ${relation} AS t`;
}

/** Integer types whose value times a row count fits HUGEINT. */
const SMALL_INTEGERS = /^(U?TINYINT|U?SMALLINT|U?INTEGER|BIGINT)$/i;

/**
 * Exact quantiles as numpy/pandas define them (linear interpolation between the order statistics
 * at q·(N − 1)) from value counts: each distinct value covers the ranks [start, start + n) of the
 * sorted data, and an ASOF join finds the value covering each wanted rank.
 */
async function weightedQuantiles(
  db: Database,
  relation: string,
  p: Plan,
  count: number,
  allUnique: boolean,
): Promise<{ q: number; value: number }[]> {
  if (allUnique) {
    // Every count is 1: the values are the rows, and DuckDB's quantile_cont (the same definition)
    // is about twice as fast as the running sum below.
    const [row] = await db.all<{ q: number[] }>(
      `SELECT quantile_cont(${p.number}, [${PROFILE_QUANTILES.join(', ')}]) AS q FROM ${relation} AS t WHERE ${finiteSql(p)}`,
    );
    return PROFILE_QUANTILES.map((q, i) => ({ q, value: num(row!.q[i]) }));
  }
  const wanted = PROFILE_QUANTILES.map((q) => {
    const h = q * (count - 1);
    const lo = Math.floor(h);
    return { q, h, lo, hi: Math.min(count - 1, lo + 1) };
  });
  const ranks = [...new Set(wanted.flatMap((w) => [w.lo, w.hi]))];
  const rows = await db.all<{ rank: unknown; x: unknown }>(
    `WITH s AS (
       SELECT x, sum(n) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - n AS start
       FROM (SELECT ${p.number} AS x, n FROM ${relation} AS t WHERE ${finiteSql(p)})),
     r AS (SELECT unnest([${ranks.join(', ')}]::BIGINT[]) AS rank)
     SELECT r.rank, s.x FROM r ASOF JOIN s ON r.rank >= s.start`,
  );
  const at = new Map(rows.map((row) => [num(row.rank), num(row.x)]));
  return wanted.map(({ q, h, lo, hi }) => {
    const x0 = at.get(lo)!;
    const x1 = at.get(hi)!;
    return { q, value: x0 + (h - lo) * (x1 - x0) };
  });
}

/**
 * Numeric columns with at most this many distinct values have their whole frequency table read:
 * exact quantiles and the histogram then come from it in JS.
 */
const FULL_TABLE_MAX_VALUES = EXACT_MAX_DISTINCT;

/**
 * Exact distinct count and the most frequent values of one column. NaN and infinities are left
 * out (JSON cannot hold them; the profile counts them separately); dates and other non-JSON
 * values are listed as text.
 */
async function columnFrequencies(
  db: Database,
  relation: string,
  p: Plan,
  distinct: number,
): Promise<Frequencies & { all?: ValueCount[] }> {
  const value = p.physical === 'datetime' || p.physical === 'other' ? 'CAST(v AS VARCHAR)' : 'v';
  const keep = canHoldNonFinite(p.physical) ? 'isfinite(v)' : 'v IS NOT NULL';
  const complete = distinct <= MAX_TRACKED_VALUES;
  const whole = complete || (isNumericPhysical(p.physical) && distinct <= FULL_TABLE_MAX_VALUES);
  // Beyond the whole table, only the top values are read: a top-N, not a sort of every value.
  const rows = await db.all<{ v: unknown; n: unknown }>(
    `SELECT ${value} AS v, n FROM ${relation} AS t WHERE ${keep} ORDER BY n DESC, v${whole ? '' : ` LIMIT ${TOP_K}`}`,
  );
  const counts = rows.map((r) => ({ value: profileValue(r.v), count: num(r.n) }));
  const top = sortValueCounts(counts.slice(0, complete ? MAX_TRACKED_VALUES : TOP_K));
  return {
    distinct,
    top,
    complete,
    all: whole && isNumericPhysical(p.physical) ? counts : undefined,
  };
}

function buildColumn(
  p: Plan,
  rows: number,
  a: Aggregates,
  freq: Frequencies,
  histogram: Histogram | null,
  quantiles: number[] | { q: number; value: number }[] | undefined,
): ColumnProfile {
  const nonNull = num(a.nn);
  const type: ColumnKind = columnKind(p.physical, freq.distinct, nonNull);
  const column: ColumnProfile = {
    name: p.name,
    type,
    physical_type: p.type,
    rows,
    nulls: rows - nonNull,
    nan: num(a.nan ?? 0),
    pos_inf: num(a.pinf ?? 0),
    neg_inf: num(a.ninf ?? 0),
    distinct: freq.distinct,
    distinct_exact: true,
    top_values: freq.top,
    top_values_complete: freq.complete,
  };
  if (p.physical === 'datetime') {
    column.datetime = {
      min: (a.tmin as string | null) ?? null,
      max: (a.tmax as string | null) ?? null,
      min_epoch: numOrNull(a.min),
      max_epoch: numOrNull(a.max),
      histogram,
    };
  } else if (p.number) {
    const count = num(a.fin);
    const std = numOrNull(a.sd);
    column.numeric = {
      count,
      min: numOrNull(a.min),
      max: numOrNull(a.max),
      mean: numOrNull(a.mean),
      std,
      m2: std === null ? 0 : std * std * (count - 1),
      quantiles: [],
      quantiles_exact: quantiles !== undefined,
      histogram,
    };
    if (quantiles === undefined) column.numeric.quantiles = quantilesFromHistogram(column.numeric);
    else
      column.numeric.quantiles = quantiles.map((v, j) =>
        typeof v === 'number' ? { q: PROFILE_QUANTILES[j]!, value: v } : v,
      );
  }
  if (p.text) {
    column.text = {
      min_length: numOrNull(a.lmin),
      max_length: numOrNull(a.lmax),
      mean_length: numOrNull(a.lmean),
    };
  }
  return column;
}

/** SQL true for the values that enter numeric statistics: finite floats and datetimes, non-null others. */
function finiteSql(p: Plan): string {
  if (canHoldNonFinite(p.physical)) return `isfinite(${p.number})`;
  if (p.physical === 'datetime') return 'isfinite(v)';
  return 'v IS NOT NULL';
}

/** Exact quantiles (linear interpolation between order statistics, as numpy/pandas) from complete value counts. */
export function quantilesFromFrequencies(values: ValueCount[]): { q: number; value: number }[] {
  const sorted = values.map((v) => ({ x: Number(v.value), n: v.count })).sort((x, y) => x.x - y.x);
  const n = sorted.reduce((s, v) => s + v.n, 0);
  if (n === 0) return [];
  const at = (rank: number): number => {
    let seen = 0;
    for (const v of sorted) {
      seen += v.n;
      if (rank < seen) return v.x;
    }
    return sorted[sorted.length - 1]!.x;
  };
  return PROFILE_QUANTILES.map((q) => {
    const h = q * (n - 1);
    const lo = Math.floor(h);
    const x0 = at(lo);
    const x1 = at(Math.min(n - 1, lo + 1));
    return { q, value: x0 + (h - lo) * (x1 - x0) };
  });
}

/** Quantiles read from a numeric summary's histogram (after a merge, or when exact ones were not asked for). */
export function quantilesFromHistogram(summary: {
  histogram: Histogram | null;
  min: number | null;
  max: number | null;
}): { q: number; value: number }[] {
  const { histogram, min, max } = summary;
  if (!histogram || min === null || max === null) return [];
  return PROFILE_QUANTILES.map((q) => ({ q, value: histogramQuantile(histogram, q, min, max) ?? min }));
}

/** Most frequent first; ties broken by the value's text so the order is reproducible. */
export function sortValueCounts(values: ValueCount[]): ValueCount[] {
  return [...values].sort((x, y) => y.count - x.count || compareValues(x.value, y.value));
}

function compareValues(x: ProfileValue, y: ProfileValue): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const sx = String(x);
  const sy = String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

function profileValue(value: unknown): ProfileValue {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  return String(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

async function describeView(db: Database, view: string): Promise<Pick<Dataset, 'view' | 'columns'>> {
  const columns = (
    await db.all<{ column_name: string; column_type: string }>(`DESCRIBE ${quoteIdent(view)}`)
  ).map((row) => ({ name: row.column_name, type: row.column_type }));
  return { view, columns };
}
