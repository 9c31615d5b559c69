import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database, quoteIdent } from '../../../shared/src/data/database.js';
import { tableExpression } from '../../../shared/src/data/source.js';
import { UserError } from '../../../shared/src/errors/index.js';
import {
  applyPreprocessing,
  inputWidth,
  loadModel,
  type Preprocessing,
  preprocessingBeside,
} from '../../../shared/src/models/index.js';
import { saveTfjsPenguinsModel } from './penguins-fixture.js';

const FIXTURE = 'test/fixtures/models/penguins';
const expected = JSON.parse(readFileSync(`${FIXTURE}/expected.json`, 'utf8')) as {
  probabilities: number[][];
};

let spec: Preprocessing;
let features: Float32Array;
let rows: number;
const scratch = mkdtempSync(join(tmpdir(), 'mlops-models-'));

beforeAll(async () => {
  spec = (await preprocessingBeside(`${FIXTURE}/model.onnx`))!;
  const db = await Database.open({ threads: 1 });
  try {
    const data = await db.all(`SELECT * FROM ${tableExpression(`${FIXTURE}/eval.csv`)}`);
    rows = data.length;
    const columns = Object.fromEntries(
      spec.features.map((f) => [f.name, data.map((r) => r[f.name] ?? null)]),
    );
    features = applyPreprocessing(spec, columns, rows);
    expect(quoteIdent('x')).toBe('"x"');
  } finally {
    db.close();
  }
});

function expectProbabilities(values: Float32Array, width: number) {
  expect(width).toBe(3);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < 3; c++)
      expect(Math.abs(values[i * 3 + c] - expected.probabilities[i][c])).toBeLessThan(2e-6);
  }
}

describe('model adapters', () => {
  it('ONNX: reads signature and size, predicts what numpy computed', async () => {
    const model = await loadModel(`${FIXTURE}/model.onnx`);
    expect(model.format).toBe('onnx');
    expect(model.inputWidth).toBe(inputWidth(spec));
    expect(model.signature.inputs[0]).toMatchObject({ name: 'features', dtype: 'float32', shape: [null, 7] });
    expect(model.sizeBytes).toBe(readFileSync(`${FIXTURE}/model.onnx`).byteLength);
    const { values, width } = await model.predict(features, rows, inputWidth(spec));
    expectProbabilities(values, width);
    model.dispose();
  });

  it('TF.js layers: saved and reloaded through the file IOHandler, predicts the same', async () => {
    const path = await saveTfjsPenguinsModel(join(scratch, 'tfjs'));
    const model = await loadModel(path);
    expect(model.format).toBe('tfjs-layers');
    expect(model.inputWidth).toBe(7);
    expect(model.sizeBytes).toBeGreaterThan(7 * 8 * 4);
    const { values, width } = await model.predict(features, rows, 7);
    expectProbabilities(values, width);
    model.dispose();
  });

  it('an unreadable or foreign model file is one UserError', async () => {
    const bad = join(scratch, 'bad.onnx');
    writeFileSync(bad, 'not a protobuf at all');
    await expect(loadModel(bad)).rejects.toThrow(UserError);
    await expect(loadModel(bad)).rejects.toThrow(/not a model onnxruntime can load/);
    const badJson = join(scratch, 'model.json');
    writeFileSync(badJson, '{"hello": 1}');
    await expect(loadModel(badJson)).rejects.toThrow(/not a TF.js model.json/);
    await expect(loadModel(join(scratch, 'missing.onnx'))).rejects.toThrow(/does not exist/);
    await expect(loadModel(join(scratch, 'weights.pkl'))).rejects.toThrow(UserError);
  });
});
