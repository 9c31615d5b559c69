/**
 * The engine's floor for data-validate (issue #19): one DuckDB SELECT over the file computing, for
 * every column, count, min, max, avg, stddev, approx_count_distinct and approx_quantile at
 * 0.25/0.5/0.75, in a Node process, as the product's own child is (bundled by bench/bundle-child.ts):
 * `node <bundle of this file> <data>`. Prints `{"rows": n, "inProcessSeconds": s}`.
 */
import { Database, quoteIdent } from '../shared/src/data/database.js';

const [data] = process.argv.slice(2) as [string];
const started = performance.now();
const db = await Database.open();
const from = data.endsWith('.parquet')
  ? `read_parquet('${data.replace(/'/g, "''")}')`
  : `read_csv('${data.replace(/'/g, "''")}')`;
const columns = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${from}`);
const items = ['count(*) AS "rows"'];
columns.forEach((c, i) => {
  const x = quoteIdent(c.column_name);
  items.push(
    `count(${x}) AS c${i}`,
    `min(${x}) AS lo${i}`,
    `max(${x}) AS hi${i}`,
    `approx_count_distinct(${x}) AS d${i}`,
  );
  if (/INT|DOUBLE|FLOAT|DECIMAL|REAL/i.test(c.column_type))
    items.push(
      `avg(${x}) AS m${i}`,
      `stddev(${x}) AS s${i}`,
      `approx_quantile(${x}, [0.25, 0.5, 0.75]) AS q${i}`,
    );
});
const [row] = await db.all(`SELECT ${items.join(', ')} FROM ${from}`);
db.close();
console.log(
  JSON.stringify({ rows: Number(row!.rows), inProcessSeconds: (performance.now() - started) / 1000 }),
);
