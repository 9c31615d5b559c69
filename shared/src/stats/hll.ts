/**
 * HyperLogLog distinct-count sketch (Flajolet et al. 2007) with 2^12 registers over a 64-bit hash,
 * read with Ertl's improved estimator ("New cardinality estimation algorithms for HyperLogLog
 * sketches", 2017, algorithm 6), which needs no bias tables and is unbiased from one value up.
 *
 * Error: relative standard error 1.04/√m = 1.63 % for m = 4096 registers; an estimate lies
 * within `HLL_RELATIVE_ERROR` (3 standard errors, 4.9 %) of the true count with 99.7 %
 * confidence. Tested in test/unit/stats/hll.test.ts.
 *
 * Mergeable: the sketch of a union is the register-wise maximum, so merging is exact (the merged
 * sketch is the one the whole data would have given). Values are hashed by what they are, not how
 * they are stored: a number hashes the same whether it came from an integer or a float column,
 * and -0 as 0.
 */

export const HLL_PRECISION = 12;
const M = 1 << HLL_PRECISION;
/** Bits of the hash after the register index. */
const Q = 64 - HLL_PRECISION;
export const HLL_RELATIVE_ERROR = (3 * 1.04) / Math.sqrt(M);

export interface HllState {
  precision: number;
  /** The registers, one byte each, base64. */
  registers: string;
}

const floatView = new Float64Array(1);
const wordView = new Uint32Array(floatView.buffer);

export class HllSketch {
  readonly registers = new Uint8Array(M);

  addNumber(x: number): void {
    floatView[0] = x === 0 ? 0 : x;
    this.addHash(wordView[0]!, wordView[1]!);
  }

  addString(s: string): void {
    let a = 0x811c9dc5;
    let b = 0x2545f491;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    // Strings and numbers must not collide systematically: a tag separates them.
    this.addHash(a ^ s.length, b ^ 0x7f4a7c15);
  }

  /** Registers the 64-bit hash of a value given as two 32-bit words (mixed here). */
  private addHash(lo: number, hi: number): void {
    const h1 = fmix32(lo ^ fmix32(hi ^ 0x3c6ef372));
    const h2 = fmix32(hi ^ fmix32(lo ^ 0xa54ff53a) ^ h1);
    const index = h1 >>> (32 - HLL_PRECISION);
    // The remaining Q = 52 bits: the low 20 of h1, then the 32 of h2.
    const rest = h1 & ((1 << (32 - HLL_PRECISION)) - 1);
    let rho: number;
    if (rest !== 0) rho = Math.clz32(rest) - HLL_PRECISION + 1;
    else if (h2 !== 0) rho = 32 - HLL_PRECISION + Math.clz32(h2) + 1;
    else rho = Q + 1;
    if (rho > this.registers[index]!) this.registers[index] = rho;
  }

  merge(other: HllSketch): void {
    const r = this.registers;
    const o = other.registers;
    for (let i = 0; i < M; i++) if (o[i]! > r[i]!) r[i] = o[i]!;
  }

  /** Estimated number of distinct values added. */
  estimate(): number {
    const c = new Array<number>(Q + 2).fill(0);
    for (let i = 0; i < M; i++) c[this.registers[i]!]!++;
    if (c[0] === M) return 0;
    let z = M * tau(1 - c[Q + 1]! / M);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + c[k]!);
    z += M * sigma(c[0]! / M);
    return (M * M) / (2 * Math.LN2) / z;
  }

  toJSON(): HllState {
    return { precision: HLL_PRECISION, registers: Buffer.from(this.registers).toString('base64') };
  }

  static fromJSON(state: HllState): HllSketch {
    if (state.precision !== HLL_PRECISION)
      throw new RangeError(`HyperLogLog precision ${state.precision} is not the supported ${HLL_PRECISION}`);
    const bytes = Buffer.from(state.registers, 'base64');
    if (bytes.length !== M)
      throw new RangeError(`HyperLogLog state has ${bytes.length} registers, expected ${M}`);
    const s = new HllSketch();
    for (let i = 0; i < M; i++) {
      if (bytes[i]! > Q + 1) throw new RangeError(`HyperLogLog register ${i} is out of range`);
      s.registers[i] = bytes[i]!;
    }
    return s;
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}
