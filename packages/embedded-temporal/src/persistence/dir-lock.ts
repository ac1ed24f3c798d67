// One server per data directory. Node has no portable flock(), so the lock is a file holding the owner's
// pid and host, written under a temporary name and hard-linked into place: link() fails if the name
// exists, and the lock file is never seen half-written. A lock whose process is gone (kill -9, power loss) is stale and taken
// over; there is a narrow race if two processes take over the same stale lock at once, acceptable for a
// single-machine development server.
import { hostname } from 'node:os';
import { link, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreLockedError } from './errors.js';
import { hasErrorCode, isNotFound } from './fs-errors.js';

export const LOCK_FILE = 'LOCK';

/** Lock paths this process holds, to refuse a second store on the same directory here too. */
const heldHere = new Set<string>();

interface LockInfo {
  pid: number;
  hostname: string;
}

export interface DirLock {
  release(): Promise<void>;
}

/** Takes the directory's lock; throws `StoreLockedError` while a live process holds it. */
export async function acquireDirLock(dir: string): Promise<DirLock> {
  const lockPath = join(await realpath(dir), LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (heldHere.has(lockPath)) {
      throw new StoreLockedError(dir, lockPath, process.pid, 'another store in this process has it open');
    }
    if (await tryCreate(lockPath)) {
      heldHere.add(lockPath);
      return {
        async release() {
          if (!heldHere.delete(lockPath)) return;
          await unlink(lockPath).catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
        },
      };
    }
    const holder = await readLock(lockPath);
    if (holder) {
      if (holder.hostname !== hostname()) {
        throw new StoreLockedError(
          dir,
          lockPath,
          holder.pid,
          `held by process ${holder.pid} on host ${holder.hostname}; if no server runs there, delete the lock file`,
        );
      }
      // Our own pid without an entry in heldHere is a stale lock whose pid was reused by this process.
      if (holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new StoreLockedError(
          dir,
          lockPath,
          holder.pid,
          `process ${holder.pid} is running with it; stop that server or use another data directory`,
        );
      }
    }
    // Stale (owner gone) or unreadable (damaged by hand): take it over.
    await unlink(lockPath).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
  throw new StoreLockedError(dir, lockPath, undefined, 'another process keeps taking the lock');
}

async function tryCreate(lockPath: string): Promise<boolean> {
  const tmpPath = `${lockPath}.${process.pid}.tmp`;
  await writeFile(tmpPath, JSON.stringify({ pid: process.pid, hostname: hostname() } satisfies LockInfo));
  try {
    await link(tmpPath, lockPath);
    return true;
  } catch (err) {
    if (hasErrorCode(err, 'EEXIST')) return false;
    throw err;
  } finally {
    await unlink(tmpPath).catch(() => undefined);
  }
}

async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(lockPath, 'utf8'));
    const info = parsed as Partial<LockInfo>;
    if (typeof info.pid === 'number' && typeof info.hostname === 'string') {
      return { pid: info.pid, hostname: info.hostname };
    }
  } catch {
    // Missing or unparsable: treated as stale.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return hasErrorCode(err, 'EPERM');
  }
}
