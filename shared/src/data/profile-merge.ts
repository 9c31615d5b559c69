import { UserError } from '../errors/index.js';
import { HllSketch } from '../stats/hll.js';
import { KllSketch } from '../stats/kll.js';
import { columnKind, physicalKind } from './column-kind.js';
import { mergeHistograms } from './histogram.js';
import { quantilesFromFrequencies, quantilesFromHistogram, sortValueCounts } from './profile.js';
import {
  type ColumnProfile,
  type DatasetProfile,
  MAX_TRACKED_VALUES,
  type NumericSummary,
  PROFILE_QUANTILES,
  PROFILE_SCHEMA,
  TOP_K,
  type ValueCount,
} from './profile-format.js';

/**
 * The profile of the union of two datasets (e.g. shards) from their profiles alone.
 *
 * Exact: rows, nulls, NaN/inf, min/max, mean and variance (Chan et al.'s pairwise update of the
 * sum of squared deviations), histograms (shard-independent power-of-two edges, see histogram.ts),
 * value frequencies and distinct counts while both sides list every value.
 * Sketched (both sides carry `sketches`, or list every value so a sketch is built from them): the
 * KLL sketches merge (quantiles within the same ±1.33 % rank error) and the HyperLogLogs merge
 * exactly (the whole data's registers; distinct count within ±4.9 %).
 * Approximate otherwise: quantiles, re-read from the merged histogram (error under one bin width); distinct
 * counts of columns with more than `MAX_TRACKED_VALUES` values, which lie between the larger side
 * and the sum of both: the sum is taken when both sides are (nearly) all-distinct, as IDs are,
 * else the larger; top values of such columns (a value frequent in only one shard may be missed).
 * A column present in only one profile counts as all-null in the other's rows.
 */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
  for (const p of [a, b]) {
    if (p.schema !== PROFILE_SCHEMA)
      throw new UserError(`Cannot merge a '${p.schema}' profile: expected '${PROFILE_SCHEMA}'.`);
  }
  if (
    a.sketch.histogram_max_bins !== b.sketch.histogram_max_bins ||
    a.sketch.max_tracked_values !== b.sketch.max_tracked_values
  ) {
    throw new UserError(
      'Cannot merge profiles made with different sketch settings (histogram bins or tracked values).',
    );
  }
  const names = [
    ...a.columns.map((c) => c.name),
    ...b.columns.map((c) => c.name).filter((n) => !a.columns.some((c) => c.name === n)),
  ];
  const columns = names.map((name) => {
    const x =
      a.columns.find((c) => c.name === name) ??
      allNull(name, a.rows, b.columns.find((c) => c.name === name)!);
    const y = b.columns.find((c) => c.name === name) ?? allNull(name, b.rows, x);
    return mergeColumns(x, y);
  });
  return {
    schema: PROFILE_SCHEMA,
    created_at: new Date().toISOString(),
    source: {
      path: a.source.path === b.source.path ? a.source.path : `${a.source.path} + ${b.source.path}`,
      format: a.source.format === b.source.format ? a.source.format : 'mixed',
      files: a.source.files + b.source.files,
    },
    rows: a.rows + b.rows,
    columns,
    sketch: a.sketch,
    parts: a.parts + b.parts,
  };
}

/** The profile of a column that is absent from a dataset of `rows` rows: every value null. */
function allNull(name: string, rows: number, like: ColumnProfile): ColumnProfile {
  return {
    name,
    type: like.type,
    physical_type: like.physical_type,
    rows,
    nulls: rows,
    nan: 0,
    pos_inf: 0,
    neg_inf: 0,
    distinct: 0,
    distinct_exact: true,
    top_values: [],
    top_values_complete: true,
  };
}

function mergeColumns(x: ColumnProfile, y: ColumnProfile): ColumnProfile {
  const px = physicalKind(x.physical_type);
  const py = physicalKind(y.physical_type);
  const family = (k: string) => (k === 'integer' || k === 'float' || k === 'decimal' ? 'numeric' : k);
  if (x.rows - x.nulls > 0 && y.rows - y.nulls > 0 && family(px) !== family(py)) {
    throw new UserError(
      `Cannot merge profiles: column '${x.name}' is ${x.physical_type} in one and ${y.physical_type} in the other.`,
    );
  }
  const physicalType =
    x.physical_type === y.physical_type
      ? x.physical_type
      : px === 'float' || py === 'float'
        ? 'DOUBLE'
        : x.rows - x.nulls > 0
          ? x.physical_type
          : y.physical_type;
  const sketches = mergeSketches(x, y);
  const values = mergeValues(x, y, sketches?.hll);
  const rows = x.rows + y.rows;
  const nulls = x.nulls + y.nulls;
  const merged: ColumnProfile = {
    name: x.name,
    type: columnKind(physicalKind(physicalType), values.distinct, rows - nulls),
    physical_type: physicalType,
    rows,
    nulls,
    nan: x.nan + y.nan,
    pos_inf: x.pos_inf + y.pos_inf,
    neg_inf: x.neg_inf + y.neg_inf,
    distinct: values.distinct,
    distinct_exact: values.distinctExact,
    top_values: values.top,
    top_values_complete: values.complete,
  };
  if (x.numeric || y.numeric) {
    merged.numeric = mergeNumeric(x.numeric, y.numeric);
    // With every value and its count on both sides, the merged quantiles are exact too.
    if (values.complete && merged.numeric.count > 0) {
      merged.numeric.quantiles = quantilesFromFrequencies(values.top);
      merged.numeric.quantiles_exact = true;
    } else if (sketches && merged.numeric.count > 0) {
      merged.numeric.quantiles = sketches.kll
        .quantiles(PROFILE_QUANTILES)
        .map((value, i) => ({ q: PROFILE_QUANTILES[i]!, value: value! }));
      merged.numeric.quantiles_exact = false;
    }
    if (sketches) merged.sketches = { kll: sketches.kll.toJSON(), hll: sketches.hll.toJSON() };
  }
  if (x.datetime || y.datetime) {
    const dx = x.datetime;
    const dy = y.datetime;
    const pick = (which: 'min' | 'max') => {
      const key = which === 'min' ? 'min_epoch' : 'max_epoch';
      const candidates = [dx, dy].filter((d) => d && d[key] !== null) as NonNullable<typeof dx>[];
      if (candidates.length === 0) return { text: null, epoch: null };
      const best = candidates.reduce((p, q) =>
        (which === 'min' ? q[key]! < p[key]! : q[key]! > p[key]!) ? q : p,
      );
      return { text: best[which], epoch: best[key] };
    };
    const lo = pick('min');
    const hi = pick('max');
    merged.datetime = {
      min: lo.text,
      max: hi.text,
      min_epoch: lo.epoch,
      max_epoch: hi.epoch,
      histogram: mergeHistograms(dx?.histogram ?? null, dy?.histogram ?? null),
    };
  }
  if (x.text || y.text) {
    const tx = x.text;
    const ty = y.text;
    const nx = tx?.mean_length === null || tx === undefined ? 0 : x.rows - x.nulls;
    const ny = ty?.mean_length === null || ty === undefined ? 0 : y.rows - y.nulls;
    merged.text = {
      min_length: minOf(tx?.min_length ?? null, ty?.min_length ?? null),
      max_length: maxOf(tx?.max_length ?? null, ty?.max_length ?? null),
      mean_length:
        nx + ny === 0 ? null : ((tx?.mean_length ?? 0) * nx + (ty?.mean_length ?? 0) * ny) / (nx + ny),
    };
  }
  return merged;
}

