import type { Run } from './run-state.js';

/**
 * One engine transaction: the history appended and runs touched by a single state change, plus effects that may
 * only run once the change is durable (task dispatch, waking waiters).
 */
export class Tx {
  readonly now = Date.now();
  readonly appends = new Map<string, Uint8Array[]>();
  readonly dirty = new Set<Run>();
  /** Runs deleted by this change: their record and history go from the store, whatever else touched them. */
  readonly deleted = new Set<Run>();
  readonly puts: Array<[string, unknown]> = [];
  readonly after: Array<() => void> = [];

  append(key: string, bytes: Uint8Array): void {
    let list = this.appends.get(key);
    if (!list) this.appends.set(key, (list = []));
    list.push(bytes);
  }

  /** Runs `fn` after the transaction is committed. */
  afterCommit(fn: () => void): void {
    this.after.push(fn);
  }
}
