import { describe, expect, it } from 'vitest';
import {
  appendHistory,
  byImportance,
  COMPARE_KIND,
  HISTORY_BUDGET_BYTES,
  type HistoryPoint,
  renderComment,
} from '../../../shared/src/compare/render.js';
import { annotateRegressions, runCompareBaseline } from '../../../shared/src/compare/run.js';
import { memoryLog, silentLog } from '../../../shared/src/logging/index.js';
import { fitSections, truncateMarkdown } from '../../../shared/src/report/fit.js';
import {
  CHECK_RUN_SUMMARY,
  COMMENT_BODY,
  COMMIT_STATUS_DESCRIPTION,
  clip,
  fits,
  measure,
} from '../../../shared/src/report/github-limits.js';
import { decodeHiddenData, encodeHiddenData } from '../../../shared/src/report/hidden-data.js';
import { workdir, writeMetrics } from '../../integration/github/fixtures.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('GitHub limits in GitHub’s units', () => {
  it('measures bytes for the check summary and never fewer characters than GitHub counts', () => {
    expect(CHECK_RUN_SUMMARY).toMatchObject({ max: 65_535, unit: 'bytes' });
    expect(COMMENT_BODY).toMatchObject({ max: 65_536, unit: 'characters' });
    expect(measure('日本', 'bytes')).toBe(6);
    expect(measure('😀', 'bytes')).toBe(4);
    // GitHub counts an emoji as one character; two here is the safe side.
    expect(measure('😀', 'characters')).toBe(2);
    expect(fits('日'.repeat(21_845), CHECK_RUN_SUMMARY)).toBe(true);
    expect(fits('日'.repeat(21_846), CHECK_RUN_SUMMARY)).toBe(false);
  });

  it('clips without splitting an emoji', () => {
    const clipped = clip('😀'.repeat(100), COMMIT_STATUS_DESCRIPTION);
    expect(clipped.length).toBeLessThanOrEqual(140);
    expect(clipped.endsWith('😀…')).toBe(true);
    expect(clipped).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(clip('short', COMMIT_STATUS_DESCRIPTION)).toBe('short');
  });

  it('fits sections by bytes and shortens a table to the rows that fit, filling the room', () => {
    const rows = Array.from({ length: 500 }, (_, i) => `| 指標${i}${'模'.repeat(30)} |`);
    const table = (kept: number) =>
      [...rows.slice(0, kept), kept < rows.length ? `showing ${kept} of ${rows.length}` : ''].join('\n');
    const limit = { max: 20_000, unit: 'bytes' as const, what: 'a test body' };
    const fitted = fitSections(
      [
        { markdown: '### head', priority: 0 },
        { markdown: table(rows.length), priority: 1, shorten: { count: rows.length, render: table } },
      ],
      { limit, pointer: 'see the report', footer: '<!-- marker -->' },
    );
    expect(fitted.truncated).toBe(true);
    expect(bytes(fitted.markdown)).toBeLessThanOrEqual(20_000);
    // One more row would not have fitted: the room is used.
    expect(bytes(fitted.markdown)).toBeGreaterThan(20_000 - bytes(rows[499]!) - 20);
    const kept = fitted.markdown.split('\n').filter((line) => line.startsWith('| 指標')).length;
    expect(fitted.markdown).toContain(`showing ${kept} of 500`);
    expect(fitted.markdown.endsWith('<!-- marker -->')).toBe(true);
  });

  it('never cuts the footer: a footer that cannot fit is a bug, not a half-written marker', () => {
    expect(() =>
      fitSections([{ markdown: 'x'.repeat(100), priority: 0 }], {
        limit: { max: 50, unit: 'bytes', what: 'a test body' },
        pointer: 'p',
        footer: `<!-- ${'y'.repeat(60)} -->`,
      }),
    ).toThrow(/do not fit a test body/);
  });

  it('truncates CJK markdown by bytes at a line boundary, closing open blocks', () => {
    const cut = truncateMarkdown(`<details>\n\n${'日本語の行\n'.repeat(200)}</details>`, {
      max: 300,
      unit: 'bytes',
    });
    expect(bytes(cut)).toBeLessThanOrEqual(300);
    expect(cut).toContain('</details>');
  });
});

