import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, quoteLiteral } from '../../../shared/src/data/database.js';

export const SEATTLE = join(process.cwd(), 'node_modules', 'vega-datasets', 'data', 'seattle-weather.csv');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'drift-test-'));
}

/** Writes the rows of a SQL query over seattle-weather.csv (as `w`) to a CSV file. */
export async function seattleSubset(dir: string, name: string, where: string): Promise<string> {
  const db = await Database.open();
  const path = join(dir, `${name}.csv`);
  try {
    await db.run(
      `COPY (SELECT * FROM read_csv(${quoteLiteral(SEATTLE)}, header = true) AS w WHERE ${where}) TO ${quoteLiteral(path)} (HEADER, DELIMITER ',')`,
    );
  } finally {
    db.close();
  }
  return path;
}

/** A CSV from columns of values; numbers are written with String(), which round-trips doubles. */
export function writeCsv(
  dir: string,
  name: string,
  columns: Record<string, ArrayLike<number | string | null>>,
): string {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) {
    lines.push(names.map((c) => (columns[c][i] === null ? '' : String(columns[c][i]))).join(','));
  }
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Deterministic pseudo-random numbers (mulberry32) so the synthetic data is the same every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box–Muller, rounded to 4 decimals (ties happen, as in real data). */
export function normals(seed: number, n: number, mean = 0, sd = 1): number[] {
  const u = random(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    return Math.round((mean + sd * z) * 1e4) / 1e4;
  });
}

export function categories(seed: number, n: number, weights: Record<string, number>): string[] {
  const u = random(seed);
  const entries = Object.entries(weights);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return Array.from({ length: n }, () => {
    let x = u() * total;
    for (const [label, w] of entries) {
      x -= w;
      if (x < 0) return label;
    }
    return entries[entries.length - 1][0];
  });
}
