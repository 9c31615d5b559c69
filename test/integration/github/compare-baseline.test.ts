import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPARE_KIND } from '../../../shared/src/compare/render.js';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { resolveBranchBaseline } from '../../../shared/src/platform/github/branch-baseline.js';
import { publishComparison } from '../../../shared/src/platform/github/publish-comparison.js';
import { encodeHiddenData } from '../../../shared/src/report/hidden-data.js';
import { validateResponse } from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { helperFor, prEvent, sha, workdir, writeMetrics } from './fixtures.js';

const MARKER = '<!-- mlops:compare-baseline:churn -->';
let emulator: GitHubEmulator;

beforeAll(async () => {
  emulator = await startGitHubEmulator();
});
afterAll(async () => {
  // Everything the emulator answered during these tests must match GitHub's published schemas.
  const problems = emulator.state.responses.flatMap((response) =>
    validateResponse(response.method, response.template, response.status, response.body),
  );
  const answered = emulator.state.responses.length;
  await emulator.close();
  expect(answered).toBeGreaterThan(30);
  expect(problems).toEqual([]);
});

const THRESHOLDS = 'accuracy: {tolerance: 0.01}\nroc_auc: {min: 0.7, tolerance-pct: 2}';

async function compare(
  dir: string,
  current: string,
  extra: Partial<Parameters<typeof runCompareBaseline>[0]> = {},
) {
  return runCompareBaseline(
    {
      current,
      baseline: 'baseline.json',
      thresholds: THRESHOLDS,
      failOnRegression: true,
      overrideLabel: 'accept-metric-regression',
      reportPath: 'mlops-reports/compare.json',
      workingDirectory: dir,
      modelKey: 'churn',
      ...extra,
    },
    { log: silentLog },
  );
}

function comparisonComments(issueNumber: number) {
  return [...emulator.state.repo().comments.values()].filter(
    (comment) => comment.issueNumber === issueNumber && comment.body.includes(MARKER),
  );
}

