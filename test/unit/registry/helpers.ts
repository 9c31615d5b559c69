import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export async function tempDir(prefix = 'mlops-registry-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A small model folder like train writes: weights, topology, signature and a nested file. */
export async function writeModelFolder(dir: string, seed = 1): Promise<string> {
  const files: Record<string, string | Buffer> = {
    'model.json': JSON.stringify({ format: 'layers-model', seed }),
    'group1-shard1of1.bin': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + seed * 7) % 256)),
    'signature.json': JSON.stringify({
      inputs: [{ name: 'bill_length_mm', dtype: 'float32' }],
      outputs: [{ name: 'species', dtype: 'string' }],
    }),
    'assets/vocab.txt': 'Adelie\nChinstrap\nGentoo\n',
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

export function metricsReport(values: Record<string, number>): Record<string, unknown> {
  return {
    schema: 'mlops-metrics/v1',
    task: 'classification',
    dataset: { path: 'data/test.csv', rows: 200, digest: 'sha256:abc' },
    metrics: Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name,
        { value, ci: [value - 0.01, value + 0.01], n: 200 },
      ]),
    ),
  };
}

export async function writeJson(path: string, value: unknown): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(value));
  return path;
}
