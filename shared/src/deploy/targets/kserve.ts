/**
 * The `kserve` target: writes a KServe `InferenceService` (serving.kserve.io/v1beta1) for the
 * registered version and, when a kubeconfig is given, applies it with `kubectl apply -f`. The
 * runner only writes and submits the manifest; KServe pulls the files from `storageUri` and serves
 * them on the cluster. The action does not upload the files: `<storage-uri>/<name>/<version>/`
 * must already hold them.
 */
import { spawn } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../../errors/index.js';
import { userProgramEnvironment } from '../../platform/child-env.js';
import type { VersionRecord } from '../../registry/record.js';
import { DeployFailure } from '../deploy-failure.js';
import type { DeployOutcome, DeployRequest, DeployTarget } from '../target.js';

export const KSERVE_API_VERSION = 'serving.kserve.io/v1beta1';

/** The model formats this target writes; KServe has runtimes for both (Triton/ONNX Runtime, TF Serving). */
export type KServeModelFormat = 'onnx' | 'tensorflow';

export interface KServeOptions {
  /** Prefix such as `s3://bucket/models`; `<name>/<version>` is appended. */
  storageUri: string;
  /** Empty: the namespace of the kubeconfig's context. */
  namespace?: string;
  cpuRequest?: string;
  memoryRequest?: string;
  cpuLimit?: string;
  memoryLimit?: string;
  /** `nvidia.com/gpu` requested and limited to this many; 0: none. */
  gpus: number;
  /** `canaryTrafficPercent`: the share the new revision gets first; 0: all traffic at once. */
  canaryPercent: number;
  /** Where the manifest is written. */
  manifestPath: string;
  /** Print and write the manifest, apply nothing. */
  dryRun: boolean;
  /** A kubeconfig file: with it (and not dry-run) the manifest is applied with kubectl. */
  kubeconfig?: string;
  /** The kubectl program (tests point it elsewhere). */
  kubectl?: string;
}

/** Kubernetes' resource.Quantity, as the CRD's schema spells it. */
const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
/** A DNS-1123 label, what a namespace must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The KServe model format of a registered version, from its files: a `.onnx` file is `onnx`, a
 * `saved_model.pb` is a TensorFlow SavedModel. TensorFlow.js models (model.json) are refused:
 * no KServe runtime loads them.
 */
export function kserveModelFormat(record: VersionRecord): KServeModelFormat {
  const paths = record.files.map((f) => f.path);
  const entry = record.model.entry ?? '';
  if (
    entry.toLowerCase().endsWith('.onnx') ||
    (paths.length === 1 && paths[0]!.toLowerCase().endsWith('.onnx'))
  )
    return 'onnx';
  if (paths.some((p) => p === 'saved_model.pb' || p.endsWith('/saved_model.pb'))) return 'tensorflow';
  const label = `${record.name} v${record.version}`;
  if (entry.endsWith('model.json') || paths.some((p) => p === 'model.json' || p.endsWith('/model.json')))
    throw new UserError(
      `${label} is a TensorFlow.js model (model.json), which KServe cannot serve: its runtimes take ONNX (a .onnx file) or a TensorFlow SavedModel (saved_model.pb). Export the model to ONNX and register that version, or use the local-server or tfserving-dir target.`,
      { input: 'target' },
    );
  throw new UserError(
    `${label} is neither an ONNX model (.onnx) nor a TensorFlow SavedModel (saved_model.pb) (files: ${paths.slice(0, 5).join(', ')}); KServe's onnx and tensorflow runtimes serve only those.`,
    { input: 'target' },
  );
}

/** An InferenceService name must be a DNS-1035 label; a registry name may hold `_` and capitals. */
export function inferenceServiceName(model: string): string {
  const name = model
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  if (name === '')
    throw new UserError(
      `The model name ${JSON.stringify(model)} gives no valid InferenceService name (a DNS label starting with a letter).`,
      { input: 'model' },
    );
  return name;
}

