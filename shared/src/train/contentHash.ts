import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';

/**
 * sha256 of a file's bytes, streamed (datasets can be large). A path that is not a file (a glob,
 * a folder, a URL) hashes as its text, so the key still changes when the input changes.
 */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  if (!existsSync(path) || !statSync(path).isFile()) return hash.update(`path:${path}`).digest('hex');
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', resolve)
      .on('error', reject);
  });
  return hash.digest('hex');
}

/** sha256 of a JSON value with sorted keys, so key order never changes a cache key. */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
