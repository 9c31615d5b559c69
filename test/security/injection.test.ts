/**
 * Untrusted text from a pull request's data goes through the built bundle (as a runner runs it) and
 * comes out as data: no markup in summaries, comments or issues, no workflow command in the log.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/server.js';
import { runStep, type StepResult } from '../harness/runner.js';
import { tallyFor } from '../reliability/record.js';
import { MARKUP_CASES, TEXT_CASES, WORKFLOW_COMMAND_CASES } from './corpus.js';
import { corpusMetrics, corpusWorkspace } from './fixtures.js';
import { markupProblems } from './markdown-checks.js';
import { commandsFromData, executedCommands } from './runner-commands.js';

const tally = tallyFor(import.meta.filename);
const TOKEN = 'write-token';
/** Strings that only data holds: an annotation or command carrying one was made by data. */
const PLANTED = ['owned', 'fake warning', 'evil.py', 'hidden', 'octo-org', '/tmp/evil', 'x.csv'];

let github: GitHubEmulator;
beforeAll(async () => {
  github = await startGitHubEmulator();
});
afterAll(async () => {
  await github.close();
});

function githubEnv(): Record<string, string> {
  return { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url };
}

function logProblems(result: StepResult): string[] {
  return commandsFromData([result.stdout, result.stderr], { token: TOKEN, planted: PLANTED }).map(
    (command) => `the runner would execute '${command.line}'`,
  );
}

function expectClean(label: string, problems: string[]): void {
  if (problems.length > 0) tally.problem(`${label}: ${problems.join('; ')}`);
  expect(problems, label).toEqual([]);
}

describe('checks that can fail (negative controls)', () => {
  it.each(MARKUP_CASES)('the markup check flags $kind pasted raw', ({ text }) => {
    const raw = `${text}\n\n| column | value |\n| --- | --- |\n| ${text.replace(/\n/g, ' ')} | 1 |\n`;
    expect(markupProblems(raw)).not.toEqual([]);
  });

  it.each(WORKFLOW_COMMAND_CASES)('the log check finds $kind printed without stop-commands', ({ text }) => {
    expect(executedCommands(text)).toHaveLength(1);
    // ...and nothing once the same text is fenced by stop-commands.
    const fenced = executedCommands(`::stop-commands::f00d\n${text}\n::f00d::`);
    expect(fenced.map((command) => command.name)).toEqual(['stop-commands']);
  });
});

describe('corpus through the bundle', () => {
  it('data-validate: column names and values from the corpus stay data', async () => {
    const workspace = corpusWorkspace(TEXT_CASES);
    const result = await runStep({
      action: 'actions/data-validate',
      workspace,
      with: { data: 'current.csv', schema: 'schema.yaml', reference: 'reference.csv', 'fail-on': 'never' },
      env: { GITHUB_TOKEN: TOKEN },
    });
    tally.badInput(TEXT_CASES.length * 2);
    expect(result.exitCode, result.stdout).toBe(0);
    // The corpus did reach the summary (escaped): otherwise the test would prove nothing.
    expect(result.summary).toContain('octocat');
    expect(result.summary).toContain('onerror');
    expectClean('data-validate summary', markupProblems(result.summary));
    expectClean('data-validate log', logProblems(result));
    expect(Object.keys(result.outputs).sort()).toEqual([
      'anomalies',
      'passed',
      'profile-path',
      'report-path',
      'rows',
    ]);
    expect(result.outputs.passed).toBe('true');
    expect(result.env).toEqual({});
    // The JSON report keeps the values verbatim: it is data, read by programs.
    const report = JSON.parse(readFileSync(result.outputs['report-path'], 'utf8')) as {
      anomalies: unknown[];
    };
    expect(JSON.stringify(report)).toContain(JSON.stringify(TEXT_CASES[0].text).slice(1, -1));
  });

  it('drift-check: the issue it opens and its summary carry the corpus as text', async () => {
    const workspace = corpusWorkspace(TEXT_CASES);
    const result = await runStep({
      action: 'actions/drift-check',
      workspace,
      with: { reference: 'reference.csv', current: 'current.csv', name: 'corpus', 'drift-share': '0.2' },
      env: githubEnv(),
    });
    tally.badInput(TEXT_CASES.length * 2);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.outputs['drift-detected']).toBe('true');
    expectClean('drift-check summary', markupProblems(result.summary));
    expectClean('drift-check log', logProblems(result));
    const issues = [...github.state.repo().issues.values()].filter((issue) => !issue.isPull);
    expect(issues).toHaveLength(1);
    expect(issues[0].body).toContain('octocat');
    expectClean('drift issue body', markupProblems(issues[0].body, { markers: 1 }));
    expectClean('drift issue title', markupProblems(issues[0].title));
  });

  it('compare-baseline: metric, slice and model names from the corpus in the sticky comment', async () => {
    const workspace = corpusWorkspace([]);
    corpusMetrics(workspace, TEXT_CASES);
    const pr = github.state.addPullRequest({ headSha: 'c'.repeat(40), title: MARKUP_CASES[0].text });
    const result = await runStep({
      action: 'actions/compare-baseline',
      workspace,
      with: { current: 'current.json', baseline: 'baseline.json', 'fail-on-regression': 'false' },
      env: githubEnv(),
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: pr.number, head: { sha: pr.headSha } } },
      },
    });
    tally.badInput(TEXT_CASES.length + 5);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const comments = [...github.state.repo().comments.values()].filter((c) => c.issueNumber === pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('octocat');
    expectClean('comparison comment', markupProblems(comments[0].body, { markers: 1 }));
    expectClean('comparison summary', markupProblems(result.summary));
    expectClean('compare-baseline log', logProblems(result));
    const checks = [...github.state.repo().checkRuns.values()] as {
      output?: { summary?: string; text?: string };
    }[];
    for (const check of checks)
      expectClean(
        'check run',
        markupProblems(`${check.output?.summary ?? ''}\n\n${check.output?.text ?? ''}`),
      );
  });

  it('a data file name with workflow commands is fenced in the log', async () => {
    for (const name of ['::set-output name=passed::x.csv', 'x ##[add-mask]octo-org.csv']) {
      const workspace = corpusWorkspace([]);
      const data = readFileSync(join(workspace, 'current.csv'));
      writeFileSync(join(workspace, name), data);
      const result = await runStep({
        action: 'actions/data-validate',
        workspace,
        with: { data: name },
        env: { GITHUB_TOKEN: TOKEN },
      });
      tally.badInput();
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.stdout).toContain(name);
      expectClean(`data file '${name}'`, logProblems(result));
    }
  });
});
