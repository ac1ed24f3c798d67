import type { TaskQueues, Task } from '../matching/task-queues.js';
import type { QueryRegistry } from '../queries/query-registry.js';
import type { NamespaceRecord } from './namespaces.js';
import type { HistoryEvent, Run } from './run-state.js';
import type { Tx } from './tx.js';

/** Logger shape accepted by the engine and server. */
export interface EngineLogger {
  info(message: string): void;
  warn(message: string, err?: unknown): void;
}

export interface EngineOptions {
  /** Cap for history and update waits when the caller sets no deadline (queries wait at least 20 s). */
  longPollTimeoutMs: number;
  /** Cap for task-queue polls. */
  taskPollTimeoutMs: number;
  /** Start activities whose worker asks for eager execution in the completion (`system.enableActivityEagerExecution`). */
  eagerActivities: boolean;
  logger: EngineLogger;
}

/**
 * Callbacks the modules built on the engine register (see `create-engine.ts`), so that the core never imports
 * them: deadline timers, children, updates and queries.
 */
export interface EngineHooks {
  /** Inside the transaction that closed `run`, right after its close event was written. */
  runClosed: Array<(tx: Tx, run: Run, closeEvent: HistoryEvent) => void>;
  /** After a commit made `run`'s new state durable, after a (re)load, and when its namespace changed. */
  runChanged: Array<(run: Run) => void>;
  /** `run` was deleted and left every in-memory index. */
  runForgotten: Array<(run: Run) => void>;
  /** The engine stops, or drops its in-memory state to reload it from the store: volatile state goes. */
  reset: Array<(reason: 'stop' | 'reload') => void>;
}

/**
 * The part of the engine that state-changing operations (lifecycle, workflow tasks, commands, activities,
 * children, updates, deadlines) work with inside a transaction: the run index, the task queues and the hooks.
 * It leaves out committing, waiting and loading, which only the RPC layer and the deadline timers use.
 */
export interface EngineCore {
  readonly runs: ReadonlyMap<string, Run>;
  readonly queues: TaskQueues;
  readonly queries: QueryRegistry;
  readonly opts: EngineOptions;
  readonly hooks: EngineHooks;
  /** The namespace record; NOT_FOUND when there is none. */
  namespace(name: string): NamespaceRecord;
  currentRun(namespace: string, workflowId: string): Run | undefined;
  /** Registers a new run as the current one for its workflow id. */
  addRun(run: Run): void;
  /** Drops a deleted run from every in-memory index (its store record goes with the deleting transaction). */
  forget(run: Run): void;
  nextSeq(): number;
  newToken(kind: string, runId: string, extra: number | string): string;
  /** Puts a workflow task on the queue chosen at schedule time. */
  dispatch(run: Run, task: Task, front?: boolean): void;
  /** How long the run's namespace keeps closed runs (Infinity if the namespace is unknown). */
  retentionMs(run: Run): number;
}
