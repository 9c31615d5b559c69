/**
 * MAPE with true values of 0: the value stays scikit-learn's (golden case regression_zeros_in_target,
 * test/golden/metrics.py: 9.7e14, each 0 divided by 2.2e-16), but evaluate says beside it, in
 * metrics.json, the step summary, the HTML report and the log, how many true values are 0 and that
 * MAPE is not meaningful then. On the old code the 9.7e14 stood there without a word (trial2
 * defect 9: weather temp_max, 3 zeros in 584 rows, MAPE 6.4e13). A 0 predicted exactly spoils
 * nothing (regression_even_median): no caveat there.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvaluate } from '../../../shared/src/evaluate/run.js';
import { memoryLog } from '../../../shared/src/logging/index.js';
import golden from '../../fixtures/golden/metrics.json' with { type: 'json' };

const work = mkdtempSync(join(tmpdir(), 'evaluate-mape-zeros-'));

type Case = { name: string; y_true: number[]; y_pred: number[]; expected: Record<string, number | null> };
const cases = (golden as unknown as { cases: Case[] }).cases;

async function evaluateCase(name: string) {
  const c = cases.find((k) => k.name === name)!;
  const file = join(work, `${name}.csv`);
  writeFileSync(file, `y_true,y_pred\n${c.y_true.map((y, i) => `${y},${c.y_pred[i]}`).join('\n')}\n`);
  const log = memoryLog();
  const result = await runEvaluate(
    {
      predictions: file,
      task: 'regression',
      metrics: ['mape', 'mae'],
      bootstrap: 50,
      confidence: 0.95,
      seed: 1,
      latency: false,
      slices: [],
      output: join(name, 'metrics.json'),
      workingDirectory: work,
    },
    log,
  );
  return { c, result, log };
}

describe('MAPE with true values of 0', () => {
  it("keeps scikit-learn's value and says beside it how many true values are 0", async () => {
    const { c, result, log } = await evaluateCase('regression_zeros_in_target');
    const zeros = c.y_true.filter((y) => y === 0).length;
    expect(zeros).toBe(11);
    const mape = result.metrics.metrics.mape!;
    expect(Math.abs(mape.value! - c.expected.mape!) / c.expected.mape!).toBeLessThan(1e-12);
    const said = `${zeros} of ${c.y_true.length} true values are 0`;
    expect(mape.note).toContain(said);
    expect(mape.note).toContain('not meaningful');
    expect(result.metrics.metrics.mae!.note).toBeUndefined();
    const written = JSON.parse(readFileSync(result.metricsPath, 'utf8'));
    expect(written.metrics.mape.note).toBe(mape.note);
    expect(written.notes.some((n: string) => n.includes(said))).toBe(true);
    const row = result.summaryMarkdown.split('\n').find((l) => l.startsWith('| mape |'))!;
    expect(row).toContain(said);
    expect(readFileSync(result.reportPath, 'utf8')).toContain(said);
    expect(log.lines.some((l) => l.level === 'warning' && l.message.includes(said))).toBe(true);
  });

  it('says nothing when every 0 is predicted exactly (it adds 0 to MAPE)', async () => {
    const { c, result } = await evaluateCase('regression_even_median');
    expect(c.y_true.filter((y) => y === 0).length).toBe(1);
    expect(result.metrics.metrics.mape!.value).toBeCloseTo(c.expected.mape!, 12);
    expect(result.metrics.metrics.mape!.note).toBeUndefined();
    expect(result.summaryMarkdown).not.toContain('not meaningful');
  });
});
