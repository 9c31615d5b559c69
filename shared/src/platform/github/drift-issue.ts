/**
 * The drift alert on GitHub: one open issue per (model, label), a comment per drifted run, closed
 * with a comment when the drift is gone, and at most one retraining dispatch per drift episode.
 *
 * State lives in the issue itself, as hidden data in its body (no external storage; a cron job
 * has nothing else that survives between runs):
 *   { consecutive, alerted, dispatched, since }
 * - `consecutive`: drifted runs in a row in this episode.
 * - `alerted`: the alert is raised (with confirm-runs N, only from the N-th drifted run on).
 * - `dispatched`: retraining was sent for this episode; never sent again while the issue is open.
 *
 * confirm-runs N > 1 needs somewhere to count before it alerts. The count is kept in the same
 * issue, opened quietly as "suspected" on the first drifted run: further runs only edit its body
 * (edits notify nobody), no comment is posted and nothing is dispatched until the N-th
 * consecutive drifted run turns it into the alert (new title, one comment, the dispatch). A clean
 * run before that closes it as "not planned" without a comment. So an episode costs one issue,
 * whether it is confirmed or not, and the alert's comments start only once it is confirmed.
 */
import { DRIFT_MARKER_KIND } from '../../drift/render.js';
import type { DriftCheckResult } from '../../drift/run.js';
import { UserError } from '../../errors/index.js';
import { fitSections } from '../../report/fit.js';
import { ISSUE_BODY } from '../../report/github-limits.js';
import { decodeHiddenData, encodeHiddenData, stickyMarker } from '../../report/hidden-data.js';
import { escapeMarkdown } from '../../report/markdown.js';
import {
  type DispatchTarget,
  describeDispatch,
  driftDispatchPayload,
  parseDispatch,
  sendDispatch,
} from './dispatch.js';
import type { GitHubHelper, WriteOutcome } from './helper.js';

/** The marker is `<!-- mlops:drift:<key> -->`; the state block uses the same kind. */
const DRIFT_KIND = DRIFT_MARKER_KIND;
/** GitHub's limit on issue titles. */
const TITLE_MAX = 256;

export interface PublishDriftOptions {
  model: string;
  issueLabel: string;
  /** Input `open-issue`: false keeps issues out of it (and with them all memory between runs). */
  openIssue: boolean;
  /** Input `dispatch`: `repository_dispatch:<event-type>` or `workflow_dispatch:<workflow-file>[@ref]`. */
  dispatch?: string;
  /** Alert (issue + dispatch) only after this many consecutive drifted runs; default 1. */
  confirmRuns?: number;
  runUrl?: string;
  reportUrl?: string;
  /** Ref a `workflow_dispatch` without `@ref` runs at (the repository's default branch). */
  defaultRef?: string;
}

export type DriftIssueAction = 'opened' | 'updated' | 'closed' | 'none' | 'pending-confirmation';

export interface PublishDriftResult {
  issueNumber?: number;
  issueUrl?: string;
  /**
   * `opened`: the alert was raised this run (a new issue, or a suspected one confirmed);
   * `updated`: the open alert got this run's report; `closed`: drift is gone and the issue was
   * closed; `pending-confirmation`: drifted, but fewer than confirm-runs times in a row;
   * `none`: nothing to do (or nothing could be written).
   */
  action: DriftIssueAction;
  dispatched: boolean;
  /** The token could not write (issues or dispatch): warned, not failed. */
  readOnly: boolean;
  /** Every warning of this call, for the record: each was already logged once (through the helper's log). */
  warnings: string[];
}

interface DriftIssueState {
  consecutive: number;
  alerted: boolean;
  dispatched: boolean;
  /** When this episode's first drifted run happened (ISO 8601). */
  since: string;
}

/**
 * Opens, updates or closes the drift issue for `result` and sends the retraining dispatch once per
 * episode. Bad `dispatch`/`confirmRuns`/`issueLabel` values are `UserError`s; a read-only token
 * or a dispatch GitHub refuses is a warning in the result, never an exception.
 */
