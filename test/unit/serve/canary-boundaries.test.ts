/**
 * The canary's thresholds at their boundaries (README deploy inputs): judged once requests >=
 * canary-min-requests; promotes while error rate <= canary-max-error-rate and p99 <=
 * canary-max-p99-ms (and p99 / stable p99 <= maxP99Ratio); rolls back once elapsed >
 * canary-timeout without enough requests.
 */
import { describe, expect, it } from 'vitest';
import {
  decideCanary,
  percentile,
  TrafficSplitter,
  validateCanaryCriteria,
} from '../../../shared/src/serve/canary.js';
import { nextDown, nextUp } from '../../harness/floats.js';

const arm = (requests: number, errors: number, latency: number) => ({
  requests,
  errors,
  latenciesMs: Array(requests).fill(latency) as number[],
});
const stable = arm(1000, 0, 8);
const base = { percent: 10, minRequests: 100, maxErrorRate: 0.25 };

describe('canary thresholds', () => {
  it('judged when requests >= minRequests: 99 continues, 100 is judged', () => {
    expect(decideCanary(arm(99, 0, 5), stable, base, 0).action).toBe('continue');
    expect(decideCanary(arm(100, 0, 5), stable, base, 0).action).toBe('promote');
  });

  it('error rate <= maxErrorRate promotes: 25 of 100 at 0.25 promotes, one double below rolls back', () => {
    expect(decideCanary(arm(100, 25, 5), stable, base, 0).action).toBe('promote');
    expect(decideCanary(arm(100, 25, 5), stable, { ...base, maxErrorRate: nextDown(0.25) }, 0).action).toBe(
      'rollback',
    );
    expect(decideCanary(arm(100, 26, 5), stable, base, 0).action).toBe('rollback');
  });

  it('error rate <= maxErrorRate over a sample larger than minRequests: 50 of 200 at 0.25 promotes', () => {
    // errors above maxErrorRate * minRequests roll back early; here the sample is 200 and the
    // budget 0.25 * 200 is not spent.
    const c = { ...base, minRequests: 200 };
    expect(decideCanary(arm(200, 50, 5), stable, c, 0).action).toBe('promote');
    expect(decideCanary(arm(200, 51, 5), stable, c, 0).action).toBe('rollback');
  });

  it('p99 <= maxP99Ms promotes: p99 of 12.5 ms at a 12.5 ms limit promotes, one double below rolls back', () => {
    expect(decideCanary(arm(100, 0, 12.5), stable, { ...base, maxP99Ms: 12.5 }, 0).action).toBe('promote');
    expect(decideCanary(arm(100, 0, 12.5), stable, { ...base, maxP99Ms: nextDown(12.5) }, 0).action).toBe(
      'rollback',
    );
    expect(decideCanary(arm(100, 0, nextUp(12.5)), stable, { ...base, maxP99Ms: 12.5 }, 0).action).toBe(
      'rollback',
    );
  });

  it('p99 / stable p99 <= maxP99Ratio promotes: 16 ms against 8 ms at ratio 2 promotes, just above 2x rolls back', () => {
    expect(decideCanary(arm(100, 0, 16), stable, { ...base, maxP99Ratio: 2 }, 0).action).toBe('promote');
    expect(decideCanary(arm(100, 0, nextUp(16)), stable, { ...base, maxP99Ratio: 2 }, 0).action).toBe(
      'rollback',
    );
  });

  it('times out when elapsed > maxDurationMs: at the limit it keeps waiting, 1 ms later it rolls back', () => {
    const c = { ...base, maxDurationMs: 60_000 };
    expect(decideCanary(arm(10, 0, 5), stable, c, 60_000).action).toBe('continue');
    expect(decideCanary(arm(10, 0, 5), stable, c, 60_001).action).toBe('rollback');
  });

  it('p99 is the nearest rank ceil(0.99 n): of 100 values the 99th, of 101 the 100th (ceil 99.99)', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([...values, 101], 0.99)).toBe(100);
  });

  it('a 25 percent split sends exactly 1 of every 4 requests to the candidate', () => {
    const split = new TrafficSplitter(25);
    const sent = Array.from({ length: 400 }, () => split.toCandidate()).filter(Boolean).length;
    expect(sent).toBe(100);
  });

  it('criteria ranges are inclusive: percent in [0.001, 99.999], maxErrorRate in [0, 1]', () => {
    expect(validateCanaryCriteria({ percent: 0.001 }).problems).toEqual([]);
    expect(validateCanaryCriteria({ percent: 99.999 }).problems).toEqual([]);
    expect(validateCanaryCriteria({ percent: nextDown(0.001) }).problems).toHaveLength(1);
    expect(validateCanaryCriteria({ percent: nextUp(99.999) }).problems).toHaveLength(1);
    expect(validateCanaryCriteria({ percent: 5, maxErrorRate: 1 }).problems).toEqual([]);
    expect(validateCanaryCriteria({ percent: 5, maxErrorRate: 0 }).problems).toEqual([]);
    expect(validateCanaryCriteria({ percent: 5, maxErrorRate: nextUp(1) }).problems).toHaveLength(1);
  });
});
