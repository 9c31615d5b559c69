/**
 * The server's request decisions, without a server: which bodies are a 400 (or a 413 over the
 * batch limit) and what a body that passes becomes (the columns the model reads, the rows the
 * request log records). Each 400 names where the problem is, so the client can fix the request.
 */
import { describe, expect, it } from 'vitest';
import type { DroppedColumn } from '../../../shared/src/models/preprocessing.js';
import { parseExamplesRequest } from '../../../shared/src/serve/classify-regress.js';
import { BadRequestError, parsePredictRequest } from '../../../shared/src/serve/predict-request.js';
import type { TensorSpec } from '../../../shared/src/serve/signature.js';

const RAW: TensorSpec[] = [
  { name: 'bill', dtype: 'float32', shape: [-1] },
  { name: 'island', dtype: 'string', shape: [-1] },
];
const ONE: TensorSpec[] = [{ name: 'x', dtype: 'float32', shape: [-1] }];
const TENSOR: TensorSpec[] = [{ name: 'features', dtype: 'float32', shape: [-1, 2] }];
const LEFT_OUT: DroppedColumn[] = [{ name: 'id', reason: 'text-id' }];

const b64 = (text: string) => ({ b64: Buffer.from(text, 'utf8').toString('base64') });

function refused(run: () => unknown, status: 400 | 413 = 400): { message: string; status: number } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(status);
    return { message: (error as Error).message, status: (error as BadRequestError).status };
  }
  throw new Error('expected a BadRequestError');
}

const predict = (body: unknown, inputs = RAW, maxBatch = 10, leftOut: DroppedColumn[] = []) =>
  parsePredictRequest(typeof body === 'string' ? body : JSON.stringify(body), inputs, maxBatch, leftOut);

describe('parsePredictRequest: the body', () => {
  it('refuses text that is not JSON, and JSON that is not an object', () => {
    expect(refused(() => predict('{"instances": [')).message).toMatch(
      /^The request body is not valid JSON: /,
    );
    for (const body of [[1, 2], null, 3, '"text"']) {
      expect(refused(() => predict(JSON.stringify(body))).message).toMatch(
        /must be a JSON object with "instances" or "inputs"/,
      );
    }
  });

  it('accepts signature_name serving_default (or none) and refuses any other', () => {
    const row = { bill: 39.1, island: 'Biscoe' };
    expect(predict({ signature_name: 'serving_default', instances: [row] }).rows).toBe(1);
    expect(predict({ instances: [row] }).rows).toBe(1);
    expect(refused(() => predict({ signature_name: 'predict', instances: [row] })).message).toMatch(
      /^Unknown signature_name "predict": this model has only 'serving_default'/,
    );
    // null is a value given, not the key left out.
    expect(refused(() => predict({ signature_name: null, instances: [row] })).message).toMatch(
      /^Unknown signature_name null/,
    );
  });

  it('needs exactly one of "instances" and "inputs"', () => {
    expect(refused(() => predict({ instances: [], inputs: {} })).message).toBe(
      'The request has both "instances" and "inputs": use one of them.',
    );
    expect(refused(() => predict({ rows: [] })).message).toBe(
      'The request must have "instances" (row format) or "inputs" (columnar format).',
    );
  });

  it('a request with no rows is a 400, in either format', () => {
    expect(refused(() => predict({ instances: [] })).message).toBe('The request has no rows.');
    expect(refused(() => predict({ inputs: { bill: [], island: [] } })).message).toBe(
      'The request has no rows.',
    );
    expect(refused(() => predict({ inputs: [] }, ONE)).message).toBe('The request has no rows.');
  });
});

describe('parsePredictRequest: the batch limit is inclusive (rows <= maxBatch is served; maxBatch + 1 is a 400)', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ bill: i, island: 'Dream' }));
  it('instances: exactly maxBatch rows pass, maxBatch + 1 are refused before any row is read', () => {
    expect(predict({ instances: rows(3) }, RAW, 3).rows).toBe(3);
    expect(predict({ instances: rows(2) }, RAW, 3).rows).toBe(2);
    // The fourth row is not even an object: the limit is checked first.
    const over = [...rows(3), 'not a row'];
    const { message } = refused(() => predict({ instances: over }, RAW, 3));
    expect(message).toBe('The request has 4 rows; this server accepts at most 3 per request.');
  });

  it('inputs: the longest column counts, so lists of unequal length over the limit are refused for size', () => {
    expect(predict({ inputs: { bill: [1, 2, 3], island: ['a', 'b', 'c'] } }, RAW, 3).rows).toBe(3);
    const { message } = refused(() =>
      predict({ inputs: { bill: [1], island: ['a', 'b', 'c', 'd'] } }, RAW, 3),
    );
    expect(message).toBe('The request has 4 rows; this server accepts at most 3 per request.');
    expect(refused(() => predict({ inputs: [1, 2, 3, 4] }, ONE, 3)).message).toBe(
      'The request has 4 rows; this server accepts at most 3 per request.',
    );
    // A column that is not a list counts as no rows: the shape error is what the client learns.
    expect(refused(() => predict({ inputs: { bill: 5, island: ['a'] } }, RAW, 3)).message).toBe(
      '"inputs".bill must be a list with one value per row, got 5.',
    );
  });
});

