import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import {
  formatModelReference,
  parseModelReference,
  parseVersion,
  validateAliasName,
  validateModelName,
} from '../../../shared/src/registry/names.js';

describe('model and alias names', () => {
  it.each(['churn', 'a', 'A1', 'fraud-detector_v2', '9lives', 'x'.repeat(100)])('accepts %j', (name) => {
    expect(validateModelName(name)).toBe(name);
  });

  it.each([
    ['', 'empty'],
    ['a/b', 'path separator'],
    ['..', "'..'"],
    ['a..b', "'..'"],
    ['../etc', 'path separator'],
    ['a\\b', 'path separator'],
    ['my model', 'whitespace'],
    ['tab\tname', 'whitespace'],
    ['сhurn', 'U+0441'], // Cyrillic es, looks like Latin c
    ['churn\u200b', 'U+200B'],
    ['ｃhurn', 'U+FF43'], // fullwidth c
    ['-lead', 'start and end'],
    ['trail_', 'start and end'],
    ['a.b', '"."'],
    ['a@b', '"@"'],
    ['a#b', '"#"'],
    ['x'.repeat(101), 'at most 100'],
  ])('rejects %j with a UserError that says why (%s)', (name, why) => {
    let error: unknown;
    try {
      validateModelName(name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(why);
    expect((error as UserError).input).toBe('name');
  });

  it("refuses the alias 'latest' in any case", () => {
    expect(() => validateAliasName('latest')).toThrow(/reserved/);
    expect(() => validateAliasName('LATEST')).toThrow(/reserved/);
    expect(validateAliasName('production')).toBe('production');
  });

  it('reads versions as integers >= 1 without leading zeros', () => {
    expect(parseVersion('1')).toBe(1);
    expect(parseVersion('42')).toBe(42);
    for (const bad of ['0', '01', '-1', '1.5', '1e3', '', 'v1', '99999999999999999999']) {
      expect(() => parseVersion(bad), bad).toThrow(UserError);
    }
  });
});

describe('model references', () => {
  it('parses name@alias, name/version and name@latest', () => {
    expect(parseModelReference('churn@production')).toEqual({
      name: 'churn',
      kind: 'alias',
      alias: 'production',
    });
    expect(parseModelReference('churn/3')).toEqual({ name: 'churn', kind: 'version', version: 3 });
    expect(parseModelReference('churn@latest')).toEqual({ name: 'churn', kind: 'latest' });
    for (const text of ['churn@production', 'churn/3', 'churn@latest']) {
      expect(formatModelReference(parseModelReference(text))).toBe(text);
    }
  });

  it.each(['churn', 'churn/03', 'churn/1/2', 'a/b@c', '@prod', 'churn@', '../x/1', 'churn@pro duction'])(
    'rejects %j',
    (text) => {
      expect(() => parseModelReference(text)).toThrow(UserError);
    },
  );
});
