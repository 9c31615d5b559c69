/**
 * What register stores and when: checkpoints/ left out by default, the metrics' model digest
 * checked against the model (real evaluate output on a real TF.js model), and identical content
 * answered with the existing version instead of a new number.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCommandLine } from '../../../shared/src/cli/main.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { runEvaluate } from '../../../shared/src/evaluate/run.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { writeTinyModel } from '../serve/model-fixture.js';
import { tempDir } from './helpers.js';

const ROWS = [
  ['Adelie', 39.1, 'Torgersen'],
  ['Adelie', 38.6, 'Dream'],
  ['Chinstrap', 46.5, 'Dream'],
  ['Chinstrap', 50.0, 'Dream'],
  ['Gentoo', 47.3, 'Biscoe'],
  ['Gentoo', 49.9, 'Biscoe'],
  ['Adelie', 36.7, 'Biscoe'],
  ['Gentoo', 46.1, 'Biscoe'],
];

let work: string;

beforeAll(async () => {
  work = await tempDir('mlops-register-content-');
  await writeTinyModel(join(work, 'model'), 1);
  await writeFile(
    join(work, 'test.csv'),
    `species,bill_length_mm,island\n${ROWS.map((row) => row.join(',')).join('\n')}\n`,
  );
  await runEvaluate(
    {
      model: 'model/model.json',
      data: 'test.csv',
      target: 'species',
      confidence: 0.95,
      bootstrap: 0,
      seed: 1,
      latency: false,
      output: 'metrics.json',
      workingDirectory: work,
    },
    silentLog,
  );
  // train's output folder also holds its resumable state.
  await mkdir(join(work, 'model/checkpoints'), { recursive: true });
  await writeFile(join(work, 'model/checkpoints/checkpoint.json'), '{"schema":"mlops-checkpoint/v1"}');
  await writeFile(join(work, 'model/checkpoints/optimizer.bin'), Buffer.alloc(5000, 3));
}, 120_000);

const base = (registry: string) => ({
  backend: 'local' as const,
  registry,
  workingDirectory: work,
  name: 'penguins',
});

describe('register: what goes into a version', () => {
  it('the metrics digest is the sha256 of model.json then its shards (an independent reimplementation)', async () => {
    const metrics = JSON.parse(await readFile(join(work, 'metrics.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(work, 'model/model.json'), 'utf8')).weightsManifest;
    const hash = createHash('sha256').update(await readFile(join(work, 'model/model.json')));
    for (const shard of manifest.flatMap((group: { paths: string[] }) => group.paths))
      hash.update(await readFile(join(work, 'model', shard)));
    expect(metrics.model.digest).toBe(`sha256:${hash.digest('hex')}`);
  });

  it('leaves checkpoints/ out by default, says so, and keeps it on request', async () => {
    const log = memoryLog();
    const result = await runRegister(
      { ...base('reg-checkpoints'), model: 'model', metrics: 'metrics.json' },
      { log },
    );
    expect(result.record.files.map((file) => file.path).sort()).toEqual([
      'model.json',
      'preprocessing.json',
      'weights.bin',
    ]);
    expect(log.lines.map((line) => line.message).join('\n')).toMatch(
      /Left out checkpoints\/ \(2 files, 5032 bytes .*include-checkpoints: true/,
    );
    const kept = await runRegister(
      { ...base('reg-checkpoints'), model: 'model', metrics: 'metrics.json', includeCheckpoints: true },
      { log: silentLog },
    );
    expect(kept.version).toBe(2);
    expect(kept.record.files.map((file) => file.path)).toContain('checkpoints/optimizer.bin');
  });

  it('refuses metrics computed on other weights, unless allow-digest-mismatch is set (and then tags the version)', async () => {
    const retrained = join(work, 'retrained');
    await writeTinyModel(retrained, 2);
    const attempt = runRegister(
      { ...base('reg-digest'), model: 'retrained', metrics: 'metrics.json' },
      { log: silentLog },
    );
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(
      /was computed on the model model\/model\.json with digest sha256:[0-9a-f]{64}, but the model being registered .* does not contain that model: it holds model\.json \(sha256:[0-9a-f]{64}\)\. Re-run evaluate on this model, or set allow-digest-mismatch: true/,
    );
    expect(await new LocalRegistry(join(work, 'reg-digest')).listVersions('penguins')).toEqual([]);

    const log = memoryLog();
    const forced = await runRegister(
      { ...base('reg-digest'), model: 'retrained', metrics: 'metrics.json', allowDigestMismatch: true },
      { log },
    );
    expect(forced.version).toBe(1);
    expect(forced.record.tags).toContain('digest-mismatch=true');
    expect(
      log.lines.some((line) => line.level === 'warning' && /allow-digest-mismatch/.test(line.message)),
    ).toBe(true);
  });

  it('metrics from a predictions file cannot be checked: registered with a warning saying so', async () => {
    const metrics = JSON.parse(await readFile(join(work, 'metrics.json'), 'utf8'));
    await writeFile(join(work, 'predictions-metrics.json'), JSON.stringify({ ...metrics, model: null }));
    const log = memoryLog();
    await runRegister(
      { ...base('reg-predictions'), model: 'model', metrics: 'predictions-metrics.json' },
      { log },
    );
    expect(
      log.lines.some((line) => line.level === 'warning' && /names no model digest/.test(line.message)),
    ).toBe(true);
  });

  it('identical content is "already registered as vN": same version, nothing stored, one event; an alias still moves', async () => {
    const registry = 'reg-idempotent';
    const first = await runRegister(
      { ...base(registry), model: 'model', metrics: 'metrics.json', tags: ['team=ml'] },
      { log: silentLog },
    );
    expect(first).toMatchObject({ version: 1, uri: 'penguins/1', alreadyRegistered: false });
    const log = memoryLog();
    const again = await runRegister(
      { ...base(registry), model: 'model', metrics: 'metrics.json', tags: ['team=ml'], alias: 'staging' },
      { log },
    );
    expect(again).toMatchObject({
      version: 1,
      uri: 'penguins/1',
      alreadyRegistered: true,
      digest: first.digest,
    });
    expect(log.lines.map((line) => line.message).join('\n')).toContain(
      'penguins is already registered as version 1',
    );
    expect(again.summaryMarkdown).toContain('already registered as version 1');
    const stored = new LocalRegistry(join(work, registry));
    expect(await stored.listVersions('penguins')).toEqual([1]);
    expect((await stored.listAliases('penguins')).staging.version).toBe(1);
    expect((await stored.readEvents('penguins')).filter((event) => event.type === 'register')).toHaveLength(
      1,
    );
    expect(await readdir(join(work, registry, '.staging'))).toEqual([]);

    // Different tags are different content: a new version.
    const tagged = await runRegister(
      { ...base(registry), model: 'model', metrics: 'metrics.json', tags: ['team=ops'] },
      { log: silentLog },
    );
    expect(tagged).toMatchObject({ version: 2, alreadyRegistered: false });
  });

  it('the action outputs already-registered and uri <name>/<version> (the reference deploy takes)', async () => {
    const run = async () => {
      let out = '';
      const stdout = new Writable({
        write(chunk, _encoding, done) {
          out += String(chunk);
          done();
        },
      });
      const stderr = new Writable({ write: (_c, _e, done) => done() });
      const code = await runCommandLine(
        [
          'register',
          '--model',
          'model',
          '--name',
          'cli-model',
          '--registry',
          'reg-cli',
          '--working-directory',
          work,
        ],
        { stdout, stderr, env: { MLOPS_SUMMARY_FILE: join(work, 'summary.md') } },
      );
      return { code, out };
    };
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.out).toContain('uri=cli-model/1\n');
    expect(first.out).toContain('already-registered=false\n');
    const second = await run();
    expect(second.out).toContain('version=1\n');
    expect(second.out).toContain('already-registered=true\n');
  });
});
