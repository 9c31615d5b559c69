/**
 * compare-baseline at GitHub's size limits, through the real Octokit client and the emulator,
 * which refuses what GitHub refuses: a check-run summary over 65,535 UTF-8 bytes, a comment over
 * 65,536 characters. Emoji and CJK names make bytes and characters disagree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPARE_KIND, HISTORY_BUDGET_BYTES, type HistoryPoint } from '../../../shared/src/compare/render.js';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { publishComparison } from '../../../shared/src/platform/github/publish-comparison.js';
import { decodeHiddenData } from '../../../shared/src/report/hidden-data.js';
import { validateResponse } from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { helperFor, prEvent, sha, workdir, writeMetrics } from './fixtures.js';

const MARKER = '<!-- mlops:compare-baseline:churn -->';
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

let emulator: GitHubEmulator;
beforeAll(async () => {
  emulator = await startGitHubEmulator();
});
afterAll(async () => {
  const problems = emulator.state.responses.flatMap((response) =>
    validateResponse(response.method, response.template, response.status, response.body),
  );
  await emulator.close();
  expect(problems).toEqual([]);
});

/** 300 metric names: emoji (4 bytes, 2 UTF-16 units) and CJK (3 bytes, 1 unit), all distinct. */
function wideNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) =>
    index % 2 === 0
      ? `指標${String(index).padStart(3, '0')}_${'模型評価精度'.repeat(15)}`
      : `m${String(index).padStart(3, '0')}_${'📈🔥'.repeat(24)}`,
  );
}

function metricsOf(names: string[], value: (index: number) => number) {
  return Object.fromEntries(names.map((name, index) => [name, value(index)]));
}

async function compare(dir: string, thresholds: string, modelKey = 'churn') {
  return runCompareBaseline(
    {
      current: 'current.json',
      baseline: 'baseline.json',
      thresholds,
      failOnRegression: true,
      reportPath: 'mlops-reports/compare.json',
      workingDirectory: dir,
      modelKey,
    },
    { log: silentLog },
  );
}

function comparisonComment(issueNumber: number) {
  const comments = [...emulator.state.repo().comments.values()].filter(
    (comment) => comment.issueNumber === issueNumber && comment.body.includes(MARKER),
  );
  expect(comments).toHaveLength(1);
  return comments[0]!.body;
}

function checkSummary(id: number | undefined): string {
  expect(id).toBeDefined();
  return (emulator.state.repo().checkRuns.get(id!)!.output as { summary: string }).summary;
}

/** Metric rows of the diff table (`| name ↑ | …`) in a body. */
const metricRows = (markdown: string) => markdown.split('\n').filter((line) => / [↑↓] \| /.test(line));

describe('the emulator enforces GitHub’s limits in GitHub’s units', () => {
  it('refuses a check summary over 65,535 bytes though under 65,535 characters, and counts comment characters as code points', async () => {
    const { helper } = helperFor(emulator);
    const summary = '📈'.repeat(20_000); // 40,000 UTF-16 units, 20,000 characters, 80,000 bytes
    await expect(
      helper.createCheckRun({ name: 'c', headSha: sha(900), conclusion: 'success', title: 't', summary }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('summary exceeds a maximum bytesize of 65535'),
    });
    await expect(
      helper.createCheckRun({
        name: 'c',
        headSha: sha(900),
        conclusion: 'success',
        title: 't',
        summary: 'a'.repeat(65_536),
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('Only 65535 characters are allowed; 65536 were supplied'),
    });
    const fitting = await helper.createCheckRun({
      name: 'c',
      headSha: sha(900),
      conclusion: 'success',
      title: 't',
      summary: `${'日'.repeat(21_845)}`, // 65,535 bytes
    });
    expect(fitting.ok).toBe(true);

    const pr = emulator.state.addPullRequest({ headSha: sha(901) });
    // 65,536 emoji are 65,536 characters to GitHub (131,072 UTF-16 units): accepted; one more is not.
    const marker = '<!-- m -->';
    const accepted = await helper.upsertStickyComment(
      pr.number,
      marker,
      `${marker}${'🚀'.repeat(65_536 - marker.length)}`,
      null,
    );
    expect(accepted.ok).toBe(true);
    await expect(
      helper.upsertStickyComment(pr.number, marker, `${marker}${'🚀'.repeat(65_537 - marker.length)}`),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('body is too long (maximum is 65536 characters)'),
    });
  });
});

