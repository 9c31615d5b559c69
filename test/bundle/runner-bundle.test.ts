import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runStep } from '../harness/runner.js';

describe('the bundle under runner conditions', () => {
  it('an unknown input is a warning naming it and the nearest valid input, as the runner itself warns', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-ws-'));
    writeFileSync(join(workspace, 'p.csv'), 'y_true,y_pred\n1,1\n0,0\n1,0\n0,0\n');
    const result = await runStep({
      action: 'actions/evaluate',
      workspace,
      with: { predictions: 'p.csv', bootstarp: 10, bootstrap: 0 },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    const warnings = result.annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain(
      "Unknown input 'bootstarp' for evaluate. Did you mean 'bootstrap'?",
    );
    expect(warnings[0].message).toContain('MLOPS_STRICT_INPUTS');
    expect(result.outputs['metrics-path']).toBe(join(workspace, 'mlops-reports/metrics.json'));
  });

  it('MLOPS_STRICT_INPUTS=true makes an unknown input fail with one ::error:: line', async () => {
    const result = await runStep({
      action: 'actions/evaluate',
      with: { bootstarp: 10 },
      env: { MLOPS_STRICT_INPUTS: 'true' },
    });
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain("Unknown input 'bootstarp'");
    expect(errors[0].message).toContain("Did you mean 'bootstrap'?");
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing required input is named', async () => {
    const result = await runStep({ action: 'actions/register', with: { model: 'model' } });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0].message).toContain("Input 'name' is required");
  });

  it('a wrong type is named with what was expected', async () => {
    const result = await runStep({
      action: 'actions/data-validate',
      with: { data: 'x.csv', 'infer-schema': 'yes' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0].message).toBe("Input 'infer-schema' must be true or false; got 'yes'.");
  });

  it('an invalid mlops.yml is reported with file, line and the nearest key, as an annotation', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-ws-'));
    writeFileSync(
      join(workspace, 'mlops.yml'),
      'name: penguins\nevaluate:\n  bootstrap: 100\n  confidance: 0.9\n',
    );
    const result = await runStep({ action: 'actions/evaluate', workspace, with: { predictions: 'p.csv' } });
    expect(result.exitCode).toBe(1);
    const [error] = result.annotations;
    expect(error.properties.file).toContain('mlops.yml');
    expect(error.properties.line).toBe('4');
    expect(error.message).toContain("unknown key 'confidance' in 'evaluate'. Did you mean 'confidence'?");
  });

  it('the root action picks the step from `command` and rejects an unknown one', async () => {
    const bad = await runStep({ action: '.', with: { command: 'evaluat' } });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations[0].message).toContain("Did you mean 'evaluate'?");
    const good = await runStep({ action: '.', with: { command: 'register', model: 'm' } });
    expect(good.annotations[0].message).toContain("Input 'name' is required");
  });

  it("the root action runs a step with that step's defaults, not another step's", async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-ws-'));
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 2 ? 'a' : 'b'}`);
    writeFileSync(join(workspace, 'data.csv'), `x,label\n${rows.join('\n')}\n`);
    const result = await runStep({
      action: '.',
      workspace,
      with: { command: 'drift-check', reference: 'data.csv', current: 'data.csv', 'open-issue': 'false' },
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['drift-detected']).toBe('false');
    // The root action.yml fills `report` with data-validate's default; drift-check's own must apply.
    expect(result.outputs['report-path']).toBe(join(workspace, 'mlops-reports/drift.json'));
  });

  it('starts from a copy of dist/ in an empty folder, without node_modules', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mlops-action-copy-'));
    cpSync(join(REPO_ROOT, 'dist'), join(root, 'dist'), { recursive: true });
    mkdirSync(join(root, 'actions/evaluate'), { recursive: true });
    cpSync(join(REPO_ROOT, 'actions/evaluate/action.yml'), join(root, 'actions/evaluate/action.yml'));
    const result = await runStep({
      action: 'actions/evaluate',
      actionRoot: root,
      with: { confidance: '0.9' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.find((a) => a.level === 'warning')?.message).toContain(
      "Unknown input 'confidance' for evaluate. Did you mean 'confidence'?",
    );
  });
});
