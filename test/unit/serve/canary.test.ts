import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareOutputs,
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

describe('canary output comparison', () => {
  const criteria = { percent: 10, minRequests: 100, maxErrorRate: 0.02, minAgreement: 0.9 };
  const healthy = arm(100, 0, Array(100).fill(5));
  const stable = arm(900, 0, Array(900).fill(5));

  it('counts classification rows as agreeing when both versions predict the same class', () => {
    expect(
      compareOutputs(
        [
          [0.7, 0.2, 0.1],
          [0.1, 0.3, 0.6],
          [0.4], // a sigmoid unit: class 0
        ],
        [[0.5, 0.4, 0.1], [0.5, 0.3, 0.2], [0.45]],
        'classification',
        0.1,
      ),
    ).toEqual({
      agreed: 2,
      compared: 3,
      example: 'class 2 [0.1, 0.3, 0.6] where the stable version predicts class 0 [0.5, 0.3, 0.2]',
    });
  });

  it('counts other rows as agreeing within the relative error bound, zeros included', () => {
    const result = compareOutputs([[10.9], [0], [11.1], [Number.NaN]], [[10], [0], [10], [1]], 'other', 0.1);
    expect(result.agreed).toBe(2);
    expect(result.compared).toBe(4);
    expect(result.example).toBe('[11.1] where the stable version answers [10]');
  });

  it('waits for enough compared rows, then promotes or rolls back on the agreement rate', () => {
    const some = { compared: 50, agreed: 50, skipped: 0 };
    expect(decideCanary(healthy, stable, criteria, 10, some)).toEqual({ action: 'continue' });
    const enough = { compared: 200, agreed: 181, skipped: 0 };
    expect(decideCanary(healthy, stable, criteria, 10, enough)).toMatchObject({ action: 'promote' });
    const low = { compared: 200, agreed: 179, skipped: 0 };
    expect(decideCanary(healthy, stable, criteria, 10, low)).toMatchObject({
      action: 'rollback',
      reason: expect.stringMatching(
        /^the candidate agreed with the stable version on 179 of 200 mirrored rows \(0\.8950 < 0\.9\)/,
      ),
    });
  });

  it('rolls back as soon as the disagreements exceed what minAgreement allows over minRequests rows', () => {
    // 10% of 100 rows may disagree: the 11th disagreement rolls back at once.
    const early = arm(3, 0, [5, 5, 5]);
    expect(decideCanary(early, stable, criteria, 10, { compared: 10, agreed: 0, skipped: 0 })).toEqual({
      action: 'continue',
    });
    expect(decideCanary(early, stable, criteria, 10, { compared: 11, agreed: 0, skipped: 0 }).action).toBe(
      'rollback',
    );
  });

  it('does not compare with minAgreement 0, and says so when mirrors fall short in time', () => {
    const none = { compared: 0, agreed: 0, skipped: 0 };
    expect(decideCanary(healthy, stable, { ...criteria, minAgreement: 0 }, 10, none).action).toBe('promote');
    expect(
      decideCanary(healthy, stable, { ...criteria, maxDurationMs: 1000 }, 1001, {
        compared: 20,
        agreed: 20,
        skipped: 7,
      }),
    ).toEqual({
      action: 'rollback',
      reason:
        'only 20 of 100 rows were compared with the stable version within 1000 ms (7 mirrored requests skipped)',
    });
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
      minAgreement: 0.9,
      maxRelativeError: 0.1,
    });
    expect(validateCanaryCriteria({ percent: 5, minAgreement: 1.5 }).problems).toEqual([
      "'minAgreement' must be a number in [0, 1], got 1.5",
    ]);
    expect(validateCanaryCriteria(null).problems).toEqual(['canary criteria must be an object']);
  });
});

describe('canary output comparison: rows that cannot agree', () => {
  it('a class row with a non-finite output on either side disagrees, whichever class its finite values point to', () => {
    // argmax would read [NaN, 0.5] as class 0, as [0.9, 0.1] is: the row must still disagree.
    expect(compareOutputs([[0.9, 0.1]], [[Number.NaN, 0.5]], 'classification', 0.1).agreed).toBe(0);
    expect(compareOutputs([[Number.NaN, 0.5]], [[0.9, 0.1]], 'classification', 0.1).agreed).toBe(0);
    expect(compareOutputs([[Number.POSITIVE_INFINITY]], [[0.9]], 'classification', 0.1).agreed).toBe(0);
  });

  it('one sigmoid unit names class 1 for p >= 0.5 in the disagreement it reports', () => {
    expect(compareOutputs([[0.4]], [[0.5]], 'classification', 0.1).example).toBe(
      'class 0 [0.4] where the stable version predicts class 1 [0.5]',
    );
  });

  it('a timeout says which count fell short: canary requests, or compared rows', () => {
    const criteria = { percent: 10, minRequests: 100, maxErrorRate: 0.02, maxDurationMs: 1000 };
    expect(decideCanary(arm(3, 0, [1, 1, 1]), arm(30, 0, []), criteria, 1001)).toEqual({
      action: 'rollback',
      reason: 'only 3 of 100 canary requests arrived within 1000 ms',
    });
  });

  it('rows of different widths disagree, even where the shorter is a prefix or both point to the same class', () => {
    expect(compareOutputs([[0.2, 0.8]], [[0.1, 0.7, 0.2]], 'classification', 0.1)).toEqual({
      agreed: 0,
      compared: 1,
      example: '[0.2, 0.8] where the stable version answers [0.1, 0.7, 0.2]',
    });
    expect(compareOutputs([[1]], [[1, 2]], 'other', 0.1)).toEqual({
      agreed: 0,
      compared: 1,
      example: '[1] where the stable version answers [1, 2]',
    });
  });

  it('the promotion says the agreement it was judged on, and nothing of it when the comparison is off', () => {
    const healthy = arm(100, 1, Array(100).fill(5));
    const stable = arm(900, 0, Array(900).fill(5));
    const criteria = { percent: 10, minRequests: 100, maxErrorRate: 0.02, minAgreement: 0.9 };
    expect(decideCanary(healthy, stable, criteria, 10, { compared: 200, agreed: 190, skipped: 0 })).toEqual({
      action: 'promote',
      reason: '100 canary requests, error rate 0.0100, p99 5.0 ms, agreement 0.9500 on 200 mirrored rows',
    });
    expect(decideCanary(healthy, stable, { ...criteria, minAgreement: 0 }, 10)).toEqual({
      action: 'promote',
      reason: '100 canary requests, error rate 0.0100, p99 5.0 ms',
    });
  });

  it('a rollback on agreement names the relative error bound when one is set, and the first disagreeing row', () => {
    const healthy = arm(100, 0, Array(100).fill(5));
    const stable = arm(900, 0, Array(900).fill(5));
    const criteria = {
      percent: 10,
      minRequests: 100,
      maxErrorRate: 0.02,
      minAgreement: 0.9,
      maxRelativeError: 0.1,
    };
    expect(
      decideCanary(healthy, stable, criteria, 10, {
        compared: 200,
        agreed: 100,
        skipped: 0,
        example: '[2] where the stable version answers [1]',
      }),
    ).toEqual({
      action: 'rollback',
      reason:
        'the candidate agreed with the stable version on 100 of 200 mirrored rows (0.5000 < 0.9; relative error bound 0.1), e.g. [2] where the stable version answers [1]',
    });
  });
});
