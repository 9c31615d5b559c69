import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join, posix, resolve, sep } from 'node:path';
import { UserError } from '../errors/index.js';

/** One stored file of a model version. `path` is relative to the model folder, with '/' separators. */
export interface ModelFile {
  path: string;
  sha256: string;
  size: number;
}

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * The model digest: sha256 over `sha256sum`-style lines (`<hex>  <path>\n`) sorted by path, so
 * it can be recomputed with `find . -type f | sort | xargs sha256sum | sha256sum` and does not
 * depend on the order a filesystem lists files in.
 */
export function modelDigest(files: readonly ModelFile[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => `${file.sha256}  ${file.path}\n`)
    .join('');
  return `sha256:${createHash('sha256').update(lines).digest('hex')}`;
}

/**
 * A relative path from a record is only trusted after this check: records can come from a tag
 * message anyone with push access wrote, and must never make us read or write outside a folder.
 */
export function assertSafeRelativePath(path: string, where: string): void {
  const parts = path.split('/');
  if (
    path.length === 0 ||
    path.startsWith('/') ||
    path.includes('\\') ||
    path.includes('\0') ||
    parts.some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new UserError(
      `Unsafe file path ${JSON.stringify(path)} in ${where}: expected a relative path inside the model.`,
    );
  }
}

/** Joins a checked relative path onto a folder and proves the result stays inside it. */
export function resolveInside(folder: string, relativePath: string, where: string): string {
  assertSafeRelativePath(relativePath, where);
  const root = resolve(folder);
  const target = resolve(root, ...relativePath.split('/'));
  if (!target.startsWith(root + sep)) {
    throw new UserError(
      `File path ${JSON.stringify(relativePath)} in ${where} points outside the model folder.`,
    );
  }
  return target;
}

export interface ModelSource {
  /** Absolute path given by the user. */
  path: string;
  kind: 'file' | 'directory';
  /** For a single-file model, its file name: the file the consumers load. */
  entry?: string;
  /** Absolute path of each file, keyed by its relative path in the record. */
  files: { path: string; absolutePath: string; sha256: string; size: number }[];
}

/**
 * Lists and hashes the files of a model given as a folder or one file. Symbolic links are
 * refused: following them could copy files from anywhere on the runner into a published release.
 */
export async function scanModel(modelPath: string, input = 'model'): Promise<ModelSource> {
  const absolute = resolve(modelPath);
  const stat = await lstat(absolute).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new UserError(`The model path '${modelPath}' does not exist.`, { input, file: modelPath });
    }
    throw error;
  });
  if (stat.isSymbolicLink()) {
    throw new UserError(`The model path '${modelPath}' is a symbolic link; give the real file or folder.`, {
      input,
    });
  }
  if (stat.isFile()) {
    const { sha256, size } = await sha256File(absolute);
    const name = basename(absolute);
    return {
      path: absolute,
      kind: 'file',
      entry: name,
      files: [{ path: name, absolutePath: absolute, sha256, size }],
    };
  }
  if (!stat.isDirectory()) {
    throw new UserError(`The model path '${modelPath}' is neither a file nor a folder.`, { input });
  }
  const files: ModelSource['files'] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const relative = prefix === '' ? entry.name : posix.join(prefix, entry.name);
      const full = join(folder, entry.name);
      if (entry.isSymbolicLink()) {
        throw new UserError(
          `The model folder contains a symbolic link '${relative}'; copy the real file instead.`,
          {
            input,
          },
        );
      }
      if (entry.isDirectory()) {
        await walk(full, relative);
      } else if (entry.isFile()) {
        const { sha256, size } = await sha256File(full);
        files.push({ path: relative, absolutePath: full, sha256, size });
      }
    }
  };
  await walk(absolute, '');
  if (files.length === 0) {
    throw new UserError(`The model folder '${modelPath}' contains no files.`, { input });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { path: absolute, kind: 'directory', files };
}
