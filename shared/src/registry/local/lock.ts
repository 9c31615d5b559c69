import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { UserError } from '../../errors/index.js';

interface LockOwner {
  token: string;
  pid: number;
  host: string;
  created_at: string;
}

export interface LockOptions {
  /** Give up waiting after this long. */
  timeoutMs?: number;
  /** A lock older than this is taken to be left behind by a crash, even on another host. */
  staleMs?: number;
}

export interface HeldLock {
  /** Throws unless this process still owns the lock; called right before a commit. */
  assertHeld(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as LockOwner;
    return typeof value.token === 'string' && typeof value.pid === 'number' ? value : null;
  } catch {
    return null;
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * A lock file taken with O_EXCL (`wx`), which is atomic on local filesystems and on NFSv3+.
 * A lock is stale when its owner is a dead process on this host (pid check) or when it is older
 * than `staleMs` (owners on other hosts cannot be checked). Breaking a stale lock renames it away
 * first and checks that the renamed file is the one judged stale, so two waiters that both saw
 * the stale lock cannot remove a fresh one taken in between.
 */
export async function withFileLock<T>(
  lockPath: string,
  action: (lock: HeldLock) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const staleMs = options.staleMs ?? 30_000;
  const host = hostname();
  const owner: LockOwner = { token: randomBytes(12).toString('hex'), pid: process.pid, host, created_at: '' };
  const started = Date.now();
  let delay = 2;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        // The age that staleness is judged by starts now, not when we began waiting.
        owner.created_at = new Date().toISOString();
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = await readIfExists(lockPath);
    if (text !== null && (await isStale(lockPath, text, host, staleMs))) {
      await breakStaleLock(lockPath, text);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const current = text === null ? null : parseOwner(text);
      throw new UserError(
        `Timed out after ${timeoutMs} ms waiting for the registry lock ${lockPath}` +
          (current ? ` (held by pid ${current.pid} on ${current.host} since ${current.created_at})` : '') +
          '. If no other register or alias command is running, delete that file.',
      );
    }
    // Jitter spreads out waiters that all woke up at once.
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }

  const held: HeldLock = {
    async assertHeld() {
      const text = await readIfExists(lockPath);
      if (text === null || parseOwner(text)?.token !== owner.token) {
        throw new Error(`Lost the registry lock ${lockPath} (another process judged it stale).`);
      }
    },
  };
  try {
    return await action(held);
  } finally {
    const text = await readIfExists(lockPath);
    if (text !== null && parseOwner(text)?.token === owner.token) {
      await unlink(lockPath).catch(() => {});
    }
  }
}

async function isStale(lockPath: string, text: string, host: string, staleMs: number): Promise<boolean> {
  const owner = parseOwner(text);
  if (owner !== null) {
    if (owner.host === host && !processIsAlive(owner.pid)) return true;
    const created = Date.parse(owner.created_at);
    return Number.isFinite(created) && Date.now() - created > staleMs;
  }
  // Empty or partly written: its writer is between open and write, unless that was long ago.
  try {
    const info = await stat(lockPath);
    return Date.now() - info.mtimeMs > staleMs;
  } catch {
    return false;
  }
}

async function breakStaleLock(lockPath: string, staleText: string): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it
    throw error;
  }
  const moved = await readIfExists(aside);
  if (moved !== staleText) {
    // We moved a lock taken after our look: put it back (link fails if yet another one exists;
    // its owner then notices through assertHeld before committing).
    await link(aside, lockPath).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}
