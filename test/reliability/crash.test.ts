/**
 * kill -9 at named points inside multi-step writes (the MLOPS_TEST_CRASH_POINT hook), then a
 * re-run: deploy to a tfserving-dir with alias promotion, a training checkpoint, a cache save.
 * After each kill the state must be one a reader can trust (no half version folder, the alias
 * where it was or moved with its version, a loadable checkpoint, no half cache entry used), and
 * the re-run must finish. Register's own kill test is in test/integration/registry.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DeployOptions, runDeploy } from '../../shared/src/deploy/run-deploy.js';
import { silentLog } from '../../shared/src/logging/index.js';
import { LocalCacheStore } from '../../shared/src/platform/storage/local.js';
import { sha256File } from '../../shared/src/registry/files.js';
import { LocalRegistry } from '../../shared/src/registry/local/local-registry.js';
import { runRegister } from '../../shared/src/registry/register.js';
import { runTrain, type TrainOptions } from '../../shared/src/train/runTrain.js';
import { REPO_ROOT } from '../harness/runner.js';
import { writeTinyModel } from '../unit/serve/model-fixture.js';
import { killAt } from './crash-jobs.js';
import { tallyFor } from './record.js';

const tally = tallyFor(import.meta.filename);
const numbered = (folder: string) =>
  existsSync(folder) ? readdirSync(folder).filter((name) => /^[1-9][0-9]*$/.test(name)) : [];

describe('deploy (tfserving-dir, promote-alias) killed mid-way', () => {
  const models = mkdtempSync(join(tmpdir(), 'mlops-crash-models-'));

  async function registryWithV1Deployed(): Promise<{ work: string; options: DeployOptions }> {
    const work = mkdtempSync(join(tmpdir(), 'mlops-crash-deploy-'));
    for (const seed of [1, 2]) {
      const source = join(models, `model-v${seed}`);
      if (!existsSync(source)) await writeTinyModel(source, seed);
      cpSync(source, join(work, `model-v${seed}`), { recursive: true });
      await runRegister(
        {
          model: `model-v${seed}`,
          name: 'penguins',
          backend: 'local',
          registry: '.mlops/registry',
          workingDirectory: work,
          createdBy: 'test',
        },
        { log: silentLog },
      );
    }
    const options: DeployOptions = {
      model: 'penguins/1',
      target: 'tfserving-dir',
      environment: 'production',
      path: join(work, 'serving'),
      rollbackOnFailure: true,
      promoteAlias: 'production',
      registry: '.mlops/registry',
      workingDirectory: work,
    };
    expect((await runDeploy(options, { log: silentLog })).status).toBe('success');
    return { work, options: { ...options, model: 'penguins/2' } };
  }

  async function expectConsistent(work: string): Promise<void> {
    const registry = new LocalRegistry(join(work, '.mlops/registry'));
    const served = join(work, 'serving/penguins');
    for (const version of numbered(served)) {
      const { record } = await registry.readVersion('penguins', Number(version));
      for (const file of record.files) {
        expect((await sha256File(join(served, version, file.path))).sha256, `${version}/${file.path}`).toBe(
          file.sha256,
        );
      }
    }
    const alias = (await registry.listAliases('penguins')).production?.version;
    expect(numbered(served)).toContain(String(alias));
  }

  for (const point of [
    'tfserving-dir:copying',
    'tfserving-dir:staged',
    // Deployed and smoke-tested, the alias file written but not renamed, the registry lock held.
    'atomic-write:aliases.json',
  ]) {
    it(`killed at ${point}: v1 serves or v2 is whole, the alias follows, and the re-run finishes`, async () => {
      const { work, options } = await registryWithV1Deployed();
      await killAt({ kind: 'deploy', options }, point);
      tally.killPoint();
      await expectConsistent(work);
      const rerun = await runDeploy(options, { log: silentLog });
      expect(rerun.status, rerun.message).toBe('success');
      await expectConsistent(work);
      expect(numbered(join(work, 'serving/penguins')).sort()).toEqual(['1', '2']);
      const registry = new LocalRegistry(join(work, '.mlops/registry'));
      expect((await registry.listAliases('penguins')).production?.version).toBe(2);
    }, 40_000);
  }
});

describe('training checkpoint killed while being written', () => {
  const work = mkdtempSync(join(tmpdir(), 'mlops-crash-train-'));
  const options = (outputDir: string): TrainOptions => ({
    data: join(REPO_ROOT, 'node_modules/vega-datasets/data/penguins.json'),
    target: 'Species',
    task: 'classification',
    model: 'mlp',
    epochs: 5,
    batchSize: 32,
    learningRate: 0.01,
    seed: 5,
    patience: 100,
    outputDir,
    resume: false,
    cache: false,
    gpu: 'off',
    workingDirectory: work,
  });
  let straight: Buffer | undefined;

  // Epoch 3's checkpoint: its weights file half-way to its name, its checkpoint.json not yet in
  // place, and both in place with epoch 2's weights not yet deleted.
  for (const point of [
    'atomic-write:weights-3.bin',
    'atomic-write:checkpoint.json@3',
    'checkpoint:before-cleanup@3',
  ]) {
    it(`killed at ${point}: a complete checkpoint is left, and resuming gives the uninterrupted weights`, async () => {
      straight ??= await runTrain(options(join(work, 'straight')), { log: silentLog }).then(() =>
        readFileSync(join(work, 'straight/weights.bin')),
      );
      const dir = join(work, point.replace(/[^a-z0-9]+/gi, '-'));
      await killAt({ kind: 'train', options: options(dir) }, point);
      tally.killPoint();
      expect(existsSync(join(dir, 'model.json'))).toBe(false);
      const checkpoint = JSON.parse(readFileSync(join(dir, 'checkpoints/checkpoint.json'), 'utf8')) as {
        epoch: number;
        weightsFile: string;
      };
      expect([2, 3]).toContain(checkpoint.epoch);
      expect(existsSync(join(dir, 'checkpoints', checkpoint.weightsFile))).toBe(true);
      const resumed = await runTrain({ ...options(dir), resume: true }, { log: silentLog });
      expect(JSON.parse(readFileSync(resumed.metricsPath, 'utf8')).resumed_from_epoch).toBe(checkpoint.epoch);
      expect(readFileSync(join(dir, 'weights.bin'))).toEqual(straight);
    }, 60_000);
  }
});

describe('cache save killed mid-way', () => {
  for (const point of ['cache-save:copying', 'cache-save:manifest-written']) {
    it(`killed at ${point}: restore ignores the half entry, and the re-run saves a whole one`, async () => {
      const work = mkdtempSync(join(tmpdir(), 'mlops-crash-cache-'));
      const root = join(work, 'cache');
      const older = join(work, 'older');
      mkdirSync(older);
      writeFileSync(join(older, 'data.txt'), 'older entry');
      const paths = [join(work, 'deps'), join(work, 'models')];
      for (const [i, path] of paths.entries()) {
        mkdirSync(path);
        writeFileSync(join(path, 'data.txt'), `new entry ${i}`);
      }
      const store = new LocalCacheStore(root, silentLog);
      expect(await store.save([older], 'deps-old')).toBe(true);
      await killAt({ kind: 'cache-save', root, paths, key: 'deps-new' }, point);
      tally.killPoint();

      const target = join(work, 'restored');
      expect(await store.restore([target], 'deps-new')).toBeUndefined();
      expect(await store.restore([older], 'deps-new', ['deps-'])).toBe('deps-old');
      expect(await store.save(paths, 'deps-new')).toBe(true);
      for (const path of paths) cpSync(path, `${path}-expected`, { recursive: true });
      for (const path of paths) writeFileSync(join(path, 'data.txt'), 'overwritten');
      expect(await store.restore(paths, 'deps-new', ['deps-'])).toBe('deps-new');
      for (const path of paths)
        expect(readFileSync(join(path, 'data.txt'), 'utf8')).toBe(
          readFileSync(join(`${path}-expected`, 'data.txt'), 'utf8'),
        );
    }, 30_000);
  }
});