describe('parsePredictRequest: row format', () => {
  it('reads named inputs into columns and keeps each row for the request log', () => {
    const request = predict({
      instances: [
        { bill: 39.1, island: 'Biscoe' },
        { island: 'Dream', bill: null },
      ],
    });
    expect(request).toEqual({
      format: 'row',
      columns: { bill: [39.1, null], island: ['Biscoe', 'Dream'] },
      rows: 2,
      instances: [
        { bill: 39.1, island: 'Biscoe' },
        { bill: null, island: 'Dream' },
      ],
    });
  });

  it('an input the model does not take is a 400 naming it, with why train left it out when it did', () => {
    expect(
      refused(() => predict({ instances: [{ bill: 1, island: 'a', sex: 'm' }] }, RAW, 10, LEFT_OUT)).message,
    ).toBe("instances[0] has unknown input(s) 'sex'; the model takes bill, island.");
    expect(refused(() => predict({ instances: [{ bill: 1, island: 'a', sex: 'm' }] })).message).toBe(
      "instances[0] has unknown input(s) 'sex'; the model takes bill, island.",
    );
    expect(
      refused(() => predict({ instances: [{ bill: 1, island: 'a', id: 'x1' }] }, RAW, 10, LEFT_OUT)).message,
    ).toBe(
      "instances[0] has unknown input(s) 'id' (train left it out: text-id; send the model's inputs only); the model takes bill, island.",
    );
  });

  it('a missing input is a 400 naming the row and the input', () => {
    const { message } = refused(() =>
      predict({ instances: [{ bill: 1, island: 'a' }, { bill: 2 }, { island: 'c' }] }),
    );
    expect(message).toBe("instances[1] is missing input(s) 'island'.");
  });

  it('a list instance gives the inputs in signature order, and only with one value per input', () => {
    expect(predict({ instances: [[39.1, 'Biscoe']] }).columns).toEqual({ bill: [39.1], island: ['Biscoe'] });
    for (const instance of [[39.1], [39.1, 'Biscoe', 3], 'Biscoe']) {
      expect(refused(() => predict({ instances: [instance] })).message).toMatch(
        /^instances\[0\] must be an object with inputs bill, island \(or a list of 2 values in that order\)/,
      );
    }
  });

  it('a single-input model takes each instance as that input’s value, a {"b64"} object included', () => {
    expect(predict({ instances: [1.5, null] }, ONE).columns).toEqual({ x: [1.5, null] });
    const text: TensorSpec[] = [{ name: 'word', dtype: 'string', shape: [-1] }];
    expect(predict({ instances: [b64('café')] }, text).columns).toEqual({ word: ['café'] });
    // A {"b64"} object is a value, never named inputs: on a two-input model it is no row at all.
    expect(refused(() => predict({ instances: [b64('x')] })).message).toMatch(
      /^instances\[0\] must be an object/,
    );
  });

  it('"instances" that is not a list is a 400', () => {
    expect(refused(() => predict({ instances: { bill: 1 } })).message).toBe(
      '"instances" must be a list, got {"bill":1}.',
    );
    expect(refused(() => predict({ instances: null })).message).toBe('"instances" must be a list, got null.');
    expect(refused(() => predict({ inputs: null })).message).toMatch(/^"inputs" must be an object of lists/);
  });

  it('a value is shown whole up to 60 characters, longer ones cut to 57 and "..."', () => {
    const sixty = `"${'x'.repeat(58)}"`;
    expect(refused(() => predict({ instances: 'x'.repeat(58) })).message).toBe(
      `"instances" must be a list, got ${sixty}.`,
    );
    expect(refused(() => predict({ instances: 'x'.repeat(59) })).message).toBe(
      `"instances" must be a list, got "${'x'.repeat(56)}....`,
    );
  });
});

