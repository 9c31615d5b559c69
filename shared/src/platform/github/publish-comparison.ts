import {
  appendHistory,
  COMPARE_KIND,
  type HistoryPoint,
  renderCheckSummary,
  renderComment,
  UNVERIFIED,
} from '../../compare/render.js';
import { type CompareBaselineResult, finishResult } from '../../compare/run.js';
import { CHECK_RUN_SUMMARY, COMMENT_BODY, scaled } from '../../report/github-limits.js';
import { decodeHiddenData, stickyMarker } from '../../report/hidden-data.js';
import type { EventContext, GitHubHelper, PullRequestRef, StickyComment, WriteOutcome } from './helper.js';
import { describeGitHubFailure } from './request-failure.js';

export interface PublishComparisonOptions {
  /** Post/update the sticky PR comment (input `comment`, default true). */
  comment?: boolean;
  /** Create a check run (input `check`, default true); a commit status is the fallback. */
  check?: boolean;
  /** Also set the commit status even when the check run was created. */
  alwaysStatus?: boolean;
  /** Check-run name and commit-status context that branch protection can require. */
  statusContext?: string;
  /** Link for the check/status (the workflow run). */
  detailsUrl?: string;
}

export interface PublishComparisonResult {
  /** The result re-rendered with the PR's history and the override, and its final gate. */
  result: CompareBaselineResult;
  pullRequest?: PullRequestRef;
  commentUrl?: string;
  checkRunId?: number;
  statusSet: boolean;
  /** True when the token could not write (fork PR): the report belongs in the summary and an artifact. */
  readOnly: boolean;
  /** Warnings for the caller to print; those the GitHub helper already logged (read-only writes) are not repeated here. */
  warnings: string[];
}

export const DEFAULT_STATUS_CONTEXT = 'mlops/compare-baseline';

/**
 * The share of GitHub's limit a body gets when GitHub refused the first one with 422 anyway
 * (a limit counted differently than documented): one retry, well under it.
 */
export const RETRY_FRACTION = 1 / 2;

/** GitHub's 422: the request was understood and refused as invalid (a body too big, most often). */
function isUnprocessable(error: unknown): boolean {
  return (error as { status?: unknown }).status === 422;
}

/**
 * `first()`, and when GitHub answers 422, `retry()` once (a shorter body); undefined when the retry
 * is refused too. Each refusal is a warning; any other failure is thrown as it is.
 */
async function withOneShorterRetry<T>(
  what: string,
  first: () => Promise<T>,
  retry: () => Promise<T>,
  afterSecondRefusal: string,
  warnings: string[],
): Promise<T | undefined> {
  try {
    return await first();
  } catch (error) {
    if (!isUnprocessable(error)) throw error;
    warnings.push(
      `GitHub refused the ${what}: ${describeGitHubFailure(error) ?? (error as Error).message} Retrying once with a report shortened to ${RETRY_FRACTION * 100}% of GitHub's limit.`,
    );
  }
  try {
    return await retry();
  } catch (error) {
    if (!isUnprocessable(error)) throw error;
    warnings.push(
      `GitHub refused the shortened ${what} too: ${describeGitHubFailure(error) ?? (error as Error).message} ${afterSecondRefusal}`,
    );
    return undefined;
  }
}

/**
 * Puts a comparison on GitHub: reads the override label and the previous comment's history,
 * upserts the one sticky comment, and gates with a check run or, failing that, a commit status.
 * A read-only token ends in `readOnly` with a warning, never in an exception.
 */