describe('the comment’s hidden history', () => {
  async function diffOf(metrics: Record<string, number>, thresholds = '') {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', metrics);
    writeMetrics(dir, 'current.json', metrics);
    return runCompareBaseline(
      {
        current: 'current.json',
        baseline: 'baseline.json',
        thresholds,
        failOnRegression: true,
        reportPath: 'out.json',
        workingDirectory: dir,
        modelKey: 'churn',
      },
      { log: silentLog },
    );
  }

  it('keeps the charted metrics of the newest points within its byte budget', async () => {
    const metrics = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`指標${i}_${'📈'.repeat(40)}`, 0.5]),
    );
    const result = await diffOf({ ...metrics, accuracy: 0.9 }, 'accuracy: {min: 0.5}');
    // An old comment's history holding every metric at every push (what older versions wrote).
    let history: HistoryPoint[] = Array.from({ length: 40 }, (_, i) => ({
      sha: `old${i}`,
      metrics: { ...metrics, accuracy: 0.8 + i / 1000 },
    }));
    expect(bytes(encodeHiddenData(COMPARE_KIND, { history }))).toBeGreaterThan(1_000_000);
    history = appendHistory(history, result.diff, 'new');
    expect(history.at(-1)).toEqual({ sha: 'new', metrics: { accuracy: 0.9 } });
    expect(history).toHaveLength(30);
    expect(history[0]).toEqual({ sha: 'old11', metrics: { accuracy: 0.811 } });
    expect(bytes(encodeHiddenData(COMPARE_KIND, { history }))).toBeLessThanOrEqual(HISTORY_BUDGET_BYTES);

    const body = renderComment(result.diff, { ...result.context, history });
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY.max);
    expect(decodeHiddenData<{ history: HistoryPoint[] }>(body, COMPARE_KIND)?.history).toEqual(history);
  });

  it('drops the oldest points first when even charted metrics outgrow the budget', async () => {
    const names = Array.from({ length: 4 }, (_, i) => `accuracy${i}_${'精'.repeat(500)}`);
    const result = await diffOf(
      Object.fromEntries(names.map((name) => [name, 0.9])),
      names.map((name) => `${name}: {min: 0.5}`).join('\n'),
    );
    let history: HistoryPoint[] = [];
    for (let push = 0; push < 8; push += 1) history = appendHistory(history, result.diff, `sha${push}`);
    expect(history.length).toBeGreaterThan(0);
    expect(history.length).toBeLessThan(8);
    expect(history.at(-1)!.sha).toBe('sha7');
    expect(bytes(encodeHiddenData(COMPARE_KIND, { history }))).toBeLessThanOrEqual(HISTORY_BUDGET_BYTES);
  });
});

describe('importance order and annotations', () => {
  it('orders regressions, then gated metrics, then the rest, stably', async () => {
    const dir = workdir();
    writeMetrics(dir, 'baseline.json', { a: 0.5, b: 0.5, g1: 0.8, g2: 0.8, r: 0.8 });
    writeMetrics(dir, 'current.json', { a: 0.6, b: 0.6, g1: 0.9, g2: 0.9, r: 0.5 });
    const result = await runCompareBaseline(
      {
        current: 'current.json',
        baseline: 'baseline.json',
        thresholds: 'g1: {tolerance: 0.01}\ng2: {tolerance: 0.01}\nr: {tolerance: 0.01}',
        failOnRegression: true,
        reportPath: 'out.json',
        workingDirectory: dir,
        modelKey: 'churn',
      },
      { log: silentLog },
    );
    expect(byImportance(result.diff.rows).map((row) => row.metric)).toEqual(['r', 'g1', 'g2', 'a', 'b']);
  });

  it('annotates at most what GitHub shows for a step, and says how many more there are', async () => {
    const dir = workdir();
    const names = Array.from({ length: 25 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    writeMetrics(dir, 'baseline.json', Object.fromEntries(names.map((n) => [n, 0.8])));
    writeMetrics(dir, 'current.json', Object.fromEntries(names.map((n) => [n, 0.5])));
    const result = await runCompareBaseline(
      {
        current: 'current.json',
        baseline: 'baseline.json',
        thresholds: names.map((n) => `${n}: {tolerance: 0.01}`).join('\n'),
        failOnRegression: true,
        reportPath: 'out.json',
        workingDirectory: dir,
        modelKey: 'churn',
      },
      { log: silentLog },
    );
    const log = memoryLog();
    annotateRegressions(result, log);
    const errors = log.lines.filter((line) => line.level === 'error').map((line) => line.message);
    // Nine here and the step's own failure line make GitHub's ten.
    expect(errors).toHaveLength(9);
    expect(errors[0]).toMatch(/^m00: worsened/);
    expect(errors[8]).toMatch(/^…and 17 more metric\(s\) fail their gate/);
  });
});
