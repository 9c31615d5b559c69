import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { runDataValidate } from '../../../shared/src/validate/index.js';
import { type Row, readSeattle, split70, writeCsv } from './helpers.js';

/**
 * A date column's inferred schema holds the training period (widened by 10% of its span, whole
 * days): the same rows moved eight years later (a model's year and epoch-day features then
 * extrapolate; the new-user trial measured accuracy 0.79 -> 0.50 with no step saying a word) are
 * reported as a warning naming the period, while a holdout of the same years stays clean. Before,
 * datetime columns got no range at all and both passed silently.
 */
let dir: string;
let train: Row[];
let holdout: Row[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlops-period-'));
  [train, holdout] = split70(readSeattle());
  writeCsv(dir, 'train.csv', train);
  writeCsv(dir, 'holdout.csv', holdout);
  const later = (date: unknown) => `${Number(String(date).slice(0, 4)) + 8}${String(date).slice(4)}`;
  writeCsv(
    dir,
    'future.csv',
    holdout.map((r) => ({ ...r, date: later(r.date) })),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const validate = (data: string, extra: Record<string, unknown>) =>
  runDataValidate(
    {
      data,
      failOn: 'error',
      reportPath: `report-${data}.json`,
      profilePath: `profile-${data}.json`,
      workingDirectory: dir,
      ...extra,
    },
    memoryLog(),
  );

describe('an inferred training period for date columns', () => {
  it('is written to the schema as whole days around the observed dates', async () => {
    await validate('train.csv', { inferSchema: true, writeSchema: 'schema.yaml' });
    const schema = readFileSync(join(dir, 'schema.yaml'), 'utf8');
    // seattle-weather: 2012-01-01 .. 2015-12-31 (1,460 days); 10% is 146 days each side.
    expect(schema).toMatch(/\n {2}date:\n[\s\S]*?min: "2011-08-08"/);
    expect(schema).toMatch(/\n {2}date:\n[\s\S]*?max: "2016-05-25"/);
  });

  it('a holdout of the same years raises nothing on the date column', async () => {
    const result = await validate('holdout.csv', { schema: 'schema.yaml' });
    expect(result.anomalies.filter((a) => a.column === 'date')).toEqual([]);
  });

  it('the same rows eight years later are a warning, not an error, naming the period', async () => {
    const result = await validate('future.csv', { schema: 'schema.yaml' });
    const dates = result.anomalies.filter((a) => a.column === 'date');
    expect(dates).toHaveLength(1);
    expect(dates[0]).toMatchObject({ kind: 'out_of_range', severity: 'warning', count: holdout.length });
    expect(dates[0]!.message).toContain('outside the training period');
    expect(result.anomalies.filter((a) => a.severity === 'error')).toEqual([]);
  });
});
