/**
 * workflows-examples/sharded-profile.yml through the runner harness: the plan job's output becomes
 * the matrix, one profile job per shard runs in its own workspace (a checkout of the data), the
 * merge job gets the shard profiles the way download-artifact lays them out, merges them, then
 * validates new data and checks drift against the merged profile. The merged profile must equal a
 * single-pass profile of all the shards: exact fields bit for bit.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ColumnProfile, DatasetProfile } from '../../shared/src/data/profile-format.js';
import { REPO_ROOT } from '../harness/runner.js';
import { type JobContext, jobOutputs, readWorkflowJob, runJob } from '../harness/workflow.js';
import { runSourceStep } from '../reliability/source-step.js';

const WORKFLOW = join(REPO_ROOT, 'workflows-examples/sharded-profile.yml');
const SHARDS = 4;

/** The repository the workflow checks out: Seattle weather 2012-2015 in four shard files. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'sharded-profile-'));
  const [header, ...rows] = readFileSync(
    join(REPO_ROOT, 'node_modules/vega-datasets/data/seattle-weather.csv'),
    'utf8',
  )
    .trim()
    .split('\n');
  mkdirSync(join(root, 'data/events'), { recursive: true });
  mkdirSync(join(root, 'data/incoming'), { recursive: true });
  const size = Math.ceil(rows.length / SHARDS);
  for (let i = 0; i < SHARDS; i++)
    writeFileSync(
      join(root, `data/events/part-${i + 1}.csv`),
      `${[header, ...rows.slice(i * size, (i + 1) * size)].join('\n')}\n`,
    );
  // New data: every fifth day, drawn from the same years.
  writeFileSync(
    join(root, 'data/incoming/events.csv'),
    `${[header, ...rows.filter((_, i) => i % 5 === 0)].join('\n')}\n`,
  );
  writeFileSync(
    join(root, 'data/events.schema.yaml'),
    [
      'schema: mlops-schema/v1',
      'table:',
      '  min_rows: 100',
      '  extra_columns: error',
      'columns:',
      '  date:',
      '    type: datetime',
      '  precipitation:',
      '    type: numeric',
      '    min: 0',
      '  temp_max:',
      '    type: numeric',
      '  temp_min:',
      '    type: numeric',
      '  wind:',
      '    type: numeric',
      '    min: 0',
      '  weather:',
      '    type: categorical',
      '    allowed_values: [drizzle, rain, sun, snow, fog]',
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

/**
 * The fields mergeProfiles keeps exact. Distinct counts and top values are exact while the merged
 * profile says so (`distinct_exact`, `top_values_complete`); beyond MAX_TRACKED_VALUES they are
 * estimates and compared apart. Moments and quantiles are checked separately.
 */
function exactFields(column: ColumnProfile, merged: ColumnProfile) {
  return {
    name: column.name,
    type: column.type,
    physical_type: column.physical_type,
    rows: column.rows,
    nulls: column.nulls,
    nan: column.nan,
    pos_inf: column.pos_inf,
    neg_inf: column.neg_inf,
    distinct: merged.distinct_exact ? column.distinct : 'estimated',
    top_values: merged.top_values_complete ? column.top_values : 'partial',
    numeric: column.numeric && {
      count: column.numeric.count,
      min: column.numeric.min,
      max: column.numeric.max,
      histogram: column.numeric.histogram,
    },
    datetime: column.datetime,
    text: column.text && { min_length: column.text.min_length, max_length: column.text.max_length },
  };
}

