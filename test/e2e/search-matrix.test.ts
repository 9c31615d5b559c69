/**
 * workflows-examples/hyperparameter-search.yml through the runner harness: the plan job's output
 * becomes the matrix, three trial jobs each train one trial in their own workspace, and the
 * select-best job gets their folders the way download-artifact lays them out and picks the best.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SearchSummary, TrialOutcome } from '../../shared/src/search/run-search.js';
import { REPO_ROOT } from '../harness/runner.js';
import { type JobContext, jobOutputs, readWorkflowJob, runJob } from '../harness/workflow.js';
import { runSourceStep } from '../reliability/source-step.js';

const WORKFLOW = join(REPO_ROOT, 'workflows-examples/hyperparameter-search.yml');

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'search-matrix-'));
  cpSync(join(REPO_ROOT, 'node_modules/vega-datasets/data/penguins.json'), join(root, 'penguins.json'));
  writeFileSync(
    join(root, 'mlops.yml'),
    [
      'name: penguins',
      'data: penguins.json',
      'target: Species',
      'train:',
      '  epochs: 3',
      '  cache: false',
      '  gpu: "off"',
      'search:',
      '  strategy: random',
      '  budget: 3',
      '  seed: 5',
      '  metric: accuracy',
      '  parameters:',
      '    learning-rate: {log-uniform: [0.003, 0.1]}',
      '    batch-size: {choices: [16, 32, 64]}',
      '',
    ].join('\n'),
  );
  return root;
}

const context = (workspace: string, extra: Partial<JobContext> = {}): JobContext => ({
  workspace,
  github: { repository: 'octo-org/models' },
  event: { name: 'workflow_dispatch', payload: {} },
  runStep: runSourceStep,
  ...extra,
});

describe('hyperparameter-search.yml', () => {
  it('plans 3 trials, trains each in its own matrix job, and select-best picks the best trial', async () => {
    const repo = checkout();
    const planJob = readWorkflowJob(WORKFLOW, 'plan');
    const planRun = await runJob(planJob.steps, context(repo));
    expect(planRun.failed, planRun.steps.map((s) => s.result?.stdout).join('\n')).toBe(false);
    const planOutputs = jobOutputs(planJob, planRun);
    const trialJob = readWorkflowJob(WORKFLOW, 'trial');
    expect(trialJob.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.plan) }}');
    const matrix = JSON.parse(planOutputs.plan) as { trial: number[] };
    expect(matrix).toEqual({ trial: [1, 2, 3] });

    const bestWorkspace = join(mkdtempSync(join(tmpdir(), 'search-best-')), 'ws');
    cpSync(repo, bestWorkspace, { recursive: true });
    const outcomes: TrialOutcome[] = [];
    for (const trial of matrix.trial) {
      const workspace = join(mkdtempSync(join(tmpdir(), 'search-trial-')), 'ws');
      cpSync(repo, workspace, { recursive: true });
      const run = await runJob(trialJob.steps, context(workspace, { matrix: { trial } }));
      expect(run.failed, run.steps.map((s) => `${s.result?.stdout}\n${s.result?.stderr}`).join('\n')).toBe(
        false,
      );
      const train = run.steps.find((s) => s.id === 'train')!;
      expect(train.result?.outputs['trial-status']).toBe('finished');
      // upload-artifact's effect: the trial folder, as download-artifact lays it out.
      const folder = join(workspace, 'mlops-artifacts/model/trials', `trial-${trial}`);
      const artifact = join(bestWorkspace, 'trials', `trial-${trial}`);
      mkdirSync(artifact, { recursive: true });
      for (const file of [
        'trial.json',
        'model.json',
        'weights.bin',
        'preprocessing.json',
        'training-metrics.json',
      ])
        cpSync(join(folder, file), join(artifact, file));
      outcomes.push(JSON.parse(readFileSync(join(folder, 'trial.json'), 'utf8')) as TrialOutcome);
    }
    expect(outcomes.map((o) => o.trial)).toEqual([1, 2, 3]);

    const bestJob = readWorkflowJob(WORKFLOW, 'select-best');
    const bestRun = await runJob(bestJob.steps, context(bestWorkspace));
    const best = bestRun.steps.find((s) => s.id === 'best')!;
    expect(best.result?.exitCode, best.result?.stdout).toBe(0);
    const expected = [...outcomes].sort(
      (a, b) => (b.value as number) - (a.value as number) || a.trial - b.trial,
    )[0];
    expect(Number(best.result?.outputs['best-trial'])).toBe(expected.trial);
    expect(JSON.parse(best.result?.outputs['best-params'] ?? '')).toEqual(expected.params);
    expect(best.result?.outputs['model-path']).toBe(
      join(bestWorkspace, 'trials', `trial-${expected.trial}`, 'model.json'),
    );
    const summary = JSON.parse(readFileSync(best.result!.outputs['search-summary'], 'utf8')) as SearchSummary;
    expect(summary.trials.map((t) => t.trial)).toHaveLength(3);
    expect(best.result?.summary).toContain(`Best: trial ${expected.trial}`);
  }, 300_000);
});
