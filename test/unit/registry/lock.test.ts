import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../shared/src/errors/index.js';
import { withFileLock } from '../../../shared/src/registry/local/lock.js';
import { tempDir } from './helpers.js';

const owner = (pid: number, createdAt: Date, host = hostname()) =>
  JSON.stringify({ token: 'someone-else', pid, host, created_at: createdAt.toISOString() });

describe('withFileLock', () => {
  it('serialises critical sections of concurrent callers', async () => {
    const lockPath = join(await tempDir(), '.lock');
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withFileLock(lockPath, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('breaks a lock whose owner process is dead on this host', async () => {
    const dir = await tempDir();
    const lockPath = join(dir, '.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    await writeFile(lockPath, owner(dead, new Date()));
    await expect(withFileLock(lockPath, async () => 'ran', { timeoutMs: 2000 })).resolves.toBe('ran');
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks an old lock from another host, but waits on a fresh one and then names its owner', async () => {
    const lockPath = join(await tempDir(), '.lock');
    await writeFile(lockPath, owner(1, new Date(Date.now() - 120_000), 'other-runner'));
    await expect(withFileLock(lockPath, async () => 'ran', { staleMs: 60_000 })).resolves.toBe('ran');

    await writeFile(lockPath, owner(process.pid, new Date()));
    const attempt = withFileLock(lockPath, async () => 'ran', { timeoutMs: 200 });
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(new RegExp(`held by pid ${process.pid}`));
    expect(existsSync(lockPath)).toBe(true);
  });

  it('lets the holder notice when its lock was taken away', async () => {
    const lockPath = join(await tempDir(), '.lock');
    await expect(
      withFileLock(lockPath, async (held) => {
        await held.assertHeld();
        await writeFile(lockPath, owner(process.pid, new Date()));
        await held.assertHeld();
      }),
    ).rejects.toThrow(/Lost the registry lock/);
    // The other owner's lock is left alone.
    expect(existsSync(lockPath)).toBe(true);
  });
});