function quantity(value: string | undefined, input: string): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (!QUANTITY.test(text))
    throw new UserError(
      `${input} must be a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi; got ${JSON.stringify(text)}.`,
      { input },
    );
  return text;
}

/** Checks the options that do not depend on the version, before anything is deployed. */
export function checkKServeOptions(options: KServeOptions): void {
  const uri = options.storageUri.trim();
  if (uri === '')
    throw new UserError(
      'The kserve target needs kserve-storage-uri: the prefix (e.g. s3://bucket/models) under which <name>/<version>/ holds the registered files.',
      { input: 'kserve-storage-uri' },
    );
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(uri))
    throw new UserError(
      `kserve-storage-uri must be a URI such as s3://bucket/models, gs://bucket/models or pvc://claim/models; got ${JSON.stringify(uri)}.`,
      { input: 'kserve-storage-uri' },
    );
  const namespace = options.namespace?.trim();
  if (namespace && (!DNS_LABEL.test(namespace) || namespace.length > 63))
    throw new UserError(
      `kserve-namespace must be a DNS label (lowercase letters, digits, -); got ${JSON.stringify(namespace)}.`,
      {
        input: 'kserve-namespace',
      },
    );
  quantity(options.cpuRequest, 'kserve-cpu-request');
  quantity(options.memoryRequest, 'kserve-memory-request');
  quantity(options.cpuLimit, 'kserve-cpu-limit');
  quantity(options.memoryLimit, 'kserve-memory-limit');
  if (!Number.isInteger(options.gpus) || options.gpus < 0)
    throw new UserError(`kserve-gpus must be a whole number of 0 or more; got ${options.gpus}.`, {
      input: 'kserve-gpus',
    });
  if (!Number.isInteger(options.canaryPercent) || options.canaryPercent < 0 || options.canaryPercent > 100)
    throw new UserError(
      `kserve-canary-percent must be a whole number from 0 to 100; got ${options.canaryPercent}.`,
      {
        input: 'kserve-canary-percent',
      },
    );
  if (!options.dryRun && !options.kubeconfig?.trim())
    throw new UserError(
      'The kserve target needs kserve-kubeconfig (a kubeconfig file, to kubectl apply the manifest) or kserve-dry-run: true (write and print the manifest only).',
      { input: 'kserve-kubeconfig' },
    );
}

/** The InferenceService for one registered version. */
export function buildInferenceService(
  record: VersionRecord,
  environment: string,
  options: KServeOptions,
): Record<string, unknown> {
  checkKServeOptions(options);
  const format = kserveModelFormat(record);
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  const cpuRequest = quantity(options.cpuRequest, 'kserve-cpu-request');
  const memoryRequest = quantity(options.memoryRequest, 'kserve-memory-request');
  const cpuLimit = quantity(options.cpuLimit, 'kserve-cpu-limit');
  const memoryLimit = quantity(options.memoryLimit, 'kserve-memory-limit');
  if (cpuRequest) requests.cpu = cpuRequest;
  if (memoryRequest) requests.memory = memoryRequest;
  if (cpuLimit) limits.cpu = cpuLimit;
  if (memoryLimit) limits.memory = memoryLimit;
  // Kubernetes takes an extended resource in limits; a request, when given, must equal it.
  if (options.gpus > 0) {
    requests['nvidia.com/gpu'] = String(options.gpus);
    limits['nvidia.com/gpu'] = String(options.gpus);
  }
  const resources: Record<string, unknown> = {};
  if (Object.keys(requests).length > 0) resources.requests = requests;
  if (Object.keys(limits).length > 0) resources.limits = limits;

  const model: Record<string, unknown> = {
    modelFormat: { name: format },
    storageUri: `${options.storageUri.trim().replace(/\/+$/, '')}/${record.name}/${record.version}`,
  };
  // KServe's default ONNX runtime (Triton) answers only the v2 protocol; without it no runtime is found.
  if (format === 'onnx') model.protocolVersion = 'v2';
  if (Object.keys(resources).length > 0) model.resources = resources;

  const predictor: Record<string, unknown> = { model };
  if (options.canaryPercent > 0) predictor.canaryTrafficPercent = options.canaryPercent;

  const metadata: Record<string, unknown> = {
    name: inferenceServiceName(record.name),
    labels: {
      'app.kubernetes.io/managed-by': 'mlops-actions',
      'mlops.model/version': String(record.version),
    },
    annotations: {
      'mlops.model/name': record.name,
      'mlops.model/digest': record.digest,
      'mlops.model/environment': environment,
    },
  };
  const namespace = options.namespace?.trim();
  if (namespace) metadata.namespace = namespace;
  return { apiVersion: KSERVE_API_VERSION, kind: 'InferenceService', metadata, spec: { predictor } };
}

