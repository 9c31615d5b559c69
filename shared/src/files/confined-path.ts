/**
 * Paths written inside files (a metrics file's `predictions.path`, a model.json's weight shards)
 * come from whoever wrote the file, which may be a fork's run. Such a path is followed only inside
 * the folder holding the file that names it: never absolute, never up with `..`, never through a
 * symbolic link that leads out. Otherwise a planted file could make a privileged job read another
 * job's files (a self-hosted runner's stale workspace) or system files.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.js';

/** True when `path` is `folder` or lies below it (both absolute; no symbolic links resolved). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * `value` (read from `file`, at `field`) resolved inside `file`'s folder. Absolute paths are
 * accepted only when they already point inside that folder (files written by an older evaluate).
 * Throws a `UserError` naming the file, the field and the value otherwise, or when the path exists
 * but a symbolic link on the way leads out of the folder. A path that does not exist is returned
 * as is (the caller reports the missing file).
 */
export function confinedPath(file: string, field: string, value: string): string {
  const folder = dirname(resolve(file));
  const refuse = (why: string): never => {
    throw new UserError(
      `${file}: ${field} ${JSON.stringify(value)} ${why}; a path inside a file is followed only within ` +
        `the folder that file is in (${folder}), so write it relative to that folder`,
      { file },
    );
  };
  if (value.includes('\0')) refuse('holds a NUL byte');
  const target = isAbsolute(value) ? resolve(value) : resolve(folder, value);
  if (!isInside(folder, target))
    refuse(isAbsolute(value) ? 'is an absolute path outside it' : 'leads outside it');
  if (existsSync(target)) {
    const realFolder = realpathSync(folder);
    if (!isInside(realFolder, realpathSync(target)))
      refuse('is a symbolic link (or passes through one) that leads outside it');
  }
  return target;
}
