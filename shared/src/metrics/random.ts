/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32: fast in 32-bit JS integer
 * arithmetic, and the same seed gives the same stream on every platform, so bootstrap intervals
 * are reproducible from the `seed` input alone.
 */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Adds one to `counts[i]` for each of `draws` indices drawn uniformly from [0, counts.length):
   * the multiplicities of one bootstrap resample. Up to 2^21 rows a 32-bit draw times n stays an
   * exact double (Lemire's multiply-shift, bias < n / 2^32); beyond that 53-bit floats are used.
   */
  fillResampleCounts(counts: Int32Array, draws = counts.length): void {
    const n = counts.length;
    counts.fill(0);
    if (n <= 2097152) {
      for (let i = 0; i < draws; i++) counts[Math.floor((this.nextUint32() * n) / 4294967296)]++;
    } else {
      for (let i = 0; i < draws; i++) counts[Math.floor(this.nextFloat() * n)]++;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