export class KServeTarget implements DeployTarget {
  readonly kind = 'kserve' as const;

  constructor(private readonly options: KServeOptions) {
    checkKServeOptions(options);
  }

  check(record: VersionRecord, environment: string): void {
    buildInferenceService(record, environment, this.options);
  }

  async deploy(request: DeployRequest): Promise<DeployOutcome> {
    const manifest = buildInferenceService(request.record, request.environment, this.options);
    const text = stringify(manifest);
    const file = this.options.manifestPath;
    await mkdir(dirname(file), { recursive: true });
    // Written beside and renamed, so a reader never sees half a manifest.
    const partial = `${file}.partial`;
    await writeFile(partial, text);
    await rename(partial, file);
    const metadata = manifest.metadata as { name: string; namespace?: string };
    const where = `${metadata.namespace ?? '(kubeconfig namespace)'}/${metadata.name}`;
    const notes = [`Wrote the InferenceService ${where} to ${file}.`];
    if (metadata.name !== request.name)
      notes.push(
        `The InferenceService is named ${metadata.name}: ${JSON.stringify(request.name)} is not a DNS label.`,
      );
    const entry = request.record.model.entry;
    if (kserveModelFormat(request.record) === 'onnx' && entry && entry.split('/').pop() !== 'model.onnx')
      notes.push(
        `KServe's ONNX runtime loads model.onnx: upload ${entry} under that name to the storage URI.`,
      );
    const url = `kserve://${where}`;
    if (this.options.dryRun) {
      request.log.info(`Dry run: the InferenceService, not applied:\n${text}`);
      notes.push('Dry run: nothing was applied to a cluster.');
      return { url, notes, manifestPath: file };
    }
    await this.kubectlApply(file, request);
    notes.push(`Applied with kubectl; KServe rolls out the new revision on the cluster.`);
    return { url, notes, manifestPath: file };
  }

  private async kubectlApply(file: string, request: DeployRequest): Promise<void> {
    const kubectl = this.options.kubectl ?? 'kubectl';
    const kubeconfig = this.options.kubeconfig!.trim();
    // An argument array and an environment without the action's secrets; the kubeconfig is named by argument.
    const env = userProgramEnvironment(process.env, false);
    const args = ['apply', '--kubeconfig', kubeconfig, '-f', file];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      let output = '';
      const child = spawn(kubectl, args, { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
      const keep = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-4000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT')
          reject(
            new UserError(
              `The kserve target applies the manifest with kubectl, and ${JSON.stringify(kubectl)} is not on the runner's PATH. Install kubectl (e.g. azure/setup-kubectl) or set kserve-dry-run: true; the manifest is at ${file}.`,
              { input: 'kserve-kubeconfig' },
            ),
          );
        else reject(error);
      });
      child.on('close', (code) => resolve({ code, output }));
    });
    if (output.trim()) request.log.info(output.trim());
    if (code !== 0)
      throw new DeployFailure(
        `kubectl apply exited with ${code}: ${output.trim().split('\n').slice(-5).join(' ')}`,
      );
  }

  async rollback(): Promise<string> {
    // Nothing smoke-tests a kserve deploy, so runDeploy never calls this; say so if it ever does.
    return 'the InferenceService stays as applied; KServe keeps the previous revision until the new one is ready';
  }
}
