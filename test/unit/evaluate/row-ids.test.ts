/**
 * evaluate's predictions file joins back to the evaluated data: `row_id` is each row's 0-based
 * position in the data (pandas' own index, test/golden/movies_row_ids.py), with gaps where rows
 * were left out for a null target. On the old code it counted 0..n-1 over the rows kept, so after
 * movies' first null target (data row 3) every row_id named the wrong movie. Re-evaluating the
 * predictions file keeps those ids, and compare-baseline still pairs two such files row by row.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPairedRows } from '../../../shared/src/compare/paired-rows.js';
import { runSplit } from '../../../shared/src/data/split.js';
import { runEvaluate } from '../../../shared/src/evaluate/run.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { runTrain } from '../../../shared/src/train/runTrain.js';
import golden from '../../fixtures/golden/movies-row-ids.json' with { type: 'json' };

const MOVIES = join(process.cwd(), 'node_modules/vega-datasets/data/movies.json');
const TARGET = 'IMDB Rating';
const work = mkdtempSync(join(tmpdir(), 'evaluate-row-ids-'));
let modelPath: string;
let testFile: string;

/** A predictions CSV as rows of its columns (evaluate writes plain numbers, no quoting here). */
function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const fields = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, fields[i]!]));
  });
}

async function evaluate(data: string, name: string) {
  const log = memoryLog();
  const result = await runEvaluate(
    {
      model: modelPath,
      data,
      target: TARGET,
      bootstrap: 0,
      confidence: 0.95,
      seed: 1,
      latency: false,
      metrics: ['rmse'],
      onInvalid: 'warn',
      output: join(name, 'metrics.json'),
      predictionsOutput: join(name, 'predictions.csv'),
      workingDirectory: work,
    },
    log,
  );
  return { result, log, rows: readCsv(result.predictionsPath) };
}

beforeAll(async () => {
  // The trial's split: movies.json, 20% test, seed 7; the model learns on the training part.
  const split = await runSplit(
    {
      data: MOVIES,
      testFraction: 0.2,
      seed: 7,
      workingDirectory: work,
      trainOutput: join(work, 'movies-train.json'),
      testOutput: join(work, 'movies-test.json'),
    },
    silentLog,
  );
  testFile = split.test.path;
  const trained = await runTrain(
    {
      data: split.train.path,
      target: TARGET,
      task: 'regression',
      model: 'mlp',
      epochs: 1,
      batchSize: 64,
      learningRate: 0.01,
      seed: 3,
      validationSplit: 0,
      outputDir: join(work, 'model'),
      resume: false,
      cache: false,
      gpu: 'off',
      workingDirectory: work,
    },
    { log: silentLog },
  );
  modelPath = trained.modelPath;
}, 120_000);

describe("evaluate's row_id is the row of the evaluated data", () => {
  it("is pandas' index of movies.json, with gaps where a null target left the row out", async () => {
    const { result, rows } = await evaluate(MOVIES, 'full');
    expect(result.metrics.features?.dropped_target_rows).toBe(golden.null_target_rows.length);
    expect(rows.map((r) => Number(r.row_id))).toEqual(golden.kept_row_ids);
    expect(rows.map((r) => Number(r.y_true))).toEqual(golden.y_true);
    expect(rows.some((r) => golden.null_target_rows.includes(Number(r.row_id)))).toBe(false);
  }, 60_000);

  it('joins the seed-7 test split back to its own rows (the trial: 37 null targets)', async () => {
    const data = JSON.parse(readFileSync(testFile, 'utf8')) as Record<string, unknown>[];
    const nullRows = data.flatMap((row, i) => (row[TARGET] === null || row[TARGET] === undefined ? [i] : []));
    expect(nullRows.length).toBeGreaterThan(0);
    const { rows } = await evaluate(testFile, 'split');
    expect(rows.length).toBe(data.length - nullRows.length);
    for (const row of rows) expect(Number(row.y_true)).toBe(data[Number(row.row_id)]![TARGET]);
    expect(rows.map((r) => Number(r.row_id)).filter((id) => nullRows.includes(id))).toEqual([]);
    expect(Number(rows.at(-1)!.row_id)).toBe(data.length - 1 - countTrailing(data));
  }, 60_000);

  it('keeps the ids when the predictions file itself is evaluated, and compare-baseline pairs on them', async () => {
    const first = await evaluate(testFile, 'again-a');
    const second = await evaluate(testFile, 'again-b');
    const log = memoryLog();
    const reread = await runEvaluate(
      {
        predictions: first.result.predictionsPath,
        task: 'regression',
        bootstrap: 0,
        confidence: 0.95,
        seed: 1,
        latency: false,
        metrics: ['rmse'],
        output: join('reread', 'metrics.json'),
        predictionsOutput: join('reread', 'predictions.csv'),
        workingDirectory: work,
      },
      log,
    );
    // The split's null targets leave gaps, so the ids are not simply 0..n-1.
    expect(Number(first.rows.at(-1)!.row_id)).toBeGreaterThan(first.rows.length - 1);
    expect(readCsv(reread.predictionsPath).map((r) => r.row_id)).toEqual(first.rows.map((r) => r.row_id));
    const paired = await loadPairedRows(first.result.metricsPath, second.result.metricsPath, { log });
    expect(paired, log.lines.map((l) => l.message).join('\n')).toBeDefined();
    expect(paired!.current.data.yTrue.length).toBe(first.rows.length);
  }, 60_000);
});

/** Rows at the end of the data whose target is null (the last row_id is before them). */
function countTrailing(data: Record<string, unknown>[]): number {
  let n = 0;
  for (let i = data.length - 1; i >= 0 && (data[i]![TARGET] ?? null) === null; i--) n++;
  return n;
}
