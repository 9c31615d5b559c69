import { METRICS_SCHEMA, parseMetricsFile } from '../../compare/metrics-file.js';
import type { BaselineLookup } from '../../compare/run.js';
import { UserError } from '../../errors/index.js';
import type { GitHubHelper } from './helper.js';
import { readZip } from './zip.js';

/**
 * `branch:<name>` baselines: the metrics artifact of the latest successful run on that branch,
 * i.e. what the branch last built green. When the branch has no such run, a missing baseline that
 * names the branches that do have the artifact.
 */
export async function resolveBranchBaseline(
  helper: GitHubHelper,
  spec: string,
  artifactName = 'metrics',
): Promise<BaselineLookup> {
  const branch = spec.replace(/^branch:/, '').trim();
  if (branch === '')
    throw new UserError('baseline "branch:" needs a branch name, e.g. branch:main', { input: 'baseline' });
  const artifact = await helper.latestSuccessfulArtifact(branch, artifactName);
  if (!artifact) {
    const branches = await helper.branchesWithArtifact(artifactName);
    return {
      missing: true,
      lookedFor: `the artifact "${artifactName}" of the latest successful push run on the branch ${branch}`,
      available:
        branches.length > 0
          ? `branches with an unexpired "${artifactName}" artifact: ${branches.join(', ')}`
          : `no branch has an unexpired "${artifactName}" artifact`,
    };
  }
  const source = `artifact ${artifactName} of run ${artifact.runId} on ${branch}`;
  const { entries, names } = readZip(await helper.downloadArtifactZip(artifact.id), {
    wanted: (name) => name.endsWith('.json'),
    what: source,
  });
  for (const [name, data] of entries) {
    const text = data.toString('utf8');
    if (text.includes(METRICS_SCHEMA)) return parseMetricsFile(text, `${source} (${name})`, 'baseline');
  }
  throw new UserError(`${source} holds no ${METRICS_SCHEMA} JSON file (it has: ${names.join(', ')})`, {
    input: 'baseline',
  });
}

/**
 * The `resolveBaseline` dependency of `runCompareBaseline` on a runner: `branch:` through the
 * Actions artifacts API, `registry:` through the registry's own resolver.
 */
export function githubBaselineResolver(
  helper: GitHubHelper | undefined,
  resolveRegistry: ((spec: string) => Promise<BaselineLookup>) | undefined,
  artifactName = 'metrics',
): (spec: string) => Promise<BaselineLookup> {
  return async (spec) => {
    if (spec.startsWith('branch:')) {
      if (!helper)
        throw new UserError(`baseline ${spec} needs a GitHub token and repository`, { input: 'baseline' });
      return resolveBranchBaseline(helper, spec, artifactName);
    }
    if (!resolveRegistry)
      throw new UserError(`baseline ${spec} needs the model registry`, { input: 'baseline' });
    return resolveRegistry(spec);
  };
}
