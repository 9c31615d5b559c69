import { join } from 'node:path';
import { GitHubHelper, type RepoRef } from './github/helper.js';
import { createOctokit, type GitHubClient } from './github/octokit.js';
import { terminalLog } from './local.js';
import { GitHubArtifactStore, GitHubCacheStore } from './storage/github.js';
import { LocalArtifactStore, LocalCacheStore } from './storage/local.js';
import type { ArtifactStore, CacheStore } from './storage/types.js';
import type { Platform } from './types.js';

/** The outside services a step may use, created on first use so a step pays only for what it calls. */
export interface Services {
  /** The GitHub API for this repository, or undefined without a token and a repository (terminal). */
  github(): GitHubHelper | undefined;
  repo(): RepoRef | undefined;
  artifacts(): ArtifactStore;
  cache(): CacheStore;
}

export function platformServices(platform: Platform, env: NodeJS.ProcessEnv = process.env): Services {
  let github: GitHubHelper | undefined | null = null;
  let artifacts: ArtifactStore | undefined;
  let cache: CacheStore | undefined;
  const localRoot = join(platform.env.workspace, '.mlops');
  const repo = (): RepoRef | undefined => {
    const [owner, name] = (platform.env.repository ?? '').split('/');
    return owner && name ? { owner, repo: name } : undefined;
  };
  return {
    repo,
    github() {
      if (github !== null) return github;
      const token = platform.token();
      const where = repo();
      github =
        token && where
          ? new GitHubHelper(
              createOctokit({ token, baseUrl: platform.env.apiUrl, log: platform.log }),
              where,
              platform.log,
            )
          : undefined;
      return github;
    },
    artifacts() {
      artifacts ??=
        platform.kind === 'github' && env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL
          ? new GitHubArtifactStore(platform.env.runUrl)
          : new LocalArtifactStore(join(localRoot, 'artifacts'));
      return artifacts;
    },
    cache() {
      cache ??=
        platform.kind === 'github' &&
        env.ACTIONS_RUNTIME_TOKEN &&
        (env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL)
          ? new GitHubCacheStore(platform.log)
          : new LocalCacheStore(join(localRoot, 'cache'), platform.log);
      return cache;
    },
  };
}

/**
 * The GitHub API for a terminal command that names a repository (`mlops runs --store
 * github:owner/repo`): the token from GITHUB_TOKEN or GH_TOKEN, the API from GITHUB_API_URL
 * (GitHub Enterprise Server). The token is masked in anything the client logs and never printed;
 * undefined when neither variable is set.
 */
export function terminalGitHubClient(
  env: NodeJS.ProcessEnv,
  stderr: NodeJS.WritableStream,
): GitHubClient | undefined {
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!token) return undefined;
  return createOctokit({
    token,
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    log: terminalLog(stderr, new Set([token])),
  });
}
