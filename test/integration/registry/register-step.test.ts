/**
 * register's GitHub failures, as the runner shows them: the annotation names the request path
 * exactly as it was sent (`tags%2Fpenguins%40v`), encoded once. The workflow command escapes `%`
 * as `%25` on the wire and the runner decodes it, so the harness must read it the same way.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { runStep } from '../../harness/runner.js';
import { metricsReport, tempDir, writeJson, writeModelFolder } from '../../unit/registry/helpers.js';

let emulator: GitHubEmulator | undefined;
afterAll(async () => {
  await emulator?.close();
});

describe('register on a GitHub failure', () => {
  it('names the failed request path encoded once, as it was sent', async () => {
    emulator = await startGitHubEmulator();
    const work = await tempDir();
    await writeModelFolder(join(work, 'model'));
    await writeJson(join(work, 'metrics.json'), metricsReport({ accuracy: 0.91 }));
    emulator.inject({ status: 404, times: 20, method: 'GET', path: /\/git\/matching-refs\// });
    const result = await runStep({
      action: 'actions/register',
      workspace: work,
      with: { model: 'model', name: 'penguins', backend: 'github', metrics: 'metrics.json' },
      env: {
        GITHUB_TOKEN: 'write-token',
        GITHUB_API_URL: emulator.url,
        GITHUB_REPOSITORY: 'octo-org/models',
      },
      event: { name: 'push', payload: {} },
    });
    const sent = emulator.state.requests.find((request) => request.path.includes('/git/matching-refs/'));
    expect(sent?.path).toBe('/repos/octo-org/models/git/matching-refs/tags%2Fpenguins%40v');
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors).toEqual([
      'register: GitHub API GET /repos/octo-org/models/git/matching-refs/tags%2Fpenguins%40v failed (HTTP 404: Injected failure): the resource does not exist or the token cannot see it.',
    ]);
  }, 60_000);
});
