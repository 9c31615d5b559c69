import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/src/logging/index.js';
import { AliasConflictError } from '../../../shared/src/registry/alias-conflict.js';
import { GitHubRegistry } from '../../../shared/src/registry/github/github-registry.js';
import { diffVersions, listModels, setAlias } from '../../../shared/src/registry/queries.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { resolveModel } from '../../../shared/src/registry/resolve.js';
import { IntegrityError } from '../../../shared/src/registry/verify.js';
import { validateResponse } from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { metricsReport, tempDir, writeJson, writeModelFolder } from '../../unit/registry/helpers.js';

let emulator: GitHubEmulator;
let work: string;
const repo = { owner: 'octo-org', repo: 'models' };
// Octokit logs every 4xx; the 422s of lost races are expected here.
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const octokit = () => new Octokit({ baseUrl: emulator.url, auth: 'write-token', log: quiet });
const register = (extra: Partial<Parameters<typeof runRegister>[0]> = {}) =>
  runRegister(
    { model: 'model', name: 'penguins', backend: 'github', registry: '', workingDirectory: work, ...extra },
    { log: silentLog, octokit: octokit(), repo },
  );

beforeEach(async () => {
  emulator = await startGitHubEmulator();
  work = await tempDir();
  await writeModelFolder(join(work, 'model'));
  await writeJson(join(work, 'metrics.json'), metricsReport({ accuracy: 0.91 }));
});

afterEach(async () => {
  // Every answer the backend got has the shape of GitHub's official OpenAPI description.
  const problems = emulator.state.responses.flatMap((response) =>
    validateResponse(response.method, response.template, response.status, response.body),
  );
  await emulator.close();
  expect(problems).toEqual([]);
});

