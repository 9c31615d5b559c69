import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { GateFailure, UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { AliasConflictError } from '../../../shared/src/registry/alias-conflict.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { diffVersions, listModels, setAlias, showVersion } from '../../../shared/src/registry/queries.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { resolveModel } from '../../../shared/src/registry/resolve.js';
import { IntegrityError } from '../../../shared/src/registry/verify.js';
import { metricsReport, tempDir, writeJson, writeModelFolder } from './helpers.js';

let work: string;
let registryRoot: string;
const base = () => ({ backend: 'local' as const, registry: '.mlops/registry', workingDirectory: work });

beforeEach(async () => {
  work = await tempDir();
  registryRoot = join(work, '.mlops/registry');
  await writeModelFolder(join(work, 'model'));
  await writeJson(join(work, 'metrics.json'), metricsReport({ accuracy: 0.93, log_loss: 0.3 }));
  await writeJson(join(work, 'profile.json'), {
    schema: 'mlops-profile/v1',
    rows: 344,
    columns: { a: {}, b: {} },
  });
});

describe('runRegister on the local backend', () => {
  it('stores an immutable version with record, card and files, and resolves it', async () => {
    const result = await runRegister(
      {
        ...base(),
        model: 'model',
        name: 'penguins',
        metrics: 'metrics.json',
        profile: 'profile.json',
        tags: ['team=ml', ' ', 'team=ml', 'tabular'],
        createdBy: 'octocat',
        gitSha: 'a'.repeat(40),
        runUrl: 'https://github.com/o/r/actions/runs/1',
        require: 'accuracy>=0.9',
      },
      { log: silentLog },
    );
    expect(result.version).toBe(1);
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.uri).toBe('penguins/1');
    expect(fileURLToPath(result.location)).toBe(join(registryRoot, 'models/penguins/versions/1'));
    const { record } = result;
    expect(record).toMatchObject({
      schema: 'mlops-model-version/v1',
      name: 'penguins',
      version: 1,
      created_by: 'octocat',
      git_sha: 'a'.repeat(40),
      tags: ['team=ml', 'tabular'],
      status: 'validated',
      model: { kind: 'directory', entry: null },
      signature: { inputs: [{ name: 'bill_length_mm', dtype: 'float32' }] },
      profile: { schema: 'mlops-profile/v1', rows: 344 },
    });
    const versionDir = fileURLToPath(result.location);
    expect((await readdir(versionDir)).sort()).toEqual([
      'MODEL_CARD.md',
      'files',
      'mlops-model-version.json',
    ]);
    expect(JSON.parse(await readFile(join(versionDir, 'mlops-model-version.json'), 'utf8'))).toEqual(record);
    expect(result.summaryMarkdown).toContain('version 1');

    const card = await readFile(join(versionDir, 'MODEL_CARD.md'), 'utf8');
    const front = parseYaml(card.split('---\n')[1]) as {
      datasets: string[];
      'model-index': { results: { metrics: unknown[] }[] }[];
    };
    expect(front.datasets).toEqual(['data/test.csv']);
    expect(front['model-index'][0].results[0].metrics).toContainEqual({
      type: 'accuracy',
      value: 0.93,
      name: 'accuracy',
    });
    expect(card).toContain('## Limitations');

    const second = await runRegister(
      { ...base(), model: 'model', name: 'penguins', alias: 'staging' },
      { log: silentLog },
    );
    expect(second.version).toBe(2);
    expect(second.record.status).toBe('unvalidated');
    const registry = new LocalRegistry(registryRoot);
    const byAlias = await resolveModel(registry, 'penguins@staging');
    expect(byAlias.record.version).toBe(2);
    expect(byAlias.alias).toBe('staging');
    expect((await resolveModel(registry, 'penguins@latest')).record.version).toBe(2);
    const first = await resolveModel(registry, 'penguins/1');
    expect(first.record).toEqual(record);
    expect(await readFile(join(first.folder, 'assets/vocab.txt'), 'utf8')).toBe(
      'Adelie\nChinstrap\nGentoo\n',
    );
  });

  it('registers a single file model and resolves the file path', async () => {
    await writeFile(join(work, 'model.onnx'), 'not really onnx');
    const result = await runRegister(
      { ...base(), model: 'model.onnx', name: 'onnx-model' },
      { log: silentLog },
    );
    const resolved = await resolveModel(new LocalRegistry(registryRoot), 'onnx-model/1');
    expect(result.record.model).toEqual({ kind: 'file', entry: 'model.onnx' });
    expect(await readFile(resolved.path, 'utf8')).toBe('not really onnx');
  });

  it('refuses to register when require fails, and registers with force, logging the override', async () => {
    const attempt = runRegister(
      {
        ...base(),
        model: 'model',
        name: 'gated',
        metrics: 'metrics.json',
        require: 'accuracy>=0.95, log_loss<=0.4',
      },
      { log: silentLog },
    );
    await expect(attempt).rejects.toBeInstanceOf(GateFailure);
    await expect(attempt).rejects.toThrow(/accuracy >= 0.95 \(found 0.93\)/);
    const registry = new LocalRegistry(registryRoot);
    expect(await registry.listVersions('gated')).toEqual([]);

    const log = memoryLog();
    const forced = await runRegister(
      {
        ...base(),
        model: 'model',
        name: 'gated',
        metrics: 'metrics.json',
        require: 'accuracy>=0.95, log_loss<=0.4',
        force: true,
        createdBy: 'release-bot',
      },
      { log },
    );
    expect(forced.record.status).toBe('forced');
    expect(log.lines.some((line) => line.level === 'warning' && line.message.includes('force'))).toBe(true);
    const events = await registry.readEvents('gated');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'register',
      actor: 'release-bot',
      version: 1,
      forced: { gates: [{ metric: 'accuracy', threshold: 0.95, value: 0.93, passed: false }] },
    });
    expect(await readFile(join(fileURLToPath(forced.location), 'MODEL_CARD.md'), 'utf8')).toContain('FAILED');
  });

  it('gives clear errors for bad input and writes nothing outside the registry', async () => {
    const cases: [Partial<Parameters<typeof runRegister>[0]>, RegExp][] = [
      [{ name: '../escape' }, /Invalid model name/],
      [{ name: 'a/b' }, /path separator/],
      [{ name: 'мodel' }, /non-ASCII/],
      [{ model: 'missing-folder' }, /does not exist/],
      [{ alias: 'latest' }, /reserved/],
      [{ metrics: 'profile.json' }, /expected "mlops-metrics\/v1"/],
      [{ metrics: 'nope.json' }, /does not exist/],
    ];
    for (const [override, message] of cases) {
      const attempt = runRegister({ ...base(), model: 'model', name: 'ok', ...override }, { log: silentLog });
      await expect(attempt, JSON.stringify(override)).rejects.toBeInstanceOf(UserError);
      await expect(attempt, JSON.stringify(override)).rejects.toThrow(message);
    }
    // Every input is checked before the registry is touched: not even its folder is created.
    expect((await readdir(work)).sort()).toEqual(['metrics.json', 'model', 'profile.json']);
  });
});

