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
 * `signature_name` is accepted and must be `serving_default` when given.
 */
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
export function parsePredictRequest(text: string, inputs: TensorSpec[], maxBatch: number): PredictRequest {
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
    ? fromInstances(body['instances'], inputs)
    : fromColumns(body['inputs'], inputs);
  if (request.rows === 0) throw new BadRequestError('The request has no rows.');
  if (request.rows > maxBatch) {
    throw new BadRequestError(
      `The request has ${request.rows} rows; this server accepts at most ${maxBatch} per request.`,
    );
  }
  return request;
}

function fromInstances(instances: unknown, inputs: TensorSpec[]): PredictRequest {
  const names = inputs.map((s) => s.name);
  if (!Array.isArray(instances))
    throw new BadRequestError(`"instances" must be a list, got ${describe(instances)}.`);
  const columns: InputColumns = Object.fromEntries(names.map((n) => [n, []]));
  const rows: Record<string, unknown>[] = [];
  instances.forEach((instance, index) => {
    let row: Record<string, unknown>;
    if (isPlainObject(instance)) {
      const unknown = Object.keys(instance).filter((key) => !names.includes(key));
      if (unknown.length > 0) {
        throw new BadRequestError(
          `instances[${index}] has unknown input(s) ${unknown.map((u) => `'${u}'`).join(', ')}; the model takes ${names.join(', ')}.`,
        );
      }
      const missing = names.filter((n) => !(n in instance));
      if (missing.length > 0) {
        throw new BadRequestError(
          `instances[${index}] is missing input(s) ${missing.map((m) => `'${m}'`).join(', ')}.`,
        );
      }
      row = instance;
    } else if (names.length === 1) {
      row = { [names[0]!]: instance };
    } else if (Array.isArray(instance) && instance.length === names.length) {
      row = Object.fromEntries(names.map((n, i) => [n, instance[i]]));
    } else {
      throw new BadRequestError(
        `instances[${index}] must be an object with inputs ${names.join(', ')} (or a list of ${names.length} values in that order), got ${describe(instance)}.`,
      );
    }
    for (const spec of inputs) checkValue(row[spec.name], spec, `instances[${index}].${spec.name}`);
    for (const name of names) columns[name]!.push(row[name]);
    rows.push(row);
  });
  return { format: 'row', columns, rows: instances.length, instances: rows };
}

function fromColumns(body: unknown, inputs: TensorSpec[]): PredictRequest {
  const names = inputs.map((s) => s.name);
  let columns: InputColumns;
  if (isPlainObject(body)) {
    const unknown = Object.keys(body).filter((key) => !names.includes(key));
    if (unknown.length > 0) {
      throw new BadRequestError(
        `"inputs" has unknown input(s) ${unknown.map((u) => `'${u}'`).join(', ')}; the model takes ${names.join(', ')}.`,
      );
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
  for (let r = 0; r < rows; r++) {
    const row: Record<string, unknown> = {};
    for (const name of names) {
      row[name] = columns[name]![r];
    }
    for (const spec of inputs) checkValue(row[spec.name], spec, `inputs.${spec.name}[${r}]`);
    instances.push(row);
  }
  return { format: 'columnar', columns, rows, instances };
}

/**
 * A raw feature takes one JSON scalar or null: the model's feature contract reads it (a number,
 * a category, a boolean, an ISO date, a missing-value token) and decides what is invalid, the
 * same way train and evaluate read a data file. A tensor input (shape [-1, n]) takes a flat list
 * of numbers.
 */
function checkValue(value: unknown, spec: TensorSpec, where: string): void {
  const isTensor = (spec.shape?.length ?? 1) > 1;
  if (isTensor) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return;
    throw new BadRequestError(`${where} must be a list of numbers, got ${describe(value)}.`);
  }
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return;
  throw new BadRequestError(
    `${where} must be one value (a number, string, boolean or null) for input '${spec.name}', got ${describe(value)}.`,
  );
}
