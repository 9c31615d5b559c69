import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { argsort, tieGroupEnds, Xoshiro128 } from '../../../shared/src/metrics/index.js';

/** The definition: ascending, ties (−0 and +0 included) in index order. */
function comparisonArgsort(values: Float64Array): number[] {
  return Array.from(values.keys()).sort((a, b) => values[a] - values[b] || a - b);
}

describe('argsort', () => {
  it('orders like a stable comparison sort, signed zeros, infinities and subnormals included', () => {
    const special = [0, -0, 5e-324, -5e-324, 1e-310, Infinity, -Infinity, 1, -1, 0.5, 0.5, -2.5e300];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...special), fc.double({ noNaN: true })), { maxLength: 300 }),
        (values) => {
          const v = Float64Array.from(values);
          expect(Array.from(argsort(v))).toEqual(comparisonArgsort(v));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('orders large inputs (16-bit digits) with many ties like a comparison sort', () => {
    const random = new Xoshiro128(3);
    const v = Float64Array.from(
      { length: 70_000 },
      () => Math.round((random.nextFloat() - 0.2) * 1000) / 1000,
    );
    const order = argsort(v);
    expect(Array.from(order)).toEqual(comparisonArgsort(v));
    const sorted = Float64Array.from(order, (i) => v[i]);
    const ends = tieGroupEnds(sorted);
    expect(ends.length).toBe(new Set(v).size);
    expect(ends.at(-1)).toBe(v.length);
  });
});
