/**
 * Paths written inside files a fork can control (a metrics file's `predictions.path`, a TF.js
 * model.json's weight paths) are followed only inside the folder of the file that names them.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompareBaseline } from '../../shared/src/compare/run.js';
import { UserError } from '../../shared/src/errors/index.js';
import { confinedPath } from '../../shared/src/files/confined-path.js';
import { silentLog } from '../../shared/src/logging/index.js';
import { loadModel } from '../../shared/src/models/load.js';

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-untrusted-'));
  mkdirSync(join(dir, 'artifact'));
  writeFileSync(join(dir, 'outside.txt'), 'secret');
  writeFileSync(join(dir, 'artifact/inside.txt'), 'data');
  return dir;
}

describe('confinedPath', () => {
  const dir = folder();
  const file = join(dir, 'artifact/metrics.json');

  it('follows relative paths inside the folder, and absolute ones that already point inside', () => {
    expect(confinedPath(file, 'predictions.path', 'inside.txt')).toBe(join(dir, 'artifact/inside.txt'));
    expect(confinedPath(file, 'predictions.path', './sub/../inside.txt')).toBe(
      join(dir, 'artifact/inside.txt'),
    );
    expect(confinedPath(file, 'predictions.path', join(dir, 'artifact/inside.txt'))).toBe(
      join(dir, 'artifact/inside.txt'),
    );
  });

  it.each([
    ['/etc/passwd', /is an absolute path outside it/],
    [join(dir, 'outside.txt'), /is an absolute path outside it/],
    ['../outside.txt', /leads outside it/],
    ['../../x', /leads outside it/],
    ['sub/../../outside.txt', /leads outside it/],
    ['inside.txt\0.parquet', /NUL byte/],
  ])('refuses %j', (value, why) => {
    const error = (() => {
      try {
        confinedPath(file, 'predictions.path', value);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toContain(`predictions.path ${JSON.stringify(value)}`);
    expect((error as UserError).location?.file).toBe(file);
  });

  it('refuses a symbolic link that leads out, and one to a folder that leads out', () => {
    symlinkSync(join(dir, 'outside.txt'), join(dir, 'artifact/link.txt'));
    symlinkSync(dir, join(dir, 'artifact/up'));
    expect(() => confinedPath(file, 'predictions.path', 'link.txt')).toThrow(/symbolic link/);
    expect(() => confinedPath(file, 'predictions.path', 'up/outside.txt')).toThrow(/symbolic link/);
    symlinkSync(join(dir, 'artifact/inside.txt'), join(dir, 'artifact/alias.txt'));
    expect(confinedPath(file, 'predictions.path', 'alias.txt')).toBe(join(dir, 'artifact/alias.txt'));
  });
});

describe('a TF.js model.json from an artifact', () => {
  it('has its weight paths followed only inside its folder', async () => {
    const dir = folder();
    const model = {
      format: 'layers-model',
      generatedBy: 'test',
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 'm',
          layers: [
            {
              class_name: 'Dense',
              config: {
                name: 'd',
                units: 1,
                batch_input_shape: [null, 2],
                dtype: 'float32',
                use_bias: false,
              },
            },
          ],
        },
      },
      weightsManifest: [
        { paths: ['../outside.txt'], weights: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }] },
      ],
    };
    writeFileSync(join(dir, 'artifact/model.json'), JSON.stringify(model));
    await expect(loadModel(join(dir, 'artifact/model.json'))).rejects.toThrow(
      /weightsManifest path "\.\.\/outside\.txt" leads outside it/,
    );
  }, 60_000);
});

/**
 * An ONNX model whose one initializer lives in external data at `location`: y = x + w. Written with
 * a few lines of protobuf encoding, as a fork could write it.
 */
