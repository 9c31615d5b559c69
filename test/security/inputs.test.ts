/**
 * Hostile inputs through the bundle: shell metacharacters in `command`, names that climb out of
 * their folder, zip-slip entries in a downloaded artifact, YAML bombs and huge YAML files. Each is
 * refused with one clear message or kept as a literal, and nothing is written outside the folder.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep, type StepResult } from '../harness/runner.js';
import { tallyFor } from '../reliability/record.js';
import { hugeYaml, schemaYamlBomb, shellCases, TRAVERSAL_NAMES, yamlBomb } from './corpus.js';

const tally = tallyFor(import.meta.filename);

function sandbox(): { root: string; workspace: string } {
  // The workspace sits two levels down so that `../../x` would still land inside `root`.
  const root = mkdtempSync(join(tmpdir(), 'mlops-sandbox-'));
  const workspace = join(root, 'a', 'workspace');
  mkdirSync(workspace, { recursive: true });
  return { root, workspace };
}

/** Every file under `root` outside `workspace` (there should be none). */
function strayFiles(root: string, workspace: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[])
    .map((entry) => join(root, entry))
    .filter((path) => !path.startsWith(workspace) && path !== dirname(workspace));
}

function expectOneClearError(result: StepResult, pattern: RegExp): void {
  expect(result.exitCode).toBe(1);
  const errors = result.annotations.filter((annotation) => annotation.level === 'error');
  expect(errors, result.stdout).toHaveLength(1);
  expect(errors[0].message).toMatch(pattern);
  expect(errors[0].message).not.toMatch(/This is a bug|Cannot read properties/);
  expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
}

describe('shell injection', () => {
  it('train runs `command` as argv: metacharacters reach the program as literal words', async () => {
    const { workspace } = sandbox();
    const marker = join(tmpdir(), `pwned-${randomBytes(6).toString('hex')}`);
    writeFileSync(
      join(workspace, 'show-args.mjs'),
      "import { writeFileSync } from 'node:fs';\nwriteFileSync('argv.json', JSON.stringify(process.argv.slice(2)));\n",
    );
    const cases = shellCases(marker);
    // Quoted so each case is one argument; the newline case stays a literal line break.
    const quoted = cases.map((c) => `'${c.text}'`).join(' ');
    const result = await runStep({
      action: 'actions/train',
      workspace,
      with: { command: `node show-args.mjs ${quoted} $(touch ${marker}-bare) ; touch ${marker}-bare2` },
    });
    tally.badInput(cases.length + 2);
    expect(result.exitCode, result.stdout).toBe(0);
    const argv = JSON.parse(readFileSync(join(workspace, 'argv.json'), 'utf8')) as string[];
    expect(argv.slice(0, cases.length)).toEqual(cases.map((c) => c.text));
    expect(argv.slice(cases.length)).toEqual(['$(touch', `${marker}-bare)`, ';', 'touch', `${marker}-bare2`]);
    const pwned = readdirSync(tmpdir()).filter((name) => name.startsWith(marker.split('/').pop()!));
    expect(pwned).toEqual([]);
  });
});

describe('path traversal', () => {
  it.each(TRAVERSAL_NAMES.filter((c) => !c.text.includes('\u0000')))(
    'register refuses the model name $kind',
    async ({ text }) => {
      const { root, workspace } = sandbox();
      writeFileSync(join(workspace, 'model.onnx'), 'not really a model');
      const result = await runStep({
        action: 'actions/register',
        workspace,
        with: { model: 'model.onnx', name: text },
      });
      tally.badInput();
      expectOneClearError(result, /model name/i);
      expect(strayFiles(root, workspace)).toEqual([]);
      expect(existsSync(join(workspace, '.mlops/registry/models'))).toBe(false);
    },
  );

  it.each(TRAVERSAL_NAMES.filter((c) => !c.text.includes('\u0000')))(
    'deploy refuses the model reference $kind@production',
    async ({ text }) => {
      const { root, workspace } = sandbox();
      const result = await runStep({
        action: 'actions/deploy',
        workspace,
        with: { model: `${text}@production`, target: 'tfserving-dir', path: 'serving' },
      });
      tally.badInput();
      expectOneClearError(result, /model|name/i);
      expect(strayFiles(root, workspace)).toEqual([]);
    },
  );

  it('train keeps a traversal artifact-name inside the local artifact store', async () => {
    const { root, workspace } = sandbox();
    writeFileSync(
      join(workspace, 'noop.mjs'),
      "import { writeFileSync } from 'node:fs';\nwriteFileSync(process.env.MLOPS_OUTPUT_DIR + '/model.txt', 'm');\n",
    );
    for (const { text } of TRAVERSAL_NAMES.filter((c) => !c.text.includes('\u0000'))) {
      const result = await runStep({
        action: 'actions/train',
        workspace,
        with: { command: 'node noop.mjs', 'artifact-name': text },
      });
      tally.badInput();
      // Either refused with a clear message or stored under an encoded name inside the store.
      if (result.exitCode !== 0) expectOneClearError(result, /artifact/i);
    }
    expect(strayFiles(root, workspace)).toEqual([]);
    expect(existsSync('/etc/evil')).toBe(false);
  });
});

