import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DriftCheckResult, runDriftCheck } from '../../../shared/src/drift/index.js';
import { silentLog } from '../../../shared/src/logging/index.js';
import { publishDrift } from '../../../shared/src/platform/github/drift-issue.js';
import { validateResponse } from '../../emulators/github/openapi.js';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/server.js';
import { seattleSubset, tempDir } from '../../unit/drift/helpers.js';
import { helperFor } from '../github/fixtures.js';

/**
 * The drift issue lifecycle against the GitHub emulator with the real Octokit (throttling and
 * retry plugins). Drift results are real drift-check runs on vega-datasets seattle-weather:
 * winter against summer drifts on temperature, January 2012 against January 2013 does not.
 */
let emulator: GitHubEmulator;
let dir: string;
const paths: Record<string, string> = {};

beforeAll(async () => {
  emulator = await startGitHubEmulator();
  dir = tempDir();
  paths.winter = await seattleSubset(dir, 'winter', 'month(w.date) IN (12, 1, 2)');
  paths.summer = await seattleSubset(dir, 'summer', 'month(w.date) IN (6, 7, 8)');
  paths.jan2012 = await seattleSubset(dir, 'jan2012', "w.date BETWEEN '2012-01-01' AND '2012-01-31'");
  paths.jan2013 = await seattleSubset(dir, 'jan2013', "w.date BETWEEN '2013-01-01' AND '2013-01-31'");
}, 60_000);

afterAll(async () => {
  // Everything the emulator answered must match GitHub's published schemas.
  const problems = emulator.state.responses.flatMap((response) =>
    validateResponse(response.method, response.template, response.status, response.body),
  );
  await emulator.close();
  expect(problems).toEqual([]);
});

const LABEL = 'drift';

async function drift(model: string, drifted: boolean, label = LABEL): Promise<DriftCheckResult> {
  const result = await runDriftCheck(
    {
      reference: drifted ? paths.winter! : paths.jan2012!,
      current: drifted ? paths.summer! : paths.jan2013!,
      columns: ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'],
      method: 'auto',
      driftShare: 0.5,
      reportPath: join(dir, `${model.replace(/\W/g, '_')}-${drifted}.json`),
      workingDirectory: dir,
      model,
      issueLabel: label,
      runUrl: 'https://github.localhost/octo-org/models/actions/runs/1',
    },
    silentLog,
  );
  expect(result.driftDetected).toBe(drifted);
  return result;
}

const repo = () => emulator.state.repo();
const issuesOf = (model: string) =>
  [...repo().issues.values()].filter(
    (issue) => !issue.isPull && issue.body.includes(`mlops:drift:${model}/`),
  );
const commentsOn = (issueNumber: number) =>
  [...repo().comments.values()].filter((comment) => comment.issueNumber === issueNumber);
const dispatchesFor = (model: string) =>
  repo().dispatches.filter((sent) => (sent.client_payload as { model?: string }).model === model);

const options = (model: string, extra: Partial<Parameters<typeof publishDrift>[2]> = {}) => ({
  model,
  issueLabel: LABEL,
  openIssue: true,
  dispatch: 'repository_dispatch:retrain',
  reportUrl: 'https://github.localhost/octo-org/models/actions/runs/1/artifacts/9',
  runUrl: 'https://github.localhost/octo-org/models/actions/runs/1',
  ...extra,
});

