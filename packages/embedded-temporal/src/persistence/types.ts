/** One atomic change to a {@link DurableStore}. Applied in the order `dropLogs`, `put`, `append`. */
export interface StoreTransaction {
  /** JSON-serialisable values by key; a null value deletes the key. */
  put?: ReadonlyArray<readonly [key: string, value: unknown]>;
  /** Binary entries appended to the key's log (e.g. encoded history events). */
  append?: ReadonlyArray<readonly [key: string, entries: readonly Uint8Array[]]>;
  /** Logs to drop entirely. Dropping runs before appends, so one transaction can replace a log. */
  dropLogs?: readonly string[];
}

/** Everything committed so far, as returned by {@link DurableStore.load}. */
export interface StoredState {
  values: Map<string, unknown>;
  /** Only keys with at least one entry are present. */
  logs: Map<string, Uint8Array[]>;
}

/**
 * The engine's persistence port: a key/value map plus append-only binary logs, changed only by atomic
 * transactions.
 */
export interface DurableStore {
  /** Everything committed before; called once at start-up. */
  load(): Promise<StoredState>;
  /**
   * Applies one transaction atomically; resolves only when it is durable (fsync). Concurrent commits are
   * group-committed. Rejects with `TypeError` for a value JSON cannot represent, `StoreClosedError` after
   * `close()`, `StoreWriteError` when the disk write or fsync fails; a rejected commit's outcome after a
   * restart is unknown, as with any database.
   */
  commit(tx: StoreTransaction): Promise<void>;
  /** Waits for commits in flight, stops background work and releases the directory lock. Idempotent. */
  close(): Promise<void>;
}
