import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../errors/index.js';
import { crashPoint } from '../../files/crash-point.js';
import type { Log } from '../../logging/index.js';
import type { ArtifactStore, CacheStore, UploadedArtifact } from './types.js';

/** Keys and names become folder names: anything outside a safe set is percent-encoded. */
function folderName(key: string): string {
  return encodeURIComponent(key).replace(/\*/g, '%2A').replace(/^\./, '%2E');
}

/**
 * The CLI's cache: `<root>/<key>/` holds a copy of each saved path (as `0/`, `1/`, ...) and a
 * manifest naming them. Entries are staged and renamed, so a killed save leaves no half entry.
 */
export class LocalCacheStore implements CacheStore {
  readonly kind = 'local' as const;

  constructor(
    private readonly root: string,
    private readonly log: Log,
  ) {}

  async restore(
    paths: string[],
    primaryKey: string,
    restoreKeys: string[] = [],
  ): Promise<string | undefined> {
    const match = await this.find(primaryKey, restoreKeys);
    if (match === undefined) return undefined;
    const entry = join(this.root, folderName(match));
    const manifest = JSON.parse(await readFile(join(entry, 'manifest.json'), 'utf8')) as {
      key: string;
      paths: string[];
    };
    for (const [i, saved] of manifest.paths.entries()) {
      const target = paths.find((p) => resolve(p) === saved) ?? saved;
      if (!existsSync(join(entry, String(i)))) continue;
      await mkdir(target, { recursive: true });
      await cp(join(entry, String(i)), target, { recursive: true, force: true });
    }
    this.log.info(`Cache restored from key: ${match}`);
    return match;
  }

  async save(paths: string[], key: string): Promise<boolean> {
    const entry = join(this.root, folderName(key));
    if (existsSync(entry)) {
      this.log.info(`Cache entry '${key}' already exists; not saving it again.`);
      return false;
    }
    const staging = `${entry}.staging-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const absolute = paths.map((p) => resolve(p));
    for (const [i, path] of absolute.entries()) {
      if (existsSync(path)) await cp(path, join(staging, String(i)), { recursive: true });
      await crashPoint('cache-save:copying');
    }
    await writeFile(join(staging, 'manifest.json'), JSON.stringify({ key, paths: absolute }));
    await crashPoint('cache-save:manifest-written');
    try {
      await rename(staging, entry);
    } catch {
      await rm(staging, { recursive: true, force: true });
      return false;
    }
    return true;
  }

  private async find(primaryKey: string, restoreKeys: string[]): Promise<string | undefined> {
    if (existsSync(join(this.root, folderName(primaryKey), 'manifest.json'))) return primaryKey;
    if (!existsSync(this.root)) return undefined;
    const entries: { key: string; mtime: number }[] = [];
    for (const name of await readdir(this.root)) {
      const manifest = join(this.root, name, 'manifest.json');
      if (!existsSync(manifest)) continue;
      const { key } = JSON.parse(await readFile(manifest, 'utf8')) as { key: string };
      // A save killed after its manifest leaves `<entry>.staging-<pid>` with one: not an entry.
      if (folderName(key) !== name) continue;
      entries.push({ key, mtime: (await stat(manifest)).mtimeMs });
    }
    for (const prefix of restoreKeys) {
      const newest = entries.filter((e) => e.key.startsWith(prefix)).sort((a, b) => b.mtime - a.mtime)[0];
      if (newest) return newest.key;
    }
    return undefined;
  }
}

/** The CLI's artifacts: `<root>/<name>/` with the files, and an `id` counting uploads. */
export class LocalArtifactStore implements ArtifactStore {
  readonly kind = 'local' as const;

  constructor(private readonly root: string) {}

  async upload(name: string, files: string[], rootDir: string): Promise<UploadedArtifact> {
    const target = join(this.root, folderName(name));
    const staging = `${target}.staging-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    let size = 0;
    for (const file of files) {
      const rel = relative(rootDir, file);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        throw new UserError(`The artifact file '${file}' is not under its root folder '${rootDir}'.`);
      }
      await mkdir(join(staging, rel, '..'), { recursive: true });
      await cp(file, join(staging, rel));
      size += (await stat(file)).size;
    }
    await mkdir(this.root, { recursive: true });
    const counter = join(this.root, '.last-id');
    const id = String((existsSync(counter) ? Number(await readFile(counter, 'utf8')) : 0) + 1);
    await writeFile(counter, id);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    return { id, size, url: pathToFileURL(target).href };
  }

  async download(name: string, destination: string): Promise<string> {
    const source = join(this.root, folderName(name));
    if (!existsSync(source)) throw new UserError(`There is no artifact named '${name}' in '${this.root}'.`);
    await mkdir(destination, { recursive: true });
    await cp(source, destination, { recursive: true });
    return destination;
  }
}
