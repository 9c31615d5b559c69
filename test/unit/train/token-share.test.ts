/**
 * A column that is mostly a missing-value token may mean something else by it ('NA': North
 * America). Train fills such values; it used to do so without a word (trial3: 61% of a Region
 * column filled with the runner-up 'AS'), while data-validate said how to keep them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { readTrainingTable } from '../../../shared/src/train/tabularData.js';

function regions(share: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'token-share-'));
  const file = join(dir, 'regions.csv');
  const rows = Array.from(
    { length: 100 },
    (_, i) => `${i < share * 100 ? 'NA' : i % 2 ? 'AS' : 'EU'},${i % 7},${i % 2}`,
  );
  writeFileSync(file, `region,x,y\n${rows.join('\n')}\n`);
  return file;
}

async function warnings(file: string, missing?: string[]) {
  const log = memoryLog();
  const table = await readTrainingTable(file, 'y', 'classification', log, missing ? { missing } : {});
  return { table, said: log.lines.filter((l) => l.level === 'warning').map((l) => l.message) };
}

describe('a column that is mostly a missing-value token', () => {
  it("61% 'NA': train says how many are filled and how to keep 'NA' as a value", async () => {
    const { said } = await warnings(regions(0.61));
    const line = said.find((m) => m.includes("Column 'region'"));
    expect(line).toContain('61 of 100 training values (61%) are the missing-value token "NA"');
    expect(line).toContain('features.missing');
  });

  it("under 20% 'NA': no such warning; with 'NA' taken out of the tokens: a category, no warning", async () => {
    expect((await warnings(regions(0.1))).said.some((m) => m.includes('missing-value token'))).toBe(false);
    const kept = await warnings(regions(0.61), ['']);
    expect(kept.said.some((m) => m.includes('missing-value token'))).toBe(false);
    expect(kept.table.features.find((f) => f.name === 'region')?.kind).toBe('categorical');
  });
});

describe('a number column with a word the tokens do not list', () => {
  it("says how many values are numbers and which word kept it text (trial3: 'NA' taken out of the tokens)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-share-'));
    const file = join(dir, 'weights.csv');
    const rows = Array.from(
      { length: 300 },
      (_, i) => `${i % 37 === 0 ? 'NA' : 1500 + ((i * 7919) % 3500)},${i % 5},${i % 2}`,
    );
    writeFileSync(file, `w,x,y\n${rows.join('\n')}\n`);
    const { said } = await warnings(file, ['', 'N/A']);
    const line = said.find((m) => m.includes("Column 'w'"));
    expect(line).toContain('291 of 300 values are numbers, the others text such as "NA"');
    expect(line).toContain('add it to features.missing');
    // With the defaults 'NA' is a token: numbers, no such word.
    expect((await warnings(file)).table.features.find((f) => f.name === 'w')?.kind).toBe('numeric');
  });
});