describe('integrity checks on read', () => {
  it('detects a modified, a missing and a planted file', async () => {
    const { location: uri } = await runRegister({ ...base(), model: 'model', name: 'm' }, { log: silentLog });
    const files = join(fileURLToPath(uri), 'files');
    const registry = new LocalRegistry(registryRoot);
    await expect(resolveModel(registry, 'm/1')).resolves.toBeTruthy();

    const original = await readFile(join(files, 'model.json'));
    await appendFile(join(files, 'model.json'), ' ');
    await expect(resolveModel(registry, 'm/1')).rejects.toBeInstanceOf(IntegrityError);
    await expect(resolveModel(registry, 'm/1')).rejects.toThrow(/model\.json: sha256 [0-9a-f]{64}/);

    await writeFile(join(files, 'model.json'), original);
    await expect(resolveModel(registry, 'm/1')).resolves.toBeTruthy();

    await rm(join(files, 'assets/vocab.txt'));
    await expect(resolveModel(registry, 'm/1')).rejects.toThrow(/assets\/vocab\.txt: missing/);
    await writeFile(join(files, 'assets/vocab.txt'), 'Adelie\nChinstrap\nGentoo\n');
    await writeFile(join(files, 'evil.py'), 'import os');
    await expect(resolveModel(registry, 'm/1')).rejects.toThrow(/evil\.py: not part of the version/);
  });

  it('reports a corrupted record as a UserError', async () => {
    const { location: uri } = await runRegister({ ...base(), model: 'model', name: 'm' }, { log: silentLog });
    await writeFile(
      join(fileURLToPath(uri), 'mlops-model-version.json'),
      '{"schema": "mlops-model-version/v1"',
    );
    await expect(resolveModel(new LocalRegistry(registryRoot), 'm/1')).rejects.toThrow(/is not JSON/);
  });
});

