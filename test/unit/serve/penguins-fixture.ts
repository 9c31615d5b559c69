/**
 * The committed penguins MLP (test/fixtures/models/penguins: model.onnx + preprocessing.json) with
 * its evaluation rows and the probabilities numpy computed for them (expected.json, written by the
 * models engineer's committed export script): a real model with an independent reference.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PENGUINS_MODEL = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/models/penguins');
const FEATURES = ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Island'];

/** The eval.csv rows as the server's named raw inputs (empty cells are null). */
export function penguinRows(): Record<string, number | string | null>[] {
  const [header, ...lines] = readFileSync(join(PENGUINS_MODEL, 'eval.csv'), 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(
      FEATURES.map((feature) => {
        const cell = cells[names.indexOf(feature)] ?? '';
        if (cell === '') return [feature, null];
        return [feature, feature === 'Island' ? cell : Number(cell)];
      }),
    );
  });
}

export function penguinProbabilities(): number[][] {
  return (
    JSON.parse(readFileSync(join(PENGUINS_MODEL, 'expected.json'), 'utf8')) as { probabilities: number[][] }
  ).probabilities;
}
