/**
 * The kserve target, through runDeploy on a real local registry: the InferenceService it writes is
 * checked against the openAPIV3Schema of KServe's own CRD (test/fixtures/kserve/), closed so that a
 * misspelt field fails here instead of being pruned by the API server without a word.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type DeployOptions, runDeploy } from '../../../shared/src/deploy/run-deploy.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { createOctokit } from '../../../shared/src/platform/github/octokit.js';
import { runRegister } from '../../../shared/src/registry/register.js';
import { startGitHubEmulator } from '../../emulators/github/server.js';
import { registerTinyVersions } from './registered-models.js';

const SCHEMA_FILE = resolve(__dirname, '../../fixtures/kserve/inferenceservice-v1beta1.schema.json');
const ONNX_MODEL = resolve(__dirname, '../../fixtures/models/penguins/model.onnx');

/**
 * Kubernetes prunes fields a structural schema does not name; for a test that is a silent pass,
 * so every object that lists its properties (and does not keep unknown fields) is closed here.
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjects(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (
    schema.properties &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  )
    schema.additionalProperties = false;
  for (const value of Object.values(schema)) closeObjects(value);
}

let work: string;
let validate: ValidateFunction;

function options(
  overrides: Partial<DeployOptions> = {},
  kserve: Partial<DeployOptions['kserve']> = {},
): DeployOptions {
  return {
    model: 'irises/1',
    target: 'kserve',
    environment: 'production',
    rollbackOnFailure: true,
    registry: '.mlops/registry',
    workingDirectory: work,
    kserve: {
      storageUri: 's3://ml-bucket/models/',
      namespace: 'ml-serving',
      gpus: 0,
      canaryPercent: 0,
      dryRun: true,
      ...kserve,
    },
    ...overrides,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed manifest, read and edited freely by the tests
async function manifestOf(path: string): Promise<Record<string, any>> {
  return parse(await readFile(path, 'utf8'));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlops-kserve-'));
  await mkdir(join(work, 'onnx'));
  await copyFile(ONNX_MODEL, join(work, 'onnx', 'model.onnx'));
  await runRegister(
    {
      model: 'onnx/model.onnx',
      name: 'irises',
      backend: 'local',
      registry: '.mlops/registry',
      workingDirectory: work,
      createdBy: 'test',
    },
    { log: silentLog },
  );
  await registerTinyVersions(work, [1]);
  const schema = JSON.parse(await readFile(SCHEMA_FILE, 'utf8'));
  closeObjects(schema);
  validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('kserve target', () => {
  it('writes and prints an onnx InferenceService that the KServe CRD schema accepts', async () => {
    const log = memoryLog();
    const result = await runDeploy(
      options({}, { cpuRequest: '500m', memoryRequest: '1Gi', cpuLimit: '2', memoryLimit: '2Gi' }),
      { log },
    );
    expect(result.status).toBe('success');
    expect(result.manifestPath).toBe(join(work, '.mlops/kserve/production/irises.yaml'));
    const manifest = await manifestOf(result.manifestPath!);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest).toMatchObject({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'irises', namespace: 'ml-serving', labels: { 'mlops.model/version': '1' } },
      spec: {
        predictor: {
          model: {
            modelFormat: { name: 'onnx' },
            protocolVersion: 'v2',
            storageUri: 's3://ml-bucket/models/irises/1',
            resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
          },
        },
      },
    });
    expect(manifest.spec.predictor.canaryTrafficPercent).toBeUndefined();
    // The dry run prints the manifest it wrote, and says nothing was applied.
    const printed = log.lines.map((l) => l.message).join('\n');
    expect(printed).toContain('storageUri: s3://ml-bucket/models/irises/1');
    expect(result.notes.join(' ')).toContain('Dry run: nothing was applied');
    expect(result.url).toBe('kserve://ml-serving/irises');
  });

  it('sets canaryTrafficPercent and nvidia.com/gpu, and the schema still accepts it', async () => {
    const manifestPath = join(work, 'out', 'isvc.yaml');
    const result = await runDeploy(options({}, { gpus: 2, canaryPercent: 10, manifestPath }), {
      log: silentLog,
    });
    expect(result.manifestPath).toBe(manifestPath);
    const manifest = await manifestOf(manifestPath);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    expect(manifest.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(manifest.spec.predictor.model.resources).toEqual({
      requests: { 'nvidia.com/gpu': '2' },
      limits: { 'nvidia.com/gpu': '2' },
    });
  });

  it('the closed schema rejects a misspelt field (the check can fail)', async () => {
    const result = await runDeploy(options(), { log: silentLog });
    const manifest = await manifestOf(result.manifestPath!);
    manifest.spec.predictor.model.storageURI = manifest.spec.predictor.model.storageUri;
    delete manifest.spec.predictor.model.storageUri;
    expect(validate(manifest)).toBe(false);
    manifest.spec.predictor.model.storageUri = 's3://x';
    delete manifest.spec.predictor.model.storageURI;
    manifest.spec.predictor.canaryTrafficPercent = 'ten';
    expect(validate(manifest)).toBe(false);
  });

  it('refuses a TensorFlow.js model, naming the format and what KServe serves', async () => {
    const manifestPath = join(work, 'tfjs', 'isvc.yaml');
    const error = await runDeploy(options({ model: 'penguins/1' }, { manifestPath }), {
      log: silentLog,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/penguins v1 is a TensorFlow\.js model \(model\.json\)/);
    expect((error as Error).message).toMatch(/ONNX .* or a TensorFlow SavedModel/);
    await expect(readFile(manifestPath)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a TensorFlow.js model before a GitHub Deployment is recorded', async () => {
    const emulator = await startGitHubEmulator();
    try {
      const log = memoryLog();
      const github = createOctokit({
        token: 'write-token',
        baseUrl: emulator.url,
        log,
        throttleId: randomUUID(),
      });
      await expect(
        runDeploy(options({ model: 'penguins/1' }), {
          log,
          github,
          repo: { owner: 'octo-org', repo: 'models' },
        }),
      ).rejects.toThrow(/TensorFlow\.js model/);
      expect(emulator.state.repo().deployments.size).toBe(0);
    } finally {
      await emulator.close();
    }
  });

  it('a missing kubectl is one clear UserError', async () => {
    const error = await runDeploy(
      options(
        {},
        { dryRun: false, kubeconfig: join(work, 'kubeconfig'), kubectl: 'kubectl-not-installed-here' },
      ),
      { log: silentLog },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/"kubectl-not-installed-here" is not on the runner's PATH/);
    expect((error as UserError).input).toBe('kserve-kubeconfig');
  });

  it('bad options are refused before anything is written', async () => {
    const cases: [Partial<DeployOptions['kserve']>, RegExp][] = [
      [{ storageUri: '' }, /needs kserve-storage-uri/],
      [{ storageUri: 'bucket/models' }, /must be a URI/],
      [{ cpuRequest: 'two' }, /kserve-cpu-request must be a Kubernetes quantity/],
      [{ canaryPercent: 101 }, /kserve-canary-percent must be a whole number from 0 to 100/],
      [{ namespace: 'ML_Serving' }, /kserve-namespace must be a DNS label/],
      [{ dryRun: false }, /needs kserve-kubeconfig .* or kserve-dry-run: true/],
    ];
    const manifestPath = join(work, 'bad', 'isvc.yaml');
    await expect(
      runDeploy({ ...options({}, { manifestPath }), promoteAlias: 'production' }, { log: silentLog }),
    ).rejects.toThrow(/kserve-dry-run applies nothing, so promote-alias cannot move/);
    for (const [bad, message] of cases) {
      const manifestPath = join(work, 'bad', 'isvc.yaml');
      await expect(runDeploy(options({}, { ...bad, manifestPath }), { log: silentLog })).rejects.toThrow(
        message,
      );
      await expect(readFile(manifestPath)).rejects.toThrow(/ENOENT/);
    }
  });
});
