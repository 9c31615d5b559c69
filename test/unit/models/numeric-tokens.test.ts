/**
 * A missing-value token that reads as a number ('-999', a common sentinel) is missing whether the
 * value arrives as text or as a number. DuckDB reads a numeric column's -999 as a number, and a
 * JSON request may send it as one: before, train filled '-999' text but kept -999 numbers as
 * values (the trial's column z: mean -54.1 instead of -0.0014), and the server answered a number
 * -999 as a real input while the string '-999' was filled (trial3).
 */
import { describe, expect, it } from 'vitest';
import {
  applyPreprocessing,
  contractInputs,
  FeatureCounts,
  fitPreprocessing,
} from '../../../shared/src/models/preprocessing.js';

const TOKENS = ['', 'missing', '-999'];

describe("a numeric missing-value token ('-999')", () => {
  const z = [1.5, -999, 2.5, '-999', 3.5, -999.0, '-999.0', null, BigInt(-999)];
  const spec = fitPreprocessing({ z, y: z.map(() => 1) }, z.length, {
    features: [{ name: 'z', kind: 'numeric' }],
    target: 'y',
    task: 'regression',
    missing: TOKENS,
  });

  it('is missing in training, as a number, as text, however written: the fill and scale come from the rest', () => {
    const feature = spec.features[0]!;
    expect(feature).toMatchObject({ kind: 'numeric', mean: 2.5, fill: 2.5 });
    // Population std of 1.5, 2.5, 3.5.
    expect((feature as { std: number }).std).toBeCloseTo(Math.sqrt(2 / 3), 12);
  });

  it('is missing at transform (evaluate and the server): filled and counted, never used as -999', () => {
    const counts = new FeatureCounts();
    const out = applyPreprocessing(spec, { z }, z.length, { onInvalid: 'error', counts });
    expect(Array.from(out).filter((_, r) => typeof z[r] !== 'number' || z[r] === -999)).toEqual(
      Array(6).fill(0),
    );
    expect(counts.toJSON().missing).toEqual({ z: 6 });
  });

  it('is logged as missing (null) in the request log, as text or as a number', () => {
    expect(contractInputs(spec, { z: -999 }).z).toBeNull();
    expect(contractInputs(spec, { z: '-999' }).z).toBeNull();
    expect(contractInputs(spec, { z: -998 }).z).toBe(-998);
  });

  it('other numbers are values, and without the token -999 is a value too', () => {
    const plain = fitPreprocessing({ z: [1, -999, 3], y: [1, 1, 1] }, 3, {
      features: [{ name: 'z', kind: 'numeric' }],
      target: 'y',
      task: 'regression',
      missing: [''],
    });
    expect((plain.features[0] as { mean: number }).mean).toBeCloseTo((1 - 999 + 3) / 3, 9);
  });
});
