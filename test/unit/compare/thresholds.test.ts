/**
 * How the gate's bounds and directions are read (thresholds.ts): every accepted form, every bound
 * at its edge (min = max is allowed, min above max is not; a tolerance of 0 is allowed, below 0 is
 * not), and each refusal with the key it names and where it is.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultDirection,
  loadThresholds,
  parseThresholdObject,
  parseThresholdsInput,
  parseThresholdsText,
} from '../../../shared/src/compare/thresholds.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { nextDown, nextUp } from '../../harness/floats.js';

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('directions', () => {
  it("each metric's default direction is names.ts's: losses and errors lower, scores higher", () => {
    expect(defaultDirection('log_loss')).toBe('lower');
    expect(defaultDirection('rmse')).toBe('lower');
    expect(defaultDirection('accuracy')).toBe('higher');
  });

  it('an explicit direction replaces the default, either way', () => {
    expect(parseThresholdObject({ accuracy: { direction: 'lower' } }, 'x')).toStrictEqual({
      accuracy: { direction: 'lower' },
    });
    expect(parseThresholdObject({ log_loss: { direction: 'higher' } }, 'x')).toStrictEqual({
      log_loss: { direction: 'higher' },
    });
    expect(parseThresholdObject({ log_loss: { direction: 'lower' } }, 'x')).toStrictEqual({
      log_loss: { direction: 'lower' },
    });
  });

  it('anything but "higher" or "lower" is refused, naming the key and the value found', () => {
    const error = userError(() => parseThresholdObject({ f1: { direction: 'Higher' } }, 'src'));
    expect(error.message).toBe('src: f1.direction: expected "higher" or "lower", found "Higher"');
    expect(error.input).toBe('thresholds');
    expect(userError(() => parseThresholdObject({ f1: { direction: null } }, 'src')).message).toBe(
      'src: f1.direction: expected "higher" or "lower", found null',
    );
  });
});

describe('entries', () => {
  it('a metric with no settings (null) gates on its default direction alone', () => {
    expect(parseThresholdsText('accuracy:\nlog_loss:\n', 'x')).toStrictEqual({
      accuracy: { direction: 'higher' },
      log_loss: { direction: 'lower' },
    });
  });

  it('an empty document or null is no thresholds; a list or a scalar is refused', () => {
    expect(parseThresholdObject(null, 'x')).toStrictEqual({});
    expect(parseThresholdObject(undefined, 'x')).toStrictEqual({});
    expect(parseThresholdsText('', 'x')).toStrictEqual({});
    expect(userError(() => parseThresholdObject([], 'src')).message).toBe(
      'src: : expected a mapping of metric name -> {direction, min, max, tolerance, tolerance-pct}',
    );
    expect(userError(() => parseThresholdObject(3, 'src')).message).toContain('expected a mapping');
    expect(userError(() => parseThresholdObject({ f1: 0.5 }, 'src')).message).toBe(
      'src: f1: expected {direction, min, max, tolerance, tolerance-pct}',
    );
    expect(userError(() => parseThresholdObject({ f1: [0.5] }, 'src')).message).toContain(
      'f1: expected {direction',
    );
  });

  it('every allowed key is kept; a null value is the same as leaving the key out', () => {
    expect(
      parseThresholdObject(
        { f1: { direction: 'higher', min: 0.1, max: 0.9, tolerance: 0.02, 'tolerance-pct': 5 } },
        'x',
      ),
    ).toStrictEqual({ f1: { direction: 'higher', min: 0.1, max: 0.9, tolerance: 0.02, tolerancePct: 5 } });
    expect(
      parseThresholdObject({ f1: { min: null, max: null, tolerance: null, tolerance_pct: null } }, 'x'),
    ).toStrictEqual({
      f1: { direction: 'higher' },
    });
  });

  it('tolerance_pct is the same key as tolerance-pct, and its errors name the spelling used', () => {
    expect(parseThresholdObject({ f1: { tolerance_pct: 2.5 } }, 'x')).toStrictEqual({
      f1: { direction: 'higher', tolerancePct: 2.5 },
    });
    expect(userError(() => parseThresholdObject({ f1: { tolerance_pct: -1 } }, 'src')).message).toBe(
      'src: f1.tolerance_pct: must be >= 0 (the allowed worsening in percent); found -1',
    );
    expect(userError(() => parseThresholdObject({ f1: { 'tolerance-pct': -1 } }, 'src')).message).toBe(
      'src: f1.tolerance-pct: must be >= 0 (the allowed worsening in percent); found -1',
    );
  });

  it('a value that is not a finite number is refused, naming the value found', () => {
    expect(userError(() => parseThresholdObject({ f1: { min: '0.5' } }, 'src')).message).toBe(
      'src: f1.min: expected a finite number, found "0.5"',
    );
    expect(userError(() => parseThresholdsText('f1: {max: .inf}', 'src')).message).toBe(
      'src: f1.max: expected a finite number, found null',
    );
    expect(userError(() => parseThresholdsText('f1: {tolerance: .nan}', 'src')).message).toContain(
      'f1.tolerance: expected a finite number',
    );
  });

  it('unknown keys are refused, naming the allowed ones', () => {
    expect(userError(() => parseThresholdObject({ f1: { minimum: 0.5 } }, 'src')).message).toBe(
      'src: f1.minimum: unknown key "minimum"; allowed: direction, min, max, tolerance, tolerance-pct',
    );
  });
});

describe('bounds at their edges', () => {
  it('min may equal max (min <= max); one double above max is refused', () => {
    expect(parseThresholdObject({ f1: { min: 0.5, max: 0.5 } }, 'x')).toStrictEqual({
      f1: { direction: 'higher', min: 0.5, max: 0.5 },
    });
    expect(parseThresholdObject({ f1: { min: nextDown(0.5), max: 0.5 } }, 'x').f1.min).toBe(nextDown(0.5));
    expect(userError(() => parseThresholdObject({ f1: { min: nextUp(0.5), max: 0.5 } }, 'src')).message).toBe(
      `src: f1.min: min ${nextUp(0.5)} is above max 0.5`,
    );
  });

  it('a tolerance of 0 is allowed (no worsening at all, tolerance >= 0); the first double below 0 is refused', () => {
    expect(parseThresholdObject({ f1: { tolerance: 0, 'tolerance-pct': 0 } }, 'x')).toStrictEqual({
      f1: { direction: 'higher', tolerance: 0, tolerancePct: 0 },
    });
    expect(userError(() => parseThresholdObject({ f1: { tolerance: nextDown(0) } }, 'src')).message).toBe(
      `src: f1.tolerance: must be >= 0 (the allowed worsening); found ${nextDown(0)}. Direction is set by "direction"`,
    );
    expect(
      userError(() => parseThresholdObject({ f1: { 'tolerance-pct': nextDown(0) } }, 'src')).message,
    ).toContain('f1.tolerance-pct: must be >= 0');
  });

  it('min or max alone, negative bounds included, are kept as given', () => {
    expect(parseThresholdObject({ r2: { min: -1 } }, 'x')).toStrictEqual({
      r2: { direction: 'higher', min: -1 },
    });
    expect(parseThresholdObject({ rmse: { max: 0 } }, 'x')).toStrictEqual({
      rmse: { direction: 'lower', max: 0 },
    });
  });
});

describe('text, locations and sources', () => {
  it("mlops.yml's metrics: section may be pasted as is, but only as the document's one key", () => {
    expect(parseThresholdsText('metrics:\n  f1: {min: 0.5}\n', 'x')).toStrictEqual({
      f1: { direction: 'higher', min: 0.5 },
    });
    // A metric that happens to be called "metrics" next to another is a metric, not the section.
    expect(
      userError(() => parseThresholdsText('metrics:\n  f1: {min: 0.5}\nf1: {min: 0.5}\n', 'x')).message,
    ).toContain('metrics.f1: unknown key "f1"');
    expect(parseThresholdsText('metrics:\n', 'x')).toStrictEqual({ metrics: { direction: 'higher' } });
  });

  it('an error in a file names the file, line and column of the key; in the input text, the input only', () => {
    const inFile = userError(() => parseThresholdsText('accuracy:\n  min: 0.9\n  max: 0.1\n', 'gates.yml'));
    expect(inFile.location).toStrictEqual({ file: 'gates.yml', line: 2, column: 3 });
    const inSection = userError(() =>
      parseThresholdsText('metrics:\n  f1:\n    tolerance: -1\n', 'gates.yml'),
    );
    expect(inSection.location).toStrictEqual({ file: 'gates.yml', line: 3, column: 5 });
    const inInput = userError(() =>
      parseThresholdsText('accuracy:\n  min: 0.9\n  max: 0.1\n', 'input thresholds'),
    );
    expect(inInput.location).toBeUndefined();
    expect(inInput.input).toBe('thresholds');
  });

  it('a document that is not a mapping names the file but no line (there is no key to point at)', () => {
    const error = userError(() => parseThresholdsText('- 1\n', 'gates.yml'));
    expect(error.message).toContain('expected a mapping');
    expect(error.location).toStrictEqual({ file: 'gates.yml', line: undefined, column: undefined });
  });

  it('invalid YAML names the line and column of the first error, with the first line of its message; duplicate keys are refused', () => {
    const bad = userError(() => parseThresholdsText('f1: {min: 0.5\n', 'gates.yml'));
    expect(bad.message).toBe(
      'gates.yml: invalid YAML/JSON: Flow map in block collection must be sufficiently indented and end with a } at line 2, column 1:',
    );
    expect(bad.location).toStrictEqual({ file: 'gates.yml', line: 2, column: 1 });
    expect(bad.input).toBe('thresholds');
    const duplicate = userError(() => parseThresholdsText('f1: {min: 0.5}\nf1: {max: 0.9}\n', 'gates.yml'));
    expect(duplicate.location).toMatchObject({ file: 'gates.yml', line: 2 });
  });

  it('an alias bomb is refused before it expands', () => {
    const lines = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (let i = 0; i < 5; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(
        `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    const error = userError(() => parseThresholdsText(lines.join('\n'), 'gates.yml'));
    expect(error.location).toStrictEqual({ file: 'gates.yml', line: undefined, column: undefined });
    expect(error.message).toBe('gates.yml: Excessive alias count indicates a resource exhaustion attack');
    expect(error.input).toBe('thresholds');
  });

  it('the input is a path when it is one line without { or :, else YAML/JSON text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thresholds-'));
    writeFileSync(join(dir, 'gates.yml'), 'f1: {min: 0.5}\n');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'g.json'), '{"f1": {"max": 0.9}}');
    expect(parseThresholdsInput(' gates.yml ', dir)).toStrictEqual({ f1: { direction: 'higher', min: 0.5 } });
    expect(parseThresholdsInput(join(dir, 'sub', 'g.json'), '/nowhere')).toStrictEqual({
      f1: { direction: 'higher', max: 0.9 },
    });
    expect(parseThresholdsInput('f1: {min: 0.25}', dir)).toStrictEqual({
      f1: { direction: 'higher', min: 0.25 },
    });
    const missing = userError(() => parseThresholdsInput('nothing.yml', dir));
    expect(missing.message).toBe(
      `thresholds file nothing.yml does not exist (resolved to ${join(dir, 'nothing.yml')})`,
    );
    expect(missing.input).toBe('thresholds');
    // An error inside a file names the file.
    writeFileSync(join(dir, 'bad.yml'), 'f1:\n  min: 0.9\n  max: 0.1\n');
    expect(userError(() => parseThresholdsInput('bad.yml', dir)).location).toStrictEqual({
      file: join(dir, 'bad.yml'),
      line: 2,
      column: 3,
    });
  });

  it('no input, or a blank one, is mlops.yml alone; mlops.yml errors name its metrics section', () => {
    const config = { f1: { min: 0.5 } };
    expect(loadThresholds(undefined, config, '/nowhere')).toStrictEqual({
      f1: { direction: 'higher', min: 0.5 },
    });
    expect(loadThresholds('  \n', config, '/nowhere')).toStrictEqual({
      f1: { direction: 'higher', min: 0.5 },
    });
    expect(loadThresholds(undefined, undefined, '/nowhere')).toStrictEqual({});
    expect(userError(() => loadThresholds(undefined, { f1: { min: 'x' } }, '/nowhere')).message).toBe(
      'mlops.yml metrics: f1.min: expected a finite number, found "x"',
    );
  });
});
