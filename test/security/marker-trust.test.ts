/**
 * Only the exact account the token writes as is trusted as the author of a marker: a comment by
 * another bot (renovate[bot]) carrying the marker and a forged metric history was overwritten and
 * its history charted, because any bot was trusted. GITHUB_TOKEN writes as github-actions[bot];
 * an App's installation token learns its own `<app>[bot]` login through GraphQL's `viewer`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPARE_KIND } from '../../shared/src/compare/render.js';
import { runCompareBaseline } from '../../shared/src/compare/run.js';
import { silentLog } from '../../shared/src/logging/index.js';
import { publishComparison } from '../../shared/src/platform/github/publish-comparison.js';
import { encodeHiddenData } from '../../shared/src/report/hidden-data.js';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { helperFor, prEvent, sha, workdir, writeMetrics } from '../integration/github/fixtures.js';

const MARKER = '<!-- mlops:compare-baseline:churn -->';
let emulator: GitHubEmulator;

beforeAll(async () => {
  emulator = await startGitHubEmulator({
    tokens: { 'write-token': 'write', 'app-token': 'write' },
    apps: { 'app-token': 'mlops-app' },
  });
});
afterAll(async () => {
  await emulator.close();
});

const forged = `${MARKER}\n${encodeHiddenData(COMPARE_KIND, {
  history: [
    { sha: 'forged-1', metrics: { accuracy: 0.1 } },
    { sha: 'forged-2', metrics: { accuracy: 0.2 } },
  ],
})}\nforged`;

async function publish(token: string, pull: number, head: string) {
  const dir = workdir();
  writeMetrics(dir, 'baseline.json', { accuracy: 0.9 });
  writeMetrics(dir, 'current.json', { accuracy: 0.91 });
  const comparison = await runCompareBaseline(
    {
      current: 'current.json',
      baseline: 'baseline.json',
      thresholds: 'accuracy: {tolerance: 0.01}',
      failOnRegression: true,
      overrideLabel: 'accept-metric-regression',
      reportPath: 'mlops-reports/compare.json',
      workingDirectory: dir,
      modelKey: 'churn',
    },
    { log: silentLog },
  );
  const { helper, log } = helperFor(emulator, token);
  await publishComparison(helper, prEvent(pull, head), comparison);
  return log.lines.map((line) => line.message).join('\n');
}

function markedComments(pull: number) {
  return [...emulator.state.repo().comments.values()].filter(
    (comment) => comment.issueNumber === pull && comment.body.includes(MARKER),
  );
}

describe('marker trust', () => {
  it('GITHUB_TOKEN leaves a marker in another bot’s comment alone and reads none of its history', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(40) });
    const planted = emulator.state.addComment(pr.number, forged, 'renovate[bot]');
    const log = await publish('write-token', pr.number, sha(40));
    expect(emulator.state.repo().comments.get(planted.id)!.body).toBe(forged);
    const comments = markedComments(pr.number);
    expect(comments.map((c) => c.user.login)).toEqual(['renovate[bot]', 'github-actions[bot]']);
    expect(comments[1]!.body).not.toContain('forged');
    expect(log).toMatch(
      /by renovate\[bot\] carries this suite's marker but was not written by this token's account/,
    );
  });

  it("an App's token trusts its own <app>[bot] login, not github-actions[bot]", async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(41) });
    const planted = emulator.state.addComment(pr.number, forged, 'github-actions[bot]');
    await publish('app-token', pr.number, sha(41));
    expect(emulator.state.repo().comments.get(planted.id)!.body).toBe(forged);
    expect(markedComments(pr.number).map((c) => c.user.login)).toEqual([
      'github-actions[bot]',
      'mlops-app[bot]',
    ]);
    // The second run updates the app's own comment in place.
    await publish('app-token', pr.number, sha(41));
    expect(markedComments(pr.number)).toHaveLength(2);
  });
});
