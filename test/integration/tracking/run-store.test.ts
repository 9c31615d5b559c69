import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubRunStore, LocalRunStore } from '../../../shared/src/tracking/store.js';
import { validateResponse } from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { tempDir } from '../../unit/registry/helpers.js';
import { runTogether } from '../registry/processes.js';
import { runRecord } from './records.js';

describe('tracking store: nothing lost under concurrent appends', () => {
  it('local: 20 processes appending at once get numbers 1..20, every record intact', async () => {
    const root = join(await tempDir(), 'runs');
    const records = Array.from({ length: 20 }, (_, i) => runRecord(i));
    const results = (await runTogether(records.map((record) => ({ mode: 'track', root, record })))) as {
      number: number;
      run_id: string;
    }[];
    expect(results.map((r) => r.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const stored = await new LocalRunStore(root).listRuns('penguins');
    expect(stored.map((r) => r.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(stored.map((r) => r.run_id))).toEqual(new Set(records.map((r) => r.run_id)));
    for (const record of stored) {
      const original = records.find((r) => r.run_id === record.run_id)!;
      expect(record).toEqual({ ...original, number: record.number });
    }
    // No staged leftovers.
    expect(await readdir(join(root, '.staging'))).toEqual([]);
    // Twenty tsx processes start slowly on a busy machine.
  }, 300_000);

  it('local: 20 appends from one process at once', async () => {
    const store = new LocalRunStore(join(await tempDir(), 'runs'));
    const records = Array.from({ length: 20 }, (_, i) => runRecord(i, 'cars'));
    const stored = await Promise.all(records.map((record) => store.append(record)));
    expect(stored.map((r) => r.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect((await store.listRuns('cars')).map((r) => r.run_id).sort()).toEqual(
      records.map((r) => r.run_id).sort(),
    );
    expect(await store.listExperiments()).toEqual(['cars']);
  });
});

describe('tracking store on GitHub (emulator, real Octokit)', () => {
  let emulator: GitHubEmulator;
  const repo = { owner: 'octo-org', repo: 'models' };
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  beforeEach(async () => {
    emulator = await startGitHubEmulator();
  });
  afterEach(async () => {
    const problems = emulator.state.responses.flatMap((response) =>
      validateResponse(response.method, response.template, response.status, response.body),
    );
    await emulator.close();
    expect(problems).toEqual([]);
  });

  it('20 concurrent appends become tags mlops-run/<experiment>/1..20, none lost', async () => {
    const store = new GitHubRunStore(
      new Octokit({ baseUrl: emulator.url, auth: 'write-token', log: quiet }),
      repo,
    );
    const records = Array.from({ length: 20 }, (_, i) => runRecord(i));
    const stored = await Promise.all(records.map((record) => store.append(record)));
    expect(stored.map((r) => r.number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const refs = [...emulator.state.repo().refs.keys()].filter((ref) =>
      ref.startsWith('refs/tags/mlops-run/'),
    );
    expect(refs.sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `refs/tags/mlops-run/penguins/${i + 1}`).sort(),
    );
    const listed = await store.listRuns('penguins');
    expect(listed.map((r) => r.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(listed.map((r) => r.run_id))).toEqual(new Set(records.map((r) => r.run_id)));
    expect(await store.listExperiments()).toEqual(['penguins']);
  }, 120_000);
});
