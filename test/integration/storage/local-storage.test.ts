import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { silentLog } from '../../../shared/src/logging/index.js';
import { LocalArtifactStore, LocalCacheStore } from '../../../shared/src/platform/storage/local.js';

const work = mkdtempSync(join(tmpdir(), 'local-storage-'));

describe('LocalCacheStore', () => {
  it('saves once per key and restores by exact key, then by the newest prefix match', async () => {
    const store = new LocalCacheStore(join(work, 'cache'), silentLog);
    const dir = join(work, 'ckpt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'one');
    expect(await store.save([dir], 'k-partial-1')).toBe(true);
    expect(await store.save([dir], 'k-partial-1')).toBe(false);
    writeFileSync(join(dir, 'a.txt'), 'two');
    expect(await store.save([dir], 'k-partial-2')).toBe(true);
    // Make the first entry the older one whatever the file system's timestamp resolution.
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(work, 'cache', 'k-partial-1', 'manifest.json'), old, old);

    rmSync(dir, { recursive: true });
    expect(await store.restore([dir], 'k')).toBeUndefined();
    expect(await store.restore([dir], 'k', ['k-partial-'])).toBe('k-partial-2');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('two');
    expect(await store.restore([dir], 'k-partial-1')).toBe('k-partial-1');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one');
  });

  it('keeps keys with slashes and dots inside its folder', async () => {
    const store = new LocalCacheStore(join(work, 'cache2'), silentLog);
    const dir = join(work, 'x');
    mkdirSync(dir, { recursive: true });
    expect(await store.save([dir], '../../escape')).toBe(true);
    expect(await store.restore([dir], '../../escape')).toBe('../../escape');
  });
});

describe('LocalArtifactStore', () => {
  it('copies files keeping relative paths, counts ids, and names a missing artifact', async () => {
    const store = new LocalArtifactStore(join(work, 'artifacts'));
    const src = join(work, 'out');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'model.json'), '{}');
    writeFileSync(join(src, 'sub', 'w.bin'), 'abc');
    const first = await store.upload('m', [join(src, 'model.json'), join(src, 'sub', 'w.bin')], src);
    expect(first).toEqual({ id: '1', size: 5, url: pathToFileURL(join(work, 'artifacts', 'm')).href });
    expect((await store.upload('m2', [join(src, 'model.json')], src)).id).toBe('2');
    const dest = await store.download('m', join(work, 'dl'));
    expect(readFileSync(join(dest, 'sub', 'w.bin'), 'utf8')).toBe('abc');
    await expect(store.download('nope', join(work, 'dl2'))).rejects.toThrow(/no artifact named 'nope'/);
    await expect(store.upload('bad', [join(work, 'ckpt-outside')], src)).rejects.toThrow(
      /is not under its root folder/,
    );
  });
});
