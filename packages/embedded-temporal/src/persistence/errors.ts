/** Another live process (or another store in this process) holds the data directory's lock file. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly dir: string,
    readonly lockPath: string,
    readonly holderPid: number | undefined,
    detail: string,
  ) {
    super(`data directory ${dir} is in use: ${detail} (lock file ${lockPath})`);
  }
}

/** `commit` or `load` was called after `close()`. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor() {
    super('durable store is closed');
  }
}

/**
 * Writing or syncing the write-ahead log failed (disk full, I/O error). Every commit of the failed batch
 * rejects with it. When `fatal` is true the store no longer accepts commits, because the file's contents
 * after a failed fsync cannot be trusted; reopen the directory to recover.
 */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
  constructor(
    message: string,
    readonly fatal: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A file in the data directory fails validation in a way a torn tail write cannot explain (a bad snapshot,
 * a damaged record followed by valid ones in an older log). Opening stops rather than silently losing
 * acknowledged data.
 */
export class StoreCorruptionError extends Error {
  override readonly name = 'StoreCorruptionError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`store file ${file} is corrupt: ${detail}`);
  }
}
