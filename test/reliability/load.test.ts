/**
 * Load: the model server (the `mlops serve` daemon, its own process) under bounded concurrent
 * load on 127.0.0.1 answers every request correctly and its resident memory stays bounded after
 * warm-up; data-validate and drift-check on files larger than DuckDB's memory limit finish with
 * the values the generator implies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../shared/src/data/database.js';
import { runDriftCheck } from '../../shared/src/drift/run.js';
import { memoryLog } from '../../shared/src/logging/index.js';
import type { DaemonConfig, DaemonState } from '../../shared/src/serve/run-serve.js';
import { DEFAULT_LIMITS } from '../../shared/src/serve/server.js';
import { runDataValidate } from '../../shared/src/validate/run-data-validate.js';
import { REPO_ROOT } from '../harness/runner.js';
import { expected, ROWS, writeTinyModel } from '../unit/serve/model-fixture.js';

const work = mkdtempSync(join(tmpdir(), 'mlops-load-'));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  // The generated CSVs are over 200 MB together.
  rmSync(work, { recursive: true, force: true });
});

/** Resident memory the server may gain per request after warm-up: half of a 4 KiB leak. */
const LEAK_BOUND_PER_REQUEST = 2 * 1024;

function rssBytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(line[1]) * 1024;
}

async function startDaemon(folder: string): Promise<{ url: string; pid: number }> {
  const stateFile = join(work, 'server.json');
  const tokenFile = join(work, 'admin-token');
  writeFileSync(tokenFile, 'load-test-admin-token\n', { mode: 0o600 });
  const config: DaemonConfig = {
    schema: 'mlops-serve-daemon/v1',
    host: '127.0.0.1',
    port: 0,
    models: [{ name: 'penguins', folder, version: 1 }],
    limits: DEFAULT_LIMITS,
    adminTokenFile: tokenFile,
    stateFile,
  };
  const configFile = join(work, 'daemon.json');
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'shared/src/serve/daemon-main.ts'), '--daemon-config', configFile],
    { cwd: REPO_ROOT, stdio: 'ignore' },
  );
  started.push(child);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (existsSync(stateFile)) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as DaemonState;
      if (state.pid === child.pid) return { url: state.url, pid: state.pid };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the model server did not come up');
}

describe('model server under bounded concurrent load', () => {
  it('answers 4000 requests from 8 clients with no error and bounded memory', async () => {
    const folder = await writeTinyModel(join(work, 'model'), 1);
    const { url, pid } = await startDaemon(folder);
    const wanted = ROWS.map((row) => expected(1, row));
    const failures: string[] = [];
    let sent = 0;
    /** `clients` loops share a request budget and a deadline, so the load stops by itself. */
    const load = async (requests: number, clients: number, seconds: number) => {
      const budget = sent + requests;
      const deadline = Date.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (sent < budget && Date.now() < deadline) {
            const which = sent++ % ROWS.length;
            const response = await fetch(`${url}/v1/models/penguins:predict`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ instances: [ROWS[which]] }),
            });
            const body = (await response.json()) as { predictions?: number[][] };
            const got = body.predictions?.[0];
            if (
              response.status !== 200 ||
              !got ||
              got.some((value, j) => Math.abs(value - (wanted[which]?.[j] ?? Number.NaN)) > 1e-5)
            )
              failures.push(`${response.status} ${JSON.stringify(body).slice(0, 200)}`);
          }
        }),
      );
      return sent;
    };
    // Warm-up long enough for the JIT, the heap's young generation and the request log's buffers
    // to reach their steady size, so what grows afterwards grows with the requests.
    await load(1500, 8, 60);
    const afterWarmUp = rssBytes(pid);
    const before = sent;
    const startedAt = Date.now();
    const total = await load(4000, 8, 120);
    const seconds = (Date.now() - startedAt) / 1000;
    const growth = rssBytes(pid) - afterWarmUp;
    console.log(
      `serve load: ${total - before} requests in ${seconds.toFixed(1)} s (${((total - before) / seconds).toFixed(0)}/s, 8 clients), RSS ${(afterWarmUp / 2 ** 20).toFixed(0)} MiB after warm-up, growth ${(growth / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(failures).toEqual([]);
    expect(total - before).toBe(4000);
    // Half of a 4 KiB-per-request leak: such a leak adds 15.6 MiB over these 4000 requests, twice
    // this bound (checked by adding one to the server: see the note of #25).
    expect(growth).toBeLessThan(4000 * LEAK_BOUND_PER_REQUEST);
  }, 240_000);
});

describe('data larger than the DuckDB memory limit', () => {
  const ROWS_PER_FILE = 4_500_000;
  // DuckDB 1.5's CSV reader allocates 30.5 MiB blocks that cannot spill: at 64MB even one thread
  // runs out of memory reading any CSV, so 96MB is about the smallest limit a CSV can be read under.
  const LIMIT = '96MB';
  const LIMIT_BYTES = 96 * 2 ** 20;

  /** a: 0..99.99 uniform (every value 450 times), b: a shifted by `shift`, c: 5 categories, n: null every 10th row. */
  async function generate(name: string, shift: number): Promise<string> {
    const path = join(work, name);
    const db = await Database.open({ memoryLimit: LIMIT, threads: 2 });
    try {
      await db.run(
        `COPY (SELECT i, (i * 7919 % 10000) / 100.0 AS a, (i * 7919 % 10000) / 100.0 + ${shift} AS b,
           'k' || (i % 5) AS c, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 7 END AS n
         FROM range(${ROWS_PER_FILE}) t(i)) TO '${path}' (HEADER)`,
      );
    } finally {
      await db.close();
    }
    expect(statSync(path).size).toBeGreaterThan(LIMIT_BYTES);
    return path;
  }

  it('data-validate profiles a file larger than the limit exactly', async () => {
    await generate('reference.csv', 0);
    const log = memoryLog();
    const result = await runDataValidate(
      {
        data: 'reference.csv',
        inferSchema: true,
        failOn: 'error',
        reportPath: 'validate.json',
        profilePath: 'profile.json',
        workingDirectory: work,
        memoryLimit: LIMIT,
      },
      log,
    );
    expect(result.rows).toBe(ROWS_PER_FILE);
    const column = (name: string) => result.profile.columns.find((c) => c.name === name);
    expect(column('a')?.numeric).toMatchObject({ count: ROWS_PER_FILE, min: 0, max: 99.99 });
    expect(column('a')?.numeric?.mean).toBeCloseTo(49.995, 9);
    expect(column('n')?.nulls).toBe(ROWS_PER_FILE / 10);
    expect(column('c')?.distinct).toBe(5);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  }, 60_000);

  it('drift-check compares two files larger than the limit and finds only the shifted column', async () => {
    if (!existsSync(join(work, 'reference.csv'))) await generate('reference.csv', 0);
    await generate('current.csv', 5);
    const log = memoryLog();
    const result = await runDriftCheck(
      {
        reference: 'reference.csv',
        current: 'current.csv',
        columns: ['a', 'b', 'c'],
        method: 'auto',
        driftShare: 0.5,
        reportPath: 'drift.json',
        workingDirectory: work,
        memoryLimit: LIMIT,
      },
      log,
    );
    expect(result.driftedColumns).toEqual(['b']);
    expect(result.share).toBeCloseTo(1 / 3, 12);
    expect(result.driftDetected).toBe(false);
  }, 60_000);
});