export async function publishDrift(
  helper: GitHubHelper,
  result: Pick<
    DriftCheckResult,
    'driftDetected' | 'driftedColumns' | 'share' | 'issueMarkdown' | 'markerKey'
  >,
  options: PublishDriftOptions,
): Promise<PublishDriftResult> {
  const confirmRuns = checkConfirmRuns(options.confirmRuns);
  const target = parseDispatch(options.dispatch, options.defaultRef);
  const warnings: string[] = [];
  const outcome: PublishDriftResult = { action: 'none', dispatched: false, readOnly: false, warnings };
  /** Logs a warning of this module's own and records it. */
  const warn = (message: string) => {
    helper.log.warning(message);
    warnings.push(message);
  };
  /** Records a refused write (the helper has logged it); false tells the caller to stop writing. */
  const wrote = <T>(write: WriteOutcome<T>): write is { ok: true; value: T } => {
    if (write.ok) return true;
    outcome.readOnly = true;
    warnings.push(write.message);
    return false;
  };
  const dispatch = async (issueNumber?: number): Promise<boolean> => {
    if (!target) return false;
    const sent = await dispatchSafely(helper, target, result, options, issueNumber, warnings);
    if (sent === 'read-only') outcome.readOnly = true;
    outcome.dispatched = sent === 'sent';
    return outcome.dispatched;
  };

  if (!options.openIssue) {
    if (confirmRuns > 1) {
      throw new UserError(
        'confirm-runs needs open-issue: the count of consecutive drifted runs is kept in the drift issue.',
        { input: 'confirm-runs' },
      );
    }
    if (result.driftDetected && target) {
      warn(
        `open-issue is off, so nothing records that retraining was already started: every drifted run dispatches (${describeDispatch(target)}).`,
      );
      await dispatch();
    }
    return outcome;
  }

  const label = checkLabel(options.issueLabel);
  const marker = stickyMarker(DRIFT_KIND, result.markerKey);
  const existing = await helper.findIssueByMarker(label, marker);
  const now = new Date().toISOString();
  const texts = new IssueTexts(result, options, marker, confirmRuns);

  if (!existing) {
    if (!result.driftDetected) return outcome;
    const state: DriftIssueState = {
      consecutive: 1,
      alerted: confirmRuns <= 1,
      dispatched: false,
      since: now,
    };
    const created = await helper.createIssue(texts.title(state), texts.body(state, target), [label]);
    if (!wrote(created)) {
      // Without the issue there is no record of a dispatch, so one now would repeat every night.
      if (target) warn('Retraining was not dispatched because the drift issue could not be opened.');
      return outcome;
    }
    outcome.issueNumber = created.value.number;
    outcome.issueUrl = created.value.url;
    await warnIfUnlabelled(helper, created.value.number, label, warnings);
    if (!state.alerted) {
      outcome.action = 'pending-confirmation';
      return outcome;
    }
    outcome.action = 'opened';
    if (await dispatch(created.value.number)) {
      state.dispatched = true;
      wrote(await helper.updateIssue(created.value.number, { body: texts.body(state, target) }));
    }
    return outcome;
  }

  outcome.issueNumber = existing.number;
  const previous = readState(existing.body);
  if (!previous) {
    warn(
      `Issue #${existing.number} carries the drift marker but no readable state (edited by hand?): treating it as an alert whose retraining was already dispatched.`,
    );
  }
  const state: DriftIssueState = previous ?? { consecutive: 1, alerted: true, dispatched: true, since: now };

  if (!result.driftDetected) {
    if (state.alerted) {
      if (!wrote(await helper.commentOnIssue(existing.number, texts.resolvedComment(state)))) return outcome;
      if (!wrote(await helper.updateIssue(existing.number, { state: 'closed', stateReason: 'completed' })))
        return outcome;
    } else {
      const body = texts.unconfirmedBody(state);
      const closed = await helper.updateIssue(existing.number, {
        body,
        state: 'closed',
        stateReason: 'not_planned',
      });
      if (!wrote(closed)) return outcome;
    }
    outcome.action = 'closed';
    return outcome;
  }

  state.consecutive += 1;
  const confirmedNow = !state.alerted && state.consecutive >= confirmRuns;
  if (!state.alerted && !confirmedNow) {
    if (!wrote(await helper.updateIssue(existing.number, { body: texts.body(state, target) })))
      return outcome;
    outcome.action = 'pending-confirmation';
    return outcome;
  }
  state.alerted = true;
  const comment = confirmedNow ? texts.confirmedComment(state) : texts.stillDriftingComment(state);
  if (!wrote(await helper.commentOnIssue(existing.number, comment))) return outcome;
  if (!state.dispatched && (await dispatch(existing.number))) state.dispatched = true;
  const update = confirmedNow
    ? { title: texts.title(state), body: texts.body(state, target) }
    : { body: texts.body(state, target) };
  if (!wrote(await helper.updateIssue(existing.number, update))) return outcome;
  outcome.action = confirmedNow ? 'opened' : 'updated';
  return outcome;
}

