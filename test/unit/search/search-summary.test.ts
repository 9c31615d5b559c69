/** The search's summary in the PR comment: best trial, its params, the top 5; untrusted fields checked and escaped. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompareBaseline } from '../../../shared/src/compare/run.js';
import { UserError } from '../../../shared/src/errors/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { readSearchSummary, summarise, type TrialOutcome } from '../../../shared/src/search/run-search.js';
import { workdir, writeMetrics } from '../../integration/github/fixtures.js';

const trial = (n: number, value: number | null, params: Record<string, string | number>): TrialOutcome => ({
  schema: 'mlops-search-trial/v1',
  search_id: 'abc',
  trial: n,
  params,
  status: value === null ? 'failed' : 'finished',
  value,
  metrics: value === null ? {} : { accuracy: value },
  folder: `trials/trial-${n}`,
  duration_seconds: 1,
  ...(value === null ? { error: 'diverged' } : {}),
});

describe('search summary in the compare-baseline comment', () => {
  it('shows the best trial, its params and the top 5, with untrusted values escaped', async () => {
    const dir = workdir();
    const outcomes = [
      trial(1, 0.91, { 'learning-rate': 0.01, model: 'mlp' }),
      trial(2, 0.97, { 'learning-rate': 0.03, model: '<img src=x onerror=alert(1)>' }),
      trial(3, null, { 'learning-rate': 5, model: 'mlp' }),
      trial(4, 0.95, { 'learning-rate': 0.02, model: 'mlp' }),
      trial(5, 0.8, { 'learning-rate': 0.001, model: 'mlp' }),
      trial(6, 0.85, { 'learning-rate': 0.002, model: 'mlp' }),
      trial(7, 0.7, { 'learning-rate': 0.0001, model: 'mlp' }),
    ];
    const summary = summarise(
      { strategy: 'random', metric: 'accuracy', direction: 'higher', seed: 1, budget: 7 },
      'abc',
      outcomes,
    );
    expect(summary.trials.map((t) => t.trial)).toEqual([2, 4, 1, 6, 5, 7, 3]);
    writeFileSync(join(dir, 'search-summary.json'), JSON.stringify(summary));
    writeMetrics(dir, 'current.json', { accuracy: { value: 0.97, ci: [0.95, 0.99], n: 300 } });
    const result = await runCompareBaseline(
      {
        current: 'current.json',
        gate: 'none',
        allowMissingBaseline: true,
        failOnRegression: false,
        reportPath: 'out/compare.json',
        workingDirectory: dir,
        modelKey: 'penguins',
        searchSummary: 'search-summary.json',
      },
      { log: silentLog },
    );
    const comment = result.commentMarkdown;
    expect(comment).toContain('### Hyperparameter search (random, 7 trials)');
    expect(comment).toContain('Best: trial 2, `accuracy` = 0.97');
    const rows = comment.split('\n').filter((line) => /^\| \d+ \|/.test(line));
    expect(rows.map((r) => r.split('|')[1].trim())).toEqual(['2', '4', '1', '6', '5']);
    // In the table the value is escaped; in the best trial's line it is a code span, shown as text.
    expect(rows[0]).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(comment).toContain('`model` `<img src=x onerror=alert(1)>`');
    expect(comment.replace(/`[^`\n]*`/g, '')).not.toContain('<img');
  });

  it('refuses a summary whose fields are not what train writes', async () => {
    const dir = workdir();
    const bad = {
      schema: 'mlops-search/v1',
      metric: 'accuracy',
      direction: 'higher',
      strategy: 'random',
      best: null,
      trials: [{ ...trial(1, 0.9, {}), value: '<b>1</b>' }],
    };
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const error = await readSearchSummary(join(dir, 'bad.json')).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/is not a mlops-search\/v1 file/);
  });
});
