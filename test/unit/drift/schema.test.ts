import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { categories, normals, tempDir, writeCsv } from './helpers.js';

it('the written report validates against docs/schemas/drift.schema.json', async () => {
  const dir = tempDir();
  const schema = JSON.parse(
    readFileSync(join(process.cwd(), 'docs', 'schemas', 'drift.schema.json'), 'utf8'),
  );
  const validate = new Ajv2020({ strict: false }).compile(schema);
  const ref = writeCsv(dir, 'ref', {
    x: normals(1, 1500),
    c: categories(2, 1500, { a: 1, b: 2, c: 1 }),
    gone: normals(3, 1500),
  });
  // "new" never appears in the reference: the two-sample chi-square stays finite and flags it.
  const cur = writeCsv(dir, 'cur', {
    x: normals(4, 1200, 0.5),
    c: categories(5, 1200, { a: 1, b: 1, new: 1 }),
  });
  const result = await runDriftCheck(
    {
      reference: ref,
      current: cur,
      method: 'auto',
      perColumn: { c: { method: 'chi2' } },
      driftShare: 0.5,
      reportPath: 'report.json',
      workingDirectory: dir,
    },
    silentLog,
  );
  const written = JSON.parse(readFileSync(result.reportPath, 'utf8'));
  const ok = validate(written);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  const c = written.columns.find((col: { name: string }) => col.name === 'c');
  expect(Number.isFinite(c.test_statistic)).toBe(true);
  expect([c.drifted, c.p_value < 1e-10]).toEqual([true, true]);
});
