import { defaults, GitHub, getOctokitOptions } from '@actions/github/lib/utils';
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
  /**
   * Milliseconds to wait for a response's headers before giving up on a request. Defaults to
   * MLOPS_GITHUB_TIMEOUT_MS, then 30 s: Octokit has none, so a hanging API would hang the step.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Methods that can be sent twice without doing twice what they do. */
const REPEATABLE = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Marks a request GitHub did not answer in time; describeGitHubFailure reports it in one line. */
export interface GitHubTimeout {
  timeoutMs: number;
}

export function isGitHubTimeout(error: unknown): error is Error & GitHubTimeout {
  return error instanceof Error && typeof (error as Partial<GitHubTimeout>).timeoutMs === 'number';
}

export function githubTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MLOPS_GITHUB_TIMEOUT_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_TIMEOUT_MS;
  const value = Number(raw);
  // A bad value must not turn into "no timeout" or an instant one; the default is safe.
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
}

/**
 * Wraps `fetch` so a request whose response headers do not arrive within `timeoutMs` (plus the
 * time to send its body, see `MIN_UPLOAD_BYTES_PER_SECOND`) is aborted.
 * A repeatable request fails with a plain Error, which Octokit turns into a status-500
 * RequestError that plugin-retry retries. A POST is not retried: GitHub may have applied it after
 * we stopped waiting, and a second one would be a second comment, issue or release. It fails with
 * an error named AbortError, the one kind Octokit passes through without a retry (as for a caller's
 * own abort); the re-run of the step finds what the first one wrote.
 */
export function fetchWithTimeout(fetchImpl: typeof fetch, baseTimeoutMs: number): typeof fetch {
  return async (input, init = {}) => {
    const timeoutMs = baseTimeoutMs + uploadAllowanceMs(init);
    const timer = new AbortController();
    const handle = setTimeout(() => timer.abort(), timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal;
    try {
      // Resolves when the headers are in; the body is read after and is not limited here.
      return await fetchImpl(input, { ...init, signal });
    } catch (error) {
      if (!timer.signal.aborted || init.signal?.aborted) throw error;
      const method = (init.method ?? 'GET').toUpperCase();
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const seconds = timeoutMs >= 1000 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
      const repeatable = REPEATABLE.has(method);
      const timeout = Object.assign(
        new Error(
          repeatable
            ? `no response within ${seconds}`
            : `no response within ${seconds}; not retried, since GitHub may have applied it`,
          { cause: error },
        ),
        { timeoutMs },
      );
      if (repeatable) throw timeout;
      timeout.name = 'AbortError';
      throw Object.assign(timeout, { request: { method, url } });
    } finally {
      clearTimeout(handle);
    }
  };
}

/**
 * Slowest upload the timeout allows for: the headers of a response come only after the request's
 * body is sent, so a request carrying `content-length` bytes (a release asset of a few hundred MB)
 * gets the time to send them at this rate on top of the base timeout.
 */
export const MIN_UPLOAD_BYTES_PER_SECOND = 2 ** 20;

function uploadAllowanceMs(init: RequestInit): number {
  const declared = Number(new Headers(init.headers).get('content-length') ?? 0);
  const bytes = Number.isFinite(declared) && declared > 0 ? declared : 0;
  return Math.ceil((bytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
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
    // Octokit merges constructor options shallowly: keep the runner's proxy agent and fetch.
    request: {
      ...defaults.request,
      fetch: fetchWithTimeout(
        (defaults.request?.fetch as typeof fetch | undefined) ?? globalThis.fetch,
        settings.timeoutMs ?? githubTimeoutMs(),
      ),
    },
  });
  return new ThrottledGitHub(options);
}