function onnxWithExternalData(location: string | null): Buffer {
  const text = new TextEncoder();
  const varint = (value: number): number[] => {
    const out: number[] = [];
    let n = value;
    while (n > 127) {
      out.push((n & 127) | 128);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const int = (field: number, value: number) => [...varint(field << 3), ...varint(value)];
  const bytes = (field: number, data: string | number[]) => {
    const payload = typeof data === 'string' ? [...text.encode(data)] : data;
    return [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
  };
  const entry = (key: string, value: string) => bytes(13, [...bytes(1, key), ...bytes(2, value)]);
  // TensorProto: dims, data_type float, name, then external_data entries and data_location EXTERNAL,
  // or (location null: the control) the two floats inline as raw_data.
  const initializer = [
    ...int(1, 2),
    ...int(2, 1),
    ...bytes(8, 'w'),
    ...(location === null
      ? bytes(9, [...new Uint8Array(new Float32Array([1, 2]).buffer)])
      : [...entry('location', location), ...entry('offset', '0'), ...entry('length', '8'), ...int(14, 1)]),
  ];
  const dim = (value: number) => bytes(1, int(1, value));
  const valueInfo = (name: string) => [
    ...bytes(1, name),
    ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, [...dim(1), ...dim(2)])])),
  ];
  const node = [...bytes(1, 'x'), ...bytes(1, 'w'), ...bytes(2, 'y'), ...bytes(4, 'Add')];
  const graph = [
    ...bytes(1, node),
    ...bytes(2, 'g'),
    ...bytes(5, initializer),
    ...bytes(11, valueInfo('x')),
    ...bytes(12, valueInfo('y')),
  ];
  return Buffer.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, [...bytes(1, ''), ...int(2, 13)])]);
}

describe('an ONNX model from an artifact', () => {
  it('loads when its weights are inline (the control: the encoding is a valid model)', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'artifact/model.onnx'), onnxWithExternalData(null));
    const model = await loadModel(join(dir, 'artifact/model.onnx'));
    expect(model.signature.inputs[0]).toMatchObject({ name: 'x' });
  }, 60_000);

  it.each(['/etc/passwd', '../../etc/passwd', 'secret.bin'])(
    'cannot make onnxruntime read external data at %j',
    async (location) => {
      const dir = folder();
      writeFileSync(join(dir, 'artifact/secret.bin'), 'ABCDEFGH');
      writeFileSync(join(dir, 'artifact/model.onnx'), onnxWithExternalData(location));
      // Loaded from bytes, so onnxruntime has no model folder to resolve external data against.
      await expect(loadModel(join(dir, 'artifact/model.onnx'))).rejects.toThrow(
        /is not a model onnxruntime can load/,
      );
    },
    60_000,
  );
});

describe('reported metrics from an untrusted run', () => {
  it('are refused when they are a symbolic link or name a predictions file outside their folder', async () => {
    const dir = folder();
    const metrics = (predictions: string) =>
      JSON.stringify({
        schema: 'mlops-metrics/v1',
        task: 'classification',
        metrics: { accuracy: { value: 0.99 } },
        predictions: { path: predictions, row_id: 'row_id' },
      });
    writeFileSync(join(dir, 'baseline.json'), metrics('baseline-predictions.parquet'));
    const compare = (reported: string) =>
      runCompareBaseline(
        {
          current: '',
          reported,
          baseline: 'baseline.json',
          failOnRegression: true,
          reportPath: 'out/compare.json',
          workingDirectory: dir,
          modelKey: 'fork',
        },
        { log: silentLog },
      );
    for (const path of ['/etc/passwd', '../../x']) {
      writeFileSync(join(dir, 'artifact/metrics.json'), metrics(path));
      await expect(compare('artifact/metrics.json')).rejects.toThrow(
        new RegExp(`predictions\\.path ${JSON.stringify(path).replace(/[./]/g, '\\$&')}`),
      );
    }
    symlinkSync(join(dir, 'baseline.json'), join(dir, 'artifact/linked.json'));
    await expect(compare('artifact/linked.json')).rejects.toThrow(/symbolic link/);
    // A folder, or a file too big to be an honest metrics file.
    mkdirSync(join(dir, 'artifact/folder.json'));
    await expect(compare('artifact/folder.json')).rejects.toThrow(/is not a regular file/);
    writeFileSync(join(dir, 'artifact/huge.json'), Buffer.alloc(17 * 1024 * 1024, 32));
    await expect(compare('artifact/huge.json')).rejects.toThrow(/is 17825792 bytes; .* up to 16777216 bytes/);
    // Plain data, inside its folder: compared, and marked unverified.
    writeFileSync(join(dir, 'artifact/metrics.json'), metrics('predictions.parquet'));
    const result = await compare('artifact/metrics.json');
    expect(result.verdict).toBe('unverified');
    expect(result.commentMarkdown).toContain("unverified: metrics reported by the fork's own run");
  });
});
