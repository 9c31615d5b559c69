/**
 * One identifier rule: the columns train leaves out as identifiers (`text-id`) are exactly the
 * near-unique columns data-validate leaves out of its distribution comparison, on real tables and
 * on columns at the rule's edges (few rows, mostly missing). Train counts only rows with a target,
 * so the tables' targets here have (almost) none missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearUniqueReason } from '../../../shared/src/data/column-kind.js';
import { driftSkewCheck } from '../../../shared/src/drift/skew-check.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { readTrainingTable } from '../../../shared/src/train/tabularData.js';
import { runDataValidate } from '../../../shared/src/validate/index.js';
import { DATA } from '../validate/helpers.js';

let wd: string;
beforeAll(() => {
  wd = mkdtempSync(join(tmpdir(), 'mlops-idrule-'));
});
afterAll(() => rmSync(wd, { recursive: true, force: true }));

/** Text columns train drops as identifiers. */
async function trainIdentifiers(file: string, target: string): Promise<string[]> {
  const table = await readTrainingTable(file, target, 'auto', memoryLog());
  return table.dropped
    .filter((d) => d.reason === 'text-id')
    .map((d) => d.name)
    .sort();
}

/** Columns data-validate leaves out of a comparison as near-unique (not by an id-like name). */
async function validateIdentifiers(file: string): Promise<string[]> {
  const result = await runDataValidate(
    {
      data: file,
      reference: file,
      failOn: 'never',
      reportPath: 'reports/data-validation.json',
      profilePath: 'reports/profile.json',
      workingDirectory: wd,
      repositoryRoot: wd,
      memoryLimit: '512MB',
      skewCheck: driftSkewCheck(join(wd, 'reports')),
    },
    memoryLog(),
  );
  return (result.report.skew.left_out ?? [])
    .filter((c) => c.reason.startsWith('near-unique'))
    .map((c) => c.column)
    .sort();
}

describe('identifier columns: train and data-validate use one rule', () => {
  it.each([
    ['cars.json', 'Miles_per_Gallon', ['Name']],
    ['movies.json', 'Production Budget', ['Title']],
    ['penguins.json', 'Species', []],
  ])('%s: both leave out %j', async (file, target, expected) => {
    const path = join(DATA, file);
    expect(await trainIdentifiers(path, target)).toEqual(expected);
    expect(await validateIdentifiers(path)).toEqual(expected);
  });

  it('agree at the edges: a short table of unique names, a mostly-missing unique column', async () => {
    // 16 rows. `short`: 9 distinct names (more than half the rows, but too few to say "identifier"
    // from 16 rows; the old train rule dropped it). `sparse`: 60 rows, 24 present and all distinct
    // (an identifier among the rows that have it; the old train rule counted missing rows too and
    // kept it as a 24-category feature).
    const lines = ['short,sparse,x,y'];
    for (let i = 0; i < 60; i++)
      lines.push(`${i < 16 ? `name${i % 9}` : ''},${i % 5 < 2 ? `key-${i}` : ''},${i},${i % 3}`);
    const file = join(wd, 'edges.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(await trainIdentifiers(file, 'y')).toEqual(['sparse']);
    expect(await validateIdentifiers(file)).toEqual(['sparse']);
  });

  it('the rule itself: at least 20 distinct values, more than half the non-missing ones', () => {
    expect(nearUniqueReason(19, 19)).toBeUndefined();
    expect(nearUniqueReason(20, 39)).toBe('near-unique: 20 distinct values in 39');
    expect(nearUniqueReason(20, 40)).toBeUndefined();
  });
});
