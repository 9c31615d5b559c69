import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

export interface SampleSpec {
  values?: number[];
  seed?: number;
  n?: number;
  modulus?: number;
  divisor?: number;
  offset?: number;
}

/** The MINSTD generator that test/golden/stats_golden.py uses for large samples. */
export function sampleFrom(spec: SampleSpec): Float64Array {
  if (spec.values) return Float64Array.from(spec.values);
  const out = new Float64Array(spec.n!);
  let state = spec.seed!;
  for (let i = 0; i < spec.n!; i++) {
    state = (state * 48271) % 2147483647;
    out[i] = (state % spec.modulus!) / spec.divisor! + spec.offset!;
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: fixture JSON is checked field by field in the tests
export const golden: any = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'golden', 'stats.json'), 'utf8'),
);

/** |actual - expected| <= rel·|expected| (+ a floor for values that are exactly 0 in scipy). */
export function expectClose(actual: number, expected: number, rel = 1e-9, abs = 1e-300, label = ''): void {
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNaN();
    return;
  }
  const tolerance = Math.max(rel * Math.abs(expected), abs);
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(
      `${label}: expected ${expected}, got ${actual} (rel err ${Math.abs(actual - expected) / Math.abs(expected)})`,
    );
  }
}
