/**
 * A missing feature value is filled by the contract everywhere (train, evaluate, serve:
 * docs/features.md "Missing values"), and every step says so, naming the column and the fill:
 * - train's line and step summary name each column's fill (cars: `Horsepower: 6 filled with 104.469 (training mean)`),
 *   where the old line said only "means/modes";
 * - the server logs each request that had missing values, with the columns and fills: an info line
 *   under on-invalid error, a warning under warn, nothing under impute (the quiet opt-in). On the
 *   old code the server's log was silent (trial2 defect 6: a null location became "Seattle").
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryLog } from '../../../shared/src/logging/index.js';
import { runServe } from '../../../shared/src/serve/run-serve.js';
import { runTrain } from '../../../shared/src/train/runTrain.js';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');
const work = mkdtempSync(join(tmpdir(), 'mlops-missing-fills-'));
const cars = JSON.parse(readFileSync(join(DATA, 'cars.json'), 'utf8')) as Record<string, unknown>[];
const FEATURES = [
  'Cylinders',
  'Displacement',
  'Horsepower',
  'Weight_in_lbs',
  'Acceleration',
  'Year',
  'Origin',
];

let base: string;
let trainLines: string[];
let trainSummary: string;
let fills: { horsepower: number; origin: string };

beforeAll(async () => {
  const log = memoryLog();
  const trained = await runTrain(
    {
      data: join(DATA, 'cars.json'),
      target: 'Miles_per_Gallon',
      task: 'regression',
      model: 'mlp',
      epochs: 1,
      batchSize: 64,
      learningRate: 0.01,
      seed: 5,
      outputDir: join(work, 'cars'),
      resume: false,
      cache: false,
      gpu: 'off',
      workingDirectory: work,
    },
    { log },
  );
  trainLines = log.lines.map((l) => l.message);
  trainSummary = trained.summaryMarkdown;
  base = join(work, 'cars-base');
  cpSync(join(work, 'cars'), join(base, '1'), { recursive: true, filter: (p) => !p.includes('checkpoints') });
  const spec = JSON.parse(readFileSync(join(work, 'cars', 'preprocessing.json'), 'utf8')) as {
    features: { name: string; fill: number | string }[];
  };
  fills = {
    horsepower: spec.features.find((f) => f.name === 'Horsepower')!.fill as number,
    origin: spec.features.find((f) => f.name === 'Origin')!.fill as string,
  };
}, 120_000);

describe('missing values are filled and said, naming the column and the fill', () => {
  it("train's line names each column's fill value", () => {
    const nulls = cars.filter((r) => r.Horsepower === null || r.Horsepower === undefined).length;
    expect(nulls).toBe(6);
    const line = trainLines.find((l) => l.startsWith('Filled '))!;
    expect(line).toContain(
      `Horsepower: ${nulls} filled with ${Number(fills.horsepower.toPrecision(6))} (training mean)`,
    );
    expect(line).not.toContain('means/modes');
    // The step summary's feature table names every column's fill, beside its count.
    // (Markdown-escaped: the backslashes go.)
    const row = trainSummary
      .split('\n')
      .find((l) => l.startsWith('| Horsepower |'))!
      .replace(/\\/g, '');
    expect(row).toMatch(
      new RegExp(`\\| ${nulls} \\| ${Number(fills.horsepower.toPrecision(6))} \\(training mean\\) \\|$`),
    );
    const origin = trainSummary
      .split('\n')
      .find((l) => l.startsWith('| Origin |'))!
      .replace(/\\/g, '');
    expect(origin).toMatch(/\| 0 \| &quot;USA&quot; \(most frequent\) \|$/); // quotes as HTML entities: data stays data
  });

  for (const [policy, level] of [
    ['error', 'info'],
    ['warn', 'warning'],
    ['impute', null],
  ] as const) {
    it(`the server under on-invalid ${policy} ${level ? `logs (${level}) the columns and fills` : 'fills quietly'}`, async () => {
      const log = memoryLog();
      const server = await runServe(
        { model: 'cars', baseDir: base, port: 0, onInvalid: policy, workingDirectory: work },
        log,
      );
      try {
        const row = Object.fromEntries(FEATURES.map((f) => [f, cars[0]![f] ?? null]));
        const reply = await fetch(`${server.url}/v1/models/cars:predict`, {
          method: 'POST',
          body: JSON.stringify({ instances: [row, { ...row, Origin: null, Horsepower: 'NA' }] }),
        });
        expect(reply.status).toBe(200);
        const said = log.lines.filter((l) => l.message.includes('missing feature value'));
        if (level === null) {
          expect(said).toEqual([]);
          return;
        }
        expect(said).toHaveLength(1);
        expect(said[0]!.level).toBe(level);
        expect(said[0]!.message).toContain('2 missing feature value(s) in a request of 2 row(s)');
        expect(said[0]!.message).toContain(
          `Origin: 1 filled with ${JSON.stringify(fills.origin)} (most frequent)`,
        );
        expect(said[0]!.message).toContain(
          `Horsepower: 1 filled with ${Number(fills.horsepower.toPrecision(6))} (training mean)`,
        );
      } finally {
        await server.close();
      }
    });
  }
});
