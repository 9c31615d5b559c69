/**
 * One missing-value rule in every step (trial 2, finding 4): weather.csv with 'NA' in a numeric
 * column (wind) and a categorical one (weather). train reads 'NA' as missing (the feature
 * contract's tokens); data-validate and drift-check must read it the same way, say how many values
 * they read as missing, and let a user whose 'NA' is a real value keep it (features.missing).
 * The steps run in-process as `mlops <step>` runs them, with a real mlops.yml.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTIONS } from '../../../shared/src/actions/catalog.js';
import { executeAction } from '../../../shared/src/actions/run.js';
import type { ActionName } from '../../../shared/src/actions/specs.generated.js';
import { runSplit } from '../../../shared/src/data/split.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { type Preprocessing, readPreprocessing } from '../../../shared/src/models/preprocessing.js';
import { localPlatform } from '../../../shared/src/platform/local.js';
import { runServe } from '../../../shared/src/serve/run-serve.js';

const WEATHER = join(process.cwd(), 'node_modules/vega-datasets/data/weather.csv');
const HEADER = 'location,date,precipitation,temp_max,temp_min,wind,weather';

let dir: string;
/** Data rows of the training split, as fields. */
let trainRows: string[][];
let naWind: number;
let naWeather: number;

function readCsvRows(path: string): string[][] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  expect(header).toBe(HEADER);
  return lines.map((line) => line.split(','));
}

function writeCsvRows(name: string, rows: string[][]): void {
  writeFileSync(join(dir, name), `${[HEADER, ...rows.map((r) => r.join(','))].join('\n')}\n`);
}

