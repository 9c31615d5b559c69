/**
 * The edges of TF Serving's REST API, each answered as TF Serving answers it (checked against
 * tensorflow/serving http_rest_api_util.cc, http_rest_api_handler.cc, get_model_status_impl.cc,
 * server_core.cc and util/json_tensor.cc): version labels from the registry's aliases, paths in
 * any case, 400 for a method a path does not take, a missing model name, version 0, `{"b64": ...}`
 * values and the status of an unknown model. A real registry, real TF.js models.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/src/logging/index.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { resolveModel } from '../../../shared/src/registry/resolve.js';
import { runServe } from '../../../shared/src/serve/run-serve.js';
import { type ModelServer, startModelServer } from '../../../shared/src/serve/server.js';
import { registryVersionLabels } from '../../../shared/src/serve/version-labels.js';
import { registerTinyVersions } from '../../integration/deploy/registered-models.js';
import { expectClose, expected, ROWS } from './model-fixture.js';

let work: string;
let server: ModelServer;
let registry: LocalRegistry;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, json };
}

const predictBody = { instances: [ROWS[0]] };
const firstPrediction = (json: Record<string, unknown>) => (json.predictions as number[][])[0]!;
const b64 = (text: string) => ({ b64: Buffer.from(text, 'utf8').toString('base64') });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-tfs-rest-'));
  await registerTinyVersions(work, [1, 2]);
  registry = new LocalRegistry(join(work, '.mlops/registry'));
  const setAlias = (alias: string, version: number, expected: number | null) =>
    registry.setAlias({ name: 'penguins', alias, version, expected, actor: 'test', runUrl: null });
  await setAlias('production', 1, null);
  await setAlias('staging', 1, null);
  server = await startModelServer({
    port: 0,
    models: [{ name: 'penguins', registry, reference: 'penguins@production' }],
    // Read the aliases on every request, so an alias move shows at once.
    labels: registryVersionLabels(registry, 0),
  });
});

afterAll(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

describe('version labels (/labels/<label>) are the registry aliases', () => {
  it('serves the labelled version for :predict, :classify, status and metadata', async () => {
    const predict = await call('POST', '/v1/models/penguins/labels/production:predict', predictBody);
    expect(predict.status).toBe(200);
    expectClose(firstPrediction(predict.json), expected(1, ROWS[0]!));
    const classify = await call('POST', '/v1/models/penguins/labels/staging:classify', {
      examples: [ROWS[0]],
    });
    expect(classify.status).toBe(200);
    const scores = (classify.json.result as [string, number][][])[0]!.map(([, score]) => score);
    expectClose(scores, expected(1, ROWS[0]!));
    const status = await call('GET', '/v1/models/penguins/labels/production');
    expect(status.status).toBe(200);
    expect((status.json.model_version_status as { version: string }[]).map((s) => s.version)).toEqual(['1']);
    const metadata = await call('GET', '/v1/models/penguins/labels/production/metadata');
    expect(metadata.status).toBe(200);
    expect(metadata.json.model_spec).toMatchObject({ name: 'penguins', version: '1' });
  });

  it('answers an unknown label with 400 "Unrecognized servable version label"', async () => {
    for (const path of [
      '/v1/models/penguins/labels/nope:predict',
      '/v1/models/penguins/labels/nope:regress',
    ]) {
      const reply = await call('POST', path, predictBody);
      expect(reply.status, path).toBe(400);
      expect(reply.json.error).toBe('Unrecognized servable version label: nope');
    }
    const status = await call('GET', '/v1/models/penguins/labels/nope');
    expect(status.status).toBe(400);
    expect(status.json.error).toBe('Unrecognized servable version label: nope');
  });

  it('follows an alias move: the label serves the version the alias points to now', async () => {
    await server.swap('penguins', 2, (await resolveModel(registry, 'penguins/2')).path);
    // production still names v1, which this server no longer has loaded: not found, as in TF Serving.
    const stale = await call('POST', '/v1/models/penguins/labels/production:predict', predictBody);
    expect(stale.status).toBe(404);
    expect(stale.json.error).toBe('Servable not found for request: Specific(penguins, 1)');
    await registry.setAlias({
      name: 'penguins',
      alias: 'production',
      version: 2,
      expected: 1,
      actor: 'test',
      runUrl: null,
    });
    const moved = await call('POST', '/v1/models/penguins/labels/production:predict', predictBody);
    expect(moved.status).toBe(200);
    expectClose(firstPrediction(moved.json), expected(2, ROWS[0]!));
  });
});

describe('mlops serve from a registry', () => {
  it('serves the aliases as labels', async () => {
    const cli = await runServe(
      { model: 'penguins@staging', registry: '.mlops/registry', port: 0, workingDirectory: work },
      silentLog,
    );
    try {
      const reply = await fetch(`${cli.url}/v1/models/penguins/labels/staging:predict`, {
        method: 'POST',
        body: JSON.stringify(predictBody),
      });
      expect(reply.status).toBe(200);
      expectClose(
        ((await reply.json()) as { predictions: number[][] }).predictions[0]!,
        expected(1, ROWS[0]!),
      );
    } finally {
      await cli.close();
    }
  });
});

describe('paths, methods and versions as TF Serving answers them', () => {
  it('serves paths in any case; the model name keeps its case', async () => {
    const status = await call('GET', '/V1/MODELS/penguins');
    expect(status.status).toBe(200);
    const predict = await call('POST', '/V1/Models/penguins/VERSIONS/2:predict', predictBody);
    expect(predict.status).toBe(200);
    expectClose(firstPrediction(predict.json), expected(2, ROWS[0]!));
    const labelled = await call('POST', '/v1/MODELS/penguins/LABELS/production:predict', predictBody);
    expect(labelled.status).toBe(200);
    const otherCase = await call('GET', '/v1/models/PENGUINS');
    expect(otherCase.status).toBe(404);
    expect(otherCase.json.error).toBe('Could not find any versions of model PENGUINS');
  });

  it('answers GET on :predict and POST on a status path with 400, not 405', async () => {
    const get = await call('GET', '/v1/models/penguins:predict');
    expect(get.status).toBe(400);
    expect(get.json.error).toBe('Malformed request: GET /v1/models/penguins:predict');
    const post = await call('POST', '/v1/models/penguins', predictBody);
    expect(post.status).toBe(400);
    expect(post.json.error).toBe('Malformed request: POST /v1/models/penguins');
    const postMetadata = await call('POST', '/v1/models/penguins/versions/2/metadata', {});
    expect(postMetadata.status).toBe(400);
  });

  it('answers GET /v1/models with 400 "Missing model name in request."', async () => {
    const reply = await call('GET', '/v1/models');
    expect(reply.status).toBe(400);
    expect(reply.json.error).toBe('Missing model name in request.');
  });

  it('treats /versions/0 as a version that does not exist: 404', async () => {
    const status = await call('GET', '/v1/models/penguins/versions/0');
    expect(status.status).toBe(404);
    expect(status.json.error).toBe('Could not find version 0 of model penguins');
    const predict = await call('POST', '/v1/models/penguins/versions/0:predict', predictBody);
    expect(predict.status).toBe(404);
    expect(predict.json.error).toBe('Servable not found for request: Specific(penguins, 0)');
    const huge = await call('GET', '/v1/models/penguins/versions/99999999999999999999');
    expect(huge.status).toBe(400);
    expect(huge.json.error).toBe('Failed to convert version: 99999999999999999999 to numeric.');
  });

  it('answers the status of an unknown model with "Could not find any versions of model X"', async () => {
    const reply = await call('GET', '/v1/models/otter');
    expect(reply.status).toBe(404);
    expect(reply.json.error).toBe('Could not find any versions of model otter');
    const one = await call('GET', '/v1/models/otter/versions/3');
    expect(one.status).toBe(404);
  });
});

describe('{"b64": ...} values', () => {
  it('decodes them for string inputs in rows, columns, array rows and examples', async () => {
    const want = expected(2, ROWS[1]!);
    const row = await call('POST', '/v1/models/penguins:predict', {
      instances: [{ bill_length_mm: ROWS[1]!.bill_length_mm, island: b64(ROWS[1]!.island!) }],
    });
    expect(row.status, JSON.stringify(row.json)).toBe(200);
    expectClose(firstPrediction(row.json), want);
    const columnar = await call('POST', '/v1/models/penguins:predict', {
      inputs: { bill_length_mm: [ROWS[1]!.bill_length_mm], island: [b64(ROWS[1]!.island!)] },
    });
    expect(columnar.status).toBe(200);
    expectClose((columnar.json.outputs as number[][])[0]!, want);
    // The documented extension, a list of values in signature order, takes them too.
    const list = await call('POST', '/v1/models/penguins:predict', {
      instances: [[ROWS[1]!.bill_length_mm, b64(ROWS[1]!.island!)]],
    });
    expect(list.status).toBe(200);
    expectClose(firstPrediction(list.json), want);
    const classify = await call('POST', '/v1/models/penguins:classify', {
      examples: [{ bill_length_mm: ROWS[1]!.bill_length_mm, island: b64(ROWS[1]!.island!) }],
    });
    expect(classify.status).toBe(200);
  });

  it('refuses what TF Serving refuses: bad base64, b64 for a number, a malformed object', async () => {
    const bad = await call('POST', '/v1/models/penguins:predict', {
      instances: [{ bill_length_mm: 40, island: { b64: 'not base64!' } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^instances\[0\]\.island: Unable to base64 decode/);
    const numeric = await call('POST', '/v1/models/penguins:predict', {
      instances: [{ bill_length_mm: b64('40'), island: 'Dream' }],
    });
    expect(numeric.status).toBe(400);
    expect(numeric.json.error).toMatch(/Type: Object is not of expected type: float32/);
    const twoKeys = await call('POST', '/v1/models/penguins:predict', {
      instances: [{ bill_length_mm: 40, island: { b64: 'RHJlYW0=', extra: 1 } }],
    });
    expect(twoKeys.status).toBe(400);
    expect(twoKeys.json.error).toMatch(/not formatted correctly for base64 data/);
    const notText = await call('POST', '/v1/models/penguins:predict', {
      instances: [{ bill_length_mm: 40, island: { b64: Buffer.from([0xff, 0xfe]).toString('base64') } }],
    });
    expect(notText.status).toBe(400);
    expect(notText.json.error).toMatch(/not UTF-8 text/);
  });
});
