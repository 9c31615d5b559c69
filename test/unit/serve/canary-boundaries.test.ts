/**
 * The canary's thresholds at their boundaries (README deploy inputs): judged once requests >=
 * canary-min-requests; promotes while error rate <= canary-max-error-rate and p99 <=
 * canary-max-p99-ms (and p99 / stable p99 <= maxP99Ratio); rolls back once elapsed >
 * canary-timeout without enough requests. The output comparison: a row agrees when
 * |candidate - stable| <= maxRelativeError * |stable| + 1e-6 (a class row when both predict the
 * same class, one sigmoid unit meaning class 1 when p >= 0.5); the canary promotes while agreed /
 * compared >= minAgreement, and rolls back early once errors > maxErrorRate * minRequests or the
 * disagreements leave (sample - disagreed) / sample < minAgreement.
 */
import { describe, expect, it } from 'vitest';
import {
  compareOutputs,
  decideCanary,
  emptyAgreement,
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

  it('criteria ranges are inclusive at both ends: minRequests >= 1, minAgreement and maxErrorRate in [0, 1], the bounds >= 0', () => {
    const ok = (extra: Record<string, unknown>) => validateCanaryCriteria({ percent: 5, ...extra }).problems;
    for (const [key, low, high] of [
      ['minRequests', 1, 1e9],
      ['maxErrorRate', 0, 1],
      ['maxP99Ms', 0, 1e9],
      ['maxP99Ratio', 0, 1e9],
      ['maxDurationMs', 0, 1e12],
      ['minAgreement', 0, 1],
      ['maxRelativeError', 0, 1e9],
    ] as const) {
      expect(ok({ [key]: low }), `${key} = ${low}`).toEqual([]);
      expect(ok({ [key]: high }), `${key} = ${high}`).toEqual([]);
      expect(ok({ [key]: nextDown(low) }), `${key} below ${low}`).toEqual([
        `'${key}' must be a number in [${low}, ${high}], got ${nextDown(low)}`,
      ]);
      expect(ok({ [key]: nextUp(high) }), `${key} above ${high}`).toHaveLength(1);
      expect(ok({ [key]: String(low) }), `${key} as text`).toHaveLength(1);
    }
    expect(ok({ maxP99Ms: Number.POSITIVE_INFINITY })).toHaveLength(1);
    expect(validateCanaryCriteria({}).problems).toEqual(["'percent' is required"]);
    expect(validateCanaryCriteria('5').problems).toEqual(['canary criteria must be an object']);
    // Every field given: all kept, minRequests rounded up to a whole request.
    expect(
      validateCanaryCriteria({
        percent: 5,
        minRequests: 2.5,
        maxErrorRate: 0.5,
        maxP99Ms: 0,
        maxP99Ratio: 3,
        maxDurationMs: 10,
        minAgreement: 0,
        maxRelativeError: 0,
      }),
    ).toEqual({
      criteria: {
        percent: 5,
        minRequests: 3,
        maxErrorRate: 0.5,
        maxP99Ms: 0,
        maxP99Ratio: 3,
        maxDurationMs: 10,
        minAgreement: 0,
        maxRelativeError: 0,
      },
      problems: [],
    });
    // Two problems are both reported.
    expect(validateCanaryCriteria({ percent: 0, minAgreement: 2 }).problems).toHaveLength(2);
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

describe('canary output comparison and agreement', () => {
  const agreeing = (c: number[], s: number[], rel = 0.25) =>
    compareOutputs([c], [s], 'other', rel).agreed === 1;
  const sameClass = (c: number[], s: number[]) => compareOutputs([c], [s], 'classification', 0).agreed === 1;
  const agreement = (compared: number, agreed: number) => ({ ...emptyAgreement(), compared, agreed });
  const judged = { ...base, minAgreement: 0.9 };

  it('a row agrees when |candidate - stable| <= maxRelativeError * |stable| + 1e-6: at the bound it agrees, one double beyond it does not', () => {
    expect(agreeing([1e-6], [0])).toBe(true);
    expect(agreeing([nextUp(1e-6)], [0])).toBe(false);
    expect(agreeing([-1e-6], [0])).toBe(true);
    expect(agreeing([5], [4])).toBe(true);
    expect(agreeing([3], [4])).toBe(true);
    expect(agreeing([5.000002], [4])).toBe(false);
    expect(agreeing([-5], [-4])).toBe(true);
    expect(agreeing([-5.000002], [-4])).toBe(false);
    // Every output of the row must agree, and rows of another width or with a non-finite value never do.
    expect(agreeing([4, 5.000002], [4, 4])).toBe(false);
    expect(agreeing([4], [4, 4])).toBe(false);
    expect(agreeing([Number.NaN], [Number.NaN])).toBe(false);
    expect(agreeing([4], [Number.POSITIVE_INFINITY])).toBe(false);
  });

  it('one sigmoid unit is class 1 when p >= 0.5: 0.5 and 0.75 agree, 0.5 and one double below it do not', () => {
    expect(sameClass([0.5], [0.75])).toBe(true);
    expect(sameClass([0.5], [nextDown(0.5)])).toBe(false);
    // Several units: the first largest wins a tie, as argmax does.
    expect(sameClass([0.5, 0.5], [0.6, 0.4])).toBe(true);
    expect(sameClass([0.5, 0.5], [0.4, 0.6])).toBe(false);
    expect(sameClass([0.1, 0.2, 0.7], [0.3, 0.3, 0.4])).toBe(true);
  });

  it('every row of the longer side counts as compared; the rows only one side has disagree', () => {
    expect(compareOutputs([[1], [2]], [[1]], 'other', 0)).toEqual({ agreed: 1, compared: 2 });
  });

  it('promotes while agreed / compared >= minAgreement: 90 of 100 at 0.9 promotes, 89 of 100 rolls back', () => {
    expect(decideCanary(arm(100, 0, 5), stable, judged, 0, agreement(100, 90)).action).toBe('promote');
    expect(decideCanary(arm(100, 0, 5), stable, judged, 0, agreement(100, 89)).action).toBe('rollback');
    expect(decideCanary(arm(100, 0, 5), stable, judged, 0, agreement(200, 180)).action).toBe('promote');
    expect(decideCanary(arm(100, 0, 5), stable, judged, 0, agreement(200, 179)).action).toBe('rollback');
    expect(
      decideCanary(arm(100, 0, 5), stable, { ...judged, minAgreement: nextUp(0.9) }, 0, agreement(100, 90))
        .action,
    ).toBe('rollback');
  });

  it('waits until compared >= minRequests: 99 compared rows continue, 100 are judged', () => {
    expect(decideCanary(arm(100, 0, 5), stable, judged, 0, agreement(99, 99)).action).toBe('continue');
    expect(decideCanary(arm(100, 0, 5), stable, judged, 0, agreement(100, 100)).action).toBe('promote');
    // minAgreement 0 turns the comparison off: nothing compared, still judged.
    expect(
      decideCanary(arm(100, 0, 5), stable, { ...judged, minAgreement: 0 }, 0, agreement(0, 0)).action,
    ).toBe('promote');
  });

  it('rolls back early once (sample - disagreed) / sample < minAgreement: 10 disagreements of a 100-row sample wait, 11 roll back', () => {
    expect(decideCanary(arm(20, 0, 5), stable, judged, 0, agreement(20, 10)).action).toBe('continue');
    expect(decideCanary(arm(20, 0, 5), stable, judged, 0, agreement(21, 10)).action).toBe('rollback');
  });

  it('rolls back early once errors > maxErrorRate * minRequests: 25 errors in 30 requests wait, 26 roll back', () => {
    expect(decideCanary(arm(30, 25, 5), stable, base, 0).action).toBe('continue');
    expect(decideCanary(arm(30, 26, 5), stable, base, 0).action).toBe('rollback');
  });

  it('while compared rows fall short, times out when elapsed > maxDurationMs and says so', () => {
    const c = { ...judged, maxDurationMs: 1000 };
    expect(decideCanary(arm(100, 0, 5), stable, c, 1000, agreement(50, 50)).action).toBe('continue');
    const late = decideCanary(arm(100, 0, 5), stable, c, 1001, { ...agreement(50, 50), skipped: 7 });
    expect(late).toEqual({
      action: 'rollback',
      reason:
        'only 50 of 100 rows were compared with the stable version within 1000 ms (7 mirrored requests skipped)',
    });
  });

  it('the ratio to the stable p99 is checked only when the stable version has a p99 above 0', () => {
    const c = { ...base, maxP99Ratio: 2 };
    expect(decideCanary(arm(100, 0, 50), emptyArmStats(), c, 0).action).toBe('promote');
    expect(decideCanary(arm(100, 0, 50), arm(10, 0, 0), c, 0).action).toBe('promote');
  });
});

function emptyArmStats() {
  return { requests: 0, errors: 0, latenciesMs: [] as number[] };
}
