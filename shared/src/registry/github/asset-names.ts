import { MODEL_CARD_FILE, RECORD_FILE } from '../record.js';

/**
 * Release asset names for a version's files. Assets are a flat namespace and GitHub rewrites
 * unusual characters, so paths are flattened ('/' -> '.') and sanitised here, deterministically
 * from the record's sorted file list: a reader recomputes the same mapping from the record alone.
 * A name that would clash (case-insensitively, as GitHub compares) or hit one of our own assets
 * gets an index prefix.
 */
export function assetNamesFor(paths: readonly string[]): Map<string, string> {
  const taken = new Set([RECORD_FILE.toLowerCase(), MODEL_CARD_FILE.toLowerCase()]);
  const names = new Map<string, string>();
  [...paths].sort().forEach((path, index) => {
    let name = path
      .replace(/\//g, '.')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+|\.+$/g, '');
    if (name === '' || taken.has(name.toLowerCase())) name = `f${index + 1}-${name || 'file'}`;
    taken.add(name.toLowerCase());
    names.set(path, name);
  });
  return names;
}
