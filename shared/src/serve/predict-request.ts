/**
 * TF Serving's predict request body, in both of its formats
 * (https://www.tensorflow.org/tfx/serving/api_rest#request_format_2):
 *
 * - row format: `{"instances": [...]}`, each instance an object of named inputs
 *   (`{"bill_length_mm": 39.1, "island": "Biscoe"}`) or, for a single-input model, that input's
 *   value. Extension: for a model with several named inputs, an array instance gives the inputs'
 *   values in signature order, so a CSV row can be sent as it is.
 * - columnar format: `{"inputs": {"name": [one value per row], ...}}`, or for a single-input model
 *   `{"inputs": [row values...]}`. TF Serving answers columnar requests with `{"outputs": ...}`.
 *
 * `signature_name` is accepted and must be `serving_default` when given. A string input's value
 * may be sent as `{"b64": "<base64>"}` and is decoded, as TF Serving decodes it (json_tensor.cc).
 */
import type { DroppedColumn } from '../models/preprocessing.js';
import type { InputColumns } from './loaded-model.js';
import type { TensorSpec } from './signature.js';

export interface PredictRequest {
  format: 'row' | 'columnar';
  columns: InputColumns;
  rows: number;
  /** The raw named inputs of each row, for the request log. */
  instances: Record<string, unknown>[];
}

/** A request TF Serving would reject with INVALID_ARGUMENT (400) or one over a limit (413). */
export class BadRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'BadRequestError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Rows a request lists: the length of `instances`, or of the longest column of `inputs`. */
function listedRows(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (!isPlainObject(value)) return 0;
  return Math.max(0, ...Object.values(value).map((column) => (Array.isArray(column) ? column.length : 0)));
}

/** Parses the request text; every problem is a BadRequestError whose message says what was expected. */
export function parsePredictRequest(
  text: string,
  inputs: TensorSpec[],
  maxBatch: number,
  leftOut: readonly DroppedColumn[] = [],
  /** The request's own name for its rows in messages: `examples` for :classify and :regress. */
  rowsName = 'instances',
): PredictRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
  if (!isPlainObject(body)) {
    throw new BadRequestError(
      `The request body must be a JSON object with "instances" or "inputs", got ${describe(body)}.`,
    );
  }
  const signatureName = body['signature_name'];
  if (signatureName !== undefined && signatureName !== 'serving_default') {
    throw new BadRequestError(
      `Unknown signature_name ${describe(signatureName)}: this model has only 'serving_default'.`,
    );
  }
  const hasInstances = 'instances' in body;
  const hasInputs = 'inputs' in body;
  if (hasInstances === hasInputs) {
    throw new BadRequestError(
      hasInstances
        ? 'The request has both "instances" and "inputs": use one of them.'
        : 'The request must have "instances" (row format) or "inputs" (columnar format).',
    );
  }
  // Refuse an oversized batch before converting a single row of it.
  const listed = listedRows(hasInstances ? body['instances'] : body['inputs']);
  if (listed > maxBatch) {
    throw new BadRequestError(
      `The request has ${listed} rows; this server accepts at most ${maxBatch} per request.`,
    );
  }
  const request = hasInstances
    ? fromInstances(body['instances'], inputs, leftOut, rowsName)
    : fromColumns(body['inputs'], inputs, leftOut);
  if (request.rows === 0) throw new BadRequestError('The request has no rows.');
  if (request.rows > maxBatch) {
    throw new BadRequestError(
      `The request has ${request.rows} rows; this server accepts at most ${maxBatch} per request.`,
    );
  }
  return request;
}

/**
 * The 400 for inputs the model does not take. A column train left out (an identifier, an all-null
 * column) is named with why: the rows evaluate scored carry it, so a client sending the same rows
 * learns what to drop rather than guess.
 */
function unknownInputs(
  where: string,
  unknown: string[],
  names: string[],
  leftOut: readonly DroppedColumn[],
): BadRequestError {
  const listed = unknown.map((u) => {
    const dropped = leftOut.find((d) => d.name === u);
    return dropped ? `'${u}' (train left it out: ${dropped.reason}; send the model's inputs only)` : `'${u}'`;
  });
  return new BadRequestError(
    `${where} has unknown input(s) ${listed.join(', ')}; the model takes ${names.join(', ')}.`,
  );
}

function fromInstances(
  instances: unknown,
  inputs: TensorSpec[],
  leftOut: readonly DroppedColumn[],
  rowsName: string,
): PredictRequest {
  const names = inputs.map((s) => s.name);
  if (!Array.isArray(instances))
    throw new BadRequestError(`"instances" must be a list, got ${describe(instances)}.`);
  const columns: InputColumns = Object.fromEntries(names.map((n) => [n, []]));
  const rows: Record<string, unknown>[] = [];
  instances.forEach((instance, index) => {
    let row: Record<string, unknown>;
    // As TF Serving: an object is named inputs unless it is a {"b64": ...} value.
    if (isPlainObject(instance) && !isBase64Object(instance)) {
      const unknown = Object.keys(instance).filter((key) => !names.includes(key));
      if (unknown.length > 0) {
        throw unknownInputs(`${rowsName}[${index}]`, unknown, names, leftOut);
      }
      const missing = names.filter((n) => !(n in instance));
      if (missing.length > 0) {
        throw new BadRequestError(
          `${rowsName}[${index}] is missing input(s) ${missing.map((m) => `'${m}'`).join(', ')}.`,
        );
      }
      row = { ...instance };
    } else if (names.length === 1) {
      row = { [names[0]!]: instance };
    } else if (Array.isArray(instance) && instance.length === names.length) {
      row = Object.fromEntries(names.map((n, i) => [n, instance[i]]));
    } else {
      throw new BadRequestError(
        `${rowsName}[${index}] must be an object with inputs ${names.join(', ')} (or a list of ${names.length} values in that order), got ${describe(instance)}.`,
      );
    }
    for (const spec of inputs)
      row[spec.name] = checkValue(row[spec.name], spec, `${rowsName}[${index}].${spec.name}`);
    for (const name of names) columns[name]!.push(row[name]);
    rows.push(row);
  });
  return { format: 'row', columns, rows: instances.length, instances: rows };
}

