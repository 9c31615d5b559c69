import { GitHub, getOctokitOptions } from '@actions/github/lib/utils';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Log } from '../../logging/index.js';

/** The client every GitHub call goes through: REST methods, pagination, throttling and retries. */
const ThrottledGitHub = GitHub.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof ThrottledGitHub>;

export interface OctokitSettings {
  token: string;
  /** Defaults to GITHUB_API_URL, then https://api.github.com. */
  baseUrl?: string;
  log: Log;
  /**
   * Milliseconds per second of `retry-after`. 1000 in production; tests pass a few milliseconds so
   * a `retry-after: 1` answer is honoured without slowing the suite.
   */
  retryAfterUnitMs?: number;
  /** Retries for 5xx and network errors (plugin-retry) and for rate limits (plugin-throttling). */
  retries?: number;
  /** Separates this client's write pacing from others in the same process (tests). */
  throttleId?: string;
}

export function createOctokit(settings: OctokitSettings): GitHubClient {
  const { log } = settings;
  const retries = settings.retries ?? 3;
  const unit = settings.retryAfterUnitMs ?? 1000;
  const baseUrl = settings.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method?: string; url?: string },
      _octokit: unknown,
      retryCount: number,
    ) => {
      const request = `${options.method ?? ''} ${options.url ?? ''}`.trim();
      if (retryCount < retries) {
        log.warning(
          `GitHub ${kind} hit on ${request}; retrying after ${retryAfter} s (retry ${retryCount + 1}).`,
        );
        return true;
      }
      log.warning(`GitHub ${kind} hit on ${request}; giving up after ${retries} retries.`);
      return false;
    };
  // getOctokitOptions adds the runner's proxy settings and user agent; the token is only ever
  // passed to the auth strategy, never logged.
  const options = getOctokitOptions(settings.token, {
    baseUrl,
    log: {
      debug: (message: string) => log.debug(message),
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warning(message),
      error: (message: string) => log.debug(message),
    },
    throttle: {
      id: settings.throttleId,
      retryAfterBaseValue: unit,
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
    retry: { retries, retryAfterBaseValue: unit },
  });
  return new ThrottledGitHub(options);
}
