import { defineAction } from '../../shared/src/actions/define.js';
import { UserError } from '../../shared/src/errors/index.js';
import { runRegister } from '../../shared/src/registry/index.js';

export const registerAction = defineAction({
  name: 'register',
  async run({ inputs, log, services, platform }) {
    const backend = inputs.choice('backend', ['local', 'github']);
    const github = backend === 'github' ? services.github() : undefined;
    if (backend === 'github' && !github) {
      throw new UserError(
        'backend: github needs a token (github-token or GITHUB_TOKEN) and GITHUB_REPOSITORY.',
        { input: 'backend' },
      );
    }
    const result = await runRegister(
      {
        model: inputs.required('model'),
        name: inputs.required('name'),
        metrics: inputs.optional('metrics'),
        profile: inputs.optional('profile'),
        backend,
        registry: inputs.string('registry'),
        alias: inputs.optional('alias'),
        tags: inputs.list('tags'),
        require: inputs.optional('require'),
        force: inputs.boolean('force'),
        includeCheckpoints: inputs.boolean('include-checkpoints'),
        allowDigestMismatch: inputs.boolean('allow-digest-mismatch'),
        workingDirectory: inputs.workingDirectory,
        createdBy: platform.env.actor,
        gitSha: platform.env.sha,
        runUrl: platform.env.runUrl,
      },
      { log, octokit: github?.octokit, repo: services.repo() },
    );
    return {
      outputs: {
        version: result.version,
        uri: result.uri,
        digest: result.digest,
        'already-registered': result.alreadyRegistered,
        'release-url': result.releaseUrl ?? '',
      },
      summary: result.summaryMarkdown,
    };
  },
});
