import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/src/logging/index.js';
import { runTrain } from '../../../shared/src/train/runTrain.js';

const schema = JSON.parse(
  readFileSync(join(process.cwd(), 'docs/schemas/training-metrics.schema.json'), 'utf8'),
);
// Formats are documentation here (ajv-formats is not a dependency); structure is what is checked.
const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(schema);
const work = mkdtempSync(join(tmpdir(), 'train-schema-'));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const common = {
  epochs: 3,
  batchSize: 32,
  learningRate: 0.05,
  seed: 5,
  resume: false,
  cache: false,
  gpu: 'off' as const,
  workingDirectory: work,
};

describe('training-metrics.json matches docs/schemas/training-metrics.schema.json', () => {
  it('for the built-in trainer', async () => {
    const result = await runTrain(
      {
        ...common,
        data: join(process.cwd(), 'node_modules/vega-datasets/data/cars.json'),
        target: 'Horsepower',
        task: 'regression',
        model: 'linear',
        outputDir: join(work, 'builtin'),
      },
      { log: silentLog },
    );
    const document = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
  });

  it('for a user command', async () => {
    const result = await runTrain(
      {
        ...common,
        command: `${PYTHON} ${join(import.meta.dirname, 'fixtures/tiny_train.py')}`,
        outputDir: join(work, 'command'),
      },
      { log: silentLog, env: { ...process.env, MLOPS_NVIDIA_SMI: join(work, 'none') } },
    );
    const document = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    // And the schema is not vacuous: a wrong schema tag or a stray key fails it.
    expect(validate({ ...document, schema: 'mlops-training-metrics/v2' })).toBe(false);
    expect(validate({ ...document, extra: 1 })).toBe(false);
  });
});
