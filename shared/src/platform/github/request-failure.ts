/**
 * A GitHub API call that failed for a reason outside the suite (bad token, missing permission,
 * GitHub down after the retries, network) is reported as one clear sentence naming the request,
 * not as a bug. Octokit's RequestError carries `status` and the `request` it made.
 */
interface RequestErrorLike {
  status: number;
  message: string;
  request: { method?: string; url?: string };
}

function isRequestError(error: unknown): error is RequestErrorLike {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Partial<RequestErrorLike>;
  return (
    typeof candidate.status === 'number' &&
    typeof candidate.request === 'object' &&
    candidate.request !== null
  );
}

const HINTS: Record<number, string> = {
  401: 'the token was refused (expired, revoked or not a GitHub token); check the github-token input',
  403: "the token lacks a permission this step needs; see the action's permissions in README.md",
  404: 'the resource does not exist or the token cannot see it',
  422: 'GitHub refused the request as invalid',
};

function timedOut(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return [error, cause].some(
    (e) => typeof (e as { timeoutMs?: unknown } | undefined)?.timeoutMs === 'number',
  );
}

/** The message for a failed GitHub request, or undefined when `error` is not one. */
export function describeGitHubFailure(error: unknown): string | undefined {
  if (!isRequestError(error)) return undefined;
  const { method = 'GET', url = '' } = error.request;
  // The path only: a query string could carry anything, and the host is known.
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/\?.*$/, '');
  const reason = error.message.replace(/ - https:\/\/docs\.github\.com\S*/, '');
  // A request that got no answer in time (octokit.ts) has no HTTP status of its own.
  if (timedOut(error))
    return `GitHub API ${method} ${path} got ${reason}: GitHub or the network is slow; re-run the job.`;
  const hint =
    HINTS[error.status] ??
    (error.status >= 500
      ? 'GitHub or the network failed and the retries ran out; re-run the job'
      : 'see the GitHub API documentation for this status');
  return `GitHub API ${method} ${path} failed (HTTP ${error.status}: ${reason}): ${hint}.`;
}