function checkConfirmRuns(value: number | undefined): number {
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw new UserError(
      `confirm-runs must be a whole number of consecutive drifted runs from 1 to 100; got ${value}.`,
      { input: 'confirm-runs' },
    );
  }
  return value;
}

function checkLabel(label: string): string {
  const trimmed = label.trim();
  // The issues API filters on a comma-separated list, so a comma would split the label in two.
  if (trimmed === '' || trimmed.includes(',') || trimmed.length > 50) {
    throw new UserError(
      `issue-label must be one label name of 1 to 50 characters without commas; got '${label}'.`,
      { input: 'issue-label' },
    );
  }
  return trimmed;
}

function readState(body: string): DriftIssueState | undefined {
  const data = decodeHiddenData<Partial<DriftIssueState>>(body, DRIFT_KIND);
  if (
    !data ||
    typeof data.consecutive !== 'number' ||
    !Number.isInteger(data.consecutive) ||
    data.consecutive < 0 ||
    typeof data.alerted !== 'boolean' ||
    typeof data.dispatched !== 'boolean'
  ) {
    return undefined;
  }
  return {
    consecutive: data.consecutive,
    alerted: data.alerted,
    dispatched: data.dispatched,
    since: typeof data.since === 'string' ? data.since : new Date().toISOString(),
  };
}

/**
 * An issue is found again only by its label; when GitHub drops the label (a token without push
 * access, per the API docs) the next run would open a duplicate, so say so now.
 */
async function warnIfUnlabelled(
  helper: GitHubHelper,
  issueNumber: number,
  label: string,
  warnings: string[],
): Promise<void> {
  const labels = await helper.labels(issueNumber);
  if (!labels.includes(label)) {
    const message = `Issue #${issueNumber} was opened without the label '${label}' (the token may lack push access): later runs will not find it and may open another.`;
    helper.log.warning(message);
    warnings.push(message);
  }
}

/** Sends the dispatch; a refusal (read-only token) or a bad target (404/422) becomes a warning. */
async function dispatchSafely(
  helper: GitHubHelper,
  target: DispatchTarget,
  result: Pick<DriftCheckResult, 'driftedColumns' | 'share'>,
  options: PublishDriftOptions,
  issueNumber: number | undefined,
  warnings: string[],
): Promise<'sent' | 'read-only' | 'failed'> {
  const payload = driftDispatchPayload({
    model: options.model,
    driftedColumns: result.driftedColumns,
    share: result.share,
    reportUrl: options.reportUrl,
    runUrl: options.runUrl,
    issueNumber,
  });
  try {
    const sent = await sendDispatch(helper, target, payload);
    if (sent.ok) {
      helper.log.info(`Retraining dispatched: ${describeDispatch(target)}.`);
      return 'sent';
    }
    warnings.push(sent.message); // the helper logged the refusal
    return 'read-only';
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 422) {
      const message = `dispatch ${describeDispatch(target)} was refused by GitHub (${status}: ${(error as Error).message}); check the workflow file and ref in the dispatch input. It is tried again on the next drifted run.`;
      helper.log.warning(message);
      warnings.push(message);
      return 'failed';
    }
    throw error;
  }
}

