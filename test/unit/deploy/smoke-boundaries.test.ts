/**
 * The smoke test's numeric match at its boundary (README deploy `smoke-test`, numpy.isclose):
 * a prediction matches when |got - want| <= atol + rtol * |want|; a case passes when its reply
 * took <= max_latency_ms.
 */
import { describe, expect, it } from 'vitest';
import { firstMismatch, withinLatencyBound } from '../../../shared/src/deploy/smoke-test.js';
import { nextDown, nextUp } from '../../harness/floats.js';

describe('smoke-test tolerance: |got - want| <= atol + rtol * |want| matches', () => {
  it('atol 0.25: 1.25 against 1 matches, one double further does not; on both sides', () => {
    expect(firstMismatch([1.25], [1], 0.25, 0)).toBeUndefined();
    expect(firstMismatch([nextUp(1.25)], [1], 0.25, 0)).toBe(`[0]: got ${nextUp(1.25)}, expected 1`);
    expect(firstMismatch([0.75], [1], 0.25, 0)).toBeUndefined();
    expect(firstMismatch([nextDown(0.75)], [1], 0.25, 0)).toBeDefined();
  });
  it('rtol 0.125 scales with |want|: 4.5 against 4 matches, one double further does not; -4.5 against -4 too', () => {
    expect(firstMismatch([4.5], [4], 0, 0.125)).toBeUndefined();
    expect(firstMismatch([nextUp(4.5)], [4], 0, 0.125)).toBeDefined();
    expect(firstMismatch([-4.5], [-4], 0, 0.125)).toBeUndefined();
    expect(firstMismatch([nextDown(-4.5)], [-4], 0, 0.125)).toBeDefined();
  });
  it('atol and rtol add: 2.75 against 2 with atol 0.25 and rtol 0.25', () => {
    expect(firstMismatch([2.75], [2], 0.25, 0.25)).toBeUndefined();
    expect(firstMismatch([nextUp(2.75)], [2], 0.25, 0.25)).toBeDefined();
  });
});

describe('smoke-test latency: a reply that took <= max_latency_ms passes', () => {
  it('at exactly the bound it passes, one double over it fails', () => {
    expect(withinLatencyBound(1000, 1000)).toBe(true);
    expect(withinLatencyBound(nextDown(1000), 1000)).toBe(true);
    expect(withinLatencyBound(nextUp(1000), 1000)).toBe(false);
  });
});
