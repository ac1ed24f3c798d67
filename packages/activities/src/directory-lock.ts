// PGlite takes no cross-process lock: two processes on one directory both write to it and corrupt it. This lock is a
// file beside the directory holding the owner's pid and host, written under a temporary name and hard-linked into
// place, so it exists whole or not at all (link() fails when the name exists). A lock whose process is gone
// (SIGKILL, power loss) is stale and taken over at once, so a worker restarted after a crash is not blocked.
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';

/** Thrown by {@link lockDirectory} while another live process holds the directory. */
export class DirectoryLockedError extends Error {
  constructor(
    readonly directory: string,
    readonly holderPid: number | undefined,
    reason: string,
  ) {
    super(
      `The embedded results database ${directory} is in use (${reason}). PGlite serves one process per directory: ` +
        'to run several workers, set DATABASE_URL to a PostgreSQL database; otherwise stop the other worker or give ' +
        'this one another DATA_DIR.',
    );
    this.name = 'DirectoryLockedError';
  }
}

export interface DirectoryLock {
  /** Removes the lock file; calling it again does nothing. */
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  hostname: string;
}

/** Locks taken by this process, so a second open in the same process is refused too. */
const heldHere = new Set<string>();

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if (!hasCode(error, 'ENOENT')) throw error;
  });
}

async function tryCreate(lockPath: string): Promise<boolean> {
  const tmpPath = `${lockPath}.${process.pid}.tmp`;
  await writeFile(tmpPath, JSON.stringify({ pid: process.pid, hostname: hostname() } satisfies Holder));
  try {
    await link(tmpPath, lockPath);
    return true;
  } catch (error) {
    if (hasCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlink(tmpPath).catch(() => undefined);
  }
}

async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<Holder>;
    if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string') {
      return { pid: parsed.pid, hostname: parsed.hostname };
    }
  } catch {
    // Missing or damaged: treated as stale.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return hasCode(error, 'EPERM');
  }
}

/**
 * Takes the exclusive lock of `directory` (the file `<directory>.lock`); `openPglite` calls it before opening the
 * database and releases it after closing.
 * @throws {DirectoryLockedError} while a live process (this one included) holds it, or one on another host.
 */
export async function lockDirectory(directory: string): Promise<DirectoryLock> {
  const absolute = resolve(directory);
  const lockPath = `${absolute}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (heldHere.has(lockPath)) throw new DirectoryLockedError(absolute, process.pid, 'already open in this process');
    if (await tryCreate(lockPath)) {
      heldHere.add(lockPath);
      return {
        async release() {
          if (!heldHere.delete(lockPath)) return;
          await removeIfPresent(lockPath);
        },
      };
    }
    const holder = await readHolder(lockPath);
    if (holder !== undefined) {
      if (holder.hostname !== hostname()) {
        throw new DirectoryLockedError(
          absolute,
          holder.pid,
          `locked by process ${holder.pid} on host ${holder.hostname}; if nothing runs there, delete ${lockPath}`,
        );
      }
      // Our own pid without an entry in heldHere is a stale lock whose pid this process happens to reuse.
      if (holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new DirectoryLockedError(absolute, holder.pid, `process ${holder.pid} has it open`);
      }
    }
    await removeIfPresent(lockPath);
  }
  throw new DirectoryLockedError(absolute, undefined, 'another process keeps taking the lock');
}
