/** Sorting and tie grouping, once per plan; resamples then read rows in this order. */

/** Row indices sorted by ascending value (stable). */
export function argsort(values: Float64Array): Int32Array {
  const order = new Int32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // A typed-array sort with a comparator is stable in V8 since 7.0.
  order.sort((a, b) => values[a] - values[b] || a - b);
  return order;
}

/** Exclusive end position of each run of equal values in `sorted` (ascending), as tie groups. */
export function tieGroupEnds(sorted: Float64Array): Int32Array {
  const ends: number[] = [];
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) ends.push(i);
  if (sorted.length > 0) ends.push(sorted.length);
  return Int32Array.from(ends);
}
