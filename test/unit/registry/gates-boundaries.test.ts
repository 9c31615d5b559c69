/**
 * The register gates at their boundaries (README register `require`): `min` and `metrics_min` are
 * `>=`, `max` and `metrics_max` are `<=`, inclusive like Azure ML's; `>`, `<` and `==` are strict.
 * A metric that is missing, null or not finite fails its gate.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGates, metricValue, parseRequire } from '../../../shared/src/registry/gates.js';
import { nextDown, nextUp } from '../../harness/floats.js';

const at = 0.9;
const report = (value: unknown) => ({ metrics: { m: { value } } });
const passes = (require: string, value: number) =>
  evaluateGates(parseRequire(require), report(value))[0]!.passed;

describe('gate operators at the threshold, one double above and one below', () => {
  it.each([
    ['m>=0.9 passes when value >= 0.9', 'm>=0.9', [false, true, true]],
    ['m<=0.9 passes when value <= 0.9', 'm<=0.9', [true, true, false]],
    ['m>0.9 passes when value > 0.9', 'm>0.9', [false, false, true]],
    ['m<0.9 passes when value < 0.9', 'm<0.9', [true, false, false]],
    ['m==0.9 passes when value == 0.9', 'm==0.9', [false, true, false]],
    ['{m: {min: 0.9}} is >=', 'm: {min: 0.9}', [false, true, true]],
    ['{m: {max: 0.9}} is <=', 'm: {max: 0.9}', [true, true, false]],
    ['metrics_min is >=', 'metrics_min: {m: 0.9}', [false, true, true]],
    ['metrics_max is <=', 'metrics_max: {m: 0.9}', [true, true, false]],
  ] as const)('%s', (_, require, expected) => {
    expect([passes(require, nextDown(at)), passes(require, at), passes(require, nextUp(at))]).toEqual(
      expected,
    );
  });

  it('min and max of one metric make two gates, each with its operator', () => {
    expect(parseRequire('m: {min: 0.1, max: 0.9}')).toEqual([
      { metric: 'm', operator: '>=', threshold: 0.1 },
      { metric: 'm', operator: '<=', threshold: 0.9 },
    ]);
    expect(parseRequire('metrics_min: {a: 1}\nmetrics_max: {b: 2}')).toEqual([
      { metric: 'a', operator: '>=', threshold: 1 },
      { metric: 'b', operator: '<=', threshold: 2 },
    ]);
  });

  it('metrics_min / metrics_max must be mappings, and their bounds finite numbers', () => {
    for (const text of ['metrics_min: [1]', 'metrics_min: 0.9', 'metrics_max: null']) {
      expect(() => parseRequire(text), text).toThrow('must map metric names to numbers');
    }
    expect(() => parseRequire('m: {min: .inf}')).toThrow("In 'require', m.min must be a finite number");
    expect(() => parseRequire('m: [0.9]')).toThrow('must be {min: x} / {max: y}');
    expect(() => parseRequire('m: null')).toThrow('must be {min: x} / {max: y}');
    // Each names the input.
    for (const text of ['metrics_min: [1]', 'm: {minimum: 1}', 'm: {min: x}', 'm: 3']) {
      expect(() => parseRequire(text), text).toThrow(expect.objectContaining({ input: 'require' }));
    }
  });
});

describe('a metric that cannot be read fails its gate', () => {
  it('reads a {value} entry or a bare number; null, NaN, infinite, text or an absent table are missing', () => {
    expect(metricValue(report(0.5), 'm')).toBe(0.5);
    expect(metricValue({ metrics: { m: 0.25 } }, 'm')).toBe(0.25);
    for (const value of [null, Number.NaN, Number.POSITIVE_INFINITY, '0.9', undefined]) {
      expect(metricValue(report(value), 'm'), String(value)).toBeNull();
      expect(evaluateGates(parseRequire('m<=1e9'), report(value))[0]).toMatchObject({
        value: null,
        passed: false,
      });
    }
    expect(metricValue({ metrics: { m: Number.NaN } }, 'm')).toBeNull();
    expect(metricValue({ metrics: null }, 'm')).toBeNull();
    expect(metricValue({ metrics: 'x' }, 'm')).toBeNull();
    expect(metricValue({}, 'm')).toBeNull();
    expect(metricValue({ metrics: { m: null } }, 'm')).toBeNull();
  });

  it('every gate gets its result, in order, with the value found', () => {
    expect(evaluateGates(parseRequire('a>=1, b<1'), { metrics: { a: 1, b: 1 } })).toEqual([
      { metric: 'a', operator: '>=', threshold: 1, value: 1, passed: true },
      { metric: 'b', operator: '<', threshold: 1, value: 1, passed: false },
    ]);
  });
});