describe('parsePredictRequest: columnar format', () => {
  it('reads lists keyed by input and answers in the columnar format', () => {
    const request = predict({ inputs: { bill: [39.1, 40], island: ['Biscoe', b64('Dream')] } });
    expect(request.format).toBe('columnar');
    expect(request.rows).toBe(2);
    expect(request.columns).toEqual({ bill: [39.1, 40], island: ['Biscoe', 'Dream'] });
    expect(request.instances).toEqual([
      { bill: 39.1, island: 'Biscoe' },
      { bill: 40, island: 'Dream' },
    ]);
    expect(predict({ inputs: [3, 4] }, ONE)).toMatchObject({
      format: 'columnar',
      rows: 2,
      columns: { x: [3, 4] },
    });
  });

  it('unknown, missing, non-list and unequal-length inputs are each a 400', () => {
    expect(
      refused(() => predict({ inputs: { bill: [1], island: ['a'], id: ['x'] } }, RAW, 10, LEFT_OUT)).message,
    ).toBe(
      "\"inputs\" has unknown input(s) 'id' (train left it out: text-id; send the model's inputs only); the model takes bill, island.",
    );
    expect(refused(() => predict({ inputs: { bill: [1] } })).message).toBe(
      '"inputs" is missing input \'island\'.',
    );
    expect(refused(() => predict({ inputs: { bill: [1, 2], island: ['a'] } })).message).toBe(
      'The lists in "inputs" differ in length (bill: 2, island: 1); each needs one value per row.',
    );
    // A bare list is for a single-input model only.
    expect(refused(() => predict({ inputs: [1, 2] })).message).toMatch(
      /^"inputs" must be an object of lists keyed by input name \(bill, island\), got \[1,2\]/,
    );
    expect(refused(() => predict({ inputs: 'x' }, ONE)).message).toMatch(
      /^"inputs" must be an object of lists/,
    );
  });
});

describe('parsePredictRequest: values', () => {
  it('a raw feature takes one scalar or null; a list or a nested object is a 400 naming row and input', () => {
    expect(predict({ instances: [{ bill: true, island: 7 }] }).columns).toEqual({
      bill: [true],
      island: [7],
    });
    expect(refused(() => predict({ instances: [{ bill: [1, 2], island: 'a' }] })).message).toBe(
      "instances[0].bill must be one value (a number, string, boolean or null) for input 'bill', got [1,2].",
    );
    expect(refused(() => predict({ inputs: { bill: [1, { a: 1 }], island: ['a', 'b'] } })).message).toMatch(
      /^inputs\.bill\[1\]: JSON Value: \{"a":1\} not formatted correctly for base64 data/,
    );
  });

  it('an input whose shape the signature does not give takes one value, as a raw feature does', () => {
    const unshaped: TensorSpec[] = [{ name: 'x', dtype: 'float32' }];
    expect(predict({ instances: [2] }, unshaped).columns).toEqual({ x: [2] });
    expect(refused(() => predict({ instances: [[1, 2]] }, unshaped)).message).toMatch(
      /^instances\[0\]\.x must be one value/,
    );
  });

  it('a tensor input takes a flat list of numbers, and nothing else', () => {
    expect(predict({ instances: [[1, 2]] }, TENSOR).columns).toEqual({ features: [[1, 2]] });
    expect(refused(() => predict({ instances: [[1, 'a']] }, TENSOR)).message).toBe(
      'instances[0].features must be a list of numbers, got [1,"a"].',
    );
    expect(refused(() => predict({ instances: [3] }, TENSOR)).message).toBe(
      'instances[0].features must be a list of numbers, got 3.',
    );
  });

  it('{"b64"} decodes for a string input only, strictly, and only to UTF-8 text', () => {
    expect(predict({ instances: [{ bill: 1, island: b64('Torgersen') }] }).columns['island']).toEqual([
      'Torgersen',
    ]);
    // Unpadded base64 and line breaks are accepted, as absl::Base64Unescape accepts them.
    expect(predict({ instances: [{ bill: 1, island: { b64: 'RHJl\r\nYW0' } }] }).columns['island']).toEqual([
      'Dream',
    ]);
    expect(refused(() => predict({ instances: [{ bill: b64('1'), island: 'a' }] })).message).toMatch(
      /^instances\[0\]\.bill: JSON Value: .* Type: Object is not of expected type: float32/,
    );
    expect(
      refused(() => predict({ instances: [{ bill: 1, island: { b64: 'not base64!' } }] })).message,
    ).toMatch(/^instances\[0\]\.island: Unable to base64 decode/);
    expect(
      refused(() =>
        predict({ instances: [{ bill: 1, island: { b64: Buffer.from([0xff, 0xfe]).toString('base64') } }] }),
      ).message,
    ).toMatch(/decodes to bytes that are not UTF-8 text; input 'island' takes text/);
    // A b64 that is not a string, or an object with b64 and another key, is not a b64 value.
    expect(refused(() => predict({ instances: [{ bill: 1, island: { b64: 5 } }] })).message).toMatch(
      /not formatted correctly for base64 data/,
    );
    expect(
      refused(() => predict({ instances: [{ bill: 1, island: { b64: 'QQ==', x: 1 } }] })).message,
    ).toMatch(/not formatted correctly for base64 data/);
  });
});

