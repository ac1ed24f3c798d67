import type { RpcError } from '../rpc/errors.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

type Watcher = (error?: RpcError) => void;

/** Callers waiting for a run's state to reach a condition (long polls), re-checked after each commit touching it. */
export class RunWatchers {
  private readonly byRun = new Map<string, Set<Watcher>>();
  private stopped = false;

  /**
   * Resolves with `check()`'s first non-undefined value, or `undefined` at the deadline, on abort, or at
   * {@link stop}; rejects with the error given to {@link failAll}.
   */
  wait<T>(runId: string, check: () => T | undefined, deadline: number, signal: AbortSignal): Promise<T | undefined> {
    const first = check();
    if (first !== undefined || this.stopped) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      let set = this.byRun.get(runId);
      if (!set) this.byRun.set(runId, (set = new Set()));
      const settle = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        set.delete(watcher);
      };
      const watcher: Watcher = (error) => {
        if (error) {
          settle();
          return reject(error);
        }
        const v = this.stopped ? undefined : check();
        if (v !== undefined || this.stopped) {
          settle();
          resolve(v);
        }
      };
      const onAbort = (): void => {
        settle();
        resolve(undefined);
      };
      const timer = setTimeout(onAbort, Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
      signal.addEventListener('abort', onAbort, { once: true });
      set.add(watcher);
    });
  }

  /** Re-checks the waits on `runId` (after a commit touching it). */
  notify(runId: string): void {
    for (const w of [...(this.byRun.get(runId) ?? [])]) w();
  }

  /** Shutdown: every wait resolves with `undefined`, now and from now on. */
  stop(): void {
    this.stopped = true;
    for (const set of this.byRun.values()) for (const w of [...set]) w();
  }

  /** Every current wait rejects with `error`: the state it was checking is being replaced. */
  failAll(error: RpcError): void {
    for (const set of this.byRun.values()) for (const w of [...set]) w(error);
  }
}
