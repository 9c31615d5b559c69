/**
 * GitHub's official OpenAPI description (from `@octokit/openapi`), used two ways: the emulator
 * fills the required fields it does not model (URLs, node ids, nested `user`/`repo` objects) from
 * each operation's response schema, and tests validate every emulator response against the same
 * schemas with ajv, so the emulator cannot drift from the real API. Request bodies are checked
 * against each operation's request schema too (validateRequest): the emulator refuses one that
 * GitHub would refuse, so a wrong field the suite sends fails its tests instead of passing here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

type Schema = {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
  minimum?: number;
};

interface Spec {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
        requestBody?: { content?: Record<string, { schema: Schema }> };
      }
    >
  >;
}

let spec: Spec | undefined;

/** api.github.com, dereferenced (no `$ref`s left), loaded once per process. */
export function githubSpec(): Spec {
  if (!spec) {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@octokit/openapi/generated/api.github.com.deref.json');
    spec = JSON.parse(readFileSync(path, 'utf8')) as Spec;
  }
  return spec;
}

export function responseSchema(method: string, template: string, status: number): Schema | undefined {
  const operation = githubSpec().paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`OpenAPI has no operation ${method} ${template}`);
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`OpenAPI ${method} ${template} documents no ${status} response`);
  return response.content?.['application/json']?.schema;
}

const FILLER_DATE = '2026-01-01T00:00:00Z';

/**
 * `overlay` completed with a type-correct placeholder for every required field it lacks. Values
 * the overlay gives are kept as they are (and validated later, so a wrong type shows up).
 */
export function fillRequired(schema: Schema | undefined, overlay: unknown, depth = 0): unknown {
  if (!schema || depth > 12) return overlay;
  if (schema.allOf) {
    const merged: Schema = { type: 'object', properties: {}, required: [] };
    for (const part of schema.allOf) {
      Object.assign(merged.properties!, part.properties ?? {});
      merged.required!.push(...(part.required ?? []));
    }
    return fillRequired(merged, overlay, depth);
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    if (
      overlay === null &&
      alternatives.some((alternative) => alternative.nullable || alternative.type === 'null')
    ) {
      return null;
    }
    const pick =
      alternatives.find((alternative) =>
        Array.isArray(overlay)
          ? alternative.type === 'array'
          : typeof overlay === 'object' && overlay !== null
            ? alternative.type === 'object' || alternative.properties
            : alternative.type === typeof overlay,
      ) ?? alternatives[0];
    return fillRequired(pick, overlay, depth + 1);
  }
  if (overlay === undefined) return placeholder(schema, depth);
  if (overlay === null) return null;
  if (schema.type === 'array' && Array.isArray(overlay)) {
    return overlay.map((item) => fillRequired(schema.items, item, depth + 1));
  }
  if (
    (schema.type === 'object' || schema.properties) &&
    typeof overlay === 'object' &&
    !Array.isArray(overlay)
  ) {
    const out: Record<string, unknown> = {};
    const given = overlay as Record<string, unknown>;
    for (const key of schema.required ?? [])
      out[key] = fillRequired(schema.properties?.[key], given[key], depth + 1);
    for (const [key, value] of Object.entries(given)) {
      if (value === undefined) continue;
      out[key] = fillRequired(schema.properties?.[key], value, depth + 1);
    }
    return out;
  }
  return overlay;
}

function placeholder(schema: Schema, depth: number): unknown {
  if (schema.nullable) return null;
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return FILLER_DATE;
      if (schema.format === 'uri' || schema.format === 'uri-template')
        return 'https://github.localhost/placeholder';
      if (schema.format === 'email') return 'placeholder@example.com';
      return '';
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default:
      return fillRequired({ ...schema, type: 'object' }, {}, depth + 1);
  }
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction | null>();

/**
 * Validates a response body against the official schema of `method template` for `status`.
 * Additional properties are allowed (GitHub adds fields over time); formats are not checked
 * (ajv-formats is not a dependency), types, required fields, enums and nullability are.
 */
export function validateResponse(method: string, template: string, status: number, body: unknown): string[] {
  const key = `${method} ${template} ${status}`;
  if (!compiled.has(key)) {
    const schema = responseSchema(method, template, status);
    ajv ??= new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
    compiled.set(key, schema ? ajv.compile(toJsonSchema(schema) as object) : null);
  }
  const validate = compiled.get(key);
  if (!validate)
    return body === undefined || body === '' ? [] : [`${key}: no JSON schema but a body was sent`];
  if (validate(body)) return [];
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((error) => `${key}: ${error.instancePath || '/'} ${error.message}`);
}

const compiledRequests = new Map<string, ValidateFunction | null>();

/** The JSON request body schema of `method template`, or undefined when it documents none. */
export function requestSchema(method: string, template: string): Schema | undefined {
  const operation = githubSpec().paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`OpenAPI has no operation ${method} ${template}`);
  return operation.requestBody?.content?.['application/json']?.schema;
}

/**
 * Validates a JSON request body against the official request schema of `method template`, as
 * GitHub does before it acts (it answers 422 "Invalid request"): types, required fields and enums.
 * Additional properties are allowed where the schema allows them; formats are not checked.
 */
export function validateRequest(method: string, template: string, body: unknown): string[] {
  const key = `${method} ${template}`;
  if (!compiledRequests.has(key)) {
    const schema = requestSchema(method, template);
    ajv ??= new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
    compiledRequests.set(key, schema ? ajv.compile(toJsonSchema(schema) as object) : null);
  }
  const validate = compiledRequests.get(key);
  if (!validate) return [];
  if (validate(body)) return [];
  return (validate.errors ?? []).slice(0, 5).map((error) => {
    // GitHub words a string over its maxLength this way ("Invalid request.\n\nOnly 65535
    // characters are allowed; 68338 were supplied."), counting code points as ajv does.
    if (error.keyword === 'maxLength') {
      const value = valueAt(body, error.instancePath);
      const supplied = typeof value === 'string' ? [...value].length : Number.NaN;
      return `Only ${(error.params as { limit: number }).limit} characters are allowed; ${supplied} were supplied.`;
    }
    return `${key} request: ${error.instancePath || '/'} ${error.message}`;
  });
}

/** The value at a JSON pointer such as `/output/summary`. */
function valueAt(body: unknown, pointer: string): unknown {
  let at = body;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at;
}

/**
 * OpenAPI 3.0's `nullable` as JSON Schema: ajv only accepts `nullable` next to `type`, and the
 * description also puts it on `anyOf`/`allOf` nodes and bare objects.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node))
    out[key] = key === 'example' || key === 'examples' ? value : toJsonSchema(value);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}
