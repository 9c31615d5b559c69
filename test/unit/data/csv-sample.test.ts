import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { distinctShare, readCsvSample } from '../../../shared/src/data/csv-sample.js';

const temp = mkdtempSync(join(tmpdir(), 'mlops-csv-sample-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(temp, name);
  writeFileSync(path, content);
  return path;
}

describe('readCsvSample', () => {
  it('splits quoted fields holding delimiters, quotes and newlines, with CRLF rows', async () => {
    const path = write('quoted.csv', 'name,note\r\n"Smith, J","said ""hi""\r\nthen left"\r\nplain,\r\n');
    expect(await readCsvSample(path, ',')).toEqual({
      header: ['name', 'note'],
      rows: [
        ['Smith, J', 'said "hi"\r\nthen left'],
        ['plain', ''],
      ],
    });
  });

  it('drops the row cut by the byte limit and reads gzipped files and tabs', async () => {
    const text = `a\tb\n${Array.from({ length: 1000 }, (_, i) => `${i}\tx`).join('\n')}\n`;
    const cut = await readCsvSample(write('cut.tsv', text), '\t', 100);
    expect(cut.header).toEqual(['a', 'b']);
    expect(cut.rows.every((row) => row.length === 2 && row[1] === 'x')).toBe(true);
    expect(cut.rows.length).toBeLessThan(30);
    const gz = await readCsvSample(write('all.tsv.gz', gzipSync(text)), '\t');
    expect(gz.rows).toHaveLength(1000);
  });
});

describe('distinctShare', () => {
  it('is near 0 for repeated categories and the column count for unique columns', () => {
    const repeated = { header: ['c'], rows: Array.from({ length: 100 }, (_, i) => [String(i % 4)]) };
    expect(distinctShare(repeated)).toBeCloseTo(0.04, 12);
    const unique = {
      header: ['id', 'x'],
      rows: Array.from({ length: 100 }, (_, i) => [String(i), `${i}.5`]),
    };
    expect(distinctShare(unique)).toBe(2);
    expect(distinctShare({ header: ['a'], rows: [] })).toBe(0);
  });
});
