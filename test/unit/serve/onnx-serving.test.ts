import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
