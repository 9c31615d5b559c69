/**
 * The feature contract at serving time, with models the built-in trainer really trains (cars:
 * regression with a date; seattle-weather: classification with a date):
 * - on-invalid error / warn / impute on the server, with counts in Prometheus and the request log;
 * - a missing input or an unknown one is a 400 naming it, as TF Serving answers;
 * - :classify names the classes, :regress answers numbers, /metadata names classes and kinds;
 * - a model folder from before the contract (v1, dates as text categories) is refused with a
 *   clear "retrain" message;
 * - drift-check on the request log `mlops serve` writes: 200 requests like the training data
 *   drift nothing and warn nothing; 200 with heavier cars drift Weight_in_lbs.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDriftCheck } from '../../../shared/src/drift/run.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { loadModelFolder } from '../../../shared/src/serve/loaded-model.js';
import { REQUEST_LOG_FILE } from '../../../shared/src/serve/request-log.js';
import { runServe } from '../../../shared/src/serve/run-serve.js';
import type { ModelServer } from '../../../shared/src/serve/server.js';
import { runTrain } from '../../../shared/src/train/runTrain.js';
import { parsePrometheusText } from './prometheus-parser.js';

const DATA = join(process.cwd(), 'node_modules/vega-datasets/data');
const work = mkdtempSync(join(tmpdir(), 'mlops-contract-serve-'));
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

async function train(data: string, target: string, task: string, dir: string): Promise<string> {
  const result = await runTrain(
    {
      data,
      target,
      task,
      model: 'mlp',
      epochs: 3,
      batchSize: 64,
      learningRate: 0.01,
      seed: 5,
      outputDir: join(work, dir),
      resume: false,
      cache: false,
      gpu: 'off',
      workingDirectory: work,
    },
    { log: silentLog },
  );
  // TF Serving's layout: <base>/<version>/.
  const base = join(work, `${dir}-base`);
  cpSync(join(work, dir), join(base, '1'), { recursive: true, filter: (p) => !p.includes('checkpoints') });
  expect(result.modelPath).toMatch(/model\.json$/);
  return base;
}

let carsBase: string;
let weatherBase: string;
beforeAll(async () => {
  carsBase = await train(join(DATA, 'cars.json'), 'Miles_per_Gallon', 'regression', 'cars');
  weatherBase = await train(join(DATA, 'seattle-weather.csv'), 'weather', 'classification', 'weather');
});

async function serve(
  model: string,
  base: string,
  onInvalid: string,
  requestLog?: string,
): Promise<ModelServer> {
  return runServe(
    { model, baseDir: base, port: 0, onInvalid, requestLog, workingDirectory: work },
    silentLog,
  );
}

async function post(server: ModelServer, path: string, body: unknown) {
  const reply = await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: reply.status, json: (await reply.json()) as Record<string, unknown> };
}

function features(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(FEATURES.map((f) => [f, row[f] ?? null]));
}

const BAD = { ...features(cars[0]!), Origin: 'Mars', Horsepower: '?', Displacement: 'n/a-ish' };

async function featureMetric(server: ModelServer) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const family = parsePrometheusText(text).get('mlops_serve_feature_values_total');
  return Object.fromEntries(
    (family?.samples ?? []).map((s) => [`${s.labels['column']}:${s.labels['kind']}`, s.value]),
  );
}

describe('serving with the feature contract', () => {
  it('on-invalid error answers 400 naming the input, row and value; a missing or unknown input is a 400 naming it', async () => {
    const server = await serve('cars', carsBase, 'error');
    try {
      const unseen = await post(server, '/v1/models/cars:predict', { instances: [features(cars[0]!), BAD] });
      expect(unseen.status).toBe(400);
      expect(unseen.json['error']).toMatch(
        /^instances\[1\]: 'Displacement' is "n\/a-ish", which is not a number/,
      );
      const columnar = await post(server, '/v1/models/cars:predict', {
        inputs: Object.fromEntries(
          FEATURES.map((f) => [f, [features(cars[0]!)[f], f === 'Origin' ? 'Mars' : features(cars[0]!)[f]]]),
        ),
      });
      expect(columnar.status).toBe(400);
      expect(columnar.json['error']).toMatch(
        /^inputs row 1: 'Origin' is "Mars", a category the model never saw in training \(it knows "Europe", "Japan", "USA"\)/,
      );
      const { Origin: _, ...withoutOrigin } = features(cars[0]!);
      const missing = await post(server, '/v1/models/cars:predict', { instances: [withoutOrigin] });
      expect(missing.status).toBe(400);
      expect(missing.json['error']).toMatch(/instances\[0\] is missing input\(s\) 'Origin'/);
      const extra = await post(server, '/v1/models/cars:predict', {
        instances: [{ ...features(cars[0]!), Name: 'x' }],
      });
      expect(extra.status).toBe(400);
      // Name is the column train left out as an identifier: the 400 says so, so a client sending
      // the very rows evaluate scored knows to drop it; a column the model never saw is just named.
      expect(extra.json['error']).toMatch(
        /unknown input\(s\) 'Name' \(train left it out: text-id; send the model's inputs only\); the model takes Cylinders/,
      );
      const stranger = await post(server, '/v1/models/cars:predict', {
        inputs: { ...Object.fromEntries(FEATURES.map((f) => [f, [features(cars[0]!)[f]]])), Colour: ['red'] },
      });
      expect(stranger.status).toBe(400);
      expect(stranger.json['error']).toMatch(/^"inputs" has unknown input\(s\) 'Colour'; the model takes/);
      // "?" is a missing-value token: filled like null, not a category or an error.
      const token = await post(server, '/v1/models/cars:predict', {
        instances: [
          { ...features(cars[0]!), Horsepower: '?' },
          { ...features(cars[0]!), Horsepower: null },
        ],
      });
      expect(token.status).toBe(200);
      const [a, b] = token.json['predictions'] as number[][];
      expect(a).toEqual(b);
      expect(await featureMetric(server)).toEqual({ 'Horsepower:missing': 2 });
    } finally {
      await server.close();
    }
  });

  for (const policy of ['warn', 'impute'] as const) {
    it(`on-invalid ${policy} fills invalid values with the feature's fill and counts them (Prometheus, request log)`, async () => {
      const logDir = join(work, `log-${policy}`);
      const server = await serve('cars', carsBase, policy, logDir);
      try {
        const filled = { ...features(cars[0]!), Origin: 'USA', Horsepower: null, Displacement: null };
        const reply = await post(server, '/v1/models/cars:predict', { instances: [BAD, filled] });
        expect(reply.status).toBe(200);
        const [bad, same] = reply.json['predictions'] as number[][];
        // cars[0] is from the USA, the most frequent origin: "Mars" takes that fill.
        expect(bad).toEqual(same);
        expect(await featureMetric(server)).toEqual({
          'Horsepower:missing': 2,
          'Displacement:missing': 1,
          'Displacement:unparseable': 1,
          'Origin:unseen_category': 1,
        });
        await server.requestLog!.flush();
      } finally {
        await server.close();
      }
      const lines = readFileSync(join(logDir, REQUEST_LOG_FILE), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines[0]._invalid).toEqual({ Displacement: 'unparseable', Origin: 'unseen_category' });
      expect(lines[0].Origin).toBe('Mars');
      expect(lines[1]._invalid).toBeUndefined();
      // drift-check reads the log's _invalid into its report.
      const drift = await runDriftCheck(
        {
          reference: join(DATA, 'cars.json'),
          current: join(logDir, REQUEST_LOG_FILE),
          method: 'auto',
          driftShare: 0.5,
          reportPath: join(work, `drift-${policy}.json`),
          workingDirectory: work,
          modelSpec: join(carsBase, '1'),
        },
        silentLog,
      );
      expect(drift.report.model?.invalid_values).toEqual({
        Displacement: { unparseable: 1 },
        Origin: { unseen_category: 1 },
      });
      expect(drift.report.findings).toContainEqual(
        expect.objectContaining({ kind: 'invalid_values', column: 'Origin', severity: 'warning' }),
      );
    });
  }

  it(':classify names the classes, :regress answers numbers, and /metadata names classes and feature kinds', async () => {
    const weather = await serve('weather', weatherBase, 'error');
    const carServer = await serve('cars', carsBase, 'error');
    try {
      const example = { date: '2013-05-02', precipitation: 0, temp_max: 18.3, temp_min: 8.9, wind: 2.5 };
      const classified = await post(weather, '/v1/models/weather:classify', {
        examples: [example, { ...example, precipitation: 20 }],
      });
      expect(classified.status).toBe(200);
      const result = classified.json['result'] as [string, number][][];
      expect(result).toHaveLength(2);
      expect(result[0]!.map(([label]) => label)).toEqual(['drizzle', 'fog', 'rain', 'snow', 'sun']);
      const predicted = await post(weather, '/v1/models/weather:predict', { instances: [example] });
      expect(result[0]!.map(([, score]) => score)).toEqual((predicted.json['predictions'] as number[][])[0]);
      const withContext = await post(weather, '/v1/models/weather:classify', {
        context: { date: '2013-05-02', wind: 2.5 },
        examples: [{ precipitation: 0, temp_max: 18.3, temp_min: 8.9 }],
      });
      expect(withContext.json['result']).toEqual([result[0]]);
      expect((await post(weather, '/v1/models/weather:regress', { examples: [example] })).status).toBe(400);
      const regressed = await post(carServer, '/v1/models/cars:regress', { examples: [features(cars[0]!)] });
      expect(regressed.status).toBe(200);
      const [value] = regressed.json['result'] as number[];
      expect(value).toEqual(
        (
          (await post(carServer, '/v1/models/cars:predict', { instances: [features(cars[0]!)] })).json[
            'predictions'
          ] as number[][]
        )[0]![0],
      );
      const meta = (await (await fetch(`${weather.url}/v1/models/weather/metadata`)).json()) as {
        metadata: {
          mlops: Record<string, unknown>;
          signature_def: { signature_def: Record<string, { method_name: string }> };
        };
      };
      expect(meta.metadata.mlops['classes']).toEqual(['drizzle', 'fog', 'rain', 'snow', 'sun']);
      expect(meta.metadata.mlops['features']).toContainEqual({ name: 'date', kind: 'date' });
      expect(meta.metadata.signature_def.signature_def['classification']!.method_name).toBe(
        'tensorflow/serving/classify',
      );
      expect(meta.metadata.signature_def.signature_def['serving_default']!.method_name).toBe(
        'tensorflow/serving/predict',
      );
    } finally {
      await weather.close();
      await carServer.close();
    }
  });

  it('refuses a model folder from before the contract whose dates were text categories: retrain', async () => {
    const old = join(work, 'old-model');
    cpSync(join(carsBase, '1'), old, { recursive: true });
    writeFileSync(
      join(old, 'preprocessing.json'),
      JSON.stringify({
        schema: 'mlops-preprocessing/v1',
        features: [
          { name: 'Weight_in_lbs', kind: 'numeric', mean: 2900, std: 800, fill: 2900 },
          {
            name: 'Year',
            kind: 'categorical',
            categories: ['1970-01-01T00:00:00.000Z', '1971-01-01T00:00:00.000Z'],
            fill: '1970-01-01T00:00:00.000Z',
          },
        ],
        target: 'Miles_per_Gallon',
        task: 'regression',
      }),
    );
    await expect(loadModelFolder(join(old, 'model.json'))).rejects.toThrow(
      /encodes the date column 'Year' as text categories.*Retrain the model/,
    );
  });
});

describe('drift-check on the request log mlops serve writes', () => {
  /** Cars drawn with a fixed LCG, so the test is repeatable. */
  function draw(n: number, seed: number): Record<string, unknown>[] {
    let state = seed;
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      out.push(cars[state % cars.length]!);
    }
    return out;
  }

  async function logOf(name: string, rows: Record<string, unknown>[]): Promise<string> {
    const dir = join(work, name);
    const server = await serve('cars', carsBase, 'error', dir);
    try {
      for (const row of rows) {
        const reply = await post(server, '/v1/models/cars:predict', { instances: [features(row)] });
        expect(reply.status).toBe(200);
      }
      await server.requestLog!.flush();
    } finally {
      await server.close();
    }
    return join(dir, REQUEST_LOG_FILE);
  }

  async function check(current: string) {
    const log = memoryLog();
    const result = await runDriftCheck(
      {
        reference: join(DATA, 'cars.json'),
        current,
        method: 'auto',
        driftShare: 0.5,
        reportPath: join(work, `${current.replace(/\W/g, '_')}-drift.json`),
        workingDirectory: work,
        modelSpec: join(carsBase, '1', 'model.json'),
      },
      log,
    );
    return { result, log };
  }

  it('200 requests like the training data: no column drifted, no warning; 200 heavier cars: Weight_in_lbs drifted', async () => {
    const same = await logOf('log-same', draw(200, 11));
    const { result, log } = await check(same);
    expect(result.report.current.rows).toBe(200);
    expect(result.driftedColumns).toEqual([]);
    expect(log.lines.filter((l) => l.level === 'warning' || l.level === 'error')).toEqual([]);
    expect(result.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const compared = result.report.columns.map((c) => c.name).sort();
    expect(compared).toEqual([
      'Acceleration',
      'Cylinders',
      'Displacement',
      'Horsepower',
      'Origin',
      'Weight_in_lbs',
    ]);
    expect(result.report.findings).toContainEqual(
      expect.objectContaining({ kind: 'not_model_input', column: 'Name', severity: 'info' }),
    );
    expect(result.report.model).toEqual({ inputs: FEATURES, invalid_values: {} });

    const heavier = draw(200, 23).map((r) => ({
      ...r,
      Weight_in_lbs: Math.round(Number(r['Weight_in_lbs']) * 1.4),
    }));
    const shifted = await check(await logOf('log-shifted', heavier));
    expect(shifted.result.driftedColumns).toEqual(['Weight_in_lbs']);
  });

  it('the same rows sent as CSV text ("8", "" for missing) log numbers and drift nothing: no changed type', async () => {
    // A client that forwards CSV values: the model reads "8" as 8 and "" as missing, so the log
    // must too, or drift-check sees text columns and calls them drifted (a false alarm).
    const asText = draw(200, 11).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)])),
    );
    const current = await logOf('log-text', asText);
    const first = JSON.parse(readFileSync(current, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(typeof first['Weight_in_lbs']).toBe('number');
    expect(typeof first['Origin']).toBe('string');
    const { result } = await check(current);
    expect(result.report.findings.filter((f) => f.kind === 'type_changed')).toEqual([]);
    expect(result.driftedColumns).toEqual([]);
    expect(result.report.columns.find((c) => c.name === 'Horsepower')?.type).toBe('numeric');
  });

  it('a prediction column the reference lacks is an error, not a silent null', async () => {
    const current = await logOf('log-prediction', draw(20, 5));
    await expect(
      runDriftCheck(
        {
          reference: join(DATA, 'cars.json'),
          current,
          method: 'auto',
          driftShare: 0.5,
          prediction: 'prediction',
          reportPath: join(work, 'prediction-drift.json'),
          workingDirectory: work,
          modelSpec: join(carsBase, '1'),
        },
        silentLog,
      ),
    ).rejects.toThrow(/prediction column 'prediction' is in the current data but not in the reference/);
  });
});

afterAll(() => {});