describe('publishDrift through the GitHub emulator', () => {
  it('opens one issue, updates it on the next drifted run, closes it when clean; dispatches once per episode', async () => {
    const model = 'churn';
    const drifted = await drift(model, true);
    const clean = await drift(model, false);

    const first = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    expect(first).toMatchObject({ action: 'opened', dispatched: true, readOnly: false, warnings: [] });
    const [issue] = issuesOf(model);
    expect(issuesOf(model)).toHaveLength(1);
    expect(issue).toMatchObject({ number: first.issueNumber, state: 'open', labels: [LABEL] });
    expect(issue!.title).toBe('Data drift detected: churn');
    expect(issue!.body).toContain('temp\\_max');
    expect(dispatchesFor(model)).toEqual([
      {
        event_type: 'retrain',
        client_payload: {
          model,
          drifted_columns: drifted.driftedColumns,
          drifted_columns_total: drifted.driftedColumns.length,
          share: drifted.share,
          report_url: options(model).reportUrl,
          run_url: options(model).runUrl,
          issue_number: first.issueNumber,
        },
      },
    ]);
    expect(issue!.body).toContain('Retraining dispatched once for this episode');

    const second = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    expect(second).toMatchObject({ action: 'updated', issueNumber: first.issueNumber, dispatched: false });
    expect(issuesOf(model)).toHaveLength(1);
    const comments = commentsOn(first.issueNumber!);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('**Drift still detected** (2 consecutive runs');
    expect(comments[0]!.body).toContain('## Data drift for model churn');
    // Only the issue body carries the marker, so a comment can never be mistaken for the issue.
    expect(comments[0]!.body).not.toContain('<!-- mlops:drift:');
    expect(issue!.body).toContain('Drifted in 2 consecutive run(s)');
    // GitHub's own renderer: the marker and the state stay hidden, the report stays a table.
    const html = execFileSync('/usr/bin/cmark-gfm', ['-e', 'table', '--unsafe'], {
      input: issue!.body,
    }).toString();
    expect(html).toContain('<table>');
    expect(html.replace(/<!--[\s\S]*?-->/g, '')).not.toMatch(/mlops|consecutive":/);
    expect(issue!.body.match(/<!-- mlops:drift:/g)).toHaveLength(1);
    expect(dispatchesFor(model)).toHaveLength(1);

    const third = await publishDrift(helperFor(emulator).helper, clean, options(model));
    expect(third).toMatchObject({ action: 'closed', issueNumber: first.issueNumber, dispatched: false });
    expect(repo().issues.get(first.issueNumber!)!.state).toBe('closed');
    const last = commentsOn(first.issueNumber!).at(-1)!;
    expect(last.body).toMatch(
      /^\*\*Drift resolved\*\* for model churn: the latest run found no dataset drift/,
    );
    expect(last.body).toContain('2 drifted run(s)');

    const quiet = await publishDrift(helperFor(emulator).helper, clean, options(model));
    expect(quiet.action).toBe('none');
    expect(quiet.issueNumber).toBeUndefined();

    // A new episode: a new issue, and retraining is sent again (once).
    const again = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    expect(again).toMatchObject({ action: 'opened', dispatched: true });
    expect(again.issueNumber).not.toBe(first.issueNumber);
    expect(issuesOf(model).filter((i) => i.state === 'open')).toHaveLength(1);
    expect(dispatchesFor(model)).toHaveLength(2);
  });

  it('with confirm-runs 2 alerts only on the second consecutive drifted run', async () => {
    const model = 'confirm';
    const drifted = await drift(model, true);
    const first = await publishDrift(helperFor(emulator).helper, drifted, options(model, { confirmRuns: 2 }));
    expect(first).toMatchObject({ action: 'pending-confirmation', dispatched: false });
    const issue = repo().issues.get(first.issueNumber!)!;
    expect(issue.title).toBe('Data drift suspected: confirm (1 of 2 runs)');
    expect(issue.body).toContain('Drift seen in 1 of the 2 consecutive runs needed before alerting');
    expect(commentsOn(issue.number)).toHaveLength(0);
    expect(dispatchesFor(model)).toHaveLength(0);

    const second = await publishDrift(
      helperFor(emulator).helper,
      drifted,
      options(model, { confirmRuns: 2 }),
    );
    expect(second).toMatchObject({ action: 'opened', issueNumber: issue.number, dispatched: true });
    expect(issue.title).toBe('Data drift detected: confirm');
    expect(issue.body).not.toContain('needed before alerting');
    expect(commentsOn(issue.number).map((c) => c.body.split('\n')[0])).toEqual([
      expect.stringMatching(/^\*\*Drift confirmed\*\* after 2 consecutive drifted runs/),
    ]);
    expect(dispatchesFor(model)).toHaveLength(1);

    const third = await publishDrift(helperFor(emulator).helper, drifted, options(model, { confirmRuns: 2 }));
    expect(third).toMatchObject({ action: 'updated', dispatched: false });
    expect(dispatchesFor(model)).toHaveLength(1);
    expect(issuesOf(model)).toHaveLength(1);
  });

  it('with confirm-runs 2 closes an unconfirmed suspicion quietly and starts counting again', async () => {
    const model = 'blip';
    const drifted = await drift(model, true);
    const clean = await drift(model, false);
    const first = await publishDrift(helperFor(emulator).helper, drifted, options(model, { confirmRuns: 2 }));
    expect(first.action).toBe('pending-confirmation');
    const closed = await publishDrift(helperFor(emulator).helper, clean, options(model, { confirmRuns: 2 }));
    expect(closed).toMatchObject({ action: 'closed', issueNumber: first.issueNumber });
    expect(repo().issues.get(first.issueNumber!)!.state).toBe('closed');
    expect(repo().issues.get(first.issueNumber!)!.body).toContain('not confirmed');
    expect(commentsOn(first.issueNumber!)).toHaveLength(0);
    const patch = emulator.state.requests.filter(
      (request) => request.method === 'PATCH' && request.path.endsWith(`/issues/${first.issueNumber}`),
    );
    expect(patch).toHaveLength(1);

    const next = await publishDrift(helperFor(emulator).helper, drifted, options(model, { confirmRuns: 2 }));
    expect(next.action).toBe('pending-confirmation');
    expect(next.issueNumber).not.toBe(first.issueNumber);
    expect(dispatchesFor(model)).toHaveLength(0);
  });

  it('sends workflow_dispatch of a workflow file at the default ref or the given one', async () => {
    const before = repo().workflowDispatches.length;
    const drifted = await drift('wf-default', true);
    const first = await publishDrift(
      helperFor(emulator).helper,
      drifted,
      options('wf-default', {
        dispatch: 'workflow_dispatch:.github/workflows/retrain.yml',
        defaultRef: 'main',
      }),
    );
    expect(first.dispatched).toBe(true);
    const atRef = await publishDrift(
      helperFor(emulator).helper,
      await drift('wf-ref', true),
      options('wf-ref', { dispatch: 'workflow_dispatch:retrain.yaml@release/v2' }),
    );
    expect(atRef.dispatched).toBe(true);
    expect(repo().workflowDispatches.slice(before)).toEqual([
      { workflow: 'retrain.yml', ref: 'main', inputs: {} },
      { workflow: 'retrain.yaml', ref: 'release/v2', inputs: {} },
    ]);
  });

  it('leaves alone an open issue with the label but no marker, and never picks a marked issue without the label', async () => {
    const model = 'lookalike';
    const drifted = await drift(model, true);
    const { helper } = helperFor(emulator);
    const unrelated = await helper.createIssue('Drift dashboard is slow', 'Nothing to do with models.', [
      LABEL,
    ]);
    const unlabelled = await helper.createIssue('Copied alert', drifted.issueMarkdown, ['question']);
    expect(unrelated.ok && unlabelled.ok).toBe(true);
    const unrelatedNumber = unrelated.ok ? unrelated.value.number : 0;
    const unlabelledNumber = unlabelled.ok ? unlabelled.value.number : 0;

    const result = await publishDrift(helper, drifted, options(model));
    expect(result.action).toBe('opened');
    expect([unrelatedNumber, unlabelledNumber]).not.toContain(result.issueNumber);
    const second = await publishDrift(helper, drifted, options(model));
    expect(second).toMatchObject({ action: 'updated', issueNumber: result.issueNumber });
    for (const number of [unrelatedNumber, unlabelledNumber]) {
      expect(repo().issues.get(number)!.state).toBe('open');
      expect(commentsOn(number)).toHaveLength(0);
    }
    expect(repo().issues.get(unrelatedNumber)!.body).toBe('Nothing to do with models.');
    expect(repo().issues.get(unlabelledNumber)!.body).toBe(drifted.issueMarkdown);
  });

  it('finds its issue behind more than a page of other issues with the label (paginated listing)', async () => {
    const model = 'paged';
    const drifted = await drift(model, true);
    const first = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    // Newer issues are listed first, so these push the drift issue past the first 100. Seeded
    // straight into the emulator: through the API the throttling plugin would pace 105 writes.
    for (let index = 0; index < 105; index += 1) {
      const number = Math.max(...repo().issues.keys()) + 1;
      const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      repo().issues.set(number, {
        number,
        title: `note ${index}`,
        body: 'labelled noise',
        state: 'open',
        labels: [LABEL],
        user: { login: 'reviewer', id: 9 },
        isPull: false,
        created_at: time,
        updated_at: time,
      });
    }
    const second = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    expect(second).toMatchObject({ action: 'updated', issueNumber: first.issueNumber });
    expect(issuesOf(model)).toHaveLength(1);
    const pages = emulator.state.requests.filter((r) => r.method === 'GET' && /\/issues$/.test(r.path));
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  it('with a read-only token warns and never fails, writing nothing', async () => {
    const model = 'forked';
    const drifted = await drift(model, true);
    const { helper: readOnly, log } = helperFor(emulator, 'read-token');
    const dispatchesBefore = repo().dispatches.length;
    const result = await publishDrift(readOnly, drifted, options(model));
    expect(result).toMatchObject({ action: 'none', readOnly: true, dispatched: false });
    expect(result.warnings.join('\n')).toContain('Resource not accessible by integration');
    expect(result.warnings.join('\n')).toContain('not dispatched');
    // Each warning logged once, here (the action does not log the list again).
    const logged = log.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(logged).toEqual(result.warnings);
    expect(issuesOf(model)).toHaveLength(0);
    expect(repo().dispatches.length).toBe(dispatchesBefore);

    // An alert opened earlier cannot be closed with this token either: still no exception.
    const opened = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    const closing = await publishDrift(readOnly, await drift(model, false), options(model));
    expect(closing).toMatchObject({ readOnly: true, issueNumber: opened.issueNumber, action: 'none' });
    expect(repo().issues.get(opened.issueNumber!)!.state).toBe('open');
  });

  it('retries a burst of 502s on listing, creating and dispatching', async () => {
    const model = 'flaky';
    const drifted = await drift(model, true);
    emulator.inject({ status: 502, times: 2, method: 'GET', path: /\/issues$/ });
    emulator.inject({ status: 502, times: 2, method: 'POST', path: /\/issues$/ });
    emulator.inject({ status: 502, times: 1, method: 'POST', path: /\/dispatches$/ });
    const postsBefore = emulator.state.requests.filter(
      (r) => r.method === 'POST' && /\/issues$/.test(r.path),
    );
    const result = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    expect(result).toMatchObject({ action: 'opened', dispatched: true });
    expect(issuesOf(model)).toHaveLength(1);
    expect(dispatchesFor(model)).toHaveLength(1);
    const posts = emulator.state.requests.filter((r) => r.method === 'POST' && /\/issues$/.test(r.path));
    expect(posts.length - postsBefore.length).toBe(3);
  }, 30_000);

  it('warns when GitHub refuses the dispatch target, and tries again on the next drifted run', async () => {
    const model = 'missing-workflow';
    const drifted = await drift(model, true);
    const dispatchPath = /\/actions\/workflows\/retrain\.yml\/dispatches$/;
    emulator.inject({ status: 404, times: 1, method: 'POST', path: dispatchPath, message: 'Not Found' });
    const before = repo().workflowDispatches.length;
    const spec = { dispatch: 'workflow_dispatch:retrain.yml@main' };
    const first = await publishDrift(helperFor(emulator).helper, drifted, options(model, spec));
    expect(first).toMatchObject({ action: 'opened', dispatched: false, readOnly: false });
    expect(first.warnings.join('\n')).toMatch(
      /workflow_dispatch retrain.yml@main was refused by GitHub \(404/,
    );
    expect(repo().issues.get(first.issueNumber!)!.body).toContain('not dispatched yet');
    const second = await publishDrift(helperFor(emulator).helper, drifted, options(model, spec));
    expect(second).toMatchObject({ action: 'updated', dispatched: true });
    const third = await publishDrift(helperFor(emulator).helper, drifted, options(model, spec));
    expect(third.dispatched).toBe(false);
    expect(repo().workflowDispatches.length - before).toBe(1);
  });

  it('adopts a marked, labelled issue without state as an alert already dispatched', async () => {
    const model = 'hand-made';
    const drifted = await drift(model, true);
    const { helper } = helperFor(emulator);
    const made = await helper.createIssue('Drift (by hand)', drifted.issueMarkdown, [LABEL]);
    const number = made.ok ? made.value.number : 0;
    const result = await publishDrift(helperFor(emulator).helper, drifted, options(model));
    expect(result).toMatchObject({ action: 'updated', issueNumber: number, dispatched: false });
    expect(result.warnings.join('\n')).toContain('no readable state');
    expect(dispatchesFor(model)).toHaveLength(0);
    expect(issuesOf(model)).toHaveLength(1);
  });

  it('with open-issue off dispatches on every drifted run and touches no issue', async () => {
    const model = 'no-issue';
    const drifted = await drift(model, true);
    for (let run = 0; run < 2; run += 1) {
      const result = await publishDrift(
        helperFor(emulator).helper,
        drifted,
        options(model, { openIssue: false }),
      );
      expect(result).toMatchObject({ action: 'none', dispatched: true });
      expect(result.warnings.join('\n')).toContain('every drifted run dispatches');
    }
    expect(dispatchesFor(model)).toHaveLength(2);
    expect(issuesOf(model)).toHaveLength(0);
  });

  it('escapes what it adds from the model name and keeps the payload small', async () => {
    const model = '<img src=x onerror=alert(1)> @octo-org/team';
    const drifted = await drift(model, true);
    const many = {
      ...drifted,
      driftedColumns: Array.from({ length: 50 }, (_, i) => `${'c'.repeat(300)}${i}`),
    };
    const opened = await publishDrift(helperFor(emulator).helper, many, options(model));
    const payload = repo().dispatches.at(-1)!.client_payload as { drifted_columns: string[] };
    expect(payload).toMatchObject({ drifted_columns_total: 50 });
    expect(payload.drifted_columns).toHaveLength(20);
    expect(Math.max(...payload.drifted_columns.map((name) => name.length))).toBe(100);
    expect(JSON.stringify(payload).length).toBeLessThan(3000);

    await publishDrift(helperFor(emulator).helper, await drift(model, false), options(model));
    const resolved = commentsOn(opened.issueNumber!).at(-1)!.body;
    expect(resolved).not.toContain('<img');
    expect(resolved).toContain('&lt;img');
    expect(resolved).toContain('@\u200B');
  });

  it('rejects bad dispatch, confirm-runs and issue-label values with one clear UserError each', async () => {
    const drifted = await drift('bad-input', true);
    const { helper } = helperFor(emulator);
    const cases: [Partial<Parameters<typeof publishDrift>[2]>, RegExp][] = [
      [
        { dispatch: 'retrain' },
        /dispatch 'retrain': no event kind; expected 'repository_dispatch:<event-type>'/,
      ],
      [{ dispatch: 'repository_dispatch:' }, /the event type is empty/],
      [{ dispatch: 'repository_dispatch:re train' }, /white space/],
      [{ dispatch: `repository_dispatch:${'x'.repeat(101)}` }, /longer than 100 characters/],
      [{ dispatch: 'workflow_dispatch:ci/retrain.yml' }, /'ci\/retrain.yml' is not a workflow file name/],
      [{ dispatch: 'workflow_dispatch:retrain.yml' }, /no ref after @ and no default branch/],
      [
        { dispatch: 'workflow_dispatch:retrain.yml@bad..ref' },
        /'bad..ref' is not a valid branch or tag name/,
      ],
      [{ dispatch: 'pull_request:retrain' }, /unknown event kind 'pull_request'/],
      [{ confirmRuns: 0 }, /confirm-runs must be a whole number/],
      [{ confirmRuns: 1.5 }, /confirm-runs must be a whole number/],
      [{ openIssue: false, confirmRuns: 3 }, /confirm-runs needs open-issue/],
      [{ issueLabel: 'drift,urgent' }, /issue-label must be one label name/],
      [{ issueLabel: ' ' }, /issue-label must be one label name/],
    ];
    for (const [extra, message] of cases) {
      const error = await publishDrift(helper, drifted, options('bad-input', extra)).catch((e: unknown) => e);
      expect(error, JSON.stringify(extra)).toMatchObject({ name: 'UserError' });
      expect((error as Error).message, JSON.stringify(extra)).toMatch(message);
    }
    expect(issuesOf('bad-input')).toHaveLength(0);
  });
});