describe('parseExamplesRequest (:classify, :regress)', () => {
  const examples = (body: unknown, maxBatch = 10) =>
    parseExamplesRequest(JSON.stringify(body), RAW, maxBatch);

  it('adds the context to each example', () => {
    const request = examples({ context: { island: 'Biscoe' }, examples: [{ bill: 1 }, { bill: 2 }] });
    expect(request.columns).toEqual({ bill: [1, 2], island: ['Biscoe', 'Biscoe'] });
    expect(examples({ examples: [{ bill: 1, island: 'a' }] }).rows).toBe(1);
  });

  it('names the example, not an instance, in a message about one (the caller sent examples)', () => {
    expect(refused(() => examples({ examples: [{ bill: 1, island: 'a' }, { bill: 2 }] })).message).toBe(
      "examples[1] is missing input(s) 'island'.",
    );
    expect(refused(() => examples({ examples: [{ bill: 1, island: 'a', wing: 3 }] })).message).toMatch(
      /^examples\[0\] has unknown input\(s\) 'wing'/,
    );
  });

  it('refuses a feature given in both, a body without "examples", and non-object examples or context', () => {
    expect(
      refused(() => examples({ context: { island: 'a' }, examples: [{ bill: 1, island: 'b' }] })).message,
    ).toBe('examples[0] and "context" both give \'island\'; give each feature once.');
    expect(refused(() => parseExamplesRequest('{', RAW, 10)).message).toMatch(
      /^The request body is not valid JSON/,
    );
    for (const body of [{ instances: [] }, [], { examples: {} }]) {
      expect(refused(() => examples(body)).message).toBe(
        'The request body must be a JSON object with "examples": a list of objects.',
      );
    }
    expect(refused(() => examples({ context: [1], examples: [] })).message).toBe(
      '"context" must be an object of features.',
    );
    expect(refused(() => examples({ examples: [[1, 'a']] })).message).toBe(
      'examples[0] must be an object of features.',
    );
  });

  it('a null context is no context; a null body, a text context and null or number examples are 400s, not crashes', () => {
    expect(examples({ context: null, examples: [{ bill: 1, island: 'a' }] }).columns).toEqual({
      bill: [1],
      island: ['a'],
    });
    expect(refused(() => parseExamplesRequest('null', RAW, 10)).message).toBe(
      'The request body must be a JSON object with "examples": a list of objects.',
    );
    expect(refused(() => examples({ context: 'island', examples: [{ bill: 1 }] })).message).toBe(
      '"context" must be an object of features.',
    );
    expect(refused(() => examples({ examples: [{ bill: 1, island: 'a' }, null] })).message).toBe(
      'examples[1] must be an object of features.',
    );
    expect(refused(() => examples({ examples: [5] })).message).toBe(
      'examples[0] must be an object of features.',
    );
  });

  it('an input that train left out is explained as for :predict', () => {
    expect(
      refused(() =>
        parseExamplesRequest(
          JSON.stringify({ examples: [{ bill: 1, island: 'a', id: 'x' }] }),
          RAW,
          10,
          LEFT_OUT,
        ),
      ).message,
    ).toMatch(/unknown input\(s\) 'id' \(train left it out: text-id; send the model's inputs only\)/);
  });

  it('checks examples as :predict checks instances (signature, batch limit, inputs)', () => {
    expect(
      refused(() => examples({ signature_name: 'x', examples: [{ bill: 1, island: 'a' }] })).message,
    ).toMatch(/^Unknown signature_name/);
    const three = [1, 2, 3].map((bill) => ({ bill, island: 'a' }));
    expect(examples({ examples: three }, 3).rows).toBe(3);
    expect(refused(() => examples({ examples: three }, 2)).message).toBe(
      'The request has 3 rows; this server accepts at most 2 per request.',
    );
    expect(refused(() => examples({ examples: [] })).message).toBe('The request has no rows.');
  });
});
