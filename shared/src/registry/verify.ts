import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { UserError } from '../errors/index.js';
import { resolveInside, sha256File } from './files.js';
import type { VersionRecord } from './record.js';

/** A stored file no longer matches its record: the registry was tampered with or corrupted. */
export class IntegrityError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

async function listFiles(folder: string, prefix = ''): Promise<string[]> {
  const result: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : posix.join(prefix, entry.name);
    if (entry.isDirectory()) result.push(...(await listFiles(join(folder, entry.name), relative)));
    else result.push(relative);
  }
  return result;
}

/**
 * Checks that `folder` holds exactly the record's files with their sizes and sha256 digests.
 * Extra files count too: a planted file beside a model can change what a loader picks up.
 */
export async function verifyModelFolder(folder: string, record: VersionRecord): Promise<void> {
  const label = `${record.name}/${record.version}`;
  const problems: string[] = [];
  const expected = new Set(record.files.map((file) => file.path));
  for (const file of record.files) {
    const path = resolveInside(folder, file.path, `the record of ${label}`);
    const info = await lstat(path).catch(() => null);
    if (info === null || !info.isFile()) {
      problems.push(`${file.path}: missing`);
      continue;
    }
    const actual = await sha256File(path);
    if (actual.sha256 !== file.sha256 || actual.size !== file.size) {
      problems.push(
        `${file.path}: sha256 ${actual.sha256} (${actual.size} bytes), expected ${file.sha256} (${file.size} bytes)`,
      );
    }
  }
  for (const path of await listFiles(folder)) {
    if (!expected.has(path)) problems.push(`${path}: not part of the version`);
  }
  if (problems.length > 0) {
    throw new IntegrityError(
      `Model ${label} failed its integrity check (files changed since registration; refusing to use it):\n- ${problems.join('\n- ')}`,
    );
  }
}
