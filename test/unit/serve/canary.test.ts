import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideCanary,
  percentile,
  TrafficSplitter,
  validateCanaryCriteria,
} from '../../../shared/src/serve/canary.js';

const arm = (requests: number, errors: number, latency: number[]) => ({
  requests,
  errors,
  latenciesMs: latency,
});

describe('canary decisions', () => {
  const criteria = { percent: 10, minRequests: 100, maxErrorRate: 0.02, maxP99Ms: 50, maxP99Ratio: 2 };

  it('waits for enough requests, then promotes a healthy candidate', () => {
    expect(
      decideCanary(arm(99, 0, Array(99).fill(5)), arm(900, 0, Array(900).fill(5)), criteria, 10),
    ).toEqual({ action: 'continue' });
    expect(
      decideCanary(arm(100, 2, Array(100).fill(5)), arm(900, 0, Array(900).fill(5)), criteria, 10).action,
    ).toBe('promote');
  });

  it('rolls back on errors as soon as the budget is spent, before the sample is complete', () => {
    const decision = decideCanary(arm(10, 3, Array(10).fill(5)), arm(90, 0, []), criteria, 10);
    expect(decision).toEqual({
      action: 'rollback',
      reason: '3 server errors in 10 canary requests exceed an error rate of 0.02',
    });
  });

  it('rolls back on absolute and relative p99 latency', () => {
    // Nearest-rank p99 of 100 samples is the 99th smallest: one outlier does not move it, two do.
    const slow = Array(100).fill(5);
    slow[99] = 80;
    expect(decideCanary(arm(100, 0, slow), arm(900, 0, Array(900).fill(5)), criteria, 10).action).toBe(
      'promote',
    );
    slow[98] = 80;
    expect(decideCanary(arm(100, 0, slow), arm(900, 0, Array(900).fill(5)), criteria, 10)).toMatchObject({
      action: 'rollback',
      reason: 'p99 latency 80.0 ms > 50 ms',
    });
    const relative = decideCanary(
      arm(100, 0, Array(100).fill(30)),
      arm(900, 0, Array(900).fill(10)),
      criteria,
      10,
    );
    expect(relative).toMatchObject({ action: 'rollback' });
    expect(relative.action === 'rollback' && relative.reason).toMatch(
      /3\.00x the stable version's 10\.0 ms \(limit 2x\)/,
    );
  });

  it('rolls back a canary that gets too little traffic in time', () => {
    expect(
      decideCanary(arm(3, 0, [1, 1, 1]), arm(30, 0, []), { ...criteria, maxDurationMs: 1000 }, 1001),
    ).toMatchObject({ action: 'rollback' });
  });

  it('nearest-rank percentile', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.99,
      ),
    ).toBe(99);
    expect(percentile([], 0.99)).toBeNaN();
  });
});

describe('traffic splitting', () => {
  it('sends exactly the asked share over every window of 100 requests', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), (percent) => {
        const splitter = new TrafficSplitter(percent);
        const picks = Array.from({ length: 300 }, () => splitter.toCandidate());
        expect(picks.filter(Boolean)).toHaveLength(3 * percent);
      }),
    );
  });

  it('validates criteria with messages naming the field', () => {
    expect(validateCanaryCriteria({ percent: 150 }).problems).toEqual([
      "'percent' must be a number in [0.001, 99.999], got 150",
    ]);
    expect(validateCanaryCriteria({ percent: 5 }).criteria).toEqual({
      percent: 5,
      minRequests: 100,
      maxErrorRate: 0.01,
    });
    expect(validateCanaryCriteria(null).problems).toEqual(['canary criteria must be an object']);
  });
});
