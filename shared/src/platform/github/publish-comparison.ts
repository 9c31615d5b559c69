import { appendHistory, COMPARE_KIND, type HistoryPoint, UNVERIFIED } from '../../compare/render.js';
import { type CompareBaselineResult, finishResult } from '../../compare/run.js';
import { decodeHiddenData, stickyMarker } from '../../report/hidden-data.js';
import type { EventContext, GitHubHelper, PullRequestRef } from './helper.js';

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
    const outcome = await helper.upsertStickyComment(
      pullRequest.number,
      marker,
      final.commentMarkdown,
      existing,
    );
    if (outcome.ok) commentUrl = outcome.value.url;
    else readOnly = true;
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
    const outcome = await helper.createCheckRun({
      name: context,
      headSha: sha,
      conclusion,
      title,
      summary: final.checkSummary,
      detailsUrl: options.detailsUrl,
    });
    if (outcome.ok) checkRunId = outcome.value.id;
    else readOnly = true;
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
