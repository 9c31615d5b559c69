/**
 * Executes a workflow job's steps in order the way a runner would, for the suite's own steps:
 * `with:` values get their `${{ }}` expressions evaluated (steps.<id>.outputs.<name>, github.*,
 * env.*), each suite step runs through `runStep` (the built bundle in a child process), outputs are
 * wired to later steps, and a failed step skips the rest unless `if: always()`. A step `if:` the
 * harness cannot evaluate throws rather than being skipped (stepShouldRun). A test runs a
 * matrix job once per entry (`matrix.*`) and hands on the outputs of jobs it needs (`needs.*`,
 * from `jobOutputs`). Steps of other
 * actions (checkout, upload-artifact) are reported as skipped: the test sets up their effect.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runStep, type StepOptions, type StepResult } from './runner.js';

export interface WorkflowStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  'continue-on-error'?: boolean;
  with?: Record<string, string | number | boolean>;
}

export interface JobRun {
  steps: { id: string; uses: string; skipped: boolean; result?: StepResult }[];
  failed: boolean;
}

export interface JobContext {
  workspace: string;
  github: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  event: { name: string; payload: Record<string, unknown> };
  /** The runner's own folders (`runner.temp`), shared by the job's steps as on a runner. */
  runner?: { temp: string };
  /** This job's matrix values (`matrix.*`), for one job of a matrix. */
  matrix?: Record<string, unknown>;
  /** Outputs of the jobs this one needs (`needs.<job>.outputs.*`). */
  needs?: Record<string, { outputs: Record<string, string> }>;
  /** Runs each suite step; default the built bundle (`runStep`), or e.g. `runSourceStep`. */
  runStep?: (options: StepOptions) => Promise<StepResult>;
}

export interface WorkflowJob {
  needs?: string | string[];
  outputs?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: WorkflowStep[];
}

const SUITE = /^[\w.-]+\/mlops-actions\/actions\/([a-z-]+)@/;

function lookup(path: string, scope: Record<string, unknown>): unknown {
  let value: unknown = scope;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * Evaluates the expressions the example workflows use: property lookups (`steps.x.outputs.y`),
 * string literals, and `||` (the first operand that is not empty), as GitHub evaluates them.
 */
export function evaluateExpressions(text: string, scope: Record<string, unknown>): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => {
    for (const operand of expression.split('||').map((o) => o.trim())) {
      const literal = /^'(.*)'$/.exec(operand);
      const value = literal ? literal[1] : lookup(operand, scope);
      if (value !== undefined && value !== null && value !== '') return String(value);
    }
    return '';
  });
}

export function readJob(file: string, job: string): WorkflowStep[] {
  return readWorkflowJob(file, job).steps;
}

export function readWorkflowJob(file: string, job: string): WorkflowJob {
  const doc = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, WorkflowJob> };
  const found = doc.jobs[job];
  if (!found) throw new Error(`${file} has no job '${job}'`);
  return found;
}

/** A job's `outputs:`, evaluated against its steps' outputs as the runner does when the job ends. */
export function jobOutputs(job: WorkflowJob, run: JobRun): Record<string, string> {
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  for (const step of run.steps) steps[step.id] = { outputs: step.result?.outputs ?? {} };
  const out: Record<string, string> = {};
  for (const [name, expression] of Object.entries(job.outputs ?? {}))
    out[name] = evaluateExpressions(expression, { steps });
  return out;
}

/**
 * Whether a step runs, for the status functions GitHub documents: no condition or `success()`
 * (only while no step failed), `always()`, `failure()` (only after a failure), `cancelled()` and
 * `!cancelled()` (a harness run is never cancelled). Any other condition throws: skipping it
 * silently would hide the very steps a test means to run.
 */
export function stepShouldRun(condition: string | undefined, failed: boolean, where: string): boolean {
  const expression = condition
    ?.trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
  switch (expression) {
    case undefined:
    case '':
    case 'success()':
      return !failed;
    case 'always()':
    case '!cancelled()':
      return true;
    case 'failure()':
      return failed;
    case 'cancelled()':
      return false;
    default:
      throw new Error(
        `${where}: the workflow harness cannot evaluate the step condition 'if: ${condition}'; extend stepShouldRun in test/harness/workflow.ts`,
      );
  }
}

export async function runJob(steps: WorkflowStep[], context: JobContext): Promise<JobRun> {
  const outputs: Record<string, { outputs: Record<string, string> }> = {};
  const run: JobRun = { steps: [], failed: false };
  for (const [index, step] of steps.entries()) {
    const id = step.id ?? `step-${index}`;
    const match = SUITE.exec(step.uses ?? '');
    const shouldRun = stepShouldRun(
      step.if,
      run.failed,
      `step ${index + 1} (${step.name ?? step.uses ?? id})`,
    );
    if (!match || !shouldRun) {
      run.steps.push({ id, uses: step.uses ?? 'run', skipped: true });
      continue;
    }
    const scope = {
      steps: outputs,
      github: context.github,
      env: context.env ?? {},
      runner: context.runner ?? {},
      matrix: context.matrix ?? {},
      needs: context.needs ?? {},
    };
    const withValues: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.with ?? {}))
      withValues[key] = evaluateExpressions(String(value), scope);
    const result = await (context.runStep ?? runStep)({
      action: `actions/${match[1]}`,
      with: withValues,
      workspace: context.workspace,
      env: context.runner ? { ...context.env, RUNNER_TEMP: context.runner.temp } : context.env,
      event: context.event,
    });
    outputs[id] = { outputs: result.outputs };
    run.steps.push({ id, uses: step.uses ?? '', skipped: false, result });
    if (result.exitCode !== 0 && step['continue-on-error'] !== true) run.failed = true;
    // A failed step with continue-on-error exposes no outputs, as on GitHub.
    if (result.exitCode !== 0) outputs[id] = { outputs: {} };
  }
  return run;
}
