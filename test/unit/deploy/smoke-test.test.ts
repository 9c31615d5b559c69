import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import schema from '../../../docs/schemas/smoke-test.schema.json' with { type: 'json' };
import { firstMismatch, readSmokeTest } from '../../../shared/src/deploy/smoke-test.js';
import { compareSignatures, expectedSignature } from '../../../shared/src/serve/signature.js';

describe('firstMismatch (numpy.isclose semantics)', () => {
  it('accepts |a - b| <= atol + rtol * |b| and reports the first place it fails', () => {
    expect(firstMismatch([[0.5, 0.25]], [[0.5001, 0.25]], 1e-3, 0)).toBeUndefined();
    expect(firstMismatch([[0.5, 0.25]], [[0.51, 0.25]], 1e-3, 0)).toBe('[0][0]: got 0.5, expected 0.51');
    // rtol scales with the expected value: 1000 vs 1000.5 passes at rtol 1e-3.
    expect(firstMismatch([1000], [1000.5], 0, 1e-3)).toBeUndefined();
    expect(firstMismatch([[1, 2]], [[1, 2, 3]], 1, 1)).toBe('[0]: got 2 values, expected 3 values');
    expect(firstMismatch(['Adelie'], ['Gentoo'], 1, 1)).toBe('[0]: got "Adelie", expected "Gentoo"');
  });

  it('reports a later element, a top-level value, a non-array where values are expected, and text where a number is', () => {
    expect(firstMismatch([1, 2], [1, 3], 0, 0)).toBe('[1]: got 2, expected 3');
    expect(firstMismatch(2, 1, 0, 0)).toBe('value: got 2, expected 1');
    expect(firstMismatch(5, [1], 1, 1)).toBe('value: got 5, expected 1 values');
    // '1' - 1 is 0 in JavaScript: text must never pass for the number it spells.
    expect(firstMismatch(['1'], [1], 1, 1)).toBe('[0]: got "1", expected 1');
    expect(firstMismatch({ a: [1] }, { a: [1] }, 0, 0)).toBeUndefined();
  });

  it('agrees with the isclose formula on random numbers', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (a, b) => {
          const close = Math.abs(a - b) <= 1e-2 + 1e-3 * Math.abs(b);
          expect(firstMismatch([a], [b], 1e-2, 1e-3) === undefined).toBe(close);
        },
      ),
    );
  });
});

describe('smoke-test file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-smoke-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a valid file with defaults, and the JSON Schema in docs/ accepts the same file', async () => {
    const file = {
      schema: 'mlops-smoke-test/v1',
      cases: [{ request: { instances: [{ x: 1 }] }, expected: [[1]] }],
    };
    await writeFile(join(dir, 'ok.json'), JSON.stringify(file));
    const parsed = await readSmokeTest(join(dir, 'ok.json'));
    expect(parsed).toMatchObject({ atol: 1e-4, rtol: 1e-3, max_latency_ms: 2000 });
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(file)).toBe(true);
    expect(validate({ ...file, extra: 1 })).toBe(false);
  });

  it('names the file and the place of a problem', async () => {
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({ schema: 'mlops-smoke-test/v1', cases: [{ request: {} }] }),
    );
    await expect(readSmokeTest(join(dir, 'bad.json'))).rejects.toThrow(
      /bad\.json' is not a valid mlops-smoke-test\/v1 file at cases\.0\.expected/,
    );
    await writeFile(join(dir, 'broken.json'), '{"schema": ');
    await expect(readSmokeTest(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json' is not valid JSON/);
    await expect(readSmokeTest(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json' does not exist/);
  });
});

describe('signatures', () => {
  const served = {
    inputs: [
      { name: 'bill_length_mm', dtype: 'float32', shape: [-1] },
      { name: 'island', dtype: 'string', shape: [-1] },
    ],
    outputs: [{ name: 'species', dtype: 'float32', shape: [-1, 3] }],
  };

  it('derives the expected inputs from the registered preprocessing when there is no signature', () => {
    const expected = expectedSignature({
      signature: null,
      preprocessing: {
        features: [
          { name: 'bill_length_mm', kind: 'numeric' },
          { name: 'island', kind: 'categorical' },
        ],
      },
    });
    expect(compareSignatures(expected!, served)).toEqual([]);
  });

  it('reports missing and extra inputs, dtype and shape differences', () => {
    const registered = expectedSignature({
      signature: {
        inputs: [
          { name: 'bill_length_mm', dtype: 'float64' },
          { name: 'flipper_length_mm', dtype: 'float32' },
        ],
        outputs: { species: { dtype: 'float32', shape: [null, 2] } },
      },
      preprocessing: null,
    })!;
    expect(compareSignatures(registered, served)).toEqual([
      "input 'bill_length_mm' has dtype DT_FLOAT, expected DT_DOUBLE",
      "input 'flipper_length_mm' is missing (served inputs: bill_length_mm, island)",
      "input 'island' is served but not in the registered signature",
      'output 1 has shape [-1, 3], expected [-1, 2]',
    ]);
  });
});
