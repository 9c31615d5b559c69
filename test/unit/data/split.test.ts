/** `mlops split`: reproducible, stratified or grouped train/test splits, checked against the source rows. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json');
const source: Record<string, unknown>[] = JSON.parse(readFileSync(DATA, 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'mlops-split-'));

async function split(args: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _e, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runCommandLine(['split', '--data', DATA, ...args, '--json'], {
    stdout: sink((t) => {
      stdout += t;
    }),
    stderr: sink((t) => {
      stderr += t;
    }),
    env: {},
  });
  return { code, stderr, result: code === 0 ? JSON.parse(stdout) : undefined };
}

const read = (path: string): Record<string, unknown>[] => JSON.parse(readFileSync(path, 'utf8'));
const outputs = (name: string) => [
  '--train-output',
  join(work, `${name}-train.json`),
  '--test-output',
  join(work, `${name}-test.json`),
];
const canonical = (rows: Record<string, unknown>[]) => rows.map((row) => JSON.stringify(row)).sort();

describe('mlops split', () => {
  it('stratified: every class gives round(rows x fraction) test rows, and together the files are the data', async () => {
    const { code, result, stderr } = await split([
      '--test-fraction',
      '0.25',
      '--stratify',
      'Species',
      '--seed',
      '7',
      ...outputs('strat'),
    ]);
    expect(code, stderr).toBe(0);
    const train = read(result.train.path);
    const test = read(result.test.path);
    expect(canonical([...train, ...test])).toEqual(canonical(source));
    const counts = new Map<string, number>();
    for (const row of source) counts.set(String(row.Species), (counts.get(String(row.Species)) ?? 0) + 1);
    for (const [species, n] of counts) {
      const inTest = test.filter((row) => row.Species === species).length;
      expect(inTest, species).toBe(Math.round(n * 0.25));
      expect(result.classes).toContainEqual({ value: species, train: n - inTest, test: inTest });
    }
    expect(result.test.rows).toBe(test.length);
    expect(result.train.rows + result.test.rows).toBe(source.length);
  });

  it('is reproducible: the same seed gives byte-identical files, another seed other rows', async () => {
    const first = await split(['--seed', '11', ...outputs('seed-a')]);
    const again = await split(['--seed', '11', ...outputs('seed-b')]);
    const other = await split(['--seed', '12', ...outputs('seed-c')]);
    expect(readFileSync(first.result.test.path)).toEqual(readFileSync(again.result.test.path));
    expect(readFileSync(first.result.train.path)).toEqual(readFileSync(again.result.train.path));
    expect(readFileSync(first.result.test.path)).not.toEqual(readFileSync(other.result.test.path));
    // Plain split: round(344 x 0.2) = 69 test rows.
    expect(first.result.test.rows).toBe(Math.round(source.length * 0.2));
  });

  it('--by keeps every group on one side only', async () => {
    const { code, result } = await split([
      '--by',
      'Island',
      '--test-fraction',
      '0.3',
      '--seed',
      '1',
      ...outputs('group'),
    ]);
    expect(code).toBe(0);
    const trainIslands = new Set(read(result.train.path).map((row) => row.Island));
    const testIslands = new Set(read(result.test.path).map((row) => row.Island));
    expect([...trainIslands].filter((island) => testIslands.has(island))).toEqual([]);
    expect(trainIslands.size + testIslands.size).toBe(3);
    expect(result.groups).toEqual({ train: trainIslands.size, test: testIslands.size });
    expect(result.train.rows + result.test.rows).toBe(source.length);
  });

  it('explains bad options and writes nothing', async () => {
    const both = await split(['--by', 'Island', '--stratify', 'Species', ...outputs('bad')]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('Give --stratify or --by, not both');
    const column = await split(['--stratify', 'species', ...outputs('bad')]);
    expect(column.stderr).toContain("--stratify names the column 'species', which");
    expect(column.stderr).toContain('Species');
    const fraction = await split(['--test-fraction', '1', ...outputs('bad')]);
    expect(fraction.stderr).toContain('--test-fraction must be above 0 and below 1; got 1.');
    const flag = await split(['--fraction', '0.2']);
    expect(flag.stderr).toContain('mlops split does not take --fraction');
    expect(() => readFileSync(join(work, 'bad-train.json'))).toThrow();
  });
});

describe('split of a CSV into CSVs', () => {
  it('copies every row as written: times with offsets, numbers as typed, empty fields (trial3)', async () => {
    // Typed, DuckDB rewrote '14:37:00-03:30' as '18:07:00+00', which the server then refused.
    const file = join(work, 'as-written.csv');
    const lines = [
      '2012-01-01T11:21:00,1.50,a',
      '2012-01-03T14:37:00-03:30,2,b',
      '2012-01-04T01:00:00+05:00,3e2,c',
      '2012-01-05T01:00:00Z,,d',
      '2012-01-06T01:00:00+0530,007,e',
      '2012-01-07,-0.0,f',
    ];
    writeFileSync(file, `when,x,y\n${lines.join('\n')}\n`);
    const code = await runCommandLine(['split', '--data', file, '--test-fraction', '0.5', '--seed', '3'], {
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr: new Writable({ write: (_c, _e, done) => done() }),
      env: {},
    });
    expect(code).toBe(0);
    const rows = (name: string) => readFileSync(join(work, name), 'utf8').trim().split('\n');
    const [trainHeader, ...train] = rows('as-written-train.csv');
    const [testHeader, ...test] = rows('as-written-test.csv');
    expect([trainHeader, testHeader]).toEqual(['when,x,y', 'when,x,y']);
    expect([...train, ...test].sort()).toEqual([...lines].sort());
  });
});