describe('aliases, listing and diff', () => {
  it('moves aliases by compare-and-swap and logs every move', async () => {
    for (let i = 0; i < 3; i++)
      await runRegister({ ...base(), model: 'model', name: 'm', tags: [`run=${i}`] }, { log: silentLog });
    const registry = new LocalRegistry(registryRoot);
    expect(
      await setAlias(registry, { name: 'm', alias: 'production', version: 1, expected: 'none', actor: 'a' }),
    ).toEqual({
      name: 'm',
      alias: 'production',
      previous: null,
      version: 1,
    });
    await expect(
      setAlias(registry, { name: 'm', alias: 'production', version: 2, expected: null, actor: 'b' }),
    ).rejects.toBeInstanceOf(AliasConflictError);
    await expect(
      setAlias(registry, { name: 'm', alias: 'production', version: 2, expected: 3, actor: 'b' }),
    ).rejects.toThrow(/points to version 1, expected version 3/);
    await setAlias(registry, { name: 'm', alias: 'production', version: 2, expected: 1, actor: 'b' });
    await setAlias(registry, { name: 'm', alias: 'staging', version: 'm@latest', actor: 'c' });
    await expect(
      setAlias(registry, { name: 'm', alias: 'production', version: 9, actor: 'd' }),
    ).rejects.toThrow(/no version 9/);
    await expect(setAlias(registry, { name: 'm', alias: 'latest', version: 1, actor: 'd' })).rejects.toThrow(
      /reserved/,
    );

    expect(await listModels(registry)).toEqual([
      { name: 'm', versions: [1, 2, 3], latest: 3, aliases: { production: 2, staging: 3 } },
    ]);
    expect((await showVersion(registry, 'm@production')).aliases).toEqual(['production']);
    const moves = (await registry.readEvents('m')).filter((event) => event.type === 'alias');
    expect(moves.map((event) => [event.alias, event.previous, event.version, event.actor])).toEqual([
      ['production', null, 1, 'a'],
      ['production', 1, 2, 'b'],
      ['staging', null, 3, 'c'],
    ]);
  });

  it('explains references that point nowhere', async () => {
    await runRegister({ ...base(), model: 'model', name: 'm', alias: 'staging' }, { log: silentLog });
    const registry = new LocalRegistry(registryRoot);
    await expect(resolveModel(registry, 'm@production')).rejects.toThrow(
      "no alias 'production' (aliases: staging)",
    );
    await expect(resolveModel(registry, 'm/2')).rejects.toThrow('no version 2 (versions: 1)');
    await expect(resolveModel(registry, 'ghost@latest')).rejects.toThrow("'ghost' has no versions");
    await expect(resolveModel(registry, 'm/../../etc')).rejects.toBeInstanceOf(UserError);
  });

  it('diffs metrics and files of two versions', async () => {
    await runRegister({ ...base(), model: 'model', name: 'm', metrics: 'metrics.json' }, { log: silentLog });
    await writeFile(join(work, 'model/model.json'), '{"changed": true}');
    await writeFile(join(work, 'model/extra.txt'), 'new');
    await rm(join(work, 'model/signature.json'));
    await writeJson(join(work, 'metrics2.json'), metricsReport({ accuracy: 0.95, r2: 0.5 }));
    await runRegister({ ...base(), model: 'model', name: 'm', metrics: 'metrics2.json' }, { log: silentLog });
    const diff = await diffVersions(new LocalRegistry(registryRoot), 'm/1', 'm@latest');
    expect(diff.sameDigest).toBe(false);
    expect(diff.files).toEqual({
      added: ['extra.txt'],
      removed: ['signature.json'],
      changed: ['model.json'],
      unchanged: ['assets/vocab.txt', 'group1-shard1of1.bin'],
    });
    expect(diff.metrics).toEqual([
      { name: 'accuracy', a: 0.93, b: 0.95, delta: expect.closeTo(0.02, 12) },
      { name: 'log_loss', a: 0.3, b: null, delta: null },
      { name: 'r2', a: null, b: 0.5, delta: null },
    ]);
    expect(diff.markdown).toContain('| accuracy | 0.93 | 0.95 | +0.02 |');
  });
});
