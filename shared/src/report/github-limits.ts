/**
 * GitHub's size limits on what the suite writes, each in the unit GitHub counts it in. Every size
 * check against GitHub goes through this module, so no limit has a second copy elsewhere.
 *
 * Sources (checked December 2026):
 * - Comment and issue bodies: "body is too long (maximum is 65536 characters)" (422 from
 *   POST/PATCH issue comments and issues). GitHub counts characters (code points); a measured
 *   byte ceiling of 262,144 (2^18) is never reached by 65,536 code points of at most 4 bytes.
 * - Check-run `output.summary` and `output.text`: documented (REST reference, and `maxLength:
 *   65535` in the OpenAPI description in @octokit/openapi) as 65,535 characters, but GitHub also
 *   refuses "summary exceeds a maximum bytesize of 65535" (github/docs#35252): the byte limit is
 *   the one that binds, since a UTF-8 byte count is never below the character count.
 * - Check-run annotations: "a maximum of 50 per API request" (OpenAPI `maxItems: 50`); an
 *   annotation's title is at most 255 characters. The check-run `output.title` has no documented
 *   limit: titles are held to the annotation title's 255 characters as a safe bound.
 * - Workflow annotations: "GitHub Actions are limited to 10 warning annotations and 10 error
 *   annotations per step" (same OpenAPI description).
 * - Commit-status and deployment-status descriptions: 140 characters ("description is too long
 *   (maximum is 140 characters)"; the deployment-status description documents the same maximum).
 * - The job (step) summary: 1 MiB per step, in bytes ("supports content up to a size of 1024k").
 */

export type LimitUnit = 'bytes' | 'characters';

export interface TextLimit {
  /** The largest size GitHub accepts, inclusive. */
  max: number;
  unit: LimitUnit;
  /** What is limited, for messages: "a check-run summary". */
  what: string;
}

export const COMMENT_BODY: TextLimit = { max: 65_536, unit: 'characters', what: 'a comment body' };
export const ISSUE_BODY: TextLimit = { max: 65_536, unit: 'characters', what: 'an issue body' };
export const CHECK_RUN_SUMMARY: TextLimit = { max: 65_535, unit: 'bytes', what: 'a check-run summary' };
export const CHECK_RUN_TEXT: TextLimit = { max: 65_535, unit: 'bytes', what: 'a check-run text' };
export const CHECK_RUN_TITLE: TextLimit = { max: 255, unit: 'characters', what: 'a check-run title' };
export const COMMIT_STATUS_DESCRIPTION: TextLimit = {
  max: 140,
  unit: 'characters',
  what: 'a commit-status description',
};
export const DEPLOYMENT_STATUS_DESCRIPTION: TextLimit = {
  max: 140,
  unit: 'characters',
  what: 'a deployment-status description',
};
export const STEP_SUMMARY: TextLimit = { max: 1024 * 1024, unit: 'bytes', what: 'a step summary' };

/** Annotations one create/update check-run request may carry. */
export const CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50;
/** Error (and, separately, warning) annotations GitHub shows for one step; the rest are dropped. */
export const STEP_ANNOTATIONS_PER_LEVEL = 10;

/**
 * The size of `text` in the limit's unit. Characters are counted as UTF-16 code units, which is
 * never fewer than the code points GitHub counts (an emoji is 2 here, 1 there), so a text that
 * fits here fits on GitHub.
 */
export function measure(text: string, unit: LimitUnit): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

export function fits(text: string, limit: TextLimit): boolean {
  return measure(text, limit.unit) <= limit.max;
}

/** A limit of the same unit with `max` scaled by `fraction` (a tighter budget for a retry). */
export function scaled(limit: TextLimit, fraction: number): TextLimit {
  return { ...limit, max: Math.floor(limit.max * fraction) };
}

/**
 * `text` cut to fit `limit` with `ellipsis` at the end; never splits a surrogate pair (a cut emoji
 * would become U+FFFD, which is 3 bytes of its own).
 */
export function clip(text: string, limit: TextLimit, ellipsis = '…'): string {
  if (fits(text, limit)) return text;
  const room = limit.max - measure(ellipsis, limit.unit);
  if (room <= 0) return '';
  const points = Array.from(text);
  let size = 0;
  let kept = 0;
  for (const point of points) {
    const next = size + measure(point, limit.unit);
    if (next > room) break;
    size = next;
    kept += 1;
  }
  return `${points.slice(0, kept).join('')}${ellipsis}`;
}
