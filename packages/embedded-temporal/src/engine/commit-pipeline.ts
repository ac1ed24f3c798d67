import type { DurableStore, StoreTransaction } from './store-types.js';

interface Pending {
  change: StoreTransaction;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The engine's path to the store: at most one store commit in flight; changes made meanwhile wait and go out
 * together as the next one (the store's group commit, one level up).
 *
 * Why the engine does this itself: each change was applied to memory before it is written, so a change queued
 * behind a failing write may build on it (the next event ids of the same run, say). Were it handed to the store,
 * the store would write it after cutting off the failed one and leave a history with a gap. Here nothing queued
 * behind a failure reaches the store: `halt` (called by `onFailure`) rejects it, and the engine reloads.
 *
 * A waiting change's run records are serialised only when its batch goes out, and may by then show a later
 * change's edits to nested state. That later change is in the same batch (every change made before a batch is
 * taken is queued in it) and puts the same records after it, so what is written is the latest state either way.
 */
export class CommitPipeline {
  private queue: Pending[] = [];
  private draining = false;
  private running: Promise<void> = Promise.resolve();
  private halted: Error | undefined;

  /** `onFailure` runs synchronously when a store commit fails, before anything queued behind it is settled. */
  constructor(
    private readonly store: DurableStore,
    private readonly onFailure: (err: unknown) => void,
  ) {}

  /** Resolves when `change` is durable; rejects with the store's error, or the halt reason if halted. */
  write(change: StoreTransaction): Promise<void> {
    if (this.halted) return Promise.reject(this.halted);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        this.running = this.drain();
      }
    });
  }

  /** Rejects every queued change and every later one with `reason`, until {@link resume}. */
  halt(reason: Error): void {
    this.halted = reason;
  }

  resume(): void {
    this.halted = undefined;
  }

  /** Resolves when nothing is in flight or queued. */
  async idle(): Promise<void> {
    while (this.draining) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        if (this.halted) {
          for (const p of batch) p.reject(this.halted);
          continue;
        }
        try {
          await this.store.commit(merge(batch.map((p) => p.change)));
        } catch (err) {
          this.onFailure(err);
          for (const p of batch) p.reject(err);
          continue;
        }
        for (const p of batch) p.resolve();
      }
    } finally {
      this.draining = false;
    }
  }
}

/**
 * One store transaction with the effect of `changes` applied in order. The store applies drops before appends,
 * so entries appended to a log before a later change drops it are left out rather than reviving the log.
 */
export function merge(changes: StoreTransaction[]): StoreTransaction {
  if (changes.length === 1) return changes[0]!;
  const put: Array<readonly [string, unknown]> = [];
  const dropLogs = new Set<string>();
  const append = new Map<string, Uint8Array[]>();
  for (const change of changes) {
    for (const key of change.dropLogs ?? []) {
      dropLogs.add(key);
      append.delete(key);
    }
    put.push(...(change.put ?? []));
    for (const [key, entries] of change.append ?? []) {
      const list = append.get(key);
      if (list) list.push(...entries);
      else append.set(key, [...entries]);
    }
  }
  return { put, append: [...append], dropLogs: [...dropLogs] };
}
