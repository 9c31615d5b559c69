/**
 * KLL quantile sketch (Karnin, Lang & Liberty, "Optimal Quantile Approximation in Streams", 2016),
 * in the layout Apache DataSketches uses: a stack of levels, level h holding items of weight 2^h;
 * when the sketch is full, the lowest full level is sorted and halved (every other item, from a
 * random offset, moves up one level with twice the weight).
 *
 * Error: with `k = 200` (the default), the rank of a value returned for a quantile q is within
 * `KLL_RANK_ERROR` (1.33 % of n) of q·n with 99 % confidence (DataSketches' published figure for
 * k = 200, single quantile queries); tested in test/unit/stats/kll.test.ts. The sketch is exact
 * while it has seen fewer than k values (nothing was compacted), and min and max are always exact.
 *
 * Buffered values are sketched a block at a time; once the sketch is deep, a block's lowest levels
 * are a sampler (see `samplerLevels`).
 *
 * Mergeable: the sketch of two streams is the merge of their sketches, with the same error bound.
 * Deterministic: the compaction coin and the sampler's draw are hashes of the count seen, so the same data in
 * the same order (and the same merges) give the same sketch, byte for byte.
 */

export const KLL_DEFAULT_K = 200;
/** Normalized rank error of one quantile query at k = 200, 99 % confidence. */
export const KLL_RANK_ERROR = 0.0133;

/** Shrink factor of the capacities of lower levels, and the least capacity of a level. */
const DECAY = 2 / 3;
const MIN_CAPACITY = 8;
/** Values buffered before they are sketched as a block. */
const BLOCK = 4096;
/** The buffer of a sketch that has had no single update (merge targets, a flushed block's sketch). */
const EMPTY_BLOCK = new Float64Array(0);

/** The stored form of a sketch: `levels[h]` holds items of weight 2^h (level 0 unsorted). */
export interface KllState {
  k: number;
  n: number;
  min: number | null;
  max: number | null;
  levels: number[][];
}

export class KllSketch {
  readonly k: number;
  /** Values seen. */
  n = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private levels: number[][] = [[]];
  private retained = 0;
  private capacityTotal = 0;
  /**
   * Values not yet in the levels. A block is sketched on its own (one typed-array sort, then
   * halvings) and merged in: the same error bound as one value at a time (sketches merge without
   * loss of guarantee), at a fraction of the cost.
   */
  private pending = EMPTY_BLOCK;
  private pendingCount = 0;

  constructor(k = KLL_DEFAULT_K) {
    if (!Number.isInteger(k) || k < MIN_CAPACITY)
      throw new RangeError(`KLL k must be an integer >= ${MIN_CAPACITY}`);
    this.k = k;
    this.capacityTotal = this.totalCapacity();
  }

  /** Adds one finite value (callers count NaN and infinities apart). */
  update(x: number): void {
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.n++;
    if (this.pending === EMPTY_BLOCK) this.pending = new Float64Array(BLOCK);
    this.pending[this.pendingCount++] = x;
    if (this.pendingCount === BLOCK) this.flush();
  }

  /**
   * Adds the first `count` values of `values` (finite; callers count NaN and infinities apart):
   * `update` for each, buffered in bulk.
   */
  updateMany(values: Float64Array, count: number): void {
    if (this.pending === EMPTY_BLOCK && count > 0) this.pending = new Float64Array(BLOCK);
    for (let start = 0; start < count; ) {
      const take = Math.min(count - start, BLOCK - this.pendingCount);
      const part = values.subarray(start, start + take);
      this.pending.set(part, this.pendingCount);
      for (let i = 0; i < take; i++) {
        const x = part[i]!;
        if (x < this.min) this.min = x;
        if (x > this.max) this.max = x;
      }
      this.n += take;
      this.pendingCount += take;
      start += take;
      if (this.pendingCount === BLOCK) this.flush();
    }
  }

