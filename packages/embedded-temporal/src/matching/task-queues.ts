/** A unit of work handed to a poller; validated against run state when it is taken. */
export type Task =
  | { kind: 'wft'; runId: string; scheduledId: number }
  | { kind: 'act'; runId: string; scheduledId: number; attempt: number }
  | { kind: 'query'; runId: string; queryId: string };

interface Queue {
  tasks: Task[];
  pollers: Array<(task: Task | null) => void>;
  /** Last time a poller waited on or left this queue (epoch ms). */
  lastPolled: number;
}

/** Queue key: task kind family, namespace and queue name. */
export const queueKey = (family: 'wf' | 'act', namespace: string, name: string): string =>
  `${family}\u0000${namespace}\u0000${name}`;

/**
 * In-memory task queues with long-polling pollers, FIFO on both sides. Tasks are references; whoever takes one
 * re-checks it against the run, so stale entries are simply skipped.
 */
export class TaskQueues {
  private readonly queues = new Map<string, Queue>();

  private queue(key: string): Queue {
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { tasks: [], pollers: [], lastPolled: 0 }));
    return q;
  }

  /** Hands the task to the longest-waiting poller, or queues it. */
  add(key: string, task: Task, front = false): void {
    const q = this.queue(key);
    const poller = q.pollers.shift();
    if (poller) poller(task);
    else if (front) q.tasks.unshift(task);
    else q.tasks.push(task);
  }

  /** Waits for a task until `deadline` (epoch ms) or abort; `null` means nothing came. */
  poll(key: string, deadline: number, signal: AbortSignal): Promise<Task | null> {
    const q = this.queue(key);
    q.lastPolled = Date.now();
    const ready = q.tasks.shift();
    if (ready) return Promise.resolve(ready);
    if (signal.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (task: Task | null): void => {
        q.lastPolled = Date.now();
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(task);
      };
      const remove = (): void => {
        const i = q.pollers.indexOf(done);
        if (i >= 0) q.pollers.splice(i, 1);
      };
      const onAbort = (): void => {
        remove();
        done(null);
      };
      const timer = setTimeout(onAbort, Math.max(0, deadline - Date.now()));
      signal.addEventListener('abort', onAbort, { once: true });
      q.pollers.push(done);
    });
  }

  /** Removes and returns every queued task of `key` (used when a sticky queue is abandoned). */
  drain(key: string): Task[] {
    const q = this.queues.get(key);
    if (!q) return [];
    const tasks = q.tasks;
    q.tasks = [];
    return tasks;
  }

  /** Drops every queued task, keeping the waiting pollers (the engine re-queues what its reloaded state holds). */
  clearTasks(): void {
    for (const q of this.queues.values()) q.tasks = [];
  }

  /** Whether some poller is waiting on `key` or was within the last `withinMs`. */
  isPolled(key: string, withinMs: number): boolean {
    const q = this.queues.get(key);
    return !!q && (q.pollers.length > 0 || Date.now() - q.lastPolled <= withinMs);
  }

  /** Number of pollers currently waiting on `key`. */
  pollerCount(key: string): number {
    return this.queues.get(key)?.pollers.length ?? 0;
  }
}