describe('github registry backend through the GitHub API emulator', () => {
  it('5 concurrent registrations give versions 1..5 as GTO tags with published releases', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        register({ createdBy: `writer-${i}`, metrics: 'metrics.json', tags: [`writer=${i}`] }),
      ),
    );
    expect(results.map((result) => result.version).sort()).toEqual([1, 2, 3, 4, 5]);
    // The writers did collide: losers got 422 "Reference already exists" and retried with n+1.
    const refPosts = emulator.state.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/git/refs'),
    );
    expect(refPosts.length).toBeGreaterThan(5);
    const refs = [...emulator.state.repo().refs.keys()].filter((ref) => ref.startsWith('refs/tags/')).sort();
    expect(refs).toEqual([1, 2, 3, 4, 5].map((n) => `refs/tags/penguins@v${n}.0.0`));

    const registry = new GitHubRegistry(octokit(), repo);
    expect(await registry.listVersions('penguins')).toEqual([1, 2, 3, 4, 5]);
    const cache = await tempDir();
    const writers = new Set<string>();
    for (const result of results) {
      expect(result.releaseUrl).toMatch(/releases\/tag\/penguins%40v\d\.0\.0$/);
      expect(result.uri).toBe(`penguins/${result.version}`);
      expect(result.location).toBe(
        `https://github.localhost/octo-org/models/tree/penguins%40v${result.version}.0.0`,
      );
      const resolved = await resolveModel(registry, `penguins/${result.version}`, { cacheDir: cache });
      expect(resolved.record).toEqual(result.record);
      writers.add(resolved.record.created_by);
      expect(await readFile(join(resolved.folder, 'group1-shard1of1.bin'))).toEqual(
        await readFile(join(work, 'model/group1-shard1of1.bin')),
      );
      expect(await readFile(join(resolved.folder, 'assets/vocab.txt'), 'utf8')).toBe(
        'Adelie\nChinstrap\nGentoo\n',
      );
    }
    expect(writers.size).toBe(5);
    // The record is in the tag message and is also a release asset; the card is an asset too.
    const release = [...emulator.state.repo().releases.values()].find(
      (r) => r.tag_name === 'penguins@v1.0.0',
    )!;
    expect(release.draft).toBe(false);
    const assetNames = [...emulator.state.repo().assets.values()]
      .filter((asset) => asset.releaseId === release.id)
      .map((asset) => asset.meta.name)
      .sort();
    expect(assetNames).toEqual([
      'MODEL_CARD.md',
      'assets.vocab.txt',
      'group1-shard1of1.bin',
      'mlops-model-version.json',
      'model.json',
      'signature.json',
    ]);
    expect(await listModels(registry)).toEqual([
      { name: 'penguins', versions: [1, 2, 3, 4, 5], latest: 5, aliases: {} },
    ]);
  });

  it('moves aliases as append-only tags name#alias#k, compare-and-swap under a race', async () => {
    await register();
    await register({ tags: ['second=true'] });
    const registry = new GitHubRegistry(octokit(), repo);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        setAlias(new GitHubRegistry(octokit(), repo), {
          name: 'penguins',
          alias: 'production',
          version: (i % 2) + 1,
          expected: null,
          actor: `mover-${i}`,
        }),
      ),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(AliasConflictError);
    }
    const first = (await registry.listAliases('penguins'))['production'].version;
    await setAlias(registry, {
      name: 'penguins',
      alias: 'production',
      version: 3 - first,
      expected: first,
      actor: 'x',
    });
    await expect(
      setAlias(registry, { name: 'penguins', alias: 'production', version: 1, expected: first, actor: 'y' }),
    ).rejects.toThrow(/someone moved it/);
    expect(
      (await resolveModel(registry, 'penguins@production', { cacheDir: await tempDir() })).record.version,
    ).toBe(3 - first);
    const aliasRefs = [...emulator.state.repo().refs.keys()].filter((ref) => ref.includes('#')).sort();
    expect(aliasRefs).toEqual(['refs/tags/penguins#production#1', 'refs/tags/penguins#production#2']);
    const events = await registry.readEvents('penguins');
    expect(
      events.filter((event) => event.type === 'alias').map((event) => [event.previous, event.version]),
    ).toEqual([
      [null, first],
      [first, 3 - first],
    ]);
  });

  it('detects a tampered release asset on download', async () => {
    await register();
    const asset = [...emulator.state.repo().assets.values()].find((a) => a.meta.name === 'model.json')!;
    asset.data = Buffer.from('{"format":"layers-model","seed":666}');
    const attempt = resolveModel(new GitHubRegistry(octokit(), repo), 'penguins@latest', {
      cacheDir: await tempDir(),
    });
    await expect(attempt).rejects.toBeInstanceOf(IntegrityError);
    await expect(attempt).rejects.toThrow(/model\.json: sha256/);
  });

  it('streams a 24 MiB weight file both ways, through a failed upload and one stored despite its error', async () => {
    const weights = randomBytes(24 * 2 ** 20);
    await writeFile(join(work, 'model', 'big.bin'), weights);
    const assetUploads = /\/releases\/\d+\/assets$/;
    // First attempt: a plain 502. Second: stored, then a 502 (GitHub answers the third with 422
    // already_exists, so the stored copy is deleted and the file sent a fourth time).
    emulator.inject({ method: 'POST', path: assetUploads, status: 502, times: 1 });
    emulator.inject({ method: 'POST', path: assetUploads, status: 502, times: 1, afterApplying: true });
    const result = await register();

    const release = [...emulator.state.repo().releases.values()].find(
      (r) => r.tag_name === `penguins@v${result.version}.0.0`,
    )!;
    const names = [...emulator.state.repo().assets.values()]
      .filter((a) => a.releaseId === release.id)
      .map((a) => a.meta.name);
    expect(names.filter((n) => n === 'big.bin')).toHaveLength(1);
    expect(new Set(names).size).toBe(names.length);
    const deletes = emulator.state.requests.filter(
      (r) => r.method === 'DELETE' && /assets\/\d+$/.test(r.path),
    );
    expect(deletes).toHaveLength(1);

    const resolved = await resolveModel(new GitHubRegistry(octokit(), repo), 'penguins@latest', {
      cacheDir: await tempDir(),
    });
    const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(digest(await readFile(join(resolved.folder, 'big.bin')))).toBe(digest(weights));
  });

  it('a registration interrupted after its tag leaves no visible version; the next one works', async () => {
    emulator.inject({ method: 'POST', path: /\/releases$/, status: 422, message: 'Validation Failed' });
    await expect(register()).rejects.toThrow();
    const registry = new GitHubRegistry(octokit(), repo);
    expect(await registry.listVersions('penguins')).toEqual([]);
    await expect(resolveModel(registry, 'penguins/1')).rejects.toThrow(/incomplete/);
    const next = await register();
    expect(next.version).toBe(2);
    expect(
      (await resolveModel(registry, 'penguins@latest', { cacheDir: await tempDir() })).record.version,
    ).toBe(2);
    const diff = await diffVersions(registry, 'penguins/2', 'penguins@latest');
    expect(diff.sameDigest).toBe(true);
  });
});