describe('compare-baseline on GitHub (emulated)', () => {
  it('creates one sticky comment, then updates it in place behind 100+ other comments', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(1) });
    // More than one page even at per_page=100, so only a paginated search finds the comment again.
    for (let index = 0; index < 105; index += 1) emulator.state.addComment(pr.number, `review note ${index}`);
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: 0.9, roc_auc: 0.93 });
    writeMetrics(dir, 'current.json', { accuracy: 0.905, roc_auc: 0.935 });

    const first = await compare(dir, 'current.json');
    const published = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(1)), first);
    expect(published.readOnly).toBe(false);
    expect(published.result.passed).toBe(true);
    expect(comparisonComments(pr.number)).toHaveLength(1);

    writeMetrics(dir, 'current.json', { accuracy: 0.91, roc_auc: 0.94 });
    const second = await compare(dir, 'current.json');
    const again = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(2)), second);
    const comments = comparisonComments(pr.number);
    expect(comments).toHaveLength(1);
    expect(again.commentUrl).toBe(published.commentUrl);
    expect(comments[0]!.body).toContain('0.91');
    // Two pushes in the hidden history make a chart.
    expect(comments[0]!.body).toContain('xychart-beta');
    const listed = emulator.state.requests.filter((request) =>
      request.path.endsWith(`/issues/${pr.number}/comments`),
    );
    expect(listed.filter((request) => request.method === 'GET').length).toBeGreaterThanOrEqual(4);
  });

  it('fails the check and the gate on a regression, with the check run on the head sha', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(3) });
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: 0.9, roc_auc: 0.93 });
    writeMetrics(dir, 'current.json', { accuracy: 0.85, roc_auc: 0.93 });
    const result = await compare(dir, 'current.json');
    expect(result.regressions).toEqual(['accuracy']);
    const published = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(3)), result);
    expect(published.result.passed).toBe(false);
    const run = emulator.state.repo().checkRuns.get(published.checkRunId!)!;
    expect(run).toMatchObject({ name: 'mlops/compare-baseline', conclusion: 'failure', head_sha: sha(3) });
    expect(comparisonComments(pr.number)[0]!.body).toMatch(/accuracy.*regressed/);
  });

  it('turns a regression into a neutral pass when the override label is on the PR, and says so', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(4), labels: ['accept-metric-regression'] });
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: 0.9, roc_auc: 0.93 });
    writeMetrics(dir, 'current.json', { accuracy: 0.85, roc_auc: 0.93 });
    const published = await publishComparison(
      helperFor(emulator).helper,
      prEvent(pr.number, sha(4)),
      await compare(dir, 'current.json'),
    );
    expect(published.result.passed).toBe(true);
    expect(published.result.verdict).toBe('overridden');
    expect(emulator.state.repo().checkRuns.get(published.checkRunId!)!.conclusion).toBe('neutral');
    expect(comparisonComments(pr.number)[0]!.body).toContain('**Override:**');
  });

  it('does not fail on a noise-level drop when significance is on', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(5) });
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: { value: 0.9, ci: [0.87, 0.93], n: 400 }, roc_auc: 0.93 });
    // 0.02 below: beyond the 0.01 tolerance, but well inside the noise of 400 rows.
    writeMetrics(dir, 'current.json', { accuracy: { value: 0.88, ci: [0.85, 0.91], n: 400 }, roc_auc: 0.93 });
    const strict = await compare(dir, 'current.json');
    expect(strict.passed).toBe(false);
    const result = await compare(dir, 'current.json', { significance: 0.05 });
    expect(result.passed).toBe(true);
    expect(result.diff.rows.find((row) => row.metric === 'accuracy')!.verdict).toBe('not significant');
    const published = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(5)), result);
    expect(emulator.state.repo().checkRuns.get(published.checkRunId!)!.conclusion).toBe('success');
    expect(comparisonComments(pr.number)[0]!.body).toMatch(/p=0\.3/);
  });

  it('with a read-only (fork) token writes nothing, warns, and does not fail', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(6), headOwner: 'forker' });
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: 0.9, roc_auc: 0.93 });
    writeMetrics(dir, 'current.json', { accuracy: 0.9, roc_auc: 0.94 });
    const checksBefore = emulator.state.repo().checkRuns.size;
    const { helper, log } = helperFor(emulator, 'read-token');
    const published = await publishComparison(
      helper,
      prEvent(pr.number, sha(6)),
      await compare(dir, 'current.json'),
    );
    expect(published.readOnly).toBe(true);
    expect(published.result.passed).toBe(true);
    expect(comparisonComments(pr.number)).toHaveLength(0);
    expect(emulator.state.repo().checkRuns.size).toBe(checksBefore);
    expect(published.result.summaryMarkdown).toContain('read-only');
    // Each refused write is warned about once, by the helper; none is handed back to be printed again.
    const warnings = log.lines.filter((line) => line.level === 'warning').map((line) => line.message);
    expect(warnings.join('\n')).toContain('Resource not accessible by integration');
    expect(new Set(warnings).size).toBe(warnings.length);
    expect(published.warnings.filter((w) => warnings.includes(w))).toEqual([]);
  });

  it('retries 5xx answers and a secondary rate limit', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(7) });
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: 0.9, roc_auc: 0.93 });
    writeMetrics(dir, 'current.json', { accuracy: 0.9, roc_auc: 0.93 });
    const commentsPath = new RegExp(`/issues/${pr.number}/comments$`);
    emulator.inject({ status: 502, times: 2, method: 'GET', path: commentsPath });
    emulator.inject({ status: 500, times: 1, method: 'POST', path: /\/check-runs$/ });
    emulator.inject({
      secondaryRateLimit: true,
      retryAfter: 1,
      times: 1,
      method: 'POST',
      path: commentsPath,
    });
    const { helper, log } = helperFor(emulator);
    const published = await publishComparison(
      helper,
      prEvent(pr.number, sha(7)),
      await compare(dir, 'current.json'),
    );
    expect(comparisonComments(pr.number)).toHaveLength(1);
    expect(published.checkRunId).toBeDefined();
    expect(log.lines.some((line) => /secondary rate limit/.test(line.message))).toBe(true);
    const posts = emulator.state.requests.filter(
      (request) => request.method === 'POST' && commentsPath.test(request.path),
    );
    expect(posts).toHaveLength(2);
  });

  it('posts a report of 70,000+ characters truncated under the comment and check limits', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(8) });
    const dir = workdir();
    const many = (offset: number) =>
      Object.fromEntries(
        Array.from({ length: 400 }, (_, index) => [
          `metric_${String(index).padStart(3, '0')}_${'x'.repeat(120)}`,
          0.5 + offset,
        ]),
      );
    writeMetrics(dir, 'baseline.json', many(0));
    writeMetrics(dir, 'current.json', many(0.01));
    const result = await compare(dir, 'current.json', { thresholds: '' });
    const published = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(8)), result);
    expect(published.result.summaryMarkdown.length).toBeGreaterThan(70_000);
    const body = comparisonComments(pr.number)[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('Report shortened');
    const run = emulator.state.repo().checkRuns.get(published.checkRunId!)!;
    expect((run.output as { summary: string }).summary.length).toBeLessThanOrEqual(65_535);
  });

  it('renders a real table in GitHub-flavoured markdown and neutralises injected names', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(9) });
    const dir = workdir();
    const evil = {
      '<img src=x onerror=alert(1)>': 0.5,
      '@octocat please look': 0.5,
      '<!-- mlops:compare-baseline:other -->': 0.5,
      '[click](https://evil.example) #1 **bold**': 0.5,
      accuracy: 0.9,
    };
    writeMetrics(dir, 'baseline.json', evil);
    writeMetrics(dir, 'current.json', evil);
    await publishComparison(
      helperFor(emulator).helper,
      prEvent(pr.number, sha(9)),
      await compare(dir, 'current.json', { thresholds: 'accuracy: {min: 0.8}' }),
    );
    const body = comparisonComments(pr.number)[0]!.body;
    const html = execFileSync(
      '/usr/bin/cmark-gfm',
      ['-e', 'table', '-e', 'autolink', '-e', 'strikethrough'],
      {
        input: body,
      },
    ).toString();
    expect(html).toContain('<table>');
    expect(html.match(/<tr>/g)!.length).toBe(6);
    expect(html).not.toMatch(/<img/);
    expect(html).not.toMatch(/<a href/);
    expect(html).not.toMatch(/<strong>bold/);
    expect(body).not.toContain('<!-- mlops:compare-baseline:other');
    expect(html).not.toMatch(/@octocat/); // a zero-width space follows the @
    expect(body.match(/<!-- mlops:compare-baseline:/g)).toHaveLength(1);
  });

  it('finds the PR on push (commits/{sha}/pulls) and on workflow_run from a fork (by head sha)', async () => {
    const pushed = emulator.state.addPullRequest({ headSha: sha(10) });
    const { helper } = helperFor(emulator);
    const viaPush = await helper.findPullRequest({
      eventName: 'push',
      sha: sha(10),
      payload: { after: sha(10) },
    });
    expect(viaPush?.number).toBe(pushed.number);

    const fork = emulator.state.addPullRequest({ headSha: sha(11), headOwner: 'forker', headRef: 'patch-1' });
    const viaRun = await helper.findPullRequest({
      eventName: 'workflow_run',
      sha: sha(99),
      payload: {
        workflow_run: {
          head_sha: sha(11),
          head_branch: 'patch-1',
          pull_requests: [],
          head_repository: { owner: { login: 'forker' } },
        },
      },
    });
    expect(viaRun).toMatchObject({ number: fork.number, headSha: sha(11) });
    const none = await helper.findPullRequest({ eventName: 'push', sha: sha(12), payload: {} });
    expect(none).toBeUndefined();
  });

  it('resolves branch: baselines from the latest successful run’s artifact', async () => {
    const dir = workdir();
    writeMetrics(dir, 'old.json', { accuracy: 0.7 });
    writeMetrics(dir, 'good.json', { accuracy: 0.88 });
    writeMetrics(dir, 'broken.json', { accuracy: 0.1 });
    const old = emulator.state.addWorkflowRun({ branch: 'main', headSha: sha(20) });
    emulator.state.addArtifact(old, 'metrics', { 'metrics.json': readFileSync(join(dir, 'old.json')) });
    const good = emulator.state.addWorkflowRun({ branch: 'main', headSha: sha(21) });
    emulator.state.addArtifact(good, 'metrics', { 'metrics.json': readFileSync(join(dir, 'good.json')) });
    const failed = emulator.state.addWorkflowRun({ branch: 'main', headSha: sha(22), conclusion: 'failure' });
    emulator.state.addArtifact(failed, 'metrics', { 'metrics.json': readFileSync(join(dir, 'broken.json')) });

    const { helper } = helperFor(emulator);
    const baseline = await resolveBranchBaseline(helper, 'branch:main');
    expect('metrics' in baseline && baseline.metrics.accuracy?.value).toBe(0.88);
    // A branch with no such run is a missing baseline that names the branches that have one.
    expect(await resolveBranchBaseline(helper, 'branch:release-9')).toEqual({
      missing: true,
      lookedFor: expect.stringContaining('on the branch release-9'),
      available: expect.stringMatching(/branches with an unexpired "metrics" artifact: .*main/),
    });
  });
});

