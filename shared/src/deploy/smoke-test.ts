/**
 * The smoke test run after a deploy against a TF Serving-compatible URL: the version is
 * AVAILABLE, its metadata signature equals the registered one, and every case of the smoke-test
 * file (`mlops-smoke-test/v1`, docs/schemas/smoke-test.schema.json) returns the expected outputs
 * within tolerance and under the latency bound.
 *
 * ```json
 * {
 *   "schema": "mlops-smoke-test/v1",
 *   "atol": 1e-4, "rtol": 1e-3, "max_latency_ms": 1000,
 *   "cases": [
 *     { "name": "adelie", "request": { "instances": [{ "bill_length_mm": 39.1, "island": "Torgersen" }] },
 *       "expected": [[0.91, 0.06, 0.03]] }
 *   ]
 * }
 * ```
 * `expected` is the reply's `predictions` (row requests) or `outputs` (columnar requests); numbers
 * match when |got - want| <= atol + rtol * |want| (numpy.isclose), other values must be equal.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import {
  compareSignatures,
  type ServingSignature,
  signatureFromTfServingMetadata,
  type TensorSpec,
} from '../serve/signature.js';

export const SMOKE_TEST_SCHEMA = 'mlops-smoke-test/v1';

const caseSchema = z
  .object({
    name: z.string().min(1).optional(),
    request: z.record(z.string(), z.unknown()),
    expected: z.array(z.unknown()),
  })
  .strict();

const smokeTestSchema = z
  .object({
    schema: z.literal(SMOKE_TEST_SCHEMA),
    atol: z.number().nonnegative().default(1e-4),
    rtol: z.number().nonnegative().default(1e-3),
    max_latency_ms: z.number().positive().default(2000),
    cases: z.array(caseSchema).min(1),
  })
  .strict();

export type SmokeTestFile = z.infer<typeof smokeTestSchema>;

export async function readSmokeTest(path: string): Promise<SmokeTestFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`The smoke-test file '${path}' does not exist.`, { input: 'smoke-test', file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`The smoke-test file '${path}' is not valid JSON: ${(error as Error).message}`, {
      input: 'smoke-test',
      file: path,
    });
  }
  const parsed = smokeTestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new UserError(
      `The smoke-test file '${path}' is not a valid ${SMOKE_TEST_SCHEMA} file${where}: ${issue.message}.`,
      {
        input: 'smoke-test',
        file: path,
      },
    );
  }
  return parsed.data;
}

/** The input names a TF Serving request body uses (row objects or columnar keys). */
function requestInputNames(request: Record<string, unknown>): string[] | undefined {
  const instances = request['instances'];
  if (Array.isArray(instances)) {
    const names = new Set<string>();
    for (const row of instances) {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) return undefined;
      for (const key of Object.keys(row)) names.add(key);
    }
    return [...names];
  }
  const inputs = request['inputs'];
  if (inputs !== null && typeof inputs === 'object' && !Array.isArray(inputs)) return Object.keys(inputs);
  return undefined;
}

/**
 * Problems that make the file unusable with this model, found before anything is deployed:
 * a case naming inputs the registered signature does not have, or leaving some out.
 */
export function checkSmokeTestAgainstSignature(
  file: SmokeTestFile,
  inputs: TensorSpec[] | undefined,
  path: string,
): void {
  if (inputs === undefined || inputs.length === 0) return;
  const wanted = new Set(inputs.map((s) => s.name));
  file.cases.forEach((c, i) => {
    const names = requestInputNames(c.request);
    if (names === undefined) return;
    const unknown = names.filter((n) => !wanted.has(n));
    const missing = [...wanted].filter((n) => !names.includes(n));
    if (unknown.length > 0 || missing.length > 0) {
      throw new UserError(
        `The smoke-test file '${path}' case ${c.name ?? i + 1} does not match the model's signature` +
          (unknown.length > 0 ? `: unknown input(s) ${unknown.join(', ')}` : '') +
          (missing.length > 0
            ? `${unknown.length > 0 ? ';' : ':'} missing input(s) ${missing.join(', ')}`
            : '') +
          ` (the model takes ${[...wanted].join(', ')}).`,
        { input: 'smoke-test', file: path },
      );
    }
  });
}

export interface SmokeCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface SmokeResult {
  passed: boolean;
  checks: SmokeCheck[];
}

export interface SmokeTarget {
  /** Server root, e.g. http://127.0.0.1:8501 */
  url: string;
  model: string;
  version: number;
  /** The registered signature, or inputs derived from the registered preprocessing. */
  expected?: ServingSignature | { inputs: TensorSpec[] };
  /** How long the status check may wait for the version to become AVAILABLE. */
  availableTimeoutMs?: number;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
}

