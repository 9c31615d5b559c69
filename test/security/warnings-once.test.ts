/**
 * Each warning is printed once. drift-check with a read-only token (a fork's run) used to print
 * every refused write twice: the GitHub helper logged it, and the action logged the list of
 * warnings it got back. Runs the built bundle (`npm run build`) as the runner does, against the
 * GitHub emulator; the data-validate, train and evaluate CLIs were checked by hand the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep } from '../harness/runner.js';
import { corpusWorkspace } from './fixtures.js';

let github: GitHubEmulator;
beforeAll(async () => {
  github = await startGitHubEmulator();
});
afterAll(async () => {
  await github.close();
});

describe('warnings', () => {
  it('a read-only drift-check prints each warning once (log line and annotation alike)', async () => {
    const workspace = corpusWorkspace([{ kind: 'plain', text: 'feature' }]);
    const result = await runStep({
      action: 'actions/drift-check',
      workspace,
      with: {
        reference: 'reference.csv',
        current: 'current.csv',
        name: 'fork-run',
        'drift-share': '0.2',
        dispatch: 'repository_dispatch:retrain',
      },
      env: { GITHUB_TOKEN: 'read-token', GITHUB_API_URL: github.url },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    const warnings = result.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    // The refused issue and the dispatch it therefore skipped: both said, each once.
    expect(
      warnings.some((w) => /cannot .*issue/i.test(w)),
      result.stdout,
    ).toBe(true);
    expect(
      warnings.some((w) => /not dispatched/.test(w)),
      result.stdout,
    ).toBe(true);
    const counts = new Map<string, number>();
    for (const w of warnings) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
    // Nor a warning repeated as a plain log line.
    for (const w of warnings) {
      const plain = result.stdout.split('\n').filter((line) => line.includes(w) && !line.startsWith('::'));
      expect(plain, w).toEqual([]);
    }
  }, 120_000);
});
