import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/src/logging/index.js';
import { versionRecordSchema } from '../../../shared/src/registry/record.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { metricsReport, tempDir, writeJson, writeModelFolder } from './helpers.js';

const schemaPath = new URL('../../../docs/schemas/registry-version.schema.json', import.meta.url);

describe('docs/schemas/registry-version.schema.json', () => {
  it('accepts the records runRegister writes and agrees with the runtime schema on broken ones', async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(JSON.parse(await readFile(schemaPath, 'utf8')));
    const work = await tempDir();
    await writeModelFolder(join(work, 'model'));
    await writeJson(join(work, 'metrics.json'), metricsReport({ accuracy: 0.8 }));
    const records = [
      (
        await runRegister(
          { model: 'model', name: 'a', backend: 'local', registry: 'r', workingDirectory: work },
          { log: silentLog },
        )
      ).record,
      (
        await runRegister(
          {
            model: 'model/model.json',
            name: 'b',
            backend: 'local',
            registry: 'r',
            workingDirectory: work,
            metrics: 'metrics.json',
            require: 'accuracy>=0.9',
            force: true,
            tags: ['x'],
            gitSha: 'abc',
            runUrl: 'https://example.test/run/1',
          },
          { log: silentLog },
        )
      ).record,
    ];
    for (const record of records) {
      expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
      expect(versionRecordSchema.safeParse(record).success).toBe(true);
    }
    const broken = [
      { ...records[0], version: 0 },
      { ...records[0], name: '../x' },
      { ...records[0], digest: 'md5:1' },
      { ...records[0], files: [] },
      { ...records[0], files: [{ path: 'a', sha256: 'XYZ', size: 1 }] },
      { ...records[0], status: 'approved' },
      { ...records[0], schema: 'mlops-model-version/v2' },
      { ...records[1], gates: [{ metric: 'a', operator: '=>', threshold: 1, value: 1, passed: true }] },
    ];
    for (const record of broken) {
      expect(validate(record), JSON.stringify(record).slice(0, 80)).toBe(false);
      expect(versionRecordSchema.safeParse(record).success).toBe(false);
    }
  });
});
