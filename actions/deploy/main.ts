import { defineAction } from '../../shared/src/actions/define.js';
import { featureOptions } from '../../shared/src/config/schema.js';
import { runDeploy } from '../../shared/src/deploy/run-deploy.js';
import { selfCommand } from '../../shared/src/platform/self-command.js';

export const deployAction = defineAction({
  name: 'deploy',
  async run({ inputs, config, log, platform, services }) {
    const secret = inputs.optional('webhook-secret');
    if (secret) platform.setSecret(secret);
    const url = inputs.optional('url');
    // A webhook URL may carry a credential: the runner masks all of it; the action shows its origin only.
    if (url && inputs.optional('target') === 'webhook') platform.setSecret(url.trim());
    const github = services.github();
    const canaryPercent = inputs.number('canary-percent', { min: 0, max: 99 });
    const canary =
      canaryPercent > 0
        ? {
            percent: canaryPercent,
            minRequests: inputs.number('canary-min-requests', { integer: true, min: 1 }),
            maxErrorRate: inputs.number('canary-max-error-rate', { min: 0, max: 1 }),
            maxP99Ms: inputs.optionalNumber('canary-max-p99-ms', { min: 0 }),
            minAgreement: inputs.number('canary-min-agreement', { min: 0, max: 1 }),
            maxRelativeError: inputs.number('canary-max-relative-error', { min: 0 }),
            maxDurationMs: inputs.number('canary-timeout-minutes', { min: 0, exclusiveMin: true }) * 60_000,
          }
        : undefined;
    const target = inputs.choice('target', ['local-server', 'tfserving-dir', 'webhook', 'kserve']);
    const kserve =
      target === 'kserve'
        ? {
            storageUri: inputs.optional('kserve-storage-uri') ?? '',
            namespace: inputs.optional('kserve-namespace'),
            cpuRequest: inputs.optional('kserve-cpu-request'),
            memoryRequest: inputs.optional('kserve-memory-request'),
            cpuLimit: inputs.optional('kserve-cpu-limit'),
            memoryLimit: inputs.optional('kserve-memory-limit'),
            gpus: inputs.number('kserve-gpus', { integer: true, min: 0 }),
            canaryPercent: inputs.number('kserve-canary-percent', { integer: true, min: 0, max: 100 }),
            dryRun: inputs.boolean('kserve-dry-run'),
            kubeconfig: inputs.optional('kserve-kubeconfig'),
            manifestPath: inputs.optional('kserve-manifest'),
          }
        : undefined;
    const result = await runDeploy(
      {
        model: inputs.required('model'),
        target,
        environment: inputs.required('environment'),
        url,
        ports: inputs.list('ports'),
        path: inputs.optional('path'),
        smokeTest: inputs.optional('smoke-test'),
        rollbackOnFailure: inputs.boolean('rollback-on-failure'),
        promoteAlias: inputs.optional('promote-alias'),
        registry: inputs.string('registry'),
        registryBackend: inputs.choice('registry-backend', ['local', 'github']),
        webhookSecret: secret,
        workingDirectory: inputs.workingDirectory,
        runUrl: platform.env.runUrl,
        canary,
        kserve,
        // The same policy train and evaluate take from mlops.yml, for a server this deploy starts.
        onInvalid: featureOptions(config?.config).onInvalid,
      },
      {
        log,
        github: github?.octokit,
        registryClient: github?.octokit,
        repo: services.repo(),
        sha: platform.env.sha,
        actor: platform.env.actor,
        serverCommand: [...selfCommand(), 'serve'],
      },
    );
    for (const note of result.notes) log.info(note);
    return {
      outputs: {
        'deployment-id': result.deploymentId ?? '',
        url: result.url,
        version: result.version,
        status: result.status,
        'manifest-path': result.manifestPath ?? '',
      },
      summary: result.summaryMarkdown,
      failure: result.status === 'success' ? undefined : result.message,
    };
  },
});
