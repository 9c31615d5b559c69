/** Sorting and tie grouping, once per plan; resamples then read rows in this order. */

/**
 * Row indices sorted by ascending value, ties in index order (stable): an LSD radix sort on the
 * values' IEEE-754 bits, a byte per pass (16 bits from 65,536 values on, where the larger
 * count table pays off); a fraction of the time of a comparison sort of a million scores. -0 sorts with +0 (they are equal scores); NaN, which inputs never carry, sorts last.
 */
export function argsort(values: Float64Array): Int32Array {
  const n = values.length;
  // Order-preserving unsigned keys: flip every bit of negatives, only the sign bit of the rest.
  const canonical = new Float64Array(n);
  for (let i = 0; i < n; i++) canonical[i] = values[i] === 0 ? 0 : values[i];
  const bits = new Uint32Array(canonical.buffer); // little-endian: word 2i is the low half
  let high = new Uint32Array(n);
  let low = new Uint32Array(n);
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const negative = bits[2 * i + 1] >>> 31 === 1;
    high[i] = negative ? ~bits[2 * i + 1] >>> 0 : (bits[2 * i + 1] | 0x80000000) >>> 0;
    low[i] = negative ? ~bits[2 * i] >>> 0 : bits[2 * i];
    order[i] = i;
  }
  let nextHigh = new Uint32Array(n);
  let nextLow = new Uint32Array(n);
  let nextOrder = new Int32Array(n);
  const width = n >= 65536 ? 16 : 8;
  const mask = (1 << width) - 1;
  const counts = new Int32Array(mask + 1);
  const passesPerHalf = 32 / width;
  for (let pass = 0; pass < 2 * passesPerHalf; pass++) {
    const keys = pass < passesPerHalf ? low : high;
    const shift = (pass % passesPerHalf) * width;
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & mask]++;
    // A digit every key shares leaves the order as it is.
    if (n === 0 || counts[(keys[0] >>> shift) & mask] === n) continue;
    let position = 0;
    for (let b = 0; b <= mask; b++) {
      const c = counts[b];
      counts[b] = position;
      position += c;
    }
    for (let i = 0; i < n; i++) {
      const target = counts[(keys[i] >>> shift) & mask]++;
      nextHigh[target] = high[i];
      nextLow[target] = low[i];
      nextOrder[target] = order[i];
    }
    [high, nextHigh] = [nextHigh, high];
    [low, nextLow] = [nextLow, low];
    [order, nextOrder] = [nextOrder, order];
  }
  return order;
}

/** Exclusive end position of each run of equal values in `sorted` (ascending), as tie groups. */
export function tieGroupEnds(sorted: Float64Array): Int32Array {
  const ends: number[] = [];
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) ends.push(i);
  if (sorted.length > 0) ends.push(sorted.length);
  return Int32Array.from(ends);
}
