import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMetricsFile } from '../../../shared/src/compare/metrics-file.js';
import { loadThresholds, parseThresholdsText } from '../../../shared/src/compare/thresholds.js';
import { UserError } from '../../../shared/src/errors/index.js';

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('metrics file', () => {
  it('rejects another schema, naming the file and what was expected', () => {
    const error = userError(() =>
      parseMetricsFile('{"schema": "mlops-profile/v1", "task": "x", "metrics": {}}', 'a.json'),
    );
    expect(error.message).toContain('a.json');
    expect(error.message).toContain('mlops-metrics/v1');
    expect(error.message).toContain('mlops-profile/v1');
  });

  it('rejects invalid JSON and a CI with the ends swapped', () => {
    expect(userError(() => parseMetricsFile('{', 'b.json')).message).toMatch(/b\.json is not valid JSON/);
    const swapped = '{"schema":"mlops-metrics/v1","task":"t","metrics":{"f1":{"value":0.5,"ci":[0.6,0.4]}}}';
    expect(userError(() => parseMetricsFile(swapped, 'c.json')).message).toContain('metrics.f1.ci');
  });

  it('keeps NaN metrics as NaN so they are flagged, not dropped', () => {
    const file = parseMetricsFile(
      '{"schema":"mlops-metrics/v1","task":"t","metrics":{"f1":{"value":null}}}',
      'd.json',
    );
    expect(Number.isNaN(file.metrics.f1!.value)).toBe(true);
  });
});

describe('thresholds', () => {
  it('parses YAML and JSON, defaults the direction from the name', () => {
    expect(parseThresholdsText('{"log_loss": {"tolerance": 0.1}}', 'x')).toEqual({
      log_loss: { direction: 'lower', tolerance: 0.1 },
    });
    expect(parseThresholdsText('metrics:\n  f1_macro: {min: 0.7}\n', 'x')).toEqual({
      f1_macro: { direction: 'higher', min: 0.7 },
    });
  });

  it('rejects a negative tolerance with the line and column of the key', () => {
    const error = userError(() =>
      parseThresholdsText('accuracy:\n  min: 0.5\n  tolerance: -0.01\n', 'mlops.yml'),
    );
    expect(error.message).toContain('accuracy.tolerance');
    expect(error.message).toContain('>= 0');
    expect(error.location).toEqual({ file: 'mlops.yml', line: 3, column: 3 });
  });

  it('rejects unknown keys, bad directions and min above max', () => {
    expect(userError(() => parseThresholdsText('f1: {minimum: 0.5}', 'x')).message).toContain(
      'unknown key "minimum"',
    );
    expect(userError(() => parseThresholdsText('f1: {direction: up}', 'x')).message).toContain(
      '"higher" or "lower"',
    );
    expect(userError(() => parseThresholdsText('f1: {min: 0.9, max: 0.1}', 'x')).message).toContain(
      'above max',
    );
    expect(userError(() => parseThresholdsText('f1: {min: [1]}', 'x')).message).toContain('finite number');
  });

  it('input thresholds replace mlops.yml entries per metric; a path is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thresholds-'));
    writeFileSync(join(dir, 'gates.yml'), 'accuracy: {tolerance: 0.05}\n');
    const merged = loadThresholds('gates.yml', { accuracy: { min: 0.9 }, f1: { min: 0.5 } }, dir);
    expect(merged).toEqual({
      accuracy: { direction: 'higher', tolerance: 0.05 },
      f1: { direction: 'higher', min: 0.5 },
    });
    expect(userError(() => loadThresholds('missing.yml', undefined, dir)).message).toContain(
      'does not exist',
    );
  });
});
