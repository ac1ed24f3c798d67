import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { WorkflowStatus } from '../proto/enums.js';
import { RpcError, notFound } from '../rpc/errors.js';
import { TaskQueues, queueKey, type Task } from '../matching/task-queues.js';
import { QueryRegistry } from '../queries/query-registry.js';
import type { DurableStore, StoredState } from './store-types.js';
import { StoreWriteError } from '../persistence/index.js';
import type { Run, RunRecord } from './run-state.js';
import { EventLog } from './event-log.js';
import { historyKey } from './history.js';
import { Tx } from './tx.js';
import { CommitPipeline } from './commit-pipeline.js';
import { RunWatchers } from './run-watchers.js';
import { defaultNamespace, type NamespaceRecord } from './namespaces.js';
import type { EngineCore, EngineHooks, EngineOptions } from './core.js';

export type { EngineLogger, EngineOptions } from './core.js';

/**
 * The in-memory model of every namespace, run and task queue. All state changes go through {@link Engine.mutate},
 * which commits the change atomically (changes made while a commit is in flight share the next store transaction)
 * and only then dispatches tasks and wakes waiters. What is built on it (deadline timers, children, updates,
 * queries) registers {@link EngineHooks}; `create-engine.ts` wires them.
 */
export class Engine implements EngineCore {
  readonly runs = new Map<string, Run>();
  readonly namespaces = new Map<string, NamespaceRecord>();
  readonly queues = new TaskQueues();
  readonly queries = new QueryRegistry(this.queues);
  readonly hooks: EngineHooks = { runClosed: [], runChanged: [], runForgotten: [], reset: [] };
  private readonly current = new Map<string, string>();
  private readonly watchers = new RunWatchers();
  private readonly pipeline: CommitPipeline;
  private seq = 0;
  private stopped = false;
  /** Set while changes are refused after a failed commit: during the reload, or for good if the store broke. */
  private unavailable: RpcError | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private defaultNs = 'default';
  private tokenSeq = 0;

  constructor(
    private readonly store: DurableStore,
    readonly opts: EngineOptions,
  ) {
    this.pipeline = new CommitPipeline(store, (err) => this.commitFailed(err));
  }

  /** Rebuilds state from the store and re-arms timers and queued tasks. */
  async load(defaultNs: string): Promise<void> {
    this.defaultNs = defaultNs;
    await this.apply(await this.store.load());
  }

  private async apply(state: StoredState): Promise<void> {
    const defaultNs = this.defaultNs;
    for (const [key, value] of state.values) {
      if (key.startsWith('ns/')) {
        const ns = value as NamespaceRecord;
        this.namespaces.set(ns.name, ns);
      } else if (key.startsWith('run/')) {
        const record = value as RunRecord;
        const events = state.logs.get(historyKey(record.runId)) ?? [];
        const history = EventLog.of(events);
        const historyBytes = events.reduce((sum, bytes) => sum + bytes.length, 0);
        const run: Run = { ...record, history, historyBytes, durableLength: history.length };
        this.runs.set(run.runId, run);
        this.seq = Math.max(this.seq, run.seq);
      }
    }
    for (const run of [...this.runs.values()].sort((a, b) => a.seq - b.seq)) {
      this.current.set(this.currentKey(run.namespace, run.workflowId), run.runId);
    }
    if (!this.namespaces.has(defaultNs)) {
      const ns = defaultNamespace(defaultNs);
      this.namespaces.set(ns.name, ns);
      await this.store.commit({ put: [[`ns/${ns.name}`, ns]] });
    }
    for (const run of this.runs.values()) {
      // Closed runs too: their retention may have run out while the server was down.
      this.changed(run);
      if (run.status !== WorkflowStatus.RUNNING) continue;
      if (run.wft.state === 'scheduled')
        this.dispatch(run, { kind: 'wft', runId: run.runId, scheduledId: run.wft.scheduledId });
      for (const a of Object.values(run.activities)) {
        if (a.state === 'scheduled' && !a.paused) {
          this.queues.add(queueKey('act', run.namespace, a.taskQueue), {
            kind: 'act',
            runId: run.runId,
            scheduledId: a.scheduledId,
            attempt: a.attempt,
          });
        }
      }
    }
  }

