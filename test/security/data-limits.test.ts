/**
 * Tiny hostile data files must not hang or crash data-validate: JSON nested deeper than the limit
 * is refused before DuckDB reads it (1000 levels hung it for over a minute, 50,000 crashed it with
 * SIGSEGV), a 20,000-column file meets a clear column limit (it ran 300 s in 3.3 GB), and any DuckDB
 * query has a time limit after which it is interrupted with a clear error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Database } from '../../shared/src/data/database.js';
import { checkJsonNesting, MAX_JSON_NESTING } from '../../shared/src/data/json-nesting.js';
import { UserError } from '../../shared/src/errors/index.js';
import { runSourceStep } from '../reliability/source-step.js';

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('deeply nested JSON', () => {
  it.each([1000, 50_000])(
    'data-validate refuses a file nested %i deep with one clear error',
    async (depth) => {
      const workspace = mkdtempSync(join(tmpdir(), 'mlops-deep-'));
      writeFileSync(join(workspace, 'data.json'), `[{"a": 1, "b": 2},\n{"a": ${nested(depth)}, "b": 3}]\n`);
      const result = await runSourceStep({
        action: 'actions/data-validate',
        workspace,
        with: { data: 'data.json' },
      });
      expect(result.exitCode).toBe(1);
      expect(result.annotations).toHaveLength(1);
      expect(result.annotations[0]!.message).toContain(
        `line 2: JSON nested more than ${MAX_JSON_NESTING} levels deep`,
      );
      expect(result.stdout).not.toMatch(/This is a bug/);
    },
  );

  it('counts levels outside strings only, in NDJSON and gzipped files too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-deep-'));
    const brackets = join(dir, 'strings.ndjson');
    writeFileSync(brackets, `{"a": "${'['.repeat(500)}\\"{{{"}\n{"a": ${nested(MAX_JSON_NESTING - 1)}}\n`);
    await expect(checkJsonNesting(brackets)).resolves.toBeUndefined();
    const deep = join(dir, 'deep.ndjson.gz');
    writeFileSync(deep, gzipSync(`{"a": 1}\n{"a": 2}\n{"a": ${nested(MAX_JSON_NESTING)}}\n`));
    const error = await checkJsonNesting(deep).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.location).toEqual({ file: deep, line: 3, column: undefined });
  });

  it('a file with moderately nested values is still read', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-deep-'));
    const rows = Array.from({ length: 30 }, (_, i) => `{"x": ${i}, "tags": {"k": [[${i}]]}}`);
    writeFileSync(join(workspace, 'data.json'), `[${rows.join(',\n')}]\n`);
    const result = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'data.json' },
    });
    expect(result.exitCode, result.stdout).toBe(0);
  });
});

describe('very wide data', () => {
  it('a 20,000-column CSV gets one clear error instead of hours of profiling', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-wide-'));
    const columns = 20_000;
    const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
    const rows = Array.from({ length: 20 }, (_, r) =>
      Array.from({ length: columns }, (_, i) => (r * i) % 97).join(','),
    );
    writeFileSync(join(workspace, 'wide.csv'), `${header}\n${rows.join('\n')}\n`);
    const result = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'wide.csv' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toMatch(
      /'.*wide\.csv' has 20000 columns; at most 5000 are profiled in one run.*MLOPS_MAX_COLUMNS/,
    );
  }, 120_000);

  it('MLOPS_MAX_COLUMNS sets the limit', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-wide-'));
    writeFileSync(join(workspace, 'data.csv'), 'a,b,c,d\n1,2,3,4\n5,6,7,8\n');
    const refused = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'data.csv' },
      env: { MLOPS_MAX_COLUMNS: '3' },
    });
    expect(refused.annotations[0]?.message).toMatch(/has 4 columns; at most 3/);
    const accepted = await runSourceStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'data.csv' },
      env: { MLOPS_MAX_COLUMNS: '4' },
    });
    expect(accepted.exitCode, accepted.stdout).toBe(0);
  });
});

describe('query time limit', () => {
  it('interrupts a query past the limit with a clear error naming the setting', async () => {
    const db = await Database.open({ queryTimeoutMs: 300 });
    try {
      const error = await db.all('SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)').catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(/ran for more than 0.3 s and was stopped.*MLOPS_QUERY_TIMEOUT_SECONDS/);
      // The connection is usable afterwards.
      expect(await db.all('SELECT 42 AS n')).toEqual([{ n: 42 }]);
    } finally {
      db.close();
    }
  });

  it('reads the limit from MLOPS_QUERY_TIMEOUT_SECONDS and refuses a bad value', async () => {
    const saved = process.env.MLOPS_QUERY_TIMEOUT_SECONDS;
    try {
      process.env.MLOPS_QUERY_TIMEOUT_SECONDS = 'soon';
      await expect(Database.open()).rejects.toThrow(/MLOPS_QUERY_TIMEOUT_SECONDS must be a number/);
      process.env.MLOPS_QUERY_TIMEOUT_SECONDS = '0.2';
      const db = await Database.open();
      try {
        await expect(db.all('SELECT sum(hash(i)) AS s FROM range(100000000000) t(i)')).rejects.toThrow(
          /more than 0.2 s/,
        );
      } finally {
        db.close();
      }
    } finally {
      if (saved === undefined) delete process.env.MLOPS_QUERY_TIMEOUT_SECONDS;
      else process.env.MLOPS_QUERY_TIMEOUT_SECONDS = saved;
    }
  });
});