  /**
   * Adds `count` copies of one finite value at once: one item at each level h whose bit is set in
   * `count` (weight 2^h each, so nothing is approximated), then compacts as usual. For value
   * counts: O(log count) instead of `count` updates. The weight-1 item joins the buffered values,
   * so that value counts of mostly single values cost what `update` costs.
   */
  updateWeighted(x: number, count: number): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`KLL weight must be a whole number, got ${count}`);
    if (count === 0) return;
    if (count % 2 === 1) this.update(x);
    if (count === 1) return;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.n += count - (count % 2);
    for (let h = 1, rest = Math.floor(count / 2); rest > 0; h++, rest = Math.floor(rest / 2)) {
      if (rest % 2 === 0) continue;
      while (this.levels.length <= h) this.levels.push([]);
      const level = this.levels[h]!;
      let at = 0;
      while (at < level.length && level[at]! <= x) at++;
      level.splice(at, 0, x);
      this.retained++;
    }
    this.capacityTotal = this.totalCapacity();
    while (this.retained >= this.capacityTotal) this.compress();
  }

  /**
   * Moves the pending values into the levels: the block is sorted in place and sketched on its own
   * (its first halving read straight from the sorted buffer), then merged in.
   */
  private flush(): void {
    const count = this.pendingCount;
    if (count === 0) return;
    this.pendingCount = 0;
    const block = new KllSketch(this.k);
    block.n = count;
    block.min = this.min;
    block.max = this.max;
    const s = this.samplerLevels();
    if (s > 0 && count % 2 ** s === 0) {
      // One value of each 2^s consecutive ones, at weight 2^s, sorted: the block's level s.
      const w = 2 ** s;
      const groups = count / w;
      const sampled = new Float64Array(groups);
      for (let g = 0; g < groups; g++) sampled[g] = this.pending[g * w + pick(this.n - count + g * w, w)]!;
      sortFloat64(sampled, 0, groups);
      block.levels = Array.from({ length: s + 1 }, (_, h) => (h === s ? Array.from(sampled) : []));
      block.retained = groups;
      block.capacityTotal = block.totalCapacity();
      while (block.retained >= block.capacityTotal) block.compress();
      this.n -= block.n;
      this.merge(block);
      return;
    }
    const sorted = this.pending.subarray(0, count);
    sortFloat64(sorted, 0, count);
    if (count >= block.capacityTotal) {
      // What `compress` does to a lone full level 0: an odd item out stays, every other item of
      // the rest (from a random offset) moves up with twice the weight.
      const keep = count % 2 === 1 ? [sorted[0]!] : [];
      const promoted: number[] = [];
      for (let i = keep.length + coin(count, 0); i < count; i += 2) promoted.push(sorted[i]!);
      block.levels = [keep, promoted];
      block.retained = keep.length + promoted.length;
      block.capacityTotal = block.totalCapacity();
    } else {
      const level: number[] = new Array(count);
      for (let i = 0; i < count; i++) level[i] = sorted[i]!;
      block.levels[0] = level;
      block.retained = count;
    }
    while (block.retained >= block.capacityTotal) block.compress();
    this.n -= block.n;
    this.merge(block);
  }

  /** Adds another sketch's stream into this one. */
  merge(other: KllSketch): void {
    if (other.k !== this.k) throw new RangeError(`Cannot merge KLL sketches with k ${this.k} and ${other.k}`);
    other.flush();
    this.flush();
    if (other.n === 0) return;
    while (this.levels.length < other.levels.length) this.levels.push([]);
    for (let h = 0; h < other.levels.length; h++) {
      const mine = this.levels[h]!;
      const theirs = other.levels[h]!;
      this.levels[h] = h === 0 ? mine.concat(theirs) : mergeSorted(mine, theirs);
    }
    this.n += other.n;
    this.retained += other.retained;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.capacityTotal = this.totalCapacity();
    while (this.retained >= this.capacityTotal) this.compress();
  }

  /** Estimated number of values <= x. */
  rank(x: number): number {
    this.flush();
    let r = 0;
    for (let h = 0; h < this.levels.length; h++) {
      const w = 2 ** h;
      for (const v of this.levels[h]!) if (v <= x) r += w;
    }
    return r;
  }

  /** Retained values and their weights, sorted by value. */
  weighted(): { values: Float64Array; weights: Float64Array } {
    this.flush();
    const pairs: [number, number][] = [];
    this.levels.forEach((level, h) => {
      for (const v of level) pairs.push([v, 2 ** h]);
    });
    pairs.sort((a, b) => a[0] - b[0]);
    return {
      values: Float64Array.from(pairs, (p) => p[0]),
      weights: Float64Array.from(pairs, (p) => p[1]),
    };
  }

  /**
   * The value at rank q·(n − 1) (0-based) of the sketched distribution: a retained value, or the
   * exact min (q = 0) and max (q = 1). Exact while the sketch has compacted nothing. Null when empty.
   */
  quantile(q: number): number | null {
    return this.quantiles([q])[0]!;
  }

  quantiles(qs: readonly number[]): (number | null)[] {
    if (this.n === 0) return qs.map(() => null);
    const { values, weights } = this.weighted();
    return qs.map((q) => {
      if (q <= 0) return this.min;
      if (q >= 1) return this.max;
      const target = q * (this.n - 1);
      let seen = 0;
      for (let i = 0; i < values.length; i++) {
        seen += weights[i]!;
        if (target < seen) return values[i]!;
      }
      return this.max;
    });
  }

  toJSON(): KllState {
    this.flush();
    return {
      k: this.k,
      n: this.n,
      min: this.n > 0 ? this.min : null,
      max: this.n > 0 ? this.max : null,
      levels: this.levels.map((l) => [...l]),
    };
  }

  static fromJSON(state: KllState): KllSketch {
    const s = new KllSketch(state.k);
    s.levels =
      state.levels.length > 0
        ? state.levels.map((l, h) => (h === 0 ? [...l] : [...l].sort((a, b) => a - b)))
        : [[]];
    s.retained = s.levels.reduce((t, l) => t + l.length, 0);
    const weight = s.levels.reduce((t, l, h) => t + l.length * 2 ** h, 0);
    if (weight !== state.n)
      throw new RangeError(`KLL sketch weights sum to ${weight}, not its count ${state.n}`);
    s.n = state.n;
    s.capacityTotal = s.totalCapacity();
    if (state.n > 0) {
      s.min = state.min ?? Number.NaN;
      s.max = state.max ?? Number.NaN;
    }
    return s;
  }

  /**
   * Levels replaced by a sampler for buffered values: the lowest levels, those at the least
   * capacity c = MIN_CAPACITY. A compactor at level h makes about 2n/(2^h·c) compactions, each
   * moving a rank by at most 2^h either way at random: a variance of at most n·2^h/4 at c = 8, so
   * the levels below s add at most n·2^s/4 together. Keeping instead one value drawn at random
   * from each 2^s consecutive ones, at weight 2^s (the KLL paper's sampler for the lowest levels),
   * adds a variance of at most the same n·2^s/4, whatever the order of the values, and sorts
   * 2^s times fewer values (measured, 12 streams each: 1.8x less CPU on 1M values, 5x on 4M; the
   * worst rank error 0.54 % against 0.53 % without it on 1M, 0.43 % against 0.54 % on 4M). Zero
   * while the sketch is shallow (until some 100,000 values at k = 200): nothing is sampled.
   */
  private samplerLevels(): number {
    let s = 0;
    while (s < this.levels.length - 1 && this.capacity(s) === MIN_CAPACITY) s++;
    // Never more than the levels a stream of n single values would have built (2^s <= n/(256·k)):
    // a value counted many times (`updateWeighted`) stacks levels of its own, and sampling down to
    // them would leave the other values a few hundred items (trial: 1.6-5.1 % rank error on a
    // column with 40-60 % of one value).
    const natural = Math.floor(Math.log2(this.n / (256 * this.k)));
    return Math.max(0, Math.min(s, natural));
  }

  private capacity(h: number): number {
    return capacityAt(this.k, this.levels.length - 1 - h);
  }

  private totalCapacity(): number {
    let total = 0;
    for (let h = 0; h < this.levels.length; h++) total += this.capacity(h);
    return total;
  }

  /** Halves the lowest level at or over its capacity. */
  private compress(): void {
    let h = 0;
    while (h < this.levels.length && this.levels[h]!.length < this.capacity(h)) h++;
    if (h === this.levels.length) h = this.levels.length - 1;
    if (h === this.levels.length - 1) this.levels.push([]);
    const level = this.levels[h]!;
    if (h === 0) level.sort((a, b) => a - b);
    // An odd item out stays behind at its weight; the rest pair up.
    const keep = level.length % 2 === 1 ? [level[0]!] : [];
    const start = keep.length;
    const offset = coin(this.n, h);
    const promoted: number[] = [];
    for (let i = start + offset; i < level.length; i += 2) promoted.push(level[i]!);
    this.levels[h] = keep;
    this.levels[h + 1] = mergeSorted(this.levels[h + 1]!, promoted);
    this.retained -= level.length - keep.length - promoted.length;
    this.capacityTotal = this.totalCapacity();
  }
}

