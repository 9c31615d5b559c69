import { join } from 'node:path';
import { UserError } from '../errors/index.js';
import type { Services } from '../platform/services.js';
import type { Registry } from '../registry/index.js';
import { openRegistry } from '../registry/open.js';
import { resolveModel } from '../registry/resolve.js';
import { type StoredReports, storedReports } from '../registry/stored-reports.js';
import type { ActionInputs } from './inputs.js';

/**
 * The registry a step reads `registry:` references from: its `registry-backend` (local, the
 * default, or github: the tags and releases register writes with `backend: github`) and its
 * `registry` input. A release registered to GitHub is then found by the PR's evaluate and
 * compare-baseline, by deploy and by drift-check, which read the same backend.
 */
export function registryFromInputs(inputs: ActionInputs, services: Services): Registry {
  const backend = inputs.choice('registry-backend', ['local', 'github']);
  const github = backend === 'github' ? services.github() : undefined;
  if (backend === 'github' && !github) {
    throw new UserError(
      'registry-backend: github needs a token (github-token or GITHUB_TOKEN) and GITHUB_REPOSITORY.',
      { input: 'registry-backend' },
    );
  }
  return openRegistry(
    {
      backend,
      registry: inputs.string('registry'),
      workingDirectory: inputs.workingDirectory,
    },
    { octokit: github?.octokit, repo: services.repo() },
  );
}

/** `name@alias` or `name/version` resolved to a local folder (a remote backend downloads under the run's temp folder). */
export function resolveRegistryModel(
  inputs: ActionInputs,
  services: Services,
  reference: string,
  tempDir: string,
) {
  return resolveModel(registryFromInputs(inputs, services), reference, {
    cacheDir: join(tempDir, 'mlops-registry-models'),
  });
}

/** The reports stored with `registry:<name>@<alias>`, written under the run's temp folder for steps that take paths. */
export function storedReportsFor(
  inputs: ActionInputs,
  services: Services,
  spec: string,
  tempDir: string,
): Promise<StoredReports> {
  return storedReports(registryFromInputs(inputs, services), spec, join(tempDir, 'mlops-registry-reports'));
}
