/**
 * The real @actions/artifact 6 and @actions/cache 6 code paths, through our stores, against the
 * local Actions results emulator (twirp server + Azurite). Vitest runs each file in its own
 * process, and the stores import @actions/* lazily, so setting the runner env here is enough.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { runnerPlatform } from '../../../shared/src/platform/runner.js';
import { platformServices } from '../../../shared/src/platform/services.js';
import { GitHubArtifactStore, GitHubCacheStore } from '../../../shared/src/platform/storage/github.js';
import { runTrain, type TrainOptions } from '../../../shared/src/train/runTrain.js';
import {
  type ActionsResultsEmulator,
  startActionsResultsEmulator,
} from '../../emulators/actions-results/server.js';

let emulator: ActionsResultsEmulator;
const work = mkdtempSync(join(tmpdir(), 'storage-it-'));

beforeAll(async () => {
  emulator = await startActionsResultsEmulator();
  Object.assign(process.env, emulator.env);
  // Any other server URL counts as GHES, which switches the cache to v1.
  delete process.env.GITHUB_SERVER_URL;
  mkdirSync(emulator.env.RUNNER_TEMP, { recursive: true });
  mkdirSync(emulator.env.GITHUB_WORKSPACE, { recursive: true });
});

afterAll(async () => {
  await emulator?.stop();
});

describe('GitHubArtifactStore through the emulator', () => {
  it('uploads a folder and downloads the same files', async () => {
    const source = join(work, 'model');
    mkdirSync(join(source, 'sub'), { recursive: true });
    writeFileSync(join(source, 'model.json'), '{"format":"layers-model"}');
    writeFileSync(join(source, 'sub', 'weights.bin'), Buffer.alloc(300_000, 7));
    // The store a step gets on a runner, as services build it from the run's environment.
    const env = { ...process.env, GITHUB_REPOSITORY: 'octo-org/models', GITHUB_RUN_ID: '4242' };
    const store = platformServices(runnerPlatform(env), env).artifacts();
    expect(store).toBeInstanceOf(GitHubArtifactStore);
    const uploaded = await store.upload(
      'my-model',
      [join(source, 'model.json'), join(source, 'sub', 'weights.bin')],
      source,
    );
    expect(Number(uploaded.id)).toBeGreaterThan(0);
    // Where upload-artifact v4 points its artifact-url: the run's page for that artifact.
    expect(uploaded.url).toBe(
      `https://github.com/octo-org/models/actions/runs/4242/artifacts/${uploaded.id}`,
    );
    expect(emulator.artifacts.find((a) => a.name === 'my-model')?.finalized).toBe(true);

    const target = join(work, 'downloaded');
    const folder = await store.download('my-model', target);
    expect(readFileSync(join(folder, 'model.json'), 'utf8')).toBe('{"format":"layers-model"}');
    expect(readFileSync(join(folder, 'sub', 'weights.bin'))).toEqual(Buffer.alloc(300_000, 7));
  });
});

describe('GitHubCacheStore through the emulator', () => {
  it('saves, restores by key and by prefix, misses cleanly and does not overwrite a key', async () => {
    const dir = join(work, 'ckpt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'state.json'), '{"epoch":3}');
    const store = new GitHubCacheStore(silentLog);
    expect(await store.save([dir], 'train-abc-partial-1')).toBe(true);
    expect(await store.save([dir], 'train-abc-partial-1')).toBe(false);

    rmSync(dir, { recursive: true });
    expect(await store.restore([dir], 'train-abc', ['train-abc-partial-'])).toBe('train-abc-partial-1');
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{"epoch":3}');
    expect(await store.restore([dir], 'train-xyz', ['train-xy-'])).toBeUndefined();
    // Another path list is another cache version: no match.
    expect(await store.restore([join(work, 'elsewhere')], 'train-abc-partial-1')).toBeUndefined();
  });
});

describe('runTrain with the GitHub cache and artifact', () => {
  it('saves checkpoints to the cache, then a rerun restores them (cache-hit) instead of retraining, and uploads the model', async () => {
    const options: TrainOptions = {
      data: join(process.cwd(), 'node_modules/vega-datasets/data/penguins.json'),
      target: 'Species',
      task: 'classification',
      model: 'logistic',
      epochs: 6,
      batchSize: 32,
      learningRate: 0.05,
      seed: 11,
      outputDir: join(work, 'train-out'),
      checkpointDir: join(work, 'train-ckpt'),
      resume: false,
      cache: true,
      artifactName: 'penguins-model',
      gpu: 'off',
      workingDirectory: work,
    };
    const deps = () => ({
      log: memoryLog(),
      cache: new GitHubCacheStore(silentLog),
      artifacts: new GitHubArtifactStore('https://github.com/o/r/actions/runs/7'),
    });
    const first = await runTrain(options, deps());
    expect(first.cacheHit).toBe(false);
    expect(emulator.caches.filter((c) => c.finalized).map((c) => c.key)).toContainEqual(
      expect.stringMatching(/^mlops-train-v1-builtin-/),
    );

    // A fresh runner: nothing on disk.
    rmSync(options.outputDir, { recursive: true });
    rmSync(options.checkpointDir!, { recursive: true });
    const second = await runTrain({ ...options, artifactName: 'penguins-model-2' }, deps());
    expect(second.cacheHit).toBe(true);
    const metrics = JSON.parse(readFileSync(second.metricsPath, 'utf8'));
    expect(metrics.resumed_from_epoch).toBe(6);
    expect(metrics.cache_hit).toBe(true);
    expect(second.final).toEqual(first.final);
    expect(second.summaryMarkdown).toContain('| cache hit | yes |');

    const downloaded = join(work, 'model-download');
    await new GitHubArtifactStore().download('penguins-model-2', downloaded);
    for (const file of ['model.json', 'weights.bin', 'preprocessing.json', 'training-metrics.json']) {
      expect(existsSync(join(downloaded, file)), file).toBe(true);
    }
    expect(existsSync(join(downloaded, 'checkpoints'))).toBe(false);
    expect(second.artifactId).toBe(String(emulator.artifacts.find((a) => a.name === 'penguins-model-2')?.id));
    expect(second.artifactUrl).toBe(`https://github.com/o/r/actions/runs/7/artifacts/${second.artifactId}`);
  });
});
