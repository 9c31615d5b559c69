/**
 * Times without an offset are UTC in every step (docs/features.md). DuckDB read them in the
 * machine's own time zone when other times of the column carried an offset (the column is then
 * TIMESTAMP WITH TIME ZONE): on a runner set to Pacific time, train, evaluate and data-validate
 * moved them by 8 hours while the server read them as UTC (trial3). Each database now runs in UTC.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = `
import { Database } from ${JSON.stringify(join(process.cwd(), 'shared/src/data/database.ts'))};
import { openDataset } from ${JSON.stringify(join(process.cwd(), 'shared/src/data/open-dataset.ts'))};
const db = await Database.open();
const ds = await openDataset(db, process.argv[2]);
const rows = await db.all('SELECT CAST(epoch_ms("when") AS DOUBLE) AS ms FROM ' + ds.view + ' ORDER BY x');
console.log(JSON.stringify(rows.map((r) => r.ms)));
db.close();
`;

describe('times read by DuckDB', () => {
  it('a time without an offset is UTC on a runner in another time zone, beside times with one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'time-zone-'));
    const file = join(dir, 'mixed.csv');
    writeFileSync(file, 'when,x\n2012-01-01T11:21:00,1\n2012-01-03T14:37:00-03:30,2\n');
    const program = join(dir, 'read.mts');
    writeFileSync(program, script);
    const run = spawnSync(process.execPath, ['--import', 'tsx', program, file], {
      cwd: process.cwd(),
      encoding: 'utf8',
      env: { ...process.env, TZ: 'America/Los_Angeles' },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual([
      Date.UTC(2012, 0, 1, 11, 21),
      Date.UTC(2012, 0, 3, 18, 7),
    ]);
  }, 60_000);
});
