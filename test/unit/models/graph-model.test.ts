/**
 * A TF.js graph model (the format tensorflowjs_converter writes from a SavedModel): the penguins
 * MLP written as a GraphDef by hand (Placeholder, MatMul, BiasAdd, Relu, Softmax with the fixture's
 * weights as Const nodes), loaded through the same adapter, must give numpy's probabilities.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { tableExpression } from '../../../shared/src/data/source.js';
import {
  applyPreprocessing,
  inputWidth,
  loadModel,
  preprocessingBeside,
} from '../../../shared/src/models/index.js';
import { PENGUINS_FIXTURE } from './penguins-fixture.js';

const weights = JSON.parse(readFileSync(`${PENGUINS_FIXTURE}/weights.json`, 'utf8')) as {
  w1: number[][];
  b1: number[];
  w2: number[][];
  b2: number[];
};
const expected = JSON.parse(readFileSync(`${PENGUINS_FIXTURE}/expected.json`, 'utf8')) as {
  probabilities: number[][];
};

const float = { type: 'DT_FLOAT' };
const dims = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
const constant = (name: string, shape: number[]) => ({
  name,
  op: 'Const',
  attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(shape) } } },
});
const op = (name: string, kind: string, input: string[], extra: Record<string, unknown> = {}) => ({
  name,
  op: kind,
  input,
  attr: { T: float, ...extra },
});

function writeGraphModel(dir: string): string {
  const inputs = weights.w1.length;
  const hidden = weights.b1.length;
  const classes = weights.b2.length;
  const nchw = { s: Buffer.from('NHWC').toString('base64') };
  const node = [
    { name: 'features', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims([-1, inputs]) } } },
    constant('w1', [inputs, hidden]),
    constant('b1', [hidden]),
    constant('w2', [hidden, classes]),
    constant('b2', [classes]),
    op('dense/MatMul', 'MatMul', ['features', 'w1'], {
      transpose_a: { b: false },
      transpose_b: { b: false },
    }),
    op('dense/BiasAdd', 'BiasAdd', ['dense/MatMul', 'b1'], { data_format: nchw }),
    op('dense/Relu', 'Relu', ['dense/BiasAdd']),
    op('out/MatMul', 'MatMul', ['dense/Relu', 'w2'], {
      transpose_a: { b: false },
      transpose_b: { b: false },
    }),
    op('out/BiasAdd', 'BiasAdd', ['out/MatMul', 'b2'], { data_format: nchw }),
    op('probabilities', 'Softmax', ['out/BiasAdd']),
  ];
  const values = [...weights.w1.flat(), ...weights.b1, ...weights.w2.flat(), ...weights.b2];
  writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.from(new Float32Array(values).buffer));
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'test/unit/models/graph-model.test.ts',
    convertedBy: null,
    modelTopology: { node, library: {}, versions: { producer: 1 } },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'w1', shape: [inputs, hidden], dtype: 'float32' },
          { name: 'b1', shape: [hidden], dtype: 'float32' },
          { name: 'w2', shape: [hidden, classes], dtype: 'float32' },
          { name: 'b2', shape: [classes], dtype: 'float32' },
        ],
      },
    ],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
  return join(dir, 'model.json');
}

describe('TF.js graph models', () => {
  it('load through the adapter with their signature and predict what numpy computed', async () => {
    const path = writeGraphModel(mkdtempSync(join(tmpdir(), 'mlops-graph-')));
    const spec = (await preprocessingBeside(`${PENGUINS_FIXTURE}/model.onnx`))!;
    const db = await Database.open({ threads: 1 });
    let features: Float32Array;
    let rows: number;
    try {
      const data = await db.all(`SELECT * FROM ${tableExpression(`${PENGUINS_FIXTURE}/eval.csv`)}`);
      rows = data.length;
      const columns = Object.fromEntries(
        spec.features.map((f) => [f.name, data.map((r) => r[f.name] ?? null)]),
      );
      features = applyPreprocessing(spec, columns, rows);
    } finally {
      db.close();
    }
    const model = await loadModel(path);
    expect(model.format).toBe('tfjs-graph');
    expect(model.signature.inputs[0]).toMatchObject({ name: 'features', shape: [null, inputWidth(spec)] });
    expect(model.signature.outputs[0].name).toBe('probabilities');
    const { values, width } = await model.predict(features, rows, inputWidth(spec));
    expect(width).toBe(3);
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < 3; c++)
        expect(Math.abs(values[i * 3 + c] - expected.probabilities[i][c])).toBeLessThan(2e-6);
    }
    model.dispose();
  });
});
