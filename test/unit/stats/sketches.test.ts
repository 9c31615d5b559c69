import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HLL_RELATIVE_ERROR, HllSketch } from '../../../shared/src/stats/hll.js';
import { KLL_RANK_ERROR, KllSketch, sortFloat64 } from '../../../shared/src/stats/kll.js';

const QS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

/** Exact rank interval of x in sorted data: [#values < x, #values <= x]. */
function rankInterval(sorted: Float64Array, x: number): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  let upper = lo;
  while (upper < sorted.length && sorted[upper] === x) upper++;
  return [lo, upper];
}

/** Largest distance between q·(n−1) and the exact ranks the sketch's answer occupies, over n. */
function worstRankError(values: number[], sketch: KllSketch): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let worst = 0;
  for (const q of QS) {
    const x = sketch.quantile(q)!;
    const [lo, hi] = rankInterval(sorted, x);
    expect(hi).toBeGreaterThan(lo); // the answer is one of the data's values
    const target = q * (n - 1);
    const error = target < lo ? lo - target : target > hi - 1 ? target - (hi - 1) : 0;
    // A sketch answers a stored value: up to one rank off q·(n − 1) even when exact.
    worst = Math.max(worst, Math.max(0, error - 1) / n);
  }
  return worst;
}

/** A seeded generator so the fixed-data tests are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

const normal = (rand: () => number) => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());

function sketchOf(values: number[], k?: number): KllSketch {
  const s = new KllSketch(k);
  for (const v of values) s.update(v);
  return s;
}

describe('KLL quantile sketch', () => {
  const rand = lcg(7);
  const datasets: Record<string, number[]> = {
    normal: Array.from({ length: 200_000 }, () => normal(rand)),
    'lognormal (skewed)': Array.from({ length: 200_000 }, () => Math.exp(3 * normal(rand))),
    'heavy ties (5 values)': Array.from({ length: 200_000 }, () => Math.floor(rand() ** 3 * 5)),
    'sorted ascending': Array.from({ length: 100_000 }, (_, i) => i),
    'sorted descending': Array.from({ length: 100_000 }, (_, i) => -i),
    'one distinct value': Array.from({ length: 50_000 }, () => 3.25),
  };
  for (const [name, values] of Object.entries(datasets)) {
    it(`stays within its documented rank error on ${name} data`, () => {
      const s = sketchOf(values);
      expect(s.n).toBe(values.length);
      expect(worstRankError(values, s)).toBeLessThanOrEqual(KLL_RANK_ERROR);
      expect(s.quantile(0)).toBe(values.reduce((a, b) => Math.min(a, b)));
      expect(s.quantile(1)).toBe(values.reduce((a, b) => Math.max(a, b)));
      // Bounded memory: a few times k values kept, whatever n.
      expect(s.toJSON().levels.flat().length).toBeLessThan(4 * s.k);
    });
  }

  it('is exact while it has seen fewer than k values (numpy lower order statistic)', () => {
    const values = [5, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const s = sketchOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of QS) expect(s.quantile(q)).toBe(sorted[Math.floor(q * (values.length - 1))]);
  });

  it('is empty with no values (an all-null column)', () => {
    const s = new KllSketch();
    expect(s.quantile(0.5)).toBeNull();
    expect(KllSketch.fromJSON(JSON.parse(JSON.stringify(s))).quantile(0.5)).toBeNull();
  });

  it('stays within its bound on generated data, whole and merged from shards', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -3, max: 3 })),
          {
            minLength: 1,
            maxLength: 3000,
          },
        ),
        fc.integer({ min: 1, max: 5 }),
        (values, parts) => {
          const whole = sketchOf(values, 32);
          const merged = new KllSketch(32);
          const size = Math.ceil(values.length / parts);
          for (let i = 0; i < values.length; i += size) merged.merge(sketchOf(values.slice(i, i + size), 32));
          expect(merged.n).toBe(values.length);
          expect(merged.min).toBe(whole.min);
          expect(merged.max).toBe(whole.max);
          // k = 32: the bound at 99 % confidence scales as k^-0.97 (DataSketches), ≈ 7.5 %.
          expect(worstRankError(values, whole)).toBeLessThanOrEqual(0.075);
          expect(worstRankError(values, merged)).toBeLessThanOrEqual(0.075);
        },
      ),
      { seed: 19, numRuns: 60 },
    );
  });

  it('merges shards of large data within its documented bound', () => {
    const rand2 = lcg(11);
    const values = Array.from({ length: 300_000 }, () => Math.exp(normal(rand2)));
    const merged = new KllSketch();
    for (let i = 0; i < values.length; i += 37_000) merged.merge(sketchOf(values.slice(i, i + 37_000)));
    expect(merged.n).toBe(values.length);
    expect(worstRankError(values, merged)).toBeLessThanOrEqual(KLL_RANK_ERROR);
  });

  it('round-trips through JSON and refuses a corrupt state', () => {
    const s = sketchOf(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000));
    const back = KllSketch.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.quantiles(QS)).toEqual(s.quantiles(QS));
    expect(back.toJSON()).toEqual(s.toJSON());
    const bad = s.toJSON();
    bad.n += 1;
    expect(() => KllSketch.fromJSON(bad)).toThrow(/weights sum/);
    expect(() => new KllSketch(32).merge(new KllSketch(200))).toThrow(/k 32 and 200/);
  });
});

describe('KLL in bulk (updateMany) and its block sort', () => {
  it('sortFloat64 orders like a numeric sort: ties, runs, sorted and reversed input, every length', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.integer({ min: -2, max: 2 }),
            fc.constant(0.5),
          ),
          { maxLength: 400 },
        ),
        fc.constantFrom('as is', 'ascending', 'descending'),
        (values, order) => {
          const input = [...values];
          if (order !== 'as is') input.sort((a, b) => (order === 'ascending' ? a - b : b - a));
          const a = Float64Array.from(input);
          sortFloat64(a, 0, a.length);
          const expected = Float64Array.from(input).sort();
          // -0 and 0 are equal for the sketch; compare as numbers.
          expect(Array.from(a, (x) => x + 0)).toEqual(Array.from(expected, (x) => x + 0));
        },
      ),
      { seed: 5, numRuns: 300 },
    );
    const rand = lcg(3);
    const big = Float64Array.from({ length: 100_000 }, () => Math.floor(rand() * 7) + rand());
    const copy = big.slice().sort();
    sortFloat64(big, 0, big.length);
    expect(big).toEqual(copy);
  });

  it('stays within its bound once deep enough to sample, whatever the order (2M values, period-2 pattern)', () => {
    // Past ~100,000 values a block's lowest levels are a sampler (one value of each 2^s). Values
    // alternate between two clusters: a draw at a fixed position of each group would see one
    // cluster only and put the median 50 % of n off.
    const rand = lcg(41);
    const n = 2_000_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = (i % 2 === 0 ? 1000 : 0) + rand();
    const s = new KllSketch();
    for (let i = 0; i < n; i += 2048) s.updateMany(values.subarray(i, i + 2048), Math.min(2048, n - i));
    expect(s.n).toBe(n);
    expect(worstRankError(Array.from(values), s)).toBeLessThanOrEqual(KLL_RANK_ERROR);
    expect(s.toJSON().levels.flat().length).toBeLessThan(4 * s.k);
    const lognormal = Float64Array.from({ length: n }, () => Math.exp(3 * normal(rand)));
    const t = new KllSketch();
    t.updateMany(lognormal, n);
    expect(worstRankError(Array.from(lognormal), t)).toBeLessThanOrEqual(KLL_RANK_ERROR);
  });

  it('stays within its bound when one value holds most of the column (counted values, then a stream)', () => {
    // The stream's profile counts a column's values until it has 50,000 distinct ones, then
    // sketches the counts (updateWeighted) and streams the rest: a value counted 90,000 times
    // stacks levels of its own, which the sampler must not take for a deep stream (the trial's
    // columns with 40-60 % of one value: 1.6-5.1 % rank error).
    for (const [share, tie, seed] of [
      [0.6, 5, 1],
      [0.4, 0, 2],
      [0.5, 1, 3],
      [0.4, 0, 4],
      [0.6, 5, 5],
      [0.45, 0, 6],
    ] as const) {
      const rand = lcg(seed * 977);
      const n = 150_000;
      const values = Array.from({ length: n }, () =>
        rand() < share ? tie : Math.round(normal(rand) * 1e6) / 1e6,
      );
      const counted = new Map<number, number>();
      const s = new KllSketch();
      let i = 0;
      for (; i < n && counted.size <= 50_000; i++)
        counted.set(values[i]!, (counted.get(values[i]!) ?? 0) + 1);
      for (const [value, count] of counted) s.updateWeighted(value, count);
      const rest = Float64Array.from(values.slice(i));
      for (let at = 0; at < rest.length; at += 2048) {
        const part = rest.subarray(at, at + 2048);
        s.updateMany(part, part.length);
      }
      expect(s.n).toBe(n);
      expect(worstRankError(values, s), `${share * 100} % ties, seed ${seed}`).toBeLessThanOrEqual(
        KLL_RANK_ERROR,
      );
    }
  });

  it('updateMany is update for each value: the same sketch, byte for byte', () => {
    const rand = lcg(23);
    const values = Float64Array.from({ length: 70_001 }, () => normal(rand));
    const one = sketchOf(Array.from(values));
    const bulk = new KllSketch();
    // Uneven batches, as a column's chunks arrive (a chunk may also straddle the internal buffer).
    for (let i = 0, size = 1; i < values.length; i += size, size = ((size * 7 + 3) % 4999) + 1) {
      const part = values.slice(i, i + size);
      bulk.updateMany(part, part.length);
    }
    expect(bulk.toJSON()).toEqual(one.toJSON());
    expect(worstRankError(Array.from(values), bulk)).toBeLessThanOrEqual(KLL_RANK_ERROR);
  });
});

describe('HyperLogLog distinct count', () => {
  it.each([0, 1, 2, 10, 100, 1000, 5000, 20_000, 100_000, 1_000_000])(
    'estimates %i distinct values within its bound',
    (n) => {
      const s = new HllSketch();
      for (let i = 0; i < n; i++) {
        s.addNumber(i * 0.1);
        s.addNumber(i * 0.1); // repeats do not count
      }
      const estimate = s.estimate();
      if (n === 0) expect(estimate).toBe(0);
      else expect(Math.abs(estimate - n) / n).toBeLessThanOrEqual(HLL_RELATIVE_ERROR);
    },
  );

  it('counts strings, and a number as the same value whichever column type held it', () => {
    const s = new HllSketch();
    for (let i = 0; i < 50_000; i++) s.addString(`user-${i}`);
    expect(Math.abs(s.estimate() - 50_000) / 50_000).toBeLessThanOrEqual(HLL_RELATIVE_ERROR);
    const a = new HllSketch();
    a.addNumber(-0);
    a.addNumber(5);
    const b = new HllSketch();
    b.addNumber(0);
    b.addNumber(5.0);
    expect(a.registers).toEqual(b.registers);
    expect(Math.round(a.estimate())).toBe(2);
  });

  it('a single distinct value repeated is one', () => {
    const s = new HllSketch();
    for (let i = 0; i < 100_000; i++) s.addNumber(42);
    expect(Math.round(s.estimate())).toBe(1);
  });

  it('merges exactly: the merge of shard sketches is the whole-data sketch', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true }), { maxLength: 2000 }),
        fc.integer({ min: 1, max: 4 }),
        (values, parts) => {
          const whole = new HllSketch();
          for (const v of values) whole.addNumber(v);
          const merged = new HllSketch();
          const size = Math.max(1, Math.ceil(values.length / parts));
          for (let i = 0; i < values.length; i += size) {
            const shard = new HllSketch();
            for (const v of values.slice(i, i + size)) shard.addNumber(v);
            merged.merge(HllSketch.fromJSON(JSON.parse(JSON.stringify(shard))));
          }
          expect(merged.registers).toEqual(whole.registers);
          const distinct = new Set(values.map((v) => (v === 0 ? 0 : v))).size;
          if (distinct > 0)
            expect(Math.abs(whole.estimate() - distinct) / distinct).toBeLessThanOrEqual(HLL_RELATIVE_ERROR);
        },
      ),
      { seed: 19, numRuns: 80 },
    );
  });

  it('refuses a corrupt state', () => {
    expect(() => HllSketch.fromJSON({ precision: 10, registers: '' })).toThrow(/precision/);
    expect(() => HllSketch.fromJSON({ precision: 12, registers: 'AAAA' })).toThrow(/registers/);
  });
});

describe('KLL from value counts (updateWeighted)', () => {
  it('stays within its documented bound, whole and interleaved with single updates', () => {
    const rand = lcg(23);
    const counts = new Map<number, number>();
    const values: number[] = [];
    for (let i = 0; i < 30_000; i++) {
      const v = Math.round(Math.exp(2 * normal(rand)) * 100) / 100;
      const c = 1 + Math.floor(rand() ** 4 * 500);
      counts.set(v, (counts.get(v) ?? 0) + c);
      for (let j = 0; j < c; j++) values.push(v);
    }
    const s = new KllSketch();
    for (const [v, c] of counts) s.updateWeighted(v, c);
    expect(s.n).toBe(values.length);
    expect(worstRankError(values, s)).toBeLessThanOrEqual(KLL_RANK_ERROR);
    const tail = Array.from({ length: 100_000 }, () => normal(rand));
    for (const v of tail) s.update(v);
    expect(worstRankError(values.concat(tail), s)).toBeLessThanOrEqual(KLL_RANK_ERROR);
    expect(() => s.updateWeighted(1, 1.5)).toThrow(/whole number/);
  });
});