describe('compare-baseline with emoji and CJK names at GitHub’s limits', () => {
  it('posts the check and the comment for 300 wide metric names, all improved, filling the room with rows', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(1) });
    const dir = workdir();
    const names = wideNames(300);
    writeMetrics(dir, 'baseline.json', { accuracy: 0.8, ...metricsOf(names, () => 0.5) });
    writeMetrics(dir, 'current.json', { accuracy: 0.85, ...metricsOf(names, (i) => 0.6 + i / 10_000) });
    const result = await compare(dir, 'accuracy: {tolerance: 0.01}');
    // The summary the old code fitted by characters: under 65,535 of them, far over 65,535 bytes.
    expect(result.summaryMarkdown.length).toBeLessThan(65_535);
    expect(bytes(result.summaryMarkdown)).toBeGreaterThan(80_000);

    const published = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(1)), result);
    expect(published.result.passed).toBe(true);
    expect(published.warnings).toEqual([]);
    const summary = checkSummary(published.checkRunId);
    expect(bytes(summary)).toBeLessThanOrEqual(65_535);
    // The room is used: nearly all of it, and by rows, the gated one first.
    expect(bytes(summary)).toBeGreaterThan(0.95 * 65_535);
    const rows = metricRows(summary);
    expect(rows.length).toBeGreaterThan(200);
    expect(rows[0]).toMatch(/^\| accuracy ↑ \|/);
    expect(summary).toMatch(
      new RegExp(`_Showing ${rows.length} of 301 metrics \\(regressions first, then gated`),
    );
    expect(emulator.state.repo().checkRuns.get(published.checkRunId!)!.conclusion).toBe('success');

    const body = comparisonComment(pr.number);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(metricRows(body).length).toBeGreaterThan(200);
    expect(body.trimEnd().endsWith('-->')).toBe(true);
    expect(decodeHiddenData<{ history: HistoryPoint[] }>(body, COMPARE_KIND)?.history).toHaveLength(1);
  });

  it('shows as many of 2,000 CJK slice regressions as fit instead of dropping the section', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(2) });
    const dir = workdir();
    const slices = (accuracy: number) =>
      Object.fromEntries(
        Array.from({ length: 2000 }, (_, index) => [
          `地域=東京都第${index}区😀`,
          { accuracy: accuracy - index / 100_000 },
        ]),
      );
    writeMetrics(dir, 'baseline.json', { accuracy: 0.8, f1: 0.7 }, { slices: slices(0.8) });
    writeMetrics(dir, 'current.json', { accuracy: 0.82, f1: 0.71 }, { slices: slices(0.7) });
    const result = await compare(dir, 'accuracy: {tolerance: 0.01}');
    expect(result.passed).toBe(true);
    expect(result.diff.sliceRegressions).toHaveLength(2000);

    const published = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(2)), result);
    const summary = checkSummary(published.checkRunId);
    expect(bytes(summary)).toBeLessThanOrEqual(65_535);
    expect(bytes(summary)).toBeGreaterThan(0.95 * 65_535);
    expect(metricRows(summary)).toHaveLength(2);
    const sliceRows = summary.split('\n').filter((line) => line.startsWith('| 地域=東京都第'));
    expect(sliceRows.length).toBeGreaterThan(300);
    expect(summary).toContain(`_Showing ${sliceRows.length} of 2000 slice regressions`);
    expect(summary).toContain('<summary>Slices that regressed (2000)</summary>');

    const body = comparisonComment(pr.number);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.split('\n').filter((line) => line.startsWith('| 地域=東京都第')).length).toBeGreaterThan(300);
  });

  it('keeps regressions first, then gated metrics, when 300 rows do not fit', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(3) });
    const dir = workdir();
    const names = wideNames(300);
    // The gated metrics sort last by name; two of them regress.
    const gated = ['zz_gated_a', 'zz_gated_b', 'zz_gated_c', 'zz_gated_d'];
    writeMetrics(dir, 'baseline.json', { ...metricsOf(names, () => 0.5), ...metricsOf(gated, () => 0.8) });
    writeMetrics(dir, 'current.json', {
      ...metricsOf(names, () => 0.6),
      zz_gated_a: 0.7,
      zz_gated_b: 0.9,
      zz_gated_c: 0.7,
      zz_gated_d: 0.9,
    });
    const result = await compare(dir, gated.map((metric) => `${metric}: {tolerance: 0.01}`).join('\n'));
    expect(result.regressions).toEqual(['zz_gated_a', 'zz_gated_c']);
    const published = await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(3)), result);
    expect(published.result.passed).toBe(false);
    expect(emulator.state.repo().checkRuns.get(published.checkRunId!)!.conclusion).toBe('failure');
    // The check is limited in bytes: shortened, the important rows first.
    {
      const markdown = checkSummary(published.checkRunId);
      const rows = metricRows(markdown);
      expect(rows.slice(0, 4).map((row) => row.split(' ')[1])).toEqual([
        'zz\\_gated\\_a',
        'zz\\_gated\\_c',
        'zz\\_gated\\_b',
        'zz\\_gated\\_d',
      ]);
      expect(rows.length).toBeGreaterThan(200);
      expect(markdown).toContain(`_Showing ${rows.length} of 304 metrics`);
    }
    // The comment is limited in characters, of which these names have fewer: the whole table fits.
    const body = comparisonComment(pr.number);
    expect(metricRows(body)).toHaveLength(304);
    expect(body).not.toContain('_Showing');
  });

  it('three pushes of a 300-metric report keep the table visible and the history growing within its budget', async () => {
    const pr = emulator.state.addPullRequest({ headSha: sha(10) });
    const dir = workdir();
    const names = wideNames(300);
    writeMetrics(dir, 'baseline.json', { accuracy: 0.8, ...metricsOf(names, () => 0.5) });
    for (const push of [1, 2, 3]) {
      writeMetrics(dir, 'current.json', {
        accuracy: 0.8 + push / 100,
        ...metricsOf(names, (i) => 0.5 + push / 100 + i / 10_000),
      });
      const result = await compare(dir, 'accuracy: {tolerance: 0.01}');
      await publishComparison(helperFor(emulator).helper, prEvent(pr.number, sha(10 + push)), result);
      const body = comparisonComment(pr.number);
      expect(body.length).toBeLessThanOrEqual(65_536);
      const [visible] = body.split(MARKER);
      expect(metricRows(visible!).length).toBeGreaterThan(150);
      expect(visible).toContain(`| ${(0.8 + push / 100).toFixed(2)} |`);
      const block = body.slice(body.indexOf('<!-- mlops-data:'));
      expect(block).toMatch(/^<!-- mlops-data:compare-baseline:[A-Za-z0-9_-]+ -->$/);
      expect(bytes(block)).toBeLessThanOrEqual(HISTORY_BUDGET_BYTES);
      const history = decodeHiddenData<{ history: HistoryPoint[] }>(body, COMPARE_KIND)!.history;
      expect(history.map((point) => point.sha)).toEqual([1, 2, 3].slice(0, push).map((p) => sha(10 + p)));
      expect(history.at(-1)!.metrics.accuracy).toBeCloseTo(0.8 + push / 100, 10);
    }
  });
});