async function getJson(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; body: unknown; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the message.
  }
  return { status: response.status, body, ms };
}

/** A case's reply is fast enough when it took at most `max_latency_ms` (the bound is inclusive). */
export function withinLatencyBound(ms: number, maxLatencyMs: number): boolean {
  return ms <= maxLatencyMs;
}

/** First mismatch between `got` and `want`, as a path and values, or undefined when they match. */
export function firstMismatch(
  got: unknown,
  want: unknown,
  atol: number,
  rtol: number,
  path = '',
): string | undefined {
  if (typeof want === 'number') {
    if (typeof got !== 'number') return `${path || 'value'}: got ${JSON.stringify(got)}, expected ${want}`;
    return Math.abs(got - want) <= atol + rtol * Math.abs(want)
      ? undefined
      : `${path || 'value'}: got ${got}, expected ${want}`;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) {
      return `${path || 'value'}: got ${Array.isArray(got) ? `${got.length} values` : JSON.stringify(got)}, expected ${want.length} values`;
    }
    for (let i = 0; i < want.length; i++) {
      const found = firstMismatch(got[i], want[i], atol, rtol, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  return JSON.stringify(got) === JSON.stringify(want)
    ? undefined
    : `${path || 'value'}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
}

export async function runSmokeTest(
  target: SmokeTarget,
  file: SmokeTestFile | undefined,
): Promise<SmokeResult> {
  const checks: SmokeCheck[] = [];
  const timeout = target.requestTimeoutMs ?? 10_000;
  const base = `${target.url.replace(/\/$/, '')}/v1/models/${encodeURIComponent(target.model)}`;
  const versioned = `${base}/versions/${target.version}`;
  const fail = (name: string, detail: string) => checks.push({ name, passed: false, detail });
  const pass = (name: string, detail: string) => checks.push({ name, passed: true, detail });

  // 1. The version is AVAILABLE (a TF Serving watching a folder may take a moment to load it).
  const deadline = Date.now() + (target.availableTimeoutMs ?? 30_000);
  let state = 'unknown';
  for (;;) {
    try {
      const reply = await getJson(versioned, {}, timeout);
      const status = (reply.body as { model_version_status?: { version: string; state: string }[] })
        .model_version_status;
      state = status?.find((s) => s.version === String(target.version))?.state ?? `HTTP ${reply.status}`;
    } catch (error) {
      state = `unreachable (${(error as Error).message})`;
    }
    if (state === 'AVAILABLE' || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (state !== 'AVAILABLE') {
    fail('status', `version ${target.version} is ${state}, not AVAILABLE`);
    return { passed: false, checks };
  }
  pass('status', `version ${target.version} is AVAILABLE`);

  // 2. The served signature is the registered one.
  try {
    const reply = await getJson(`${versioned}/metadata`, {}, timeout);
    const served = signatureFromTfServingMetadata(reply.body);
    if (reply.status !== 200 || served === undefined)
      fail('signature', `metadata request answered HTTP ${reply.status}`);
    else if (target.expected === undefined) pass('signature', 'no registered signature to compare with');
    else {
      const problems = compareSignatures(target.expected, served);
      if (problems.length > 0) fail('signature', problems.join('; '));
      else pass('signature', `${served.inputs.length} input(s) match the registered signature`);
    }
  } catch (error) {
    fail('signature', `metadata request failed: ${(error as Error).message}`);
  }

  // 3. Known inputs give the expected outputs, fast enough.
  for (const [index, c] of (file?.cases ?? []).entries()) {
    const name = `case ${c.name ?? index + 1}`;
    try {
      const reply = await getJson(
        `${versioned}:predict`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c.request) },
        timeout,
      );
      const body = reply.body as Record<string, unknown>;
      if (reply.status !== 200) {
        fail(
          name,
          `HTTP ${reply.status}: ${typeof body === 'object' && body !== null ? String(body['error']) : String(reply.body).slice(0, 200)}`,
        );
        continue;
      }
      const got = 'predictions' in body ? body['predictions'] : body['outputs'];
      const mismatch = firstMismatch(got, c.expected, file!.atol, file!.rtol);
      if (mismatch) fail(name, `output differs at ${mismatch} (atol ${file!.atol}, rtol ${file!.rtol})`);
      else if (!withinLatencyBound(reply.ms, file!.max_latency_ms))
        fail(name, `took ${reply.ms.toFixed(1)} ms, over the ${file!.max_latency_ms} ms bound`);
      else pass(name, `outputs match in ${reply.ms.toFixed(1)} ms`);
    } catch (error) {
      fail(name, `request failed: ${(error as Error).message}`);
    }
  }
  return { passed: checks.every((c) => c.passed), checks };
}
