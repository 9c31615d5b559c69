import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCountedDataset } from '../../../shared/src/data/counted-dataset.js';
import { Database } from '../../../shared/src/data/database.js';
import { countValues, type ValueCounts } from '../../../shared/src/data/value-counts.js';

let db: Database;
let temp: string;
beforeAll(async () => {
  db = await Database.open({ memoryLimit: '1GB', threads: 2 });
  temp = mkdtempSync(join(tmpdir(), 'mlops-counts-'));
});
afterAll(() => {
  db.close();
  rmSync(temp, { recursive: true, force: true });
});

/** One column's counts as sorted `value=count` text, nulls and NaN included. */
async function countsOf(counts: ValueCounts, column: string): Promise<string[]> {
  const rows = await db.all<{ v: unknown; n: unknown }>(
    `SELECT CAST(v AS VARCHAR) AS v, n FROM ${counts.relation(column)} AS t ORDER BY 1 NULLS FIRST`,
  );
  return rows.map((r) => `${r.v}=${r.n}`);
}

/** Whether `name` is a table (the dataset was materialised) rather than a view read lazily. */
async function isTable(name: string): Promise<boolean> {
  const rows = await db.all(`SELECT 1 FROM duckdb_tables() WHERE table_name = '${name}' AND NOT temporary`);
  return rows.length > 0;
}

describe('countValues', () => {
  it('gives the same counts in one scan and per column, nulls, NaN and infinities included', async () => {
    await db.run(`CREATE OR REPLACE TABLE mixed AS
      SELECT CASE WHEN i % 11 = 0 THEN NULL ELSE i % 7 END AS k,
        CASE i % 13 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN NULL ELSE (i % 5) / 4.0 END AS x,
        CASE WHEN i % 3 = 0 THEN NULL ELSE 'c' || (i % 4) END AS s,
        DATE '2024-01-01' + (i % 9)::INTEGER AS d
      FROM range(5000) t(i)`);
    const columns = ['k', 'x', 's', 'd'];
    const oneScan = await countValues(db, 'mixed', columns, 'one', { mode: 'one-scan' });
    const perColumn = await countValues(db, 'mixed', columns, 'per', { mode: 'per-column' });
    expect(oneScan.rows).toBe(5000);
    expect(perColumn.rows).toBe(5000);
    for (const column of columns) {
      const one = await countsOf(oneScan, column);
      expect(one, column).toEqual(await countsOf(perColumn, column));
      expect(one.reduce((s, e) => s + Number(e.split('=').at(-1)), 0)).toBe(5000);
    }
    expect(await countsOf(oneScan, 'k')).toContain('null=455');
    expect(await countsOf(oneScan, 'x')).toEqual(expect.arrayContaining(['null=385', 'nan=385', 'inf=385']));
    await oneScan.drop();
    await perColumn.drop();
    const left = await db.all(`SELECT table_name FROM duckdb_tables() WHERE temporary`);
    expect(left).toEqual([]);
  });

  it('counts the rows of a dataset with no counted column', async () => {
    const counts = await countValues(db, 'mixed', [], 'none', { mode: 'per-column' });
    expect(counts.rows).toBe(5000);
    expect(counts.has('k')).toBe(false);
    await counts.drop();
  });
});

describe('openCountedDataset', () => {
  it('reads a CSV of repeated values once, lazily, as a view', async () => {
    const path = join(temp, 'small.csv');
    const rows = Array.from({ length: 300 }, (_, i) => `${i % 3},${['x', 'y', ''][i % 3]}`);
    writeFileSync(path, `a,b\n${rows.join('\n')}\n`);
    const { dataset, counts } = await openCountedDataset(db, path, { name: 'small' });
    expect(dataset.rows).toBe(300);
    expect(await isTable('small')).toBe(false);
    expect(await countsOf(counts, 'a')).toEqual(['0=100', '1=100', '2=100']);
    expect(await countsOf(counts, 'b')).toEqual(['null=100', 'x=100', 'y=100']);
    await counts.drop();
  });

  it('parses a CSV of mostly unique values into a table once and counts it there', async () => {
    const path = join(temp, 'ids.csv');
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${i * 7},${i % 2}`);
    writeFileSync(path, `id,code,flag\n${rows.join('\n')}\n`);
    const { dataset, counts } = await openCountedDataset(db, path, { name: 'ids' });
    expect(dataset.rows).toBe(300);
    expect(await isTable('ids')).toBe(true);
    expect(await countsOf(counts, 'flag')).toEqual(['0=150', '1=150']);
    await counts.drop();
  });

  it('materialises the file when a late value breaks its sniffed type, reading that column as text', async () => {
    const lines = ['id,amount'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},${i % 100}`);
    lines[25_001] = '25000,n/a';
    const path = join(temp, 'late.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const { dataset, counts } = await openCountedDataset(db, path, { name: 'late' });
    expect(await isTable('late')).toBe(true);
    expect(dataset.columns.find((c) => c.name === 'amount')?.type).toBe('VARCHAR');
    expect(dataset.notes.join(' ')).toMatch(/Column 'amount' was read as text: line 25002 holds 'n\/a'/);
    expect(await countsOf(counts, 'amount')).toContain('n/a=1');
    await counts.drop();
  });

  it('counts column by column when the one scan outgrows the memory limit, still exactly', async () => {
    // Repeated values in the first MiB (the sample says: one scan), unique ones after it.
    const path = join(temp, 'unique.csv');
    await db.run(
      `COPY (SELECT CASE WHEN i < 200000 THEN i % 10 ELSE i END AS id,
          CASE WHEN i < 200000 THEN 'same' ELSE 'name-' || i END AS name, (i % 7)::VARCHAR AS grp
        FROM range(2000000) t(i)) TO '${path}' (HEADER)`,
    );
    const small = await Database.open({
      memoryLimit: '96MB',
      threads: 2,
      tempDirectory: join(temp, 'spill'),
    });
    try {
      const { dataset, counts } = await openCountedDataset(small, path, { name: 'unique' });
      const tables = await small.all(
        `SELECT 1 FROM duckdb_tables() WHERE table_name = 'unique' AND NOT temporary`,
      );
      expect(tables.length).toBe(1);
      expect(dataset.rows).toBe(2_000_000);
      const [row] = await small.all<{ d: unknown; m: unknown }>(
        `SELECT count(*) AS d, max(n) AS m FROM ${counts.relation('name')} AS t`,
      );
      expect([Number(row!.d), Number(row!.m)]).toEqual([1_800_001, 200_000]);
    } finally {
      small.close();
    }
  }, 60_000);
});