async function step(name: ActionName, inputs: Record<string, string>, config?: string) {
  const configPath = join(dir, `${name}-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(configPath, config ?? 'version: 1\n');
  let stderr = '';
  const sink = new Writable({
    write: (chunk, _encoding, done) => {
      stderr += String(chunk);
      done();
    },
  });
  const platform = localPlatform({
    inputs: { 'working-directory': dir, config: configPath, ...inputs },
    json: false,
    summaryFile: join(dir, 'summary.md'),
    stdout: new Writable({ write: (_c, _e, done) => done() }),
    stderr: sink,
    env: { ...process.env, GITHUB_TOKEN: '', GH_TOKEN: '' },
  });
  const code = await executeAction(ACTIONS[name], platform);
  process.exitCode = 0;
  return { code, outputs: platform.outputs, log: stderr };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const schemaOf = (name: string) =>
  ajv.compile(JSON.parse(readFileSync(`docs/schemas/${name}.schema.json`, 'utf8')));
const validReport = { validation: schemaOf('data-validation'), drift: schemaOf('drift') };

const report = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

let model: Promise<Preprocessing> | undefined;
/** train on train-na.csv (once), as the trial did; its feature contract. */
function trainedModel(): Promise<Preprocessing> {
  model ??= (async () => {
    const trained = await step('train', {
      data: 'train-na.csv',
      target: 'temp_max',
      epochs: '1',
      cache: 'false',
      tracking: 'off',
      'output-dir': 'model',
    });
    expect(trained.code, trained.log).toBe(0);
    return readPreprocessing(join(dir, 'model/preprocessing.json'));
  })();
  return model;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlops-na-'));
  // The trial's steps: split the clean file, then 'NA' in about 5 % of wind and weather values.
  writeFileSync(join(dir, 'weather.csv'), readFileSync(WEATHER));
  await runSplit({ data: 'weather.csv', testFraction: 0.2, seed: 11, workingDirectory: dir }, silentLog);
  trainRows = readCsvRows(join(dir, 'weather-train.csv')).map((r, i) => {
    const row = [...r];
    if (i % 19 === 4) row[5] = 'NA';
    if (i % 21 === 7) row[6] = 'NA';
    return row;
  });
  naWind = trainRows.filter((r) => r[5] === 'NA').length;
  naWeather = trainRows.filter((r) => r[6] === 'NA').length;
  writeCsvRows('train-na.csv', trainRows);
  const test = readCsvRows(join(dir, 'weather-test.csv'));
  writeCsvRows(
    'test-wind-x1000.csv',
    test.map((r) => r.map((v, c) => (c === 5 ? String(Number(v) * 1000) : v))),
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('missing-value tokens: one rule in every step', () => {
  it("data-validate reads 'NA' as missing as train does: wind is numbers with a range and a null bound, and the counts are said", async () => {
    const inferred = await step('data-validate', {
      data: 'train-na.csv',
      'infer-schema': 'true',
      'write-schema': 'schema.yaml',
      report: 'reports/infer.json',
      profile: 'reports/train-profile.json',
    });
    expect(inferred.code).toBe(0);
    const schema = parse(readFileSync(join(dir, 'schema.yaml'), 'utf8'));
    const column = (name: string) => schema.columns[name];
    expect(column('wind').type).toBe('numeric');
    expect(column('wind').min).toBeGreaterThanOrEqual(0);
    expect(column('wind').max).toBeLessThan(20);
    expect(column('wind').max_null_fraction).toBeGreaterThan(0);
    expect(column('weather').allowed_values).not.toContain('NA');
    expect(column('weather').allowed_values).toContain('rain');

    const validation = report('reports/infer.json');
    expect(validReport.validation(validation), JSON.stringify(validReport.validation.errors)).toBe(true);
    expect(validation.missing_tokens.tokens).toContain('NA');
    expect(validation.missing_tokens.columns).toEqual([
      { column: 'wind', values: naWind, tokens: ['NA'] },
      { column: 'weather', values: naWeather, tokens: ['NA'] },
    ]);
    const note = validation.notes.find((n: string) => n.includes('missing-value tokens'));
    expect(note).toContain(`'wind' ${naWind} ("NA")`);
    expect(note).toContain('features.missing');
    expect(inferred.log).toContain(`'weather' ${naWeather} ("NA")`);

    // wind x1000 breaks the range; the clean test split has no type warning.
    const scaled = await step('data-validate', {
      data: 'test-wind-x1000.csv',
      schema: 'schema.yaml',
      report: 'reports/scaled.json',
      profile: 'reports/scaled-profile.json',
      'fail-on': 'error',
    });
    expect(scaled.code).not.toBe(0);
    const scaledReport = report('reports/scaled.json');
    expect(scaledReport.anomalies.some((a: { column: string }) => a.column === 'wind')).toBe(true);
    expect(scaledReport.anomalies.map((a: { kind: string }) => a.kind)).not.toContain('wrong_type');
    const clean = await step('data-validate', {
      data: 'weather-test.csv',
      schema: 'schema.yaml',
      report: 'reports/clean.json',
      profile: 'reports/clean-profile.json',
    });
    expect(clean.code).toBe(0);
    expect(report('reports/clean.json').anomalies).toEqual([]);

    // split, which opens data the same way, still copies the tokens as they are.
    await runSplit({ data: 'train-na.csv', testFraction: 0.5, seed: 3, workingDirectory: dir }, silentLog);
    const copied = [
      ...readCsvRows(join(dir, 'train-na-train.csv')),
      ...readCsvRows(join(dir, 'train-na-test.csv')),
    ];
    expect(copied.filter((r) => r[5] === 'NA')).toHaveLength(naWind);
    expect(copied.filter((r) => r[6] === 'NA')).toHaveLength(naWeather);
  }, 60_000);

  it("keeps 'NA' as a category when features.missing leaves it out, and reads the tokens it names", async () => {
    // A user whose 'NA' is a real value (North America) and whose file writes missing wind as 'N/A'.
    writeCsvRows(
      'regions.csv',
      trainRows.map((r) => [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5] === 'NA' ? 'N/A' : r[5]!, r[6]!]),
    );
    const config = 'version: 1\nfeatures:\n  missing: ["", "N/A"]\n';
    const kept = await step(
      'data-validate',
      {
        data: 'regions.csv',
        'infer-schema': 'true',
        'write-schema': 'regions.yaml',
        report: 'reports/regions.json',
        profile: 'reports/regions-profile.json',
      },
      config,
    );
    expect(kept.code).toBe(0);
    const schema = parse(readFileSync(join(dir, 'regions.yaml'), 'utf8'));
    const column = (name: string) => schema.columns[name];
    expect(column('weather').allowed_values).toContain('NA');
    expect(column('wind').type).toBe('numeric');
    expect(report('reports/regions.json').missing_tokens).toEqual({
      tokens: ['', 'N/A'],
      columns: [{ column: 'wind', values: naWind, tokens: ['N/A'] }],
    });
  }, 60_000);

  it("drift-check reads the data with the model's tokens: no type change, 'NA' counted as missing", async () => {
    const spec = await trainedModel();
    expect(spec.features.find((f) => f.name === 'wind')?.kind).toBe('numeric');
    expect(spec.missing).toContain('NA');

    // With a config that would keep 'NA': the model's own tokens win, as they are what it saw.
    const drift = await step(
      'drift-check',
      {
        reference: 'train-na.csv',
        current: 'weather-test.csv',
        model: 'model',
        report: 'reports/drift.json',
        'open-issue': 'false',
      },
      'version: 1\nfeatures:\n  missing: [""]\n',
    );
    expect(drift.code, drift.log).toBe(0);
    const driftReport = report('reports/drift.json');
    expect(validReport.drift(driftReport), JSON.stringify(validReport.drift.errors)).toBe(true);
    expect(driftReport.findings.map((f: { kind: string }) => f.kind)).not.toContain('type_changed');
    const wind = driftReport.columns.find((c: { name: string }) => c.name === 'wind');
    expect(wind.type).toBe('numeric');
    expect(wind.reference.missing).toBe(naWind);
    const weather = driftReport.columns.find((c: { name: string }) => c.name === 'weather');
    expect(weather.reference.missing).toBe(naWeather);
    expect(weather.reference.bins.map((b: { label: string }) => b.label)).not.toContain('NA');
    expect(driftReport.findings).toContainEqual(
      expect.objectContaining({ kind: 'missing_tokens', column: 'wind', severity: 'info' }),
    );
  }, 120_000);

  it('the request log records what the model saw: a category sent as "NA" is missing to drift-check', async () => {
    await trainedModel();
    // Served as `mlops serve` serves it (TF Serving's layout <base>/<version>/), logging requests.
    const base = join(dir, 'serving');
    cpSync(join(dir, 'model'), join(base, '1'), {
      recursive: true,
      filter: (p) => !p.includes('checkpoints'),
    });
    const server = await runServe(
      {
        model: 'weather',
        baseDir: base,
        port: 0,
        onInvalid: 'warn',
        requestLog: join(dir, 'requests'),
        workingDirectory: dir,
      },
      silentLog,
    );
    const sent = readCsvRows(join(dir, 'weather-test.csv')).map((r, i) => ({
      location: r[0],
      date: r[1],
      precipitation: Number(r[2]),
      temp_min: Number(r[4]),
      wind: i % 10 === 0 ? 'NA' : Number(r[5]),
      weather: i % 10 === 1 ? 'NA' : r[6],
    }));
    try {
      const reply = await fetch(`${server.url}/v1/models/weather:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: sent }),
      });
      expect(reply.status, await reply.clone().text()).toBe(200);
      await server.requestLog!.flush();
    } finally {
      await server.close();
    }
    const fromLog = await step('drift-check', {
      reference: 'train-na.csv',
      current: 'requests/requests.ndjson',
      model: 'model',
      report: 'reports/drift-log.json',
      'open-issue': 'false',
    });
    expect(fromLog.code, fromLog.log).toBe(0);
    const logged = report('reports/drift-log.json').columns.find(
      (c: { name: string }) => c.name === 'weather',
    );
    expect(logged.current.missing).toBe(sent.filter((r) => r.weather === 'NA').length);
    expect(logged.current.bins.map((b: { label: string }) => b.label)).not.toContain('NA');
  }, 120_000);
});