describe('when GitHub answers 422 anyway', () => {
  async function simpleComparison(seed: number) {
    const pr = emulator.state.addPullRequest({ headSha: sha(seed) });
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { accuracy: 0.8, '精度😀': 0.5 });
    writeMetrics(dir, 'current.json', { accuracy: 0.9, '精度😀': 0.6 });
    return { pr, result: await compare(dir, 'accuracy: {tolerance: 0.01}') };
  }

  it('retries the check once with a shorter summary', async () => {
    const { pr, result } = await simpleComparison(20);
    emulator.inject({
      status: 422,
      method: 'POST',
      path: /\/check-runs$/,
      times: 1,
      message: 'Validation Failed',
    });
    const published = await publishComparison(
      helperFor(emulator).helper,
      prEvent(pr.number, sha(20)),
      result,
    );
    expect(bytes(checkSummary(published.checkRunId))).toBeLessThanOrEqual(65_535 / 2);
    expect(published.statusSet).toBe(false);
    expect(published.warnings).toEqual([
      expect.stringMatching(/^GitHub refused the check run: .*HTTP 422.*Retrying once/),
    ]);
  });

  it('falls back to a commit status when the shorter check is refused too, and still gates', async () => {
    const { pr, result } = await simpleComparison(21);
    const checksBefore = emulator.state.repo().checkRuns.size;
    emulator.inject({
      status: 422,
      method: 'POST',
      path: /\/check-runs$/,
      times: 2,
      message: 'Validation Failed',
    });
    const published = await publishComparison(
      helperFor(emulator).helper,
      prEvent(pr.number, sha(21)),
      result,
    );
    expect(published.checkRunId).toBeUndefined();
    expect(emulator.state.repo().checkRuns.size).toBe(checksBefore);
    expect(published.statusSet).toBe(true);
    const statuses = emulator.state.repo().statuses.filter((status) => status.sha === sha(21));
    expect(statuses).toEqual([
      expect.objectContaining({
        context: 'mlops/compare-baseline',
        state: 'success',
        description: 'No metric regression',
      }),
    ]);
    expect(published.result.passed).toBe(true);
    expect(published.warnings[1]).toMatch(
      /refused the shortened check run too: .*reported as the commit status 'mlops\/compare-baseline' instead/,
    );
    expect(comparisonComment(pr.number)).toContain('accuracy');
  });

  it('retries a refused comment once, and leaves it out with a warning when refused again', async () => {
    const { pr, result } = await simpleComparison(22);
    const path = new RegExp(`/issues/${pr.number}/comments$`);
    emulator.inject({ status: 422, method: 'POST', path, times: 2, message: 'Validation Failed' });
    const published = await publishComparison(
      helperFor(emulator).helper,
      prEvent(pr.number, sha(22)),
      result,
    );
    expect(published.commentUrl).toBeUndefined();
    expect(published.readOnly).toBe(false);
    expect(published.checkRunId).toBeDefined();
    expect(published.warnings).toHaveLength(2);
    expect(published.warnings[1]).toMatch(
      /refused the shortened PR comment too: .*in the job summary and the report file only/,
    );

    const again = await simpleComparison(23);
    emulator.inject({
      status: 422,
      method: 'POST',
      path: new RegExp(`/issues/${again.pr.number}/comments$`),
      times: 1,
    });
    const retried = await publishComparison(
      helperFor(emulator).helper,
      prEvent(again.pr.number, sha(23)),
      again.result,
    );
    expect(retried.commentUrl).toBeDefined();
    expect(comparisonComment(again.pr.number)).toContain('accuracy');
  });
});