  /**
   * Applies `fn` (synchronous, mutating in-memory state and recording into the transaction), commits the
   * transaction durably, then runs post-commit effects. Resolves with `fn`'s result.
   */
  async mutate<T>(fn: (tx: Tx) => T): Promise<T> {
    if (this.stopped) throw new RpcError(status.UNAVAILABLE, 'server is shutting down');
    if (this.unavailable) throw this.unavailable;
    const tx = new Tx();
    let result: T;
    try {
      result = fn(tx);
    } catch (err) {
      // Whatever was applied in memory before the failure is committed too, so a restart sees the same state.
      if (tx.dirty.size || tx.puts.length) await this.commit(tx);
      throw err;
    }
    await this.commit(tx);
    for (const effect of tx.after) effect();
    return result;
  }

  private async commit(tx: Tx): Promise<void> {
    const put: Array<[string, unknown]> = [...tx.puts];
    const lengths = new Map<Run, number>();
    for (const run of tx.dirty) {
      // A deleted run's waiters still wake below: a caller awaiting its result sees the termination first.
      lengths.set(run, run.history.length);
      if (!tx.deleted.has(run)) put.push([`run/${run.runId}`, toRecord(run)]);
    }
    const dropLogs: string[] = [];
    for (const run of tx.deleted) {
      put.push([`run/${run.runId}`, null]);
      dropLogs.push(historyKey(run.runId));
      // The store appends after dropping: events written in the same change (a termination) must not revive the log.
      tx.appends.delete(historyKey(run.runId));
    }
    await this.pipeline.write({ put, append: [...tx.appends], dropLogs });
    for (const [run, length] of lengths) {
      run.durableLength = Math.max(run.durableLength, length);
      this.changed(run);
      this.watchers.notify(run.runId);
    }
  }

  /**
   * Drops a deleted run from every in-memory index: lookups here, its deadline timer and its queries through
   * `runForgotten`. Its store record goes with the transaction that deleted it.
   */
  forget(run: Run): void {
    this.runs.delete(run.runId);
    const key = this.currentKey(run.namespace, run.workflowId);
    if (this.current.get(key) === run.runId) this.current.delete(key);
    for (const hook of this.hooks.runForgotten) hook(run);
  }

