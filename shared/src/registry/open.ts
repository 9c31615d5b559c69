import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors/index.js';
import { type GitHubClient, GitHubRegistry, type GitHubRepo } from './github/github-registry.js';
import { LocalRegistry } from './local/local-registry.js';
import type { Registry } from './registry.js';

export const DEFAULT_LOCAL_REGISTRY = '.mlops/registry';

export interface OpenRegistryOptions {
  backend: 'local' | 'github';
  /** local: a folder (default `.mlops/registry`); github: `owner/repo`, or empty for deps.repo. */
  registry?: string;
  workingDirectory: string;
}

export interface RegistryDeps {
  octokit?: GitHubClient;
  repo?: GitHubRepo;
}

export function openRegistry(options: OpenRegistryOptions, deps: RegistryDeps = {}): Registry {
  const location = options.registry?.trim() ?? '';
  if (options.backend === 'local') {
    const root = location === '' ? DEFAULT_LOCAL_REGISTRY : location;
    return new LocalRegistry(isAbsolute(root) ? root : resolve(options.workingDirectory, root));
  }
  if (options.backend === 'github') {
    let repo = deps.repo;
    // `registry` names a folder for the local backend (the input's default, or mlops.yml's shared
    // `registry:` folder); with the github backend a folder-like value (relative `.`-path, absolute
    // path, or one word) means "this repository", as register has always read it.
    const folderLike = location.startsWith('.') || location.startsWith('/') || !location.includes('/');
    if (location !== '' && location !== DEFAULT_LOCAL_REGISTRY && !folderLike) {
      const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9_.-]+)$/.exec(location);
      if (!match) {
        throw new UserError(
          `With backend 'github', registry must be 'owner/repo' or empty, got ${JSON.stringify(location)}.`,
          {
            input: 'registry',
          },
        );
      }
      repo = { owner: match[1], repo: match[2] };
    }
    if (repo === undefined) {
      throw new UserError(`The github backend needs a repository: set registry to 'owner/repo'.`, {
        input: 'registry',
      });
    }
    if (deps.octokit === undefined) {
      throw new UserError(`The github backend needs a GitHub token (input github-token).`, {
        input: 'github-token',
      });
    }
    return new GitHubRegistry(deps.octokit, repo);
  }
  throw new UserError(
    `Unknown registry backend ${JSON.stringify(options.backend)}: expected 'local' or 'github'.`,
    {
      input: 'backend',
    },
  );
}
