/**
 * The feature contract reads dates only as ISO 8601 (models/preprocessing.ts). A column of dates
 * written otherwise (vega's stocks.csv: 'Jan 1 2000') used to become a category of 123 months
 * without a word, so every later date was an unseen value (a 400 from the server); and forcing it
 * to `date` failed with "no readable value" naming neither a value nor the format expected.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { fitPreprocessing, inferFeatureKind } from '../../../shared/src/models/preprocessing.js';
import { readTrainingTable } from '../../../shared/src/train/tabularData.js';
import { DATA } from '../validate/helpers.js';

const STOCKS = join(DATA, 'stocks.csv');
const TOKENS = ['', 'NA'];

describe('dates not in ISO 8601 at train time', () => {
  it('stocks.csv: the date column is kept as a category, and train says why and what to do', async () => {
    const log = memoryLog();
    const table = await readTrainingTable(STOCKS, 'price', 'regression', log);
    expect(table.features.find((f) => f.name === 'date')?.kind).toBe('categorical');
    const warning = log.lines.find((l) => l.level === 'warning' && l.message.includes("Column 'date'"));
    expect(warning?.message).toContain("not in ISO 8601 (e.g. 'Jan 1 2000')");
    expect(warning?.message).toContain('YYYY-MM-DD');
    expect(log.lines.some((l) => l.message.includes("Column 'symbol'") && l.message.includes('ISO'))).toBe(
      false,
    );
  });

  it('forced to date, the error shows a value and the format expected', async () => {
    const table = await readTrainingTable(STOCKS, 'price', 'regression', memoryLog(), {
      types: { date: 'date' },
    });
    let error: unknown;
    try {
      fitPreprocessing(table.columns, table.rows, {
        features: table.features,
        target: 'price',
        task: 'regression',
        missing: table.missing,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain('e.g. "Jan 1 2000", expected an ISO 8601 date (YYYY-MM-DD)');
  });

  it.each([
    [['Jan 1 2000', 'Feb 1 2000'], true],
    [['01/02/2000', '12/31/1999'], true],
    [['2000.01.02', '1999.12.31'], true],
    [['Sat, 01 Jan 2000 10:00:00 GMT', 'Sun, 02 Jan 2000 11:00:00 GMT'], true],
    [['Biscoe', 'Dream'], false],
    [['1', '2', 'x'], false],
    [['May', 'June'], false],
    [['model 2000', 'model 2010'], false],
    [['Jan 1 2000', 'Dream'], false],
  ])('%j looks like non-ISO dates: %s', (values, expected) => {
    const found = inferFeatureKind(values, 'text', TOKENS, 'DuckDB VARCHAR');
    expect(found.nonIsoDate !== undefined).toBe(expected);
  });
});
