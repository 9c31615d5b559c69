/**
 * When a category never seen in training is an error: 5 rows of one new value in a 30% holdout
 * stay a warning (no valid test of "drawn alike" reaches alpha = 0.001 there, see
 * sample-bounds.ts), 8 rows are an error. Penguins' Island: 3 categories, no rare tail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../shared/src/data/database.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import { profileDataset } from '../../../shared/src/data/profile.js';
import { inferSchema } from '../../../shared/src/validate/infer-schema.js';
import { TEST_ALPHA } from '../../../shared/src/validate/sample-bounds.js';
import type { DataSchema } from '../../../shared/src/validate/schema.js';
import { validateDataset } from '../../../shared/src/validate/validate-dataset.js';
import { readRows, split70, writeJson } from './helpers.js';

let db: Database;
let temp: string;
let schema: DataSchema;
let holdout: Record<string, unknown>[];
let trainValues: number;
beforeAll(async () => {
  db = await Database.open({ memoryLimit: '512MB', threads: 1 });
  temp = mkdtempSync(join(tmpdir(), 'mlops-newvalue-'));
  const [train, rest] = split70(readRows('penguins.json'));
  holdout = rest;
  trainValues = train.filter((r) => r['Island'] !== null).length;
  schema = inferSchema(await profileDataset(db, await openDataset(db, writeJson(temp, 'train.json', train))));
});
afterAll(() => {
  db.close();
  rmSync(temp, { recursive: true, force: true });
});

/** C(m, k) / C(n + m, k): a value seen k times in all, every time in the batch of m, if drawn alike. */
function allInBatch(k: number, m: number, n: number): number {
  let p = 1;
  for (let i = 0; i < k; i++) p *= (m - i) / (n + m - i);
  return p;
}

async function islandAnomaly(rows: number) {
  const injected = holdout.map((r, i) => (i < rows ? { ...r, Island: 'Atlantis' } : r));
  const file = writeJson(temp, `holdout-${rows}.json`, injected);
  const anomalies = await validateDataset(db, await openDataset(db, file, { name: `h${rows}` }), schema);
  return anomalies.find((a) => a.kind === 'unexpected_value' && a.column === 'Island');
}

describe('a never-seen category in a 30% holdout', () => {
  it('in 5 rows: a warning with its p-value; even the best case of any test of "drawn alike" is above alpha', async () => {
    const m = holdout.length;
    expect(allInBatch(5, m, trainValues)).toBeGreaterThan(TEST_ALPHA);
    const five = await islandAnomaly(5);
    expect(five).toMatchObject({ severity: 'warning', count: 5, examples: ['Atlantis'] });
    expect(five!.p_value).toBeGreaterThan(TEST_ALPHA);
  });

  it('in 8 rows: an error', async () => {
    const eight = await islandAnomaly(8);
    expect(eight).toMatchObject({ severity: 'error', count: 8, examples: ['Atlantis'] });
    expect(eight!.p_value).toBeLessThan(TEST_ALPHA);
  });
});