  /** Registers a new run as the current one for its workflow id. */
  addRun(run: Run): void {
    this.runs.set(run.runId, run);
    this.current.set(this.currentKey(run.namespace, run.workflowId), run.runId);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  newToken(kind: string, runId: string, extra: number | string): string {
    return `${kind}:${runId}:${extra}:${++this.tokenSeq}:${randomUUID().slice(0, 8)}`;
  }

  /** The namespace called `name` (a request's unset field reads as ''); NOT_FOUND otherwise. */
  namespace(requested: string | null | undefined): NamespaceRecord {
    const name = requested ?? '';
    const ns = this.namespaces.get(name);
    if (!ns) {
      throw new RpcError(status.NOT_FOUND, `Namespace ${name} is not found.`, {
        type: 'NamespaceNotFoundFailure',
        value: { namespace: name },
      });
    }
    return ns;
  }

  currentRun(namespace: string, workflowId: string): Run | undefined {
    const runId = this.current.get(this.currentKey(namespace, workflowId));
    return runId ? this.runs.get(runId) : undefined;
  }

  /** The run named by `execution` (current run when `runId` is empty); NOT_FOUND otherwise. */
  findRun(
    requested: string | null | undefined,
    execution: temporal.api.common.v1.IWorkflowExecution | null | undefined,
  ): Run {
    const namespace = this.namespace(requested).name;
    const workflowId = execution?.workflowId ?? '';
    const runId = execution?.runId ?? '';
    const run = runId ? this.runs.get(runId) : this.currentRun(namespace, workflowId);
    if (!run || run.workflowId !== workflowId || run.namespace !== namespace) {
      throw notFound(`workflow not found for ID: ${workflowId}`);
    }
    return run;
  }

  /** Puts a workflow task on the queue chosen at schedule time. */
  dispatch(run: Run, task: Task, front = false): void {
    this.queues.add(queueKey('wf', run.namespace, run.wft.queue || run.taskQueue), task, front);
  }

  /**
   * Resolves with `check()`'s first non-undefined value, re-evaluated after every commit touching the run, or
   * `undefined` at the deadline, on abort, or at shutdown. Rejects with UNAVAILABLE when the engine drops its
   * state to reload it after a failed commit.
   */
  waitFor<T>(runId: string, check: () => T | undefined, deadline: number, signal: AbortSignal): Promise<T | undefined> {
    if (this.unavailable && !this.stopped) return Promise.reject(this.unavailable);
    return this.watchers.wait(runId, check, deadline, signal);
  }

  /** Long-poll deadline: the caller's deadline minus a second, capped by `capMs`. */
  pollDeadline(callDeadline: number, capMs: number): number {
    return Math.min(callDeadline - 1000, Date.now() + capMs);
  }

  /** How long the run's namespace keeps closed runs (Infinity if the namespace is unknown). */
  retentionMs(run: Run): number {
    return this.namespaces.get(run.namespace)?.retentionMs ?? Infinity;
  }

  /** Re-arms every run of a namespace, e.g. after its retention changed. */
  rearmNamespace(namespace: string): void {
    for (const run of this.runs.values()) if (run.namespace === namespace) this.changed(run);
  }

  /** Stops timers and wakes every waiter; further mutations fail with UNAVAILABLE. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const hook of this.hooks.reset) hook('stop');
    this.watchers.stop();
    await this.pipeline.idle();
    await this.reloading;
  }

  /**
   * A store commit failed: memory now holds changes the disk does not (the failed one, and any made on top of
   * it while it was being written). Rather than undo them one by one, the engine does what Temporal's history
   * service does with a mutable-state cache entry whose write failed: it drops its in-memory state and reloads it
   * from the store, refusing changes with UNAVAILABLE meanwhile (clients retry). Changes queued behind the failed
   * write never reach the store (see {@link CommitPipeline}). A fatal store error (failed fsync: the store takes
   * no more commits) leaves the engine refusing changes until the server is restarted on the directory.
   */
  private commitFailed(err: unknown): void {
    if (this.stopped) return;
    const fatal = err instanceof StoreWriteError && err.fatal;
    const reason = new RpcError(
      status.UNAVAILABLE,
      fatal
        ? 'the durable store failed and takes no more writes; restart the server'
        : 'a write to the durable store failed; the server is reloading its state from disk',
    );
    this.unavailable = reason;
    this.pipeline.halt(reason);
    this.opts.logger.warn(
      fatal ? 'durable store failed: refusing changes until restarted' : 'store commit failed: reloading from disk',
      err,
    );
    for (const hook of this.hooks.reset) hook('reload');
    this.queues.clearTasks();
    // Waits on the old state end: their callers retry against the reloaded one.
    this.watchers.failAll(reason);
    if (!fatal) this.reloading = this.reload();
  }

  private async reload(): Promise<void> {
    try {
      await this.pipeline.idle();
      const state = await this.store.load();
      if (this.stopped) return;
      this.runs.clear();
      this.current.clear();
      this.namespaces.clear();
      this.seq = 0;
      await this.apply(state);
      this.unavailable = undefined;
      this.pipeline.resume();
      this.opts.logger.info('state reloaded from disk after a failed store commit');
    } catch (err) {
      if (this.stopped) return;
      this.unavailable = new RpcError(status.UNAVAILABLE, 'reloading state from disk failed; restart the server');
      this.opts.logger.warn('reloading state from disk failed: refusing changes until restarted', err);
    }
  }

  private changed(run: Run): void {
    for (const hook of this.hooks.runChanged) hook(run);
  }

  private currentKey(namespace: string, workflowId: string): string {
    return `${namespace}\u0000${workflowId}`;
  }
}

function toRecord(run: Run): RunRecord {
  const { history: _h, historyBytes: _b, durableLength: _d, ...record } = run;
  return record;
}