/**
 * The merged sketches of a numeric column, when each side has them or lists every value (a
 * sketch is then built from the values), else undefined.
 */
function mergeSketches(x: ColumnProfile, y: ColumnProfile): { kll: KllSketch; hll: HllSketch } | undefined {
  const sx = sketchesOf(x);
  const sy = sketchesOf(y);
  if (!sx || !sy || (!x.sketches && !y.sketches)) return undefined;
  sx.kll.merge(sy.kll);
  sx.hll.merge(sy.hll);
  return sx;
}

function sketchesOf(c: ColumnProfile): { kll: KllSketch; hll: HllSketch } | undefined {
  if (c.sketches) return { kll: KllSketch.fromJSON(c.sketches.kll), hll: HllSketch.fromJSON(c.sketches.hll) };
  const finite = c.numeric?.count ?? 0;
  if (finite === 0 && c.rows - c.nulls - c.nan - c.pos_inf - c.neg_inf === 0)
    return { kll: new KllSketch(), hll: new HllSketch() };
  if (!c.numeric || !c.top_values_complete || !c.top_values.every((t) => typeof t.value === 'number'))
    return undefined;
  const kll = new KllSketch();
  const hll = new HllSketch();
  for (const t of c.top_values) {
    hll.addNumber(t.value as number);
    for (let i = 0; i < t.count; i++) kll.update(t.value as number);
  }
  return { kll, hll };
}

function mergeValues(
  x: ColumnProfile,
  y: ColumnProfile,
  hll?: HllSketch,
): { distinct: number; distinctExact: boolean; top: ValueCount[]; complete: boolean } {
  const counts = new Map<string, ValueCount>();
  for (const v of [...x.top_values, ...y.top_values]) {
    const key = `${typeof v.value}:${String(v.value)}`;
    const seen = counts.get(key);
    counts.set(key, { value: v.value, count: (seen?.count ?? 0) + v.count });
  }
  const all = sortValueCounts([...counts.values()]);
  if (x.top_values_complete && y.top_values_complete) {
    const complete = all.length <= MAX_TRACKED_VALUES;
    return { distinct: all.length, distinctExact: true, top: complete ? all : all.slice(0, TOP_K), complete };
  }
  if (hll) return { distinct: Math.round(hll.estimate()), distinctExact: false, top: [], complete: false };
  const nearlyUnique = (c: ColumnProfile) => c.rows - c.nulls === 0 || c.distinct >= 0.9 * (c.rows - c.nulls);
  const distinct =
    nearlyUnique(x) && nearlyUnique(y)
      ? x.distinct + y.distinct
      : Math.max(x.distinct, y.distinct, all.length);
  return { distinct, distinctExact: false, top: all.slice(0, TOP_K), complete: false };
}

function mergeNumeric(x: NumericSummary | undefined, y: NumericSummary | undefined): NumericSummary {
  if (!x || x.count === 0) return y ?? x!;
  if (!y || y.count === 0) return x;
  const n = x.count + y.count;
  const delta = y.mean! - x.mean!;
  const mean = x.mean! + (delta * y.count) / n;
  const m2 = x.m2 + y.m2 + (delta * delta * x.count * y.count) / n;
  const merged: NumericSummary = {
    count: n,
    min: Math.min(x.min!, y.min!),
    max: Math.max(x.max!, y.max!),
    mean,
    std: n > 1 ? Math.sqrt(m2 / (n - 1)) : null,
    m2,
    quantiles: [],
    quantiles_exact: false,
    histogram: mergeHistograms(x.histogram, y.histogram),
  };
  merged.quantiles = quantilesFromHistogram(merged);
  return merged;
}

function minOf(p: number | null, q: number | null): number | null {
  return p === null ? q : q === null ? p : Math.min(p, q);
}

function maxOf(p: number | null, q: number | null): number | null {
  return p === null ? q : q === null ? p : Math.max(p, q);
}