describe('sharded-profile.yml', () => {
  it('plans 4 shards, profiles each in its own job, merges them exactly, and checks new data against the merge', async () => {
    const repo = checkout();
    const planJob = readWorkflowJob(WORKFLOW, 'plan');
    const planRun = await runJob(planJob.steps, context(repo));
    expect(planRun.failed).toBe(false);
    const planOutputs = jobOutputs(planJob, planRun);
    const profileJob = readWorkflowJob(WORKFLOW, 'profile');
    expect(profileJob.strategy?.matrix?.include).toBe('${{ fromJSON(needs.plan.outputs.plan) }}');
    const matrix = JSON.parse(planOutputs.plan) as { shard: number; of: number; data: string }[];
    expect(matrix).toEqual([1, 2, 3, 4].map((n) => ({ shard: n, of: 4, data: `data/events/part-${n}.csv` })));

    // The merge job's checkout, with each shard's profile artifact downloaded into its own folder.
    const mergeWorkspace = join(mkdtempSync(join(tmpdir(), 'sharded-merge-')), 'ws');
    cpSync(repo, mergeWorkspace, { recursive: true });
    for (const entry of matrix) {
      const workspace = join(mkdtempSync(join(tmpdir(), 'sharded-shard-')), 'ws');
      cpSync(repo, workspace, { recursive: true });
      const run = await runJob(
        profileJob.steps,
        context(workspace, { matrix: entry, needs: { plan: { outputs: planOutputs } } }),
      );
      expect(run.failed, run.steps.map((s) => s.result?.stdout).join('\n')).toBe(false);
      const artifact = join(mergeWorkspace, `profiles/profile-shard-${entry.shard}`);
      mkdirSync(artifact, { recursive: true });
      cpSync(join(workspace, `profiles/shard-${entry.shard}/profile.json`), join(artifact, 'profile.json'));
    }

    const mergeJob = readWorkflowJob(WORKFLOW, 'merge');
    const mergeRun = await runJob(
      mergeJob.steps,
      context(mergeWorkspace, { needs: { plan: { outputs: planOutputs } } }),
    );
    const byId = Object.fromEntries(mergeRun.steps.map((s) => [s.id, s]));
    expect(byId.merge.result?.exitCode, byId.merge.result?.stdout).toBe(0);
    expect(byId.merge.result?.summary).toContain('| shards | 4 |');
    const merged = JSON.parse(
      readFileSync(join(mergeWorkspace, 'mlops-reports/events-profile.json'), 'utf8'),
    ) as DatasetProfile;

    // The single pass over all four files, for comparison.
    const whole = await runSourceStep({
      action: 'actions/data-validate',
      workspace: join(mkdtempSync(join(tmpdir(), 'sharded-whole-')), 'ws'),
      with: { data: join(repo, 'data/events/part-*.csv'), profile: 'whole.json' },
    });
    expect(whole.exitCode, whole.stdout).toBe(0);
    const single = JSON.parse(readFileSync(join(whole.workspace, 'whole.json'), 'utf8')) as DatasetProfile;

    expect(merged.rows).toBe(single.rows);
    expect(merged.rows).toBe(1461);
    expect(merged.parts).toBe(4);
    expect(merged.columns.map((c) => c.name)).toEqual(single.columns.map((c) => c.name));
    expect(merged.columns.map((c) => exactFields(c, c))).toEqual(
      single.columns.map((c, i) => exactFields(c, merged.columns[i])),
    );
    // Only the date column (1461 distinct days) passes MAX_TRACKED_VALUES; its shards are
    // all-distinct, so the merge adds their counts, which here is the true count.
    expect(merged.columns.filter((c) => !c.distinct_exact).map((c) => c.name)).toEqual(['date']);
    expect(merged.columns[0].distinct).toBe(single.columns[0].distinct);
    // Means and spreads combine by Chan's formula: equal up to floating-point rounding.
    for (const [i, column] of merged.columns.entries()) {
      const a = column.numeric;
      const b = single.columns[i].numeric;
      if (!a || !b) continue;
      expect(a.mean!).toBeCloseTo(b.mean!, 10);
      expect(a.std!).toBeCloseTo(b.std!, 10);
      expect(Math.abs(a.m2 - b.m2) / b.m2).toBeLessThan(1e-12);
    }

    // New data validated and checked for drift against the merged profile.
    expect(byId.validate.result?.exitCode, byId.validate.result?.stdout).toBe(0);
    const validation = JSON.parse(
      readFileSync(join(mergeWorkspace, 'mlops-reports/data-validation.json'), 'utf8'),
    );
    expect(validation.skew.reference).toContain('events-profile.json');
    expect(byId.drift.result?.exitCode, byId.drift.result?.stdout).toBe(0);
    expect(byId.drift.result?.outputs['drift-detected']).toBe('false');
  }, 300_000);

  it('names the shard whose profile is missing from the merge', async () => {
    const repo = checkout();
    const planJob = readWorkflowJob(WORKFLOW, 'plan');
    const planOutputs = jobOutputs(planJob, await runJob(planJob.steps, context(repo)));
    const profileJob = readWorkflowJob(WORKFLOW, 'profile');
    // Shard 3's job "failed": only 1, 2 and 4 uploaded a profile.
    for (const entry of (JSON.parse(planOutputs.plan) as { shard: number; data: string }[]).filter(
      (e) => e.shard !== 3,
    )) {
      const run = await runJob(profileJob.steps, context(repo, { matrix: entry }));
      expect(run.failed).toBe(false);
      cpSync(
        join(repo, `profiles/shard-${entry.shard}`),
        join(repo, `downloaded/profile-shard-${entry.shard}`),
        {
          recursive: true,
        },
      );
    }
    rmSync(join(repo, 'profiles'), { recursive: true });
    const merge = await runSourceStep({
      action: 'actions/data-validate',
      workspace: repo,
      with: {
        'merge-profiles': 'downloaded/*/profile.json',
        'merge-plan': planOutputs.plan,
        profile: 'merged.json',
      },
    });
    expect(merge.exitCode).toBe(1);
    expect(merge.annotations.map((a) => a.message)).toEqual([
      '1 of 4 planned shards have no profile among merge-profiles: shard 3 (data/events/part-3.csv). Did its job fail, or its artifact not download?',
    ]);
  }, 300_000);
});
