/**
 * Hidden, machine-readable state inside a comment body: the sticky marker that finds the comment
 * again, and a data block (e.g. metric history across pushes) so no external storage is needed.
 * The data is base64url-encoded JSON, so nothing in it can close the HTML comment or be rendered.
 */

const SAFE_KEY = /[^A-Za-z0-9_.\-/@]/g;

/** `<!-- mlops:<kind>:<key> -->`; the key is reduced to characters that cannot end the comment. */
export function stickyMarker(kind: string, key: string): string {
  return `<!-- mlops:${kind.replace(SAFE_KEY, '_')}:${key.replace(SAFE_KEY, '_').replace(/-{2,}/g, '-')} -->`;
}

function dataPrefix(kind: string): string {
  return `<!-- mlops-data:${kind.replace(SAFE_KEY, '_')}:`;
}

export function encodeHiddenData(kind: string, data: unknown): string {
  return `${dataPrefix(kind)}${Buffer.from(JSON.stringify(data), 'utf8').toString('base64url')} -->`;
}

/** The data block of `kind` in `body`, or undefined when absent or unreadable (an edited comment). */
export function decodeHiddenData<T = unknown>(body: string, kind: string): T | undefined {
  const prefix = dataPrefix(kind);
  const start = body.indexOf(prefix);
  if (start < 0) return undefined;
  const end = body.indexOf(' -->', start + prefix.length);
  if (end < 0) return undefined;
  try {
    return JSON.parse(Buffer.from(body.slice(start + prefix.length, end), 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
