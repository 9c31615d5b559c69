import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { numericColumnPaths } from '../../../shared/src/data/profile.js';

/**
 * `numericColumnPaths` reads a table's stored distinct estimates (DuckDB's `stats()`) for columns
 * far from the 50,000-value cut and scans only the others; a view keeps no statistics and is
 * scanned. Both must choose the same paths: a continuous column streamed and sketched from its
 * first value, one just over the cut streamed with its first values counted, a category grouped.
 */
const TABLE_SQL = `
CREATE TABLE t AS SELECT
  CAST(i AS DOUBLE) / 7 AS wide,
  CAST(i % 60000 AS BIGINT) AS near_cut,
  CAST(i % 9 AS INTEGER) AS few,
  CAST(hash(i) % 30000 AS BIGINT) AS under_cut,
  'x' || (i % 3) AS label
FROM range(600000) r(i)`;

let db: Database;
beforeAll(async () => {
  db = await Database.open({ threads: 2 });
  await db.run(TABLE_SQL);
  await db.run('CREATE VIEW v AS SELECT * FROM t');
});
afterAll(() => db.close());

const columns = [
  { name: 'wide', type: 'DOUBLE' },
  { name: 'near_cut', type: 'BIGINT' },
  { name: 'few', type: 'INTEGER' },
  { name: 'under_cut', type: 'BIGINT' },
  { name: 'label', type: 'VARCHAR' },
];

describe('numericColumnPaths', () => {
  it.each(['t', 'v'])(
    'on %s: streams columns over 50,000 distinct values, sketches from the start past 100,000',
    async (relation) => {
      const paths = await numericColumnPaths(db, relation, columns);
      expect(paths.continuous.sort()).toEqual(['near_cut', 'wide']);
      expect([...paths.manyValued]).toEqual(['wide']);
    },
  );

  it('a table keeps the distinct estimate that decides a column far from the cut', async () => {
    const [row] = await db.all<{ s: string }>('SELECT stats(wide) AS s FROM t LIMIT 1');
    expect(row!.s).toMatch(/\[Approx Unique: \d+\]/);
  });
});
