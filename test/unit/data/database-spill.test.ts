/**
 * Each database spills to a folder of its own. DuckDB names its spill file the same in any folder
 * (duckdb_temp_storage_DEFAULT-0.tmp), so two steps or CLI runs sharing one folder overwrote each
 * other's spilled data and failed with "Could not read enough bytes" (or worse, read the other's).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';

let runnerTemp: string;
let saved: string | undefined;
beforeAll(() => {
  runnerTemp = mkdtempSync(join(tmpdir(), 'mlops-spill-'));
  saved = process.env.RUNNER_TEMP;
  process.env.RUNNER_TEMP = runnerTemp;
});
afterAll(() => {
  if (saved === undefined) delete process.env.RUNNER_TEMP;
  else process.env.RUNNER_TEMP = saved;
  rmSync(runnerTemp, { recursive: true, force: true });
});

describe('spill folders', () => {
  it('two open databases spill to different folders under RUNNER_TEMP, each removed on close', async () => {
    const a = await Database.open({ memoryLimit: '64MB', threads: 1 });
    const b = await Database.open({ memoryLimit: '64MB', threads: 1 });
    try {
      expect(a.spillDirectory).not.toBe(b.spillDirectory);
      // DuckDB itself was told: each instance's temp_directory is its own folder.
      for (const db of [a, b])
        expect(await db.all("SELECT current_setting('temp_directory') AS t")).toEqual([
          { t: db.spillDirectory },
        ]);
      for (const db of [a, b])
        expect(db.spillDirectory.startsWith(join(runnerTemp, 'mlops-duckdb'))).toBe(true);
      // Both sort more than their memory limit at the same time: each must read back its own data.
      const sortSql = (seed: number) =>
        `SELECT sum(i * ${seed}) AS s, count(*) AS n FROM (SELECT i, hash(i + ${seed}) AS h, repeat('x', 40) AS pad FROM range(3000000) t(i) ORDER BY h)`;
      const [ra, rb] = await Promise.all([a.all(sortSql(1)), b.all(sortSql(3))]);
      const expected = (seed: number) => (seed * (3000000 * 2999999)) / 2;
      expect(Number(ra[0]!.s)).toBe(expected(1));
      expect(Number(rb[0]!.s)).toBe(expected(3));
    } finally {
      a.close();
      b.close();
    }
    expect(existsSync(a.spillDirectory)).toBe(false);
    expect(existsSync(b.spillDirectory)).toBe(false);
    expect(readdirSync(join(runnerTemp, 'mlops-duckdb'))).toEqual([]);
  }, 120_000);

  it('a folder the caller names is used as given and kept', async () => {
    const named = join(runnerTemp, 'named-spill');
    const db = await Database.open({ tempDirectory: named });
    expect(db.spillDirectory).toBe(named);
    db.close();
    expect(existsSync(named)).toBe(true);
  });
});
