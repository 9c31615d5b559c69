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
}