export async function publishComparison(
  helper: GitHubHelper,
  event: EventContext,
  result: CompareBaselineResult,
  options: PublishComparisonOptions = {},
): Promise<PublishComparisonResult> {
  const warnings: string[] = [];
  const context = options.statusContext ?? DEFAULT_STATUS_CONTEXT;
  const pullRequest = await helper.findPullRequest(event);
  const sha = pullRequest?.headSha ?? result.sha ?? event.sha;
  const marker = stickyMarker(COMPARE_KIND, result.context.modelKey);

  const override =
    !result.diff.passed && result.overrideLabel && pullRequest?.labels.includes(result.overrideLabel)
      ? { label: result.overrideLabel }
      : undefined;
  const existing =
    pullRequest && options.comment !== false
      ? ((await helper.findStickyComment(pullRequest.number, marker)) ?? null)
      : undefined;
  const previous = existing
    ? (decodeHiddenData<{ history?: HistoryPoint[] }>(existing.body, COMPARE_KIND)?.history ?? [])
    : [];
  const history = appendHistory(Array.isArray(previous) ? previous : [], result.diff, sha);
  let final = finishResult(result.diff, { ...result.context, history, override }, result, result.reportPath);

  let readOnly = false;
  let commentUrl: string | undefined;
  if (!pullRequest) {
    warnings.push('No pull request found for this event: the comparison is in the job summary only.');
  } else if (options.comment !== false) {
    // The comment found above is reused: the PR's comments are listed once per run.
    const post = (body: string) => helper.upsertStickyComment(pullRequest.number, marker, body, existing);
    const shown = final;
    const outcome: WriteOutcome<StickyComment> | undefined = await withOneShorterRetry(
      'PR comment',
      () => post(shown.commentMarkdown),
      () => post(renderComment(shown.diff, shown.context, scaled(COMMENT_BODY, RETRY_FRACTION))),
      'The comparison is in the job summary and the report file only.',
      warnings,
    );
    if (outcome?.ok) commentUrl = outcome.value.url;
    else if (outcome) readOnly = true;
  }

  const conclusion = checkConclusion(final);
  const title =
    final.verdict === 'unverified'
      ? `No regression reported, ${UNVERIFIED}`
      : final.verdict === 'passed'
        ? final.diff.gate.kind === 'none'
          ? 'Not gated (gate: none)'
          : 'No metric regression'
        : final.verdict === 'overridden'
          ? `Regression accepted by label (${final.regressions.length} metric(s))`
          : `Regression in ${final.regressions.length} metric(s)`;
  let checkRunId: number | undefined;
  if (options.check !== false) {
    const create = (summary: string) =>
      helper.createCheckRun({
        name: context,
        headSha: sha,
        conclusion,
        title,
        summary,
        detailsUrl: options.detailsUrl,
      });
    const shown = final;
    const outcome = await withOneShorterRetry(
      'check run',
      () => create(shown.checkSummary),
      () => create(renderCheckSummary(shown.diff, shown.context, scaled(CHECK_RUN_SUMMARY, RETRY_FRACTION))),
      `The gate is reported as the commit status '${context}' instead.`,
      warnings,
    );
    if (outcome?.ok) checkRunId = outcome.value.id;
    else if (outcome) readOnly = true;
  }
  let statusSet = false;
  if (options.alwaysStatus || checkRunId === undefined) {
    // Statuses have no "neutral": an accepted or non-gating regression is a success with a description
    // saying so; unverified metrics stay pending, since a success status would claim what no one checked.
    const outcome = await helper.setCommitStatus({
      sha,
      state: conclusion === 'failure' ? 'failure' : final.verdict === 'unverified' ? 'pending' : 'success',
      context,
      description: title,
      targetUrl: options.detailsUrl ?? commentUrl,
    });
    statusSet = outcome.ok;
    if (!outcome.ok) readOnly = true;
  }
  if (readOnly) {
    final = finishResult(
      result.diff,
      {
        ...final.context,
        warning:
          'The token is read-only (a pull request from a fork?): the PR comment and check were not written. ' +
          'This summary and the report artifact hold the comparison; a workflow_run workflow can post it.',
      },
      result,
      result.reportPath,
    );
  }
  return { result: final, pullRequest, commentUrl, checkRunId, statusSet, readOnly, warnings };
}

/**
 * The check's conclusion. Only a verified pass is a success: metrics a fork's run reported about
 * itself are neutral at best, like an accepted or non-gating regression.
 */
export function checkConclusion(result: CompareBaselineResult): 'success' | 'neutral' | 'failure' {
  if (result.verdict === 'passed') return 'success';
  if (result.verdict === 'unverified' || result.verdict === 'overridden' || !result.failOnRegression)
    return 'neutral';
  return 'failure';
}
