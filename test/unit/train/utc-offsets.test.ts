/**
 * The feature contract takes date parts in UTC (docs/features.md). A time written with another
 * offset ('2024-03-01T04:15:00+05:00') used to give hour 23 of the day before without a word:
 * train now says so once per column, naming the offset or DuckDB's type, and what to do.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { applyPreprocessing, fitPreprocessing } from '../../../shared/src/models/preprocessing.js';
import { readTrainingTable } from '../../../shared/src/train/tabularData.js';

function table(name: string, times: (i: number) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'utc-offsets-'));
  const rows = Array.from({ length: 40 }, (_, i) => `${times(i)},${(i * 0.37) % 1},${i % 2}`);
  const file = join(dir, name);
  writeFileSync(file, `when,x,y\n${rows.join('\n')}\n`);
  return file;
}

const day = (i: number) => `2024-03-${String(1 + (i % 28)).padStart(2, '0')}`;

async function offsetWarnings(file: string): Promise<string[]> {
  const log = memoryLog();
  const read = await readTrainingTable(file, 'y', 'classification', log);
  expect(read.features.find((f) => f.name === 'when')?.kind).toBe('datetime');
  return log.lines
    .filter((l) => l.level === 'warning' && l.message.includes('UTC offset'))
    .map((l) => l.message);
}

describe('times with a UTC offset at train time', () => {
  it('a CSV of +05:00 times (DuckDB: TIMESTAMP WITH TIME ZONE): one warning with an example, parts taken in UTC', async () => {
    const warnings = await offsetWarnings(table('tz.csv', (i) => `${day(i)}T04:15:00+05:00`));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Column 'when'");
    expect(warnings[0]).toContain("e.g. '2024-03-01T04:15:00+05:00'");
    expect(warnings[0]).toContain('in UTC');
    expect(warnings[0]).toContain('without an offset');
  });

  it('UTC times (Z, +00:00) and times without an offset: no warning', async () => {
    expect(await offsetWarnings(table('z.csv', (i) => `${day(i)}T04:15:00Z`))).toEqual([]);
    expect(await offsetWarnings(table('plain.csv', (i) => `${day(i)}T04:15:00`))).toEqual([]);
    expect(await offsetWarnings(table('zero.csv', (i) => `${day(i)}T04:15:00+00:00`))).toEqual([]);
  });

  it('a JSON file of text times with -03:30: the warning names a value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utc-offsets-'));
    const file = join(dir, 'tz.json');
    const records = Array.from({ length: 40 }, (_, i) => ({
      when: `${day(i)}T22:00:00-03:30`,
      x: i / 40,
      y: i % 2,
    }));
    writeFileSync(file, JSON.stringify(records));
    const warnings = await offsetWarnings(file);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('-03:30');
  });
});

describe('offsets the contract reads', () => {
  it("'+00' and '-08' (hours only, as DuckDB writes them) are the same instants as 'Z' and '-08:00' (trial3: a 400)", () => {
    const times = [
      '2012-01-03 18:07:00+00',
      '2012-01-03T18:07:00Z',
      '2012-01-01 11:21:00-08',
      '2012-01-01T11:21:00-08:00',
    ];
    const spec = fitPreprocessing({ when: times, y: [1, 2, 3, 4] }, 4, {
      features: [{ name: 'when', kind: 'datetime' }],
      target: 'y',
      task: 'regression',
    });
    const out = applyPreprocessing(spec, { when: times }, 4, { onInvalid: 'error' });
    const width = out.length / 4;
    const row = (r: number) => Array.from(out.subarray(r * width, (r + 1) * width));
    expect(row(0)).toEqual(row(1));
    expect(row(2)).toEqual(row(3));
  });
});