/** Everything this module writes into issues; data-derived text goes through escapeMarkdown. */
class IssueTexts {
  constructor(
    private readonly result: Pick<DriftCheckResult, 'driftedColumns' | 'share' | 'issueMarkdown'>,
    private readonly options: PublishDriftOptions,
    private readonly marker: string,
    private readonly confirmRuns: number,
  ) {}

  title(state: DriftIssueState): string {
    const model = this.options.model.replace(/\s+/g, ' ').trim();
    const title = state.alerted
      ? `Data drift detected: ${model}`
      : `Data drift suspected: ${model} (${state.consecutive} of ${this.confirmRuns} runs)`;
    return title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title;
  }

  /** The issue body: always the latest report, a status line, and the state. */
  body(state: DriftIssueState, target: DispatchTarget | undefined): string {
    const lines = [
      `Drifted in ${state.consecutive} consecutive run(s) since ${state.since}.`,
      target
        ? state.dispatched
          ? `Retraining dispatched once for this episode (\`${describeDispatch(target)}\`).`
          : state.alerted
            ? `Retraining (\`${describeDispatch(target)}\`) not dispatched yet; it is tried on the next drifted run.`
            : `Retraining (\`${describeDispatch(target)}\`) will be dispatched when the drift is confirmed.`
        : '',
    ].filter(Boolean);
    const banner = state.alerted
      ? ''
      : `> [!NOTE]\n> Drift seen in ${state.consecutive} of the ${this.confirmRuns} consecutive runs needed before alerting (confirm-runs). This issue becomes the alert if the drift persists, and closes by itself otherwise.`;
    return this.fit(
      [banner, this.result.issueMarkdown].filter(Boolean).join('\n\n'),
      `---\n${lines.join(' ')}\n${this.state(state)}`,
    );
  }

  unconfirmedBody(state: DriftIssueState): string {
    return [
      this.marker,
      `Drift was seen in ${state.consecutive} run(s) but the next run was clean, so it was not confirmed (confirm-runs ${this.confirmRuns}). Closed without alerting.`,
      this.state({ ...state, consecutive: 0 }),
    ].join('\n\n');
  }

  confirmedComment(state: DriftIssueState): string {
    return this.fit(
      `**Drift confirmed** after ${state.consecutive} consecutive drifted runs (since ${state.since}).\n\n${this.reportWithoutMarker()}`,
    );
  }

  stillDriftingComment(state: DriftIssueState): string {
    return this.fit(
      `**Drift still detected** (${state.consecutive} consecutive runs since ${state.since}).\n\n${this.reportWithoutMarker()}`,
    );
  }

  resolvedComment(state: DriftIssueState): string {
    const share = `${(100 * this.result.share).toFixed(1)}%`;
    const link = this.options.runUrl ? ` ([workflow run](${encodeURI(this.options.runUrl)}))` : '';
    return [
      `**Drift resolved** for model ${escapeMarkdown(this.options.model)}: the latest run found no dataset drift (${share} of columns drifted)${link}.`,
      `The episode lasted ${state.consecutive} drifted run(s) since ${state.since}. Closing.`,
    ].join('\n\n');
  }

  /** Comments repeat the report but not the marker, so only the issue body identifies the issue. */
  private reportWithoutMarker(): string {
    return this.result.issueMarkdown.split(this.marker).join('').trim();
  }

  private state(state: DriftIssueState): string {
    return encodeHiddenData(DRIFT_KIND, state);
  }

  /** One section cut from its end when too long, so the marker and headline at the top survive. */
  private fit(markdown: string, footer?: string): string {
    const pointer = this.options.reportUrl
      ? `Report shortened to fit GitHub's size limit; the full report is [here](${encodeURI(this.options.reportUrl)}).`
      : "Report shortened to fit GitHub's size limit; the full report is in the job summary and the report artifact.";
    return fitSections(
      [{ markdown, priority: 0 }],
      // The same report goes into the issue body and into comments on it: the tighter of both.
      { limit: ISSUE_BODY, pointer, footer },
    ).markdown;
  }
}