/** Capacities by depth below the top level, per k: computed once, read on every compaction. */
const CAPACITIES = new Map<number, number[]>();

function capacityAt(k: number, depth: number): number {
  let table = CAPACITIES.get(k);
  if (!table) {
    table = [];
    CAPACITIES.set(k, table);
  }
  for (let d = table.length; d <= depth; d++) table.push(Math.max(MIN_CAPACITY, Math.ceil(k * DECAY ** d)));
  return table[depth]!;
}

/**
 * Sorts `a[lo, hi)` ascending in place (finite values): a quicksort with median-of-three pivots and
 * insertion sort for short runs. TypedArray.prototype.sort took several times longer here, and was
 * the largest single cost of sketching wide data.
 */
export function sortFloat64(a: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 24) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi - 1]!;
    const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    let i = lo;
    let j = hi - 1;
    for (;;) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i >= j) break;
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
      i++;
      j--;
    }
    // [lo, j] holds values <= pivot and [j + 1, hi) values >= pivot: recurse into the smaller side.
    if (j + 1 - lo < hi - j - 1) {
      sortFloat64(a, lo, j + 1);
      lo = j + 1;
    } else {
      sortFloat64(a, j + 1, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** A pseudo-random position in [0, w) (w a power of two) from the count seen before a group. */
function pick(n: number, w: number): number {
  return (
    mix32(Math.imul(n | 0, 0x9e3779b1) ^ Math.imul(Math.floor(n / 2 ** 32), 0x27d4eb2f) ^ 0x165667b1) &
    (w - 1)
  );
}

/** A pseudo-random bit from the count seen and the level. */
function coin(n: number, h: number): number {
  return mix32(Math.imul(n | 0, 0x9e3779b1) ^ Math.imul(h + 1, 0x85ebca6b) ^ Math.floor(n / 2 ** 32)) & 1;
}

/** murmur3's 32-bit finalizer: every input bit moves every output bit. */
function mix32(seed: number): number {
  let x = seed >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function mergeSorted(a: number[], b: number[]): number[] {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a.slice();
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) out[o++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[o++] = a[i++]!;
  while (j < b.length) out[o++] = b[j++]!;
  return out;
}
