import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { GitHubRegistry } from '../../../shared/src/registry/github/github-registry.js';
import { type GitHubClient, openRegistry } from '../../../shared/src/registry/index.js';
import { LocalRegistry } from '../../../shared/src/registry/local/local-registry.js';

// Never called: openRegistry only stores the client.
const client = {} as GitHubClient;

describe('openRegistry', () => {
  it('opens the local registry relative to the working directory, defaulting to .mlops/registry', () => {
    const local = openRegistry({ backend: 'local', registry: '', workingDirectory: '/w' });
    expect(local).toBeInstanceOf(LocalRegistry);
    expect(local.location).toBe('/w/.mlops/registry');
    expect(openRegistry({ backend: 'local', registry: '/shared/reg', workingDirectory: '/w' }).location).toBe(
      '/shared/reg',
    );
  });

  it('opens the github registry on owner/repo or the current repository', () => {
    const deps = { octokit: client, repo: { owner: 'me', repo: 'here' } };
    const own = openRegistry(
      { backend: 'github', registry: '.mlops/registry', workingDirectory: '/w' },
      deps,
    );
    expect(own).toBeInstanceOf(GitHubRegistry);
    expect(own.location).toBe('me/here');
    expect(
      openRegistry({ backend: 'github', registry: 'org/models', workingDirectory: '/w' }, deps).location,
    ).toBe('org/models');
    // A folder meant for the local backend (mlops.yml's shared `registry:`) means this repository.
    for (const folder of ['./.mlops/registry', '/srv/mlops/registry', 'models'])
      expect(
        openRegistry({ backend: 'github', registry: folder, workingDirectory: '/w' }, deps).location,
      ).toBe('me/here');
  });

  it('says what is missing', () => {
    const bad: [Parameters<typeof openRegistry>, RegExp][] = [
      [[{ backend: 'github', registry: 'a/b/c', workingDirectory: '/' }, { octokit: client }], /owner\/repo/],
      [
        [{ backend: 'github', registry: '', workingDirectory: '/' }, { octokit: client }],
        /needs a repository/,
      ],
      [[{ backend: 'github', registry: 'o/r', workingDirectory: '/' }, {}], /github-token/],
      [
        [{ backend: 's3' as 'local', registry: '', workingDirectory: '/' }, {}],
        /expected 'local' or 'github'/,
      ],
    ];
    for (const [args, message] of bad) {
      expect(() => openRegistry(...args)).toThrow(UserError);
      expect(() => openRegistry(...args)).toThrow(message);
    }
  });
});
