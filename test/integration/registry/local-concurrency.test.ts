import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/src/logging/index.js';
import { LocalRegistry, PAUSE_AFTER_STAGING_ENV } from '../../../shared/src/registry/local/local-registry.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { resolveModel } from '../../../shared/src/registry/resolve.js';
import { tempDir, writeModelFolder } from '../../unit/registry/helpers.js';
import { runTogether, startWorker } from './processes.js';

describe('local registry under concurrent writers (real processes)', () => {
  it('20 parallel registrations give versions 1..20, no gaps, no duplicates, every record intact', async () => {
    const work = await tempDir();
    const root = join(work, 'registry');
    // Twenty different models: identical content would (rightly) be answered "already registered".
    const jobs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => ({
        mode: 'register',
        root,
        model: await writeModelFolder(join(work, `model-${i}`), i + 1),
        name: 'penguins',
        actor: `worker-${i}`,
      })),
    );
    const results = (await runTogether(jobs)) as { version: number; digest: string }[];

    expect(results.map((result) => result.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const registry = new LocalRegistry(root);
    expect(await registry.listVersions('penguins')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const actors = new Set<string>();
    const digests = new Set(results.map((result) => result.digest));
    expect(digests.size).toBe(20);
    for (let version = 1; version <= 20; version++) {
      const resolved = await resolveModel(registry, `penguins/${version}`);
      expect(resolved.record.version).toBe(version);
      expect(digests.has(resolved.record.digest)).toBe(true);
      actors.add(resolved.record.created_by);
    }
    expect(actors.size).toBe(20);
    const events = await registry.readEvents('penguins');
    expect(
      events
        .filter((event) => event.type === 'register')
        .map((event) => event.version)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // No staging leftovers and no lock file once everyone is done.
    expect(await readdir(join(root, '.staging'))).toEqual([]);
    expect(existsSync(join(root, 'models/penguins/.lock'))).toBe(false);
  });

  it('12 parallel registrations with an alias leave it at the newest version, moved only forward', async () => {
    // Each register reads the alias, then swaps it: a writer that read before another's swap loses
    // the compare-and-swap and retries (register.ts moveAliasForward), and one that finds a newer
    // version there leaves it. Whatever the order, the alias ends at version 12.
    const work = await tempDir();
    const root = join(work, 'registry');
    const jobs = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => ({
        mode: 'register',
        root,
        model: await writeModelFolder(join(work, `model-${i}`), i + 1),
        name: 'churn',
        actor: `worker-${i}`,
        alias: 'production',
      })),
    );
    const results = (await runTogether(jobs)) as { version: number }[];
    expect(results.map((result) => result.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const registry = new LocalRegistry(root);
    expect((await registry.listAliases('churn'))['production']?.version).toBe(12);
    // Every recorded move goes forward from where the alias was.
    const moves = (await registry.readEvents('churn')).filter((event) => event.type === 'alias');
    for (const move of moves) expect(move.version).toBeGreaterThan(move.previous ?? 0);
    expect(moves.at(-1)?.version).toBe(12);
  }, 120_000);

  it('kill -9 after staging leaves no half version, and the next register works', async () => {
    const work = await tempDir();
    const model = await writeModelFolder(join(work, 'model'));
    const root = join(work, 'registry');
    const pauseFile = join(work, 'paused');
    const worker = startWorker(
      { mode: 'register', root, model, name: 'victim', actor: 'doomed' },
      { [PAUSE_AFTER_STAGING_ENV]: pauseFile },
    );
    await worker.ready;
    worker.child.stdin.write('go\n');
    while (!existsSync(pauseFile)) await new Promise((resolve) => setTimeout(resolve, 20));
    const stage = await readFile(pauseFile, 'utf8');
    // The version is fully staged (files, record, card) but not yet renamed into place.
    expect((await readdir(stage)).sort()).toEqual(['MODEL_CARD.md', 'files', 'mlops-model-version.json']);
    worker.child.kill('SIGKILL');
    await worker.result.catch(() => {});

    const registry = new LocalRegistry(root);
    expect(await registry.listVersions('victim')).toEqual([]);
    expect(await readdir(join(root, 'models/victim/versions'))).toEqual([]);
    expect(await registry.readEvents('victim')).toEqual([]);

    const next = await runRegister(
      { model, name: 'victim', backend: 'local', registry: root, workingDirectory: work },
      { log: silentLog },
    );
    expect(next.version).toBe(1);
    expect((await resolveModel(registry, 'victim@latest')).record.digest).toBe(next.digest);
    // The dead writer's staging folder was cleaned up by the next register.
    expect(existsSync(stage)).toBe(false);
  });

  it('alias compare-and-swap race: exactly one of the parallel movers wins per expected value', async () => {
    const work = await tempDir();
    const model = await writeModelFolder(join(work, 'model'));
    const root = join(work, 'registry');
    for (let i = 0; i < 4; i++) {
      await runRegister(
        { model, name: 'm', backend: 'local', registry: root, workingDirectory: work, tags: [`run=${i}`] },
        { log: silentLog },
      );
    }
    const registry = new LocalRegistry(root);
    // Round 1: 6 movers all expect "no alias yet"; round 2: 6 movers all expect the round-1 winner.
    // Every mover targets a version other than the expected one: moving an alias onto the value it
    // already has leaves the expectation true, so a second mover would rightly succeed too.
    const round = async (expected: number | null) => {
      const targets = [1, 2, 3, 4].filter((version) => version !== expected);
      const jobs = Array.from({ length: 6 }, (_, i) => ({
        mode: 'alias',
        root,
        name: 'm',
        alias: 'production',
        version: targets[i % targets.length],
        expected,
        actor: `mover-${i}`,
      }));
      return (await runTogether(jobs)) as { won: boolean; change?: { version: number }; actual?: number }[];
    };
    const first = await round(null);
    const winners = first.filter((result) => result.won);
    expect(winners).toHaveLength(1);
    const current = (await registry.listAliases('m'))['production'].version;
    expect(current).toBe(winners[0].change!.version);
    for (const loser of first.filter((result) => !result.won)) expect(loser.actual).toBe(current);

    const second = await round(current);
    expect(second.filter((result) => result.won)).toHaveLength(1);
    const moves = (await registry.readEvents('m')).filter((event) => event.type === 'alias');
    expect(moves).toHaveLength(2);
    expect(moves[0].previous).toBeNull();
    expect(moves[1].previous).toBe(current);
  });
});