function fromColumns(body: unknown, inputs: TensorSpec[], leftOut: readonly DroppedColumn[]): PredictRequest {
  const names = inputs.map((s) => s.name);
  let columns: InputColumns;
  if (isPlainObject(body)) {
    const unknown = Object.keys(body).filter((key) => !names.includes(key));
    if (unknown.length > 0) {
      throw unknownInputs('"inputs"', unknown, names, leftOut);
    }
    columns = {};
    for (const name of names) {
      const values = body[name];
      if (values === undefined) throw new BadRequestError(`"inputs" is missing input '${name}'.`);
      if (!Array.isArray(values))
        throw new BadRequestError(
          `"inputs".${name} must be a list with one value per row, got ${describe(values)}.`,
        );
      columns[name] = values;
    }
  } else if (Array.isArray(body) && names.length === 1) {
    columns = { [names[0]!]: body };
  } else {
    throw new BadRequestError(
      `"inputs" must be an object of lists keyed by input name (${names.join(', ')}), got ${describe(body)}.`,
    );
  }
  const lengths = new Set(names.map((n) => columns[n]!.length));
  if (lengths.size > 1) {
    throw new BadRequestError(
      `The lists in "inputs" differ in length (${names.map((n) => `${n}: ${columns[n]!.length}`).join(', ')}); each needs one value per row.`,
    );
  }
  const rows = columns[names[0]!]!.length;
  const instances: Record<string, unknown>[] = [];
  // The values as the model reads them ({"b64": ...} decoded), leaving the request's lists as sent.
  const decoded: InputColumns = Object.fromEntries(names.map((n) => [n, new Array<unknown>(rows)]));
  for (let r = 0; r < rows; r++) {
    const row: Record<string, unknown> = {};
    for (const name of names) {
      row[name] = columns[name]![r];
    }
    for (const spec of inputs) {
      row[spec.name] = checkValue(row[spec.name], spec, `inputs.${spec.name}[${r}]`);
      decoded[spec.name]![r] = row[spec.name];
    }
    instances.push(row);
  }
  return { format: 'columnar', columns: decoded, rows, instances };
}

/**
 * TF Serving's binary value, `{"b64": "<base64>"}`: an object with exactly one key `b64` whose
 * value is a string (json_tensor.cc, IsValBase64Object).
 */
function isBase64Object(value: unknown): value is { b64: string } {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value['b64'] === 'string';
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes `{"b64": ...}` for a string input, as TF Serving does for DT_STRING tensors
 * (json_tensor.cc, JsonDecodeBase64Object; an object for any other type is a type error). The
 * features are read as text, so bytes that are not UTF-8 are refused rather than replaced.
 */
function decodeBase64Value(value: Record<string, unknown>, spec: TensorSpec, where: string): string {
  if (!isBase64Object(value))
    throw new BadRequestError(
      `${where}: JSON Value: ${describe(value)} not formatted correctly for base64 data (expected {"b64": "<base64 string>"}).`,
    );
  if (spec.dtype !== 'string')
    throw new BadRequestError(
      `${where}: JSON Value: ${describe(value)} Type: Object is not of expected type: ${spec.dtype} (only string inputs take {"b64": ...}).`,
    );
  // absl::Base64Unescape accepts the standard alphabet with or without padding; so does this.
  const text = value.b64.replace(/[\r\n]/g, '');
  if (!STRICT_BASE64.test(text))
    throw new BadRequestError(`${where}: Unable to base64 decode ${describe(value)}.`);
  try {
    return UTF8.decode(Buffer.from(text, 'base64'));
  } catch {
    throw new BadRequestError(
      `${where}: the {"b64": ...} value decodes to bytes that are not UTF-8 text; input '${spec.name}' takes text.`,
    );
  }
}

/**
 * A raw feature takes one JSON scalar, null or a `{"b64": ...}` string: the model's feature
 * contract reads it (a number, a category, a boolean, an ISO date, a missing-value token) and
 * decides what is invalid, the same way train and evaluate read a data file. A tensor input
 * (shape [-1, n]) takes a flat list of numbers. Returns the value as the model reads it.
 */
function checkValue(value: unknown, spec: TensorSpec, where: string): unknown {
  const isTensor = (spec.shape?.length ?? 1) > 1;
  if (isTensor) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value;
    throw new BadRequestError(`${where} must be a list of numbers, got ${describe(value)}.`);
  }
  if (isPlainObject(value)) return decodeBase64Value(value, spec, where);
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  throw new BadRequestError(
    `${where} must be one value (a number, string, boolean or null) for input '${spec.name}', got ${describe(value)}.`,
  );
}
