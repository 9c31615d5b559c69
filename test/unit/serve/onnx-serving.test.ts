import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPreprocessing,
  inputWidth,
  readPreprocessing,
} from '../../../shared/src/models/preprocessing.js';
import { type ModelServer, startModelServer } from '../../../shared/src/serve/server.js';
import { expectClose } from './model-fixture.js';
import { PENGUINS_MODEL, penguinProbabilities, penguinRows } from './penguins-fixture.js';

let server: ModelServer;

beforeAll(async () => {
  server = await startModelServer({
    port: 0,
    models: [{ name: 'penguins', folder: PENGUINS_MODEL, version: 1 }],
    limits: { maxBatch: 200 },
  });
});

afterAll(async () => {
  await server?.close();
});

describe('serving an ONNX model with its preprocessing', () => {
  it('answers every eval row with the probabilities numpy computed', async () => {
    const rows = penguinRows();
    const reply = await fetch(`${server.url}/v1/models/penguins:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: rows }),
    });
    expect(reply.status).toBe(200);
    const { predictions } = (await reply.json()) as { predictions: number[][] };
    const want = penguinProbabilities();
    expect(predictions).toHaveLength(want.length);
    for (const [i, row] of want.entries()) expectClose(predictions[i]!, row);
  });

  it('reports the raw features as the signature, categorical ones as strings', async () => {
    const meta = (await (await fetch(`${server.url}/v1/models/penguins/metadata`)).json()) as {
      metadata: {
        signature_def: { signature_def: { serving_default: { inputs: Record<string, { dtype: string }> } } };
      };
    };
    const inputs = meta.metadata.signature_def.signature_def.serving_default.inputs;
    expect(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.dtype]))).toEqual({
      'Beak Length (mm)': 'DT_FLOAT',
      'Beak Depth (mm)': 'DT_FLOAT',
      'Flipper Length (mm)': 'DT_FLOAT',
      'Body Mass (g)': 'DT_FLOAT',
      Island: 'DT_STRING',
    });
  });
});

describe('serving a model without preprocessing', () => {
  it('takes rows of the model input tensor and checks their width', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlops-serve-'));
    await copyFile(join(PENGUINS_MODEL, 'model.onnx'), join(dir, 'model.onnx'));
    const raw = await startModelServer({ port: 0, models: [{ name: 'mlp', folder: dir, version: 1 }] });
    try {
      const spec = await readPreprocessing(join(PENGUINS_MODEL, 'preprocessing.json'));
      const rows = penguinRows().slice(0, 5);
      const columns = Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, rows.map((r) => r[k])]));
      const width = inputWidth(spec);
      const matrix = applyPreprocessing(spec, columns, rows.length);
      const instances = rows.map((_, r) => Array.from(matrix.subarray(r * width, (r + 1) * width)));
      const reply = await fetch(`${raw.url}/v1/models/mlp:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances }),
      });
      expect(reply.status).toBe(200);
      const { predictions } = (await reply.json()) as { predictions: number[][] };
      for (const [i, row] of penguinProbabilities().slice(0, 5).entries()) expectClose(predictions[i]!, row);
      const narrow = await fetch(`${raw.url}/v1/models/mlp:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: [[1, 2]] }),
      });
      expect(narrow.status).toBe(400);
      expect(((await narrow.json()) as { error: string }).error).toMatch(
        new RegExp(`must be a list of ${width} numbers`),
      );
    } finally {
      await raw.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
