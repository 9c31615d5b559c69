import { defineAction } from '../../shared/src/actions/define.js';
import { runDeploy } from '../../shared/src/deploy/run-deploy.js';
import { selfCommand } from '../../shared/src/platform/self-command.js';

export const deployAction = defineAction({
  name: 'deploy',
  async run({ inputs, log, platform, services }) {
    const secret = inputs.optional('webhook-secret');
    if (secret) platform.setSecret(secret);
    const github = services.github();
    const result = await runDeploy(
      {
        model: inputs.required('model'),
        target: inputs.choice('target', ['local-server', 'tfserving-dir', 'webhook']),
        environment: inputs.required('environment'),
        url: inputs.optional('url'),
        path: inputs.optional('path'),
        smokeTest: inputs.optional('smoke-test'),
        rollbackOnFailure: inputs.boolean('rollback-on-failure'),
        promoteAlias: inputs.optional('promote-alias'),
        registry: inputs.string('registry'),
        webhookSecret: secret,
        workingDirectory: inputs.workingDirectory,
        runUrl: platform.env.runUrl,
      },
      {
        log,
        github: github?.octokit,
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
      },
      summary: result.summaryMarkdown,
      failure: result.status === 'success' ? undefined : result.message,
    };
  },
});
