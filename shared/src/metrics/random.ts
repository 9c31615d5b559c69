import { xoshiroFillCounts, xoshiroNext, xoshiroSeed } from './resample-kernel.js';

/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32: fast in 32-bit JS integer
 * arithmetic, and the same seed gives the same stream on every platform, so bootstrap intervals
 * are reproducible from the `seed` input alone. `stream` picks one of 2^32 independent streams
 * per seed (bootstrap replicate r uses stream r + 1).
 */
export class Xoshiro128 {
  private readonly state: Int32Array;

  constructor(seed: number, stream = 0) {
    this.state = xoshiroSeed(seed, stream);
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    return xoshiroNext(this.state);
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Sets `counts` to the multiplicities of `draws` uniform draws of an index: one bootstrap resample. */
  fillResampleCounts(counts: Int32Array, draws = counts.length): void {
    xoshiroFillCounts(this.state, counts, draws);
  }

  /**
   * Shuffles the rows of `values` (`width` values each, row-major) in place: Fisher–Yates from
   * the last row down, swapping row i with row j = ⌊nextFloat() × (i + 1)⌋. Exactly the draws and
   * swaps of that loop written with `nextFloat`, with the state kept in locals, since a shuffle of
   * every row draws twice per row and a state kept in memory costs a load and a store per word per
   * draw. The same draws put 0..n-1 into a shuffled order, or a block's rows into that order
   * (row i = original row order[i]) without a second pass reading rows in random order.
   */
  shuffle(values: Int32Array | Float32Array | Float64Array, width = 1): void {
    const state = this.state;
    let a = state[0];
    let b = state[1];
    let c = state[2];
    let d = state[3];
    for (let i = values.length / width - 1; i > 0; i--) {
      let x = Math.imul(b, 5);
      const hi = Math.imul((x << 7) | (x >>> 25), 9) >>> 5;
      let t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      x = Math.imul(b, 5);
      const lo = Math.imul((x << 7) | (x >>> 25), 9) >>> 6;
      t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      // nextFloat's value times (i + 1): an integer below 2^53 times 2^-53 is exact, as the division is.
      const j = Math.floor((hi * 67108864 + lo) * 1.1102230246251565e-16 * (i + 1));
      if (width === 1) {
        const v = values[i];
        values[i] = values[j];
        values[j] = v;
      } else {
        for (let s = 0, p = i * width, q = j * width; s < width; s++, p++, q++) {
          const v = values[p];
          values[p] = values[q];
          values[q] = v;
        }
      }
    }
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
  }
}
