import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import requestLogSchema from '../../../docs/schemas/request-log.schema.json' with { type: 'json' };
import { Database } from '../../../shared/src/data/database.js';
import { openDataset } from '../../../shared/src/data/open-dataset.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { predictionValue, REQUEST_LOG_FILE, RequestLog } from '../../../shared/src/serve/request-log.js';
import { runServe } from '../../../shared/src/serve/run-serve.js';
import { expected, ROWS, writeTinyModel } from './model-fixture.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-reqlog-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('request log', () => {
  it('samples whole requests at the given rate', async () => {
    // A fixed sequence of draws: 0.0, 0.1, ..., 0.9 repeated; rate 0.3 keeps draws 0.0, 0.1, 0.2.
    let i = 0;
    const log = new RequestLog({
      dir: join(work, 'sampled'),
      sampleRate: 0.3,
      maxBytes: 1e6,
      rotate: 1,
      random: () => (i++ % 10) / 10,
    });
    for (let r = 0; r < 20; r++)
      log.record({ model: 'm', version: 1, instances: [{ x: r }, { x: r + 100 }], outputs: [[0.2], [0.9]] });
    await log.flush();
    const lines = (await readFile(join(work, 'sampled', REQUEST_LOG_FILE), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.written).toBe(6);
    expect(lines.map((l) => l.x)).toEqual([0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112]);
  });

  it('labels predictions with the class names (argmax, or sigmoid >= 0.5)', () => {
    expect(predictionValue([0.1, 0.7, 0.2], ['a', 'b', 'c'])).toBe('b');
    expect(predictionValue([0.5], ['no', 'yes'])).toBe('yes');
    expect(predictionValue([0.49], ['no', 'yes'])).toBe('no');
    expect(predictionValue([3.5], undefined)).toBe(3.5);
  });
});

describe('mlops serve (runServe) from the registry, with the request log read back as a dataset', () => {
  it('serves name@alias and writes a log that the data layer opens as a table of features', async () => {
    await writeTinyModel(join(work, 'model'), 1);
    await runRegister(
      {
        model: 'model',
        name: 'penguins',
        backend: 'local',
        registry: 'reg',
        alias: 'production',
        workingDirectory: work,
        createdBy: 't',
      },
      { log: silentLog },
    );
    expect((await new LocalRegistry(join(work, 'reg')).listAliases('penguins')).production?.version).toBe(1);
    const server = await runServe(
      {
        model: 'penguins@production',
        registry: 'reg',
        port: 0,
        requestLog: 'requests',
        workingDirectory: work,
      },
      silentLog,
    );
    try {
      const reply = await fetch(`${server.url}/v1/models/penguins:predict`, {
        method: 'POST',
        body: JSON.stringify({ instances: ROWS }),
      });
      const { predictions } = (await reply.json()) as { predictions: number[][] };
      expect(predictions[0]![0]).toBeCloseTo(expected(1, ROWS[0]!)[0]!, 5);
      await server.requestLog!.flush();
    } finally {
      await server.close();
    }
    // Every line has the documented shape (docs/schemas/request-log.schema.json).
    const validate = new Ajv2020({ strict: false }).compile(requestLogSchema);
    const lines = (await readFile(join(work, 'requests', REQUEST_LOG_FILE), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(ROWS.length);
    for (const line of lines) expect(validate(JSON.parse(line)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...JSON.parse(lines[0]!), _version: 0 })).toBe(false);
    expect(validate({ ...JSON.parse(lines[0]!), island: { nested: true } })).toBe(false);

    const db = await Database.open();
    try {
      const dataset = await openDataset(db, join(work, 'requests', 'requests*.ndjson'));
      expect(dataset.rows).toBe(ROWS.length);
      expect(dataset.columns.map((c) => c.name)).toEqual([
        '_ts',
        '_model',
        '_version',
        'bill_length_mm',
        'island',
        'prediction',
        '_output',
      ]);
      const rows = await db.all(`SELECT bill_length_mm, island FROM ${dataset.view}`);
      expect(rows.map((r) => [r.bill_length_mm, r.island])).toEqual(
        ROWS.map((r) => [r.bill_length_mm, r.island]),
      );
    } finally {
      db.close();
    }
  });

  it('says what is missing', async () => {
    await expect(runServe({ model: [], workingDirectory: work }, silentLog)).rejects.toThrow(/needs --model/);
    await expect(
      runServe({ model: 'penguins@staging', registry: 'reg', port: 0, workingDirectory: work }, silentLog),
    ).rejects.toThrow(/has no alias 'staging' \(aliases: production\)/);
  });
});