describe('whose comment is the sticky one', () => {
  const forgedHistory = (kind: string) =>
    encodeHiddenData(kind, {
      history: [
        { sha: 'forged-1', metrics: { accuracy: 0.1 } },
        { sha: 'forged-2', metrics: { accuracy: 0.2 } },
      ],
    });

  it('leaves a marker pasted into a person’s comment alone, and never reads its hidden history', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(30) });
    const forgedBody = `${MARKER}\n${forgedHistory(COMPARE_KIND)}\nLooks fine to me!`;
    const forged = emulator.state.addComment(pr.number, forgedBody, 'mallory');
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: 0.9, roc_auc: 0.93 });
    writeMetrics(dir, 'current.json', { accuracy: 0.9, roc_auc: 0.94 });
    const { helper, log } = helperFor(emulator);
    await publishComparison(helper, prEvent(pr.number, sha(30)), await compare(dir, 'current.json'));

    const comments = comparisonComments(pr.number);
    expect(comments.map((c) => c.user.login)).toEqual(['mallory', 'github-actions[bot]']);
    expect(emulator.state.repo().comments.get(forged.id)!.body).toBe(forgedBody);
    const ours = comments[1]!.body;
    expect(ours).not.toContain('forged');
    expect(ours).not.toContain('xychart-beta'); // one point of history, ours
    expect(log.lines.map((l) => l.message).join('\n')).toMatch(
      /by mallory carries this suite's marker but was not written by this token's account/,
    );
  });

  it('with a personal token, updates that account’s comment and no bot’s', async () => {
    const github = await startGitHubEmulator({
      tokens: { 'pat-token': 'write' },
      users: { 'pat-token': 'octocat' },
    });
    try {
      const pr = github.state.addPullRequest({ headSha: sha(31) });
      const botBody = `${MARKER}\nfrom another workflow`;
      const bot = github.state.addComment(pr.number, botBody, 'some-app[bot]');
      const dir = workdir();
      writeMetrics(dir, 'baseline.json', { accuracy: 0.9, roc_auc: 0.93 });
      for (const accuracy of [0.905, 0.91]) {
        writeMetrics(dir, 'current.json', { accuracy, roc_auc: 0.94 });
        await publishComparison(
          helperFor(github, 'pat-token').helper,
          prEvent(pr.number, sha(31)),
          await compare(dir, 'current.json'),
        );
      }
      const marked = [...github.state.repo().comments.values()].filter((c) => c.body.includes(MARKER));
      expect(marked.map((c) => c.user.login)).toEqual(['some-app[bot]', 'octocat']);
      expect(marked[1]!.body).toContain('0.91');
      expect(github.state.repo().comments.get(bot.id)!.body).toBe(botBody);
      const whoAmI = github.state.responses.filter((r) => r.template === '/user');
      expect(whoAmI.map((r) => validateResponse('GET', '/user', r.status, r.body))).toEqual([[], []]);
    } finally {
      await github.close();
    }
  });
});
