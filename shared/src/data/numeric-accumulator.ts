/**
 * One streamed pass over the numeric columns of a dataset, every statistic of their profile
 * computed as the values go by, in bounded memory (see `profileDataset`'s sketch path):
 *
 * - exact: rows, nulls, NaN, ±infinity, finite count, min, max; the mean from a Neumaier-
 *   compensated sum; the sum of squared deviations per chunk by the corrected two-pass formula,
 *   merged across chunks by Chan et al.'s pairwise update (as stable as the exact path's two-pass
 *   sum; the two agree to a few ulps, not bit for bit); the histogram on the same
 *   power-of-two edges the exact path chooses (bins are coarsened as the range grows, an exact
 *   union of bins);
 * - every distinct value with its count while a column has at most `EXACT_MAX_DISTINCT`
 *   (then its quantiles, distinct count and top values are exact too);
 * - beyond that, a KLL sketch for quantiles (kll.ts: rank error ±1.33 % at 99 %) and a
 *   HyperLogLog for the distinct count (hll.ts: ±4.9 % at 99.7 %).
 */
import type { MessagePort } from 'node:worker_threads';
import { HllSketch, type HllState } from '../stats/hll.js';
import { KllSketch, type KllState } from '../stats/kll.js';
import { chooseWidthLog2, HISTOGRAM_MAX_BINS, type Histogram, histogramFromBins } from './histogram.js';

/** Distinct values tracked exactly per column; the exact path reads whole tables up to this size too. */
export const EXACT_MAX_DISTINCT = 50_000;

export interface NumericStreamResult {
  nonNull: number;
  nan: number;
  posInf: number;
  negInf: number;
  finite: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  m2: number;
  histogram: Histogram | null;
  /** Every finite value with its count, when there were at most `EXACT_MAX_DISTINCT`. */
  frequencies: Map<number, number> | null;
  kll: KllSketch;
  hll: HllSketch;
}

/** floor(i / 2^steps), in steps that keep the power of two a finite double. */
function coarsenIndex(i: number, steps: number): number {
  let index = i;
  for (let left = steps; left > 0; left -= 1000) index = Math.floor(index / 2 ** Math.min(left, 1000));
  return index;
}

/** The finest histogram width (as log2) kept: 2^-1000 is still a normal double. */
const MIN_WIDTH_LOG2 = -1000;

/** Dense bins at width 2^k over [base, base + SLOTS), coarsened when the range outgrows them. */
const SLOTS = 2 * HISTOGRAM_MAX_BINS;

export class ColumnAccumulator {
  nonNull = 0;
  nan = 0;
  posInf = 0;
  negInf = 0;
  finite = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private sum = 0;
  private compensation = 0;
  private runningMean = 0;
  m2 = 0;
  /** Every finite value with its count, until there are more than `EXACT_MAX_DISTINCT`. */
  frequencies: Map<number, number> | null;
  readonly kll = new KllSketch();
  readonly hll = new HllSketch();
  private k = 0;
  private scale = 1;
  private base = 0;
  private bins = new Float64Array(SLOTS);

  /** `countValues: false`: the column is known to have far more values than are counted exactly. */
  constructor(countValues: boolean) {
    this.frequencies = countValues ? new Map() : null;
  }

