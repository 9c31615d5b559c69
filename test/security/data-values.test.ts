/**
 * Hostile data values and layouts: a NUL byte in a category goes through an inferred schema and a
 * stored profile into SQL without breaking it, and a CSV whose last line has an extra field is
 * refused naming that line (DuckDB took that line as the header: 0 rows and exit 0).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database, quoteLiteral } from '../../shared/src/data/database.js';
import { openDataset } from '../../shared/src/data/open-dataset.js';
import { profileDataset } from '../../shared/src/data/profile.js';
import { runDriftCheckIn } from '../../shared/src/drift/run.js';
import { memoryLog } from '../../shared/src/logging/index.js';
import { inferSchema } from '../../shared/src/validate/infer-schema.js';
import { validateDataset } from '../../shared/src/validate/validate-dataset.js';
import { runSourceStep } from '../reliability/source-step.js';

describe('NUL bytes in data values', () => {
  it('a literal holding NUL equals the value in DuckDB', async () => {
    const db = await Database.open();
    try {
      const value = "it's\0two\0";
      const rows = await db.all<{ same: boolean }>(`SELECT ${quoteLiteral(value)} = $1 AS same`, [value]);
      expect(rows).toEqual([{ same: true }]);
    } finally {
      db.close();
    }
  });

  it('survive an inferred schema and a stored profile through data-validate and drift-check', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-nul-'));
    const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 2 ? 'plain' : 'nul\0inside'}`);
    writeFileSync(join(workspace, 'data.csv'), `x,cat\n${rows.join('\n')}\n`);
    const inferred = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: {
        data: 'data.csv',
        'infer-schema': 'true',
        'write-schema': 'schema.yaml',
        profile: 'profile.json',
      },
    });
    expect(inferred.exitCode, inferred.stdout).toBe(0);
    const validated = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'data.csv', schema: 'schema.yaml' },
    });
    expect(validated.exitCode, validated.stdout).toBe(0);
    expect(validated.outputs.anomalies).toBe('0');
    const drift = await runSourceStep({
      action: 'actions/drift-check',
      workspace,
      with: { reference: 'profile.json', current: 'data.csv', 'open-issue': 'false' },
    });
    expect(drift.exitCode, drift.stdout).toBe(0);
    expect(drift.outputs['drift-detected']).toBe('false');
    for (const run of [inferred, validated, drift])
      expect(run.stdout).not.toMatch(/Parser Error|This is a bug/);
  });
});

describe('data values are bound parameters, never SQL text', () => {
  // Each value carries a marker, so DuckDB's own query log (the SQL text it was given) can be
  // searched for it: a schema's allowed values and a stored profile's categories must not appear.
  const VALUES = ['mk\0nul', "mk'quote", 'mk\\back', 'mk"dq', 'mk plain'];

  it("a schema's categories and a profile's values reach DuckDB as parameters, and still compare exactly", async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-bound-'));
    const csv = (values: string[]) =>
      `x,cat\n${values.map((v, i) => `${i},"${v.replace(/"/g, '""')}"`).join('\n')}\n`;
    const training = Array.from({ length: 200 }, (_, i) => VALUES[i % VALUES.length]!);
    writeFileSync(join(workspace, 'train.csv'), csv(training));
    // Every known value again, and one new value in 40% of the rows: an error naming it.
    const candidate = Array.from({ length: 100 }, (_, i) =>
      i % 5 < 2 ? 'mk-new' : VALUES[i % VALUES.length]!,
    );
    writeFileSync(join(workspace, 'candidate.csv'), csv(candidate));
    const db = await Database.open();
    try {
      await db.run("CALL enable_logging('QueryLog')");
      const profile = await profileDataset(
        db,
        await openDataset(db, join(workspace, 'train.csv'), { name: 'train' }),
      );
      const schema = inferSchema(profile);
      expect(
        schema.columns
          .find((c) => c.name === 'cat')
          ?.allowed_values?.slice()
          .sort(),
      ).toEqual([...VALUES].sort());
      const anomalies = await validateDataset(
        db,
        await openDataset(db, join(workspace, 'candidate.csv'), { name: 'candidate' }),
        schema,
      );
      expect(anomalies.map((a) => [a.kind, a.column, a.examples])).toEqual([
        ['unexpected_value', 'cat', ['mk-new']],
      ]);
      writeFileSync(join(workspace, 'profile.json'), JSON.stringify(profile));
      const drift = await runDriftCheckIn(
        db,
        {
          reference: 'profile.json',
          current: 'train.csv',
          method: 'auto',
          driftShare: 0.5,
          reportPath: 'drift.json',
          workingDirectory: workspace,
        },
        memoryLog(),
      );
      const cat = drift.report.columns.find((c) => c.name === 'cat');
      expect(cat?.drifted).toBe(false);
      // The same 5 values on both sides (a value cut at its NUL would be a sixth): no difference.
      expect(cat?.test_statistic).toBe(0);
      expect(cat?.reference.bins.map((b) => b.label)).toEqual(cat?.current.bins.map((b) => b.label));
      expect(cat?.reference.distinct).toBe(5);
      const logged = await db.all<{ message: string }>(
        "SELECT message FROM duckdb_logs WHERE type = 'QueryLog' AND message NOT LIKE '%duckdb_logs%'",
      );
      expect(logged.length).toBeGreaterThan(10);
      // The workspace path is SQL text by design, and mkdtemp's random suffix can spell "mk".
      const leaked = logged.filter((l) => l.message.replaceAll(workspace, '').includes('mk'));
      expect(leaked.map((l) => l.message)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('a ragged CSV', () => {
  it('whose last line has an extra field is refused, naming the line', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-ragged-'));
    writeFileSync(join(workspace, 'data.csv'), 'a,b\n1,2\n3,4\n5,6\n7,8,9\n');
    const result = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'data.csv' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]!.message).toMatch(
      /data\.csv' line 5: expected 2 fields \(as in the header\), found 3\./,
    );
  });
});

describe('1e999 in a data file', () => {
  it('is counted as +inf by data-validate, fails a finite schema, and stops train naming the row', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-1e999-'));
    const rows = (huge: boolean) =>
      Array.from({ length: 40 }, (_, i) => `${huge && i === 7 ? '1e999' : i * 1.5},${i % 2 ? 'a' : 'b'}`);
    writeFileSync(join(workspace, 'clean.csv'), `x,y\n${rows(false).join('\n')}\n`);
    writeFileSync(join(workspace, 'huge.csv'), `x,y\n${rows(true).join('\n')}\n`);
    const inferred = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'clean.csv', 'infer-schema': 'true', 'write-schema': 'schema.yaml' },
    });
    expect(inferred.exitCode, inferred.stdout).toBe(0);
    const validated = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'huge.csv', schema: 'schema.yaml', profile: 'huge-profile.json' },
    });
    expect(validated.exitCode).toBe(1);
    expect(validated.stdout).toMatch(/nan_or_inf: Column 'x' holds 1 \+inf/);
    const profile = JSON.parse(readFileSync(join(workspace, 'huge-profile.json'), 'utf8'));
    expect(profile.columns.find((c: { name: string }) => c.name === 'x')).toMatchObject({
      nulls: 0,
      pos_inf: 1,
    });
    const trained = await runSourceStep({
      action: 'actions/train',
      workspace,
      with: { data: 'huge.csv', target: 'y', model: 'mlp', epochs: '1' },
    });
    expect(trained.exitCode).toBe(1);
    expect(trained.stdout).toMatch(/training row 8 .*'x' is Infinity, not a finite number/);
    expect(trained.stdout).not.toMatch(/This is a bug/);
  }, 120_000);
});
