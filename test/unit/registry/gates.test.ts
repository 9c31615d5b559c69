import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { evaluateGates, parseRequire } from '../../../shared/src/registry/gates.js';
import { metricsReport } from './helpers.js';

describe('parseRequire', () => {
  const expected = [
    { metric: 'accuracy', operator: '>=', threshold: 0.9 },
    { metric: 'log_loss', operator: '<=', threshold: 0.4 },
  ];

  it('reads the inline form with commas or newlines', () => {
    expect(parseRequire('accuracy>=0.9, log_loss<=0.4')).toEqual(expected);
    expect(parseRequire('accuracy >= 0.9\nlog_loss <= 4e-1\n')).toEqual(expected);
  });

  it("reads Azure ML's metrics_min / metrics_max", () => {
    expect(parseRequire('metrics_min:\n  accuracy: 0.9\nmetrics_max:\n  log_loss: 0.4\n')).toEqual(expected);
  });

  it('reads the per-metric min/max mapping and a YAML list', () => {
    expect(parseRequire('accuracy: {min: 0.9}\nlog_loss: {max: 0.4}')).toEqual(expected);
    expect(parseRequire('- accuracy>=0.9\n- log_loss<=0.4')).toEqual(expected);
  });

  it('reads strict operators and treats empty as no gates', () => {
    expect(parseRequire('r2>0.5, mae<3, f1==1')).toEqual([
      { metric: 'r2', operator: '>', threshold: 0.5 },
      { metric: 'mae', operator: '<', threshold: 3 },
      { metric: 'f1', operator: '==', threshold: 1 },
    ]);
    expect(parseRequire(undefined)).toEqual([]);
    expect(parseRequire('  ')).toEqual([]);
  });

  it.each([
    ['accuracy => 0.9', "'<metric> <op> <number>'"],
    ['accuracy>=high', "'<metric> <op> <number>'"],
    ['accuracy: {minimum: 0.9}', "'min' or 'max'"],
    ['metrics_min: {accuracy: high}', 'finite number'],
    ['accuracy: 0.9', '{min: x}'],
  ])('rejects %j clearly', (text, hint) => {
    expect(() => parseRequire(text)).toThrow(UserError);
    expect(() => parseRequire(text)).toThrow(hint);
  });
});

describe('evaluateGates', () => {
  const metrics = metricsReport({ accuracy: 0.9, log_loss: 0.41 });

  it('is inclusive at the bound and fails beyond it', () => {
    const results = evaluateGates(parseRequire('accuracy>=0.9, log_loss<=0.4'), metrics);
    expect(results.map((result) => [result.metric, result.value, result.passed])).toEqual([
      ['accuracy', 0.9, true],
      ['log_loss', 0.41, false],
    ]);
  });

  it('fails a gate whose metric is missing, or when there are no metrics at all', () => {
    expect(evaluateGates(parseRequire('f1>=0.5'), metrics)[0]).toMatchObject({ value: null, passed: false });
    expect(evaluateGates(parseRequire('accuracy>=0.5'), null)[0]).toMatchObject({
      value: null,
      passed: false,
    });
  });
});
