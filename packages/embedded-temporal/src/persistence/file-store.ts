import { join } from 'node:path';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { StoreClosedError } from './errors.js';
import { isNotFound } from './fs-errors.js';
import { listLogGenerations, logFileName, readDirState, type DirState } from './log-files.js';
import { LogWriter, type WriterStats } from './log-writer.js';
import { materialize } from './raw-state.js';
import { encodeTransaction, toRawTransaction } from './record-codec.js';
import { SNAPSHOT_TMP_FILE, writeSnapshot } from './snapshot.js';
import { nodeStoreFs, type StoreFile, type StoreFs } from './store-fs.js';
import type { DurableStore, StoredState, StoreTransaction } from './types.js';

/** Options for {@link openFileStore}. */
export interface FileStoreOptions {
  /** Seal the write-ahead log and compact it into the snapshot once it exceeds this size. Default 64 MiB. */
  compactionThresholdBytes?: number;
  /** At open, fold any logged transactions into a fresh snapshot and start an empty log. Default true. */
  compactOnOpen?: boolean;
  /** File operations, for tests that count syncs or inject failures. Default: `node:fs`. */
  fs?: StoreFs;
  /** Torn-tail repairs and background compaction failures. Default: `process.emitWarning`. */
  onWarning?: (message: string, error?: unknown) => void;
}

/** Counters exposed for tests and benchmarks. */
export interface FileStoreStats extends WriterStats {
  /** Background or explicit compactions completed since open. */
  compactions: number;
  /** Generation of the active write-ahead log. */
  generation: number;
}

/** The {@link DurableStore} returned by {@link openFileStore}, plus introspection. */
export interface FileStore extends DurableStore {
  stats(): FileStoreStats;
  /** Seals the active log and folds everything into the snapshot; resolves when that is durable. */
  compact(): Promise<void>;
}

const DEFAULT_THRESHOLD = 64 * 1024 * 1024;

/**
 * Opens (creating if needed) a store in `dir`: a snapshot plus a write-ahead log of CRC-framed
 * transactions, group-committed with fdatasync. Replays and repairs the directory before resolving, so
 * `load()` is immediate.
 *
 * @throws StoreLockedError when another live process, or another store in this process, has `dir` open.
 * @throws StoreCorruptionError when the snapshot or a sealed log is damaged beyond a torn tail.
 */
export async function openFileStore(dir: string, options: FileStoreOptions = {}): Promise<FileStore> {
  const fs = options.fs ?? nodeStoreFs;
  const onWarning = options.onWarning ?? defaultWarning;
  const threshold = options.compactionThresholdBytes ?? DEFAULT_THRESHOLD;
  await fs.mkdir(dir);
  const lock = await acquireDirLock(dir);
  try {
    await unlinkIfPresent(fs, join(dir, SNAPSHOT_TMP_FILE));
    const read = await readDirState(fs, dir, { repair: true, onWarning });
    for (const g of await listLogGenerations(fs, dir)) {
      if (g < read.snapshotNextGeneration) await unlinkIfPresent(fs, join(dir, logFileName(g)));
    }
    const active = await openActiveLog(fs, dir, read, options.compactOnOpen ?? true);
    return createFileStore(fs, dir, lock, read, active, threshold, onWarning);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function openActiveLog(
  fs: StoreFs,
  dir: string,
  read: DirState,
  compactOnOpen: boolean,
): Promise<{ file: StoreFile; offset: number; generation: number }> {
  const last = read.logs.at(-1);
  if (compactOnOpen && read.logs.some((l) => l.hasTransactions)) {
    const generation = (last?.generation ?? read.snapshotNextGeneration) + 1;
    await writeSnapshot(fs, dir, read.state, generation);
    for (const l of read.logs) await unlinkIfPresent(fs, join(dir, logFileName(l.generation)));
    return { ...(await LogWriter.createLog(fs, dir, generation)), generation };
  }
  if (last && last.validEnd > 0) {
    const file = await fs.open(join(dir, logFileName(last.generation)), 'r+');
    return { file, offset: last.validEnd, generation: last.generation };
  }
  // No log yet, or the newest one died before its header was durable.
  const generation = last?.generation ?? read.snapshotNextGeneration;
  if (last) await unlinkIfPresent(fs, join(dir, logFileName(generation)));
  return { ...(await LogWriter.createLog(fs, dir, generation)), generation };
}

function createFileStore(
  fs: StoreFs,
  dir: string,
  lock: DirLock,
  read: DirState,
  active: { file: StoreFile; offset: number; generation: number },
  threshold: number,
  onWarning: (message: string, error?: unknown) => void,
): FileStore {
  let initial: StoredState | undefined = materialize(read.state);
  let closing: Promise<void> | undefined;
  let compactions = 0;
  // Compactions and re-reads of the directory run one at a time, never overlapping a log deletion.
  let maintenance: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const result = maintenance.then(task);
    maintenance = result.catch(() => undefined);
    return result;
  };

  const compactBefore = (generation: number): Promise<void> =>
    serially(async () => {
      const sealed = await readDirState(fs, dir, { repair: false, beforeGeneration: generation });
      if (sealed.snapshotNextGeneration >= generation) return;
      await writeSnapshot(fs, dir, sealed.state, generation);
      for (const g of await listLogGenerations(fs, dir)) {
        if (g < generation) await unlinkIfPresent(fs, join(dir, logFileName(g)));
      }
      await fs.syncDir(dir);
      compactions += 1;
    });

  const writer = new LogWriter(
    {
      fs,
      dir,
      rotateAtBytes: threshold,
      onWarning,
      onRotated: (generation) => {
        compactBefore(generation).catch((err: unknown) => onWarning('background compaction failed', err));
      },
    },
    active.file,
    active.generation,
    active.offset,
  );

  return {
    async load() {
      if (closing) throw new StoreClosedError();
      const state = initial;
      initial = undefined;
      if (state) return state;
      await writer.idle();
      return serially(async () => materialize((await readDirState(fs, dir, { repair: false })).state));
    },
    commit(tx: StoreTransaction) {
      if (closing) return Promise.reject(new StoreClosedError());
      let frame: Buffer;
      try {
        frame = encodeTransaction(toRawTransaction(tx));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      return writer.append(frame);
    },
    async compact() {
      if (closing) throw new StoreClosedError();
      await writer.rotateNow();
      await compactBefore(writer.generation);
    },
    stats() {
      return { ...writer.stats, compactions, generation: writer.generation };
    },
    close() {
      closing ??= (async () => {
        initial = undefined;
        try {
          await writer.close();
          await maintenance;
        } finally {
          await lock.release();
        }
      })();
      return closing;
    },
  };
}

async function unlinkIfPresent(fs: StoreFs, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

function defaultWarning(message: string, error?: unknown): void {
  const detail =
    error instanceof Error ? `: ${error.message}` : error === undefined ? '' : `: ${JSON.stringify(error)}`;
  process.emitWarning(`${message}${detail}`, 'DurableStoreWarning');
}
