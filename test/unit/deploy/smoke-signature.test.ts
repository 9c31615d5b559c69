/**
 * Before anything is deployed, each smoke-test case is checked against the registered model's
 * inputs (checkSmokeTestAgainstSignature): a case that names an input the model does not take,
 * or leaves one out, is a UserError naming the file, the case and both lists. A request whose
 * input names cannot be read from its shape (a list of lists for one tensor input, a columnar
 * `inputs` that is not an object) is left to the server to judge.
 */
import { describe, expect, it } from 'vitest';
import { checkSmokeTestAgainstSignature, type SmokeTestFile } from '../../../shared/src/deploy/smoke-test.js';
import { UserError } from '../../../shared/src/errors/index.js';
import type { TensorSpec } from '../../../shared/src/serve/signature.js';

const PENGUIN_INPUTS: TensorSpec[] = [
  { name: 'bill_length_mm', dtype: 'float32', shape: [-1] },
  { name: 'island', dtype: 'string', shape: [-1] },
];

function file(...requests: Record<string, unknown>[]): SmokeTestFile {
  return {
    schema: 'mlops-smoke-test/v1',
    atol: 1e-4,
    rtol: 1e-3,
    max_latency_ms: 2000,
    cases: requests.map((request) => ({ request, expected: [[1]] })),
  };
}

function refusal(smoke: SmokeTestFile, inputs: TensorSpec[] | undefined = PENGUIN_INPUTS): UserError {
  try {
    checkSmokeTestAgainstSignature(smoke, inputs, 'smoke.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected the smoke-test file to be refused');
}

const ROW = { bill_length_mm: 39.1, island: 'Torgersen' };

describe('a smoke-test case must name exactly the model’s inputs', () => {
  it('rows or a columnar `inputs` object naming every input, in any order, pass', () => {
    const smoke = file(
      { instances: [ROW, { island: 'Biscoe', bill_length_mm: 46.5 }] },
      { inputs: { island: ['Dream'], bill_length_mm: [49.2] } },
    );
    expect(() => checkSmokeTestAgainstSignature(smoke, PENGUIN_INPUTS, 'smoke.json')).not.toThrow();
  });

  it('an unknown input is refused, naming the file, the case by its name and the model’s inputs', () => {
    const smoke = file({ instances: [{ ...ROW, flipper_length_mm: 181 }] });
    smoke.cases[0]!.name = 'adelie';
    const error = refusal(smoke);
    expect(error.message).toBe(
      "The smoke-test file 'smoke.json' case adelie does not match the model's signature: unknown input(s) flipper_length_mm (the model takes bill_length_mm, island).",
    );
    expect(error.input).toBe('smoke-test');
    expect(error.location).toEqual({ file: 'smoke.json', line: undefined, column: undefined });
  });

  it('a missing input is refused, naming an unnamed case by its 1-based position', () => {
    const error = refusal(file({ instances: [ROW] }, { instances: [{ bill_length_mm: 39.1 }] }));
    expect(error.message).toBe(
      "The smoke-test file 'smoke.json' case 2 does not match the model's signature: missing input(s) island (the model takes bill_length_mm, island).",
    );
  });

  it('both at once are listed, unknown first, separated by a semicolon; columnar inputs are read the same way', () => {
    const error = refusal(file({ inputs: { bill_length_mm: [39.1], sex: ['male'], year: [2007] } }));
    expect(error.message).toBe(
      "The smoke-test file 'smoke.json' case 1 does not match the model's signature: unknown input(s) sex, year; missing input(s) island (the model takes bill_length_mm, island).",
    );
  });

  it('no registered inputs (undefined or none) means nothing to check against', () => {
    const smoke = file({ instances: [{ anything: 1 }] });
    expect(() => checkSmokeTestAgainstSignature(smoke, undefined, 'smoke.json')).not.toThrow();
    expect(() => checkSmokeTestAgainstSignature(smoke, [], 'smoke.json')).not.toThrow();
    expect(refusal(smoke).message).toContain(
      'unknown input(s) anything; missing input(s) bill_length_mm, island',
    );
  });
});

describe('a request whose input names cannot be read is left to the server', () => {
  it.each([
    ['a list of lists', { instances: [[39.1, 'Torgersen']] }],
    ['a null row', { instances: [ROW, null] }],
    ['a number row', { instances: [ROW, 5] }],
    ['bare values, one per row (a single-input model)', { instances: [5, 6] }],
    ['a null `inputs`', { inputs: null }],
    ['a list `inputs`', { inputs: [39.1, 'Torgersen'] }],
    ['a text `inputs`', { inputs: 'ab' }],
    ['neither key', { examples: [{ anything: 1 }] }],
  ])('%s: not checked, and the next case still is', (_, request) => {
    expect(() => checkSmokeTestAgainstSignature(file(request), PENGUIN_INPUTS, 'smoke.json')).not.toThrow();
    expect(refusal(file(request, { instances: [{ island: 'Dream' }] })).message).toContain(
      'case 2 does not match',
    );
  });
});