  /**
   * Adds a batch of non-null values (one chunk of the column). Each statistic runs as its own
   * tight loop over the batch; the finite values are packed to the front of `values` first.
   */
  addBatch(values: Float64Array, count: number): void {
    this.nonNull += count;
    let m = 0;
    for (let i = 0; i < count; i++) {
      const x = values[i]!;
      if (Number.isFinite(x)) values[m++] = x;
      else if (Number.isNaN(x)) this.nan++;
      else if (x > 0) this.posInf++;
      else this.negInf++;
    }
    if (m === 0) return;
    const before = this.finite;
    if (before === 0) this.startBins(values[0]!);
    this.finite += m;
    // Extremes and Neumaier's compensated sum, value by value in stream order.
    let { min, max, sum, compensation } = this;
    let chunkSum = 0;
    for (let i = 0; i < m; i++) {
      const x = values[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
      const t = sum + x;
      compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
      chunkSum += x;
    }
    this.min = min;
    this.max = max;
    this.sum = sum;
    this.compensation = compensation;
    // The sum of squared deviations: the batch's own, about its mean, merged into the running one
    // by Chan et al.'s pairwise update (as stable as Welford's, without a division per value).
    const chunkMean = chunkSum / m;
    let chunkM2 = 0;
    let chunkShift = 0;
    for (let i = 0; i < m; i++) {
      const d = values[i]! - chunkMean;
      chunkM2 += d * d;
      chunkShift += d;
    }
    // The batch mean's own rounding error, corrected (the two-pass formula's correction term).
    chunkM2 -= (chunkShift * chunkShift) / m;
    const total = before + m;
    const delta = chunkMean - this.runningMean;
    this.runningMean += (delta * m) / total;
    this.m2 += chunkM2 + (delta * delta * before * m) / total;
    // Histogram bins.
    for (let i = 0; i < m; i++) {
      const x = values[i]!;
      const slot = Math.floor(x * this.scale) - this.base;
      if (slot >= 0 && slot < SLOTS) this.bins[slot]!++;
      else this.placeOutside(x);
    }
    // While every value is counted, the sketches wait: they are built from the counts when the
    // column outgrows them (or at the end), at O(log count) per distinct value.
    let from = 0;
    const f = this.frequencies;
    if (f) {
      for (; from < m; from++) {
        const x = values[from]!;
        f.set(x, (f.get(x) ?? 0) + 1);
        if (f.size > EXACT_MAX_DISTINCT) {
          this.sketchCounts(f);
          this.frequencies = null;
          from++;
          break;
        }
      }
    }
    if (from < m) {
      const rest = from === 0 ? values : values.subarray(from);
      this.kll.updateMany(rest, m - from);
      for (let i = 0; i < m - from; i++) this.hll.addNumber(rest[i]!);
    }
  }

  /** Places the dense bins around the first finite value. */
  private startBins(x: number): void {
    // The finest useful width: a value's own ulp (bins finer than the exact path could pick
    // only for a range of a few ulps); zero gets the finest width histograms use.
    this.k = x === 0 ? MIN_WIDTH_LOG2 : Math.max(MIN_WIDTH_LOG2, Math.floor(Math.log2(Math.abs(x))) - 52);
    this.scale = 2 ** -this.k;
    this.base = Math.floor(x * this.scale) - HISTOGRAM_MAX_BINS;
  }

  private sketchCounts(counts: Map<number, number>): void {
    sketchValueCounts(this.kll, this.hll, counts);
  }

  /**
   * A value past the dense bins: coarsen to the width at which the range seen so far spans at most
   * `HISTOGRAM_MAX_BINS` bins (each coarse bin an exact union of fine ones) and re-centre.
   */
  private placeOutside(x: number): void {
    const target = Math.max(this.k, chooseWidthLog2(this.min, this.max, false));
    const bins = new Map<number, number>();
    for (const [i, c] of this.sparseBins()) {
      const coarse = coarsenIndex(i, target - this.k);
      bins.set(coarse, (bins.get(coarse) ?? 0) + c);
    }
    this.k = target;
    this.scale = 2 ** -target;
    const index = Math.floor(x * this.scale);
    bins.set(index, (bins.get(index) ?? 0) + 1);
    const lo = Math.min(...bins.keys());
    const hi = Math.max(...bins.keys());
    this.base = lo - Math.floor((SLOTS - (hi - lo + 1)) / 2);
    this.bins = new Float64Array(SLOTS);
    for (const [i, c] of bins) this.bins[i - this.base] = c;
  }

  private sparseBins(): Map<number, number> {
    const out = new Map<number, number>();
    for (let i = 0; i < SLOTS; i++) if (this.bins[i]! > 0) out.set(this.base + i, this.bins[i]!);
    return out;
  }

  result(integer: boolean): NumericStreamResult {
    if (this.frequencies) this.sketchCounts(this.frequencies);
    const finite = this.finite;
    let histogram: Histogram | null = null;
    if (finite > 0) {
      // The width the exact path picks from min and max: never finer than the one reached here.
      const k = Math.max(this.k, chooseWidthLog2(this.min, this.max, integer));
      const pairs: [number, number][] = [];
      for (const [i, c] of this.sparseBins()) pairs.push([coarsenIndex(i, k - this.k), c]);
      histogram = histogramFromBins(k, pairs);
    }
    return {
      nonNull: this.nonNull,
      nan: this.nan,
      posInf: this.posInf,
      negInf: this.negInf,
      finite,
      min: finite > 0 ? this.min : null,
      max: finite > 0 ? this.max : null,
      mean: finite > 0 ? (this.sum + this.compensation) / finite : null,
      m2: finite > 1 ? this.m2 : 0,
      histogram,
      frequencies: this.frequencies,
      kll: this.kll,
      hll: this.hll,
    };
  }
}

/**
 * Adds values with their counts to a column's sketches, at O(log count) per distinct value: how
 * the stream sketches a column while it counts every value, and how a column grouped by DuckDB
 * gets the same mergeable sketches (profile.ts).
 */
export function sketchValueCounts(
  kll: KllSketch,
  hll: HllSketch,
  counts: Map<number, number> | Iterable<[number, number]>,
): void {
  const add = (count: number, value: number) => {
    kll.updateWeighted(value, count);
    hll.addNumber(value);
  };
  // A Map's forEach gives each entry without allocating a [value, count] pair.
  if (counts instanceof Map) counts.forEach(add);
  else for (const [value, count] of counts) add(count, value);
}

/** A column's result as a worker thread posts it: the sketches in their stored form. */
export interface PostedNumericResult extends Omit<NumericStreamResult, 'kll' | 'hll'> {
  kll: KllState;
  hll: HllState;
}

/** What a worker is started with: one entry per column it accumulates. */
export interface AccumulatorWorkerData {
  integer: boolean[];
  countValues: boolean[];
}

/**
 * Chunks of a worker's columns: for each chunk in turn, for each column j, `counts[chunk · columns
 * + j]` non-null values, one after another in `values`. `null` ends the stream.
 */
export type AccumulatorBatch = { values: Float64Array; counts: Int32Array } | null;

/**
 * What a worker posts back: `ack` after each batch (flow control), with the batch's buffer for
 * the next one (no allocation per chunk), and `results` at the end.
 */
export type AccumulatorReply = { ack: Float64Array } | { results: PostedNumericResult[] };

export function postedResult(r: NumericStreamResult): PostedNumericResult {
  return { ...r, kll: r.kll.toJSON(), hll: r.hll.toJSON() };
}

export function receivedResult(p: PostedNumericResult): NumericStreamResult {
  return { ...p, kll: KllSketch.fromJSON(p.kll), hll: HllSketch.fromJSON(p.hll) };
}

/**
 * The worker side of `streamNumericColumns`' second thread: accumulates its columns' batches in
 * the order they are posted (the same operations, in the same order, as on one thread: the
 * results are identical), acknowledges each, and posts every column's result after the end.
 */
export function serveAccumulators(port: MessagePort, data: AccumulatorWorkerData): void {
  const accumulators = data.countValues.map((count) => new ColumnAccumulator(count));
  port.on('message', (batch: AccumulatorBatch) => {
    if (batch === null) {
      port.postMessage({
        results: accumulators.map((a, j) => postedResult(a.result(data.integer[j]!))),
      } satisfies AccumulatorReply);
      return;
    }
    let offset = 0;
    for (let at = 0; at < batch.counts.length; at += accumulators.length) {
      for (let j = 0; j < accumulators.length; j++) {
        const count = batch.counts[at + j]!;
        accumulators[j]!.addBatch(batch.values.subarray(offset, offset + count), count);
        offset += count;
      }
    }
    port.postMessage({ ack: batch.values } satisfies AccumulatorReply, [batch.values.buffer as ArrayBuffer]);
  });
}