describe('zip-slip', () => {
  let github: GitHubEmulator;
  beforeAll(async () => {
    github = await startGitHubEmulator();
  });
  afterAll(async () => {
    await github.close();
  });

  it('a baseline artifact whose entries climb out is read in memory, never extracted', async () => {
    const { root, workspace } = sandbox();
    const metrics = (value: number) =>
      JSON.stringify({
        schema: 'mlops-metrics/v1',
        task: 'binary_classification',
        model: { name: 'm', path: 'm.onnx', digest: 'sha256:0' },
        metrics: { accuracy: { value, n: 100 } },
      });
    const runId = github.state.addWorkflowRun({
      branch: 'main',
      headSha: 'd'.repeat(40),
      conclusion: 'success',
    });
    const entries: Record<string, string> = {};
    for (const { text } of TRAVERSAL_NAMES) entries[`${text.replace(/\u0000/g, '')}.json`] = metrics(0.9);
    github.state.addArtifact(runId, 'metrics', entries);
    writeFileSync(join(workspace, 'current.json'), metrics(0.91));
    const result = await runStep({
      action: 'actions/compare-baseline',
      workspace,
      with: { current: 'current.json', baseline: 'branch:main', comment: 'false', check: 'false' },
      env: { GITHUB_TOKEN: 'write-token', GITHUB_API_URL: github.url },
    });
    tally.badInput(TRAVERSAL_NAMES.length);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.summary).toContain('0.9');
    expect(strayFiles(root, workspace)).toEqual([]);
    expect(existsSync('/etc/passwd.json')).toBe(false);
  });
});

describe('YAML bombs and huge files', () => {
  const bomb = yamlBomb();
  const cases: {
    label: string;
    file: string;
    text: string;
    action: string;
    with: Record<string, string>;
    expect: RegExp;
  }[] = [
    {
      label: 'mlops.yml alias bomb',
      file: 'mlops.yml',
      text: `name: m\n${bomb}`,
      action: 'actions/evaluate',
      with: { predictions: 'p.csv' },
      expect: /mlops\.yml.*alias/i,
    },
    {
      label: 'mlops.yml over 1 MiB',
      file: 'mlops.yml',
      text: hugeYaml('name: m', 1024 * 1024 + 10),
      action: 'actions/evaluate',
      with: { predictions: 'p.csv' },
      expect: /mlops\.yml.*bytes.*limited/i,
    },
    {
      label: 'schema.yaml alias bomb',
      file: 'schema.yaml',
      text: schemaYamlBomb(),
      action: 'actions/data-validate',
      with: { data: 'd.csv', schema: 'schema.yaml' },
      expect: /schema\.yaml.*allowed_values/i,
    },
    {
      label: 'schema.yaml over 1 MiB',
      file: 'schema.yaml',
      text: hugeYaml('columns:\n  x: { type: numeric }', 1024 * 1024 + 10),
      action: 'actions/data-validate',
      with: { data: 'd.csv', schema: 'schema.yaml' },
      expect: /schema\.yaml.*bytes.*limited/i,
    },
    {
      label: 'thresholds input alias bomb',
      file: 'unused.txt',
      text: '',
      action: 'actions/compare-baseline',
      with: { current: 'current.json', thresholds: bomb, comment: 'false', check: 'false' },
      expect: /thresholds.*alias/i,
    },
  ];

  it.each(cases)('$label is refused quickly with a clear message', async (c) => {
    const { workspace } = sandbox();
    writeFileSync(join(workspace, c.file), c.text);
    writeFileSync(join(workspace, 'd.csv'), 'x\n1\n2\n');
    writeFileSync(
      join(workspace, 'current.json'),
      JSON.stringify({
        schema: 'mlops-metrics/v1',
        task: 'binary_classification',
        model: { name: 'm', path: 'm', digest: 'sha256:0' },
        metrics: { accuracy: { value: 0.9, n: 10 } },
      }),
    );
    const started = Date.now();
    const result = await runStep({ action: c.action, workspace, with: c.with, timeoutMs: 30_000 });
    tally.badInput();
    expect(Date.now() - started).toBeLessThan(20_000);
    expectOneClearError(result, c.expect);
  });
});
