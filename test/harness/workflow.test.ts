/**
 * The workflow harness evaluates a step's `if:` or throws: a condition it cannot evaluate used to
 * skip the step silently, so a test could pass without running the step it was about.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './runner.js';
import { runJob, stepShouldRun } from './workflow.js';

describe('stepShouldRun', () => {
  it('evaluates the status functions, with or without ${{ }}', () => {
    expect([undefined, 'success()', '${{ success() }}'].map((c) => stepShouldRun(c, false, 's'))).toEqual([
      true,
      true,
      true,
    ]);
    expect([undefined, 'success()'].map((c) => stepShouldRun(c, true, 's'))).toEqual([false, false]);
    expect(stepShouldRun('always()', true, 's')).toBe(true);
    expect(stepShouldRun('${{ !cancelled() }}', true, 's')).toBe(true);
    expect(stepShouldRun('failure()', true, 's')).toBe(true);
    expect(stepShouldRun('failure()', false, 's')).toBe(false);
    expect(stepShouldRun('cancelled()', true, 's')).toBe(false);
  });

  it('throws on a condition it cannot evaluate, naming the step and the condition', () => {
    expect(() => stepShouldRun("steps.gate.outputs.passed == 'true'", false, 'step 3 (compare)')).toThrow(
      "step 3 (compare): the workflow harness cannot evaluate the step condition 'if: steps.gate.outputs.passed == 'true''",
    );
    expect(() => stepShouldRun("${{ github.event_name == 'push' }}", false, 'step 1')).toThrow(
      /cannot evaluate/,
    );
  });

  it('runJob refuses a job with such a step instead of skipping it', async () => {
    const steps = [
      { uses: 'actions/checkout@v4' },
      { if: "github.ref == 'refs/heads/main'", uses: 'o/mlops-actions/actions/register@v1' },
    ];
    await expect(
      runJob(steps, {
        workspace: REPO_ROOT,
        github: {},
        event: { name: 'push', payload: {} },
        runStep: () => {
          throw new Error('no step should run');
        },
      }),
    ).rejects.toThrow(/step 2 .*cannot evaluate/);
  });

  it('every step condition in workflows-examples/ is one it evaluates', () => {
    const dir = join(REPO_ROOT, 'workflows-examples');
    let conditions = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml'))) {
      const doc = parse(readFileSync(join(dir, file), 'utf8')) as {
        jobs: Record<string, { steps?: { if?: string }[] }>;
      };
      for (const [job, { steps = [] }] of Object.entries(doc.jobs))
        steps.forEach((step, i) => {
          if (step.if === undefined) return;
          conditions++;
          expect(() => stepShouldRun(step.if, false, `${file} ${job} step ${i + 1}`)).not.toThrow();
        });
    }
    expect(conditions).toBeGreaterThan(0);
  });
});
