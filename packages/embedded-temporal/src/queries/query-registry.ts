import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { WorkflowStatus } from '../proto/enums.js';
import { queueKey, type TaskQueues } from '../matching/task-queues.js';
import { RpcError, notFound } from '../rpc/errors.js';
import type { Run } from '../engine/run-state.js';
import type { Tx } from '../engine/tx.js';

/** How a query ended: the worker's answer or failure, or a server-side error. */
export type QueryOutcome =
  | { answer: temporal.api.common.v1.IPayloads | null }
  | { failedMessage: string; failure: temporal.api.failure.v1.IFailure | null }
  | { error: RpcError };

/** Whether a QueryResultType is QUERY_RESULT_TYPE_ANSWERED (1); the generated enum is not loaded at run time. */
const isAnswered = (type: number | null | undefined): boolean => type === 1;

interface PendingQuery {
  id: string;
  runId: string;
  query: temporal.api.query.v1.IWorkflowQuery;
  state: 'waiting' | 'attached' | 'legacy';
  wftToken: string;
  /** Whether the legacy task goes to the sticky queue (with empty history). */
  sticky: boolean;
  resolve(outcome: QueryOutcome): void;
}

/**
 * Queries in flight (volatile: a query does not survive a restart). A query waits for the run's next workflow
 * task, rides on it, or is sent as a legacy query task when the run is idle or closed.
 */
export class QueryRegistry {
  private readonly byId = new Map<string, PendingQuery>();

  /** `queues` receives the legacy query tasks. */
  constructor(private readonly queues: TaskQueues) {}

  create(runId: string, query: temporal.api.query.v1.IWorkflowQuery): { id: string; outcome: Promise<QueryOutcome> } {
    const id = randomUUID();
    const outcome = new Promise<QueryOutcome>((resolve) => {
      this.byId.set(id, { id, runId, query, state: 'waiting', wftToken: '', sticky: false, resolve });
    });
    return { id, outcome };
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  private forRun(runId: string): PendingQuery[] {
    return [...this.byId.values()].filter((q) => q.runId === runId);
  }

  /** Attaches every waiting query of the run to the task being started; returns the poll response `queries` map. */
  attachToWft(runId: string, token: string): Record<string, temporal.api.query.v1.IWorkflowQuery> {
    const out: Record<string, temporal.api.query.v1.IWorkflowQuery> = {};
    for (const q of this.forRun(runId)) {
      if (q.state !== 'waiting') continue;
      q.state = 'attached';
      q.wftToken = token;
      out[q.id] = q.query;
    }
    return out;
  }

  detachFromWft(runId: string): void {
    for (const q of this.forRun(runId)) if (q.state === 'attached') q.state = 'waiting';
  }

  resolveAttached(token: string, results: Record<string, temporal.api.query.v1.IWorkflowQueryResult>): void {
    for (const q of this.byId.values()) {
      if (q.state !== 'attached' || q.wftToken !== token) continue;
      const r = results[q.id];
      if (!r) {
        q.state = 'waiting';
        continue;
      }
      this.finish(
        q,
        isAnswered(r.resultType)
          ? { answer: r.answer ?? null }
          : { failedMessage: r.errorMessage ?? '', failure: r.failure ?? null },
      );
    }
  }

  /** Called when a task completed: queries that cannot ride on a new task become legacy query tasks. */
  afterWftClosed(tx: Tx, run: Run): void {
    if (run.wft.state !== 'none' || run.status !== WorkflowStatus.RUNNING) return;
    tx.afterCommit(() => this.dispatchWaiting(run));
  }

  /** Sends waiting queries of an idle or closed run as legacy query tasks. */
  dispatchWaiting(run: Run): void {
    for (const q of this.forRun(run.runId)) if (q.state === 'waiting') this.dispatchLegacy(run, q);
  }

  /** The run closed (and that is durable): its queries go to a worker as legacy tasks, or fail. */
  onRunClosed(run: Run): void {
    const everStarted =
      run.lastCompletedStartedId > 0 || run.history.decoded().some((e) => e.workflowTaskStartedEventAttributes);
    for (const q of this.forRun(run.runId)) {
      if (q.state === 'legacy') continue;
      if (everStarted) this.dispatchLegacy(run, q);
      else this.finish(q, { error: closedBeforeStart() });
    }
  }

  private dispatchLegacy(run: Run, q: PendingQuery): void {
    q.state = 'legacy';
    const stickyKey = queueKey('wf', run.namespace, run.stickyQueue);
    q.sticky =
      run.status === WorkflowStatus.RUNNING && run.stickyQueue !== '' && this.queues.pollerCount(stickyKey) > 0;
    const key = q.sticky ? stickyKey : queueKey('wf', run.namespace, run.taskQueue);
    this.queues.add(key, { kind: 'query', runId: run.runId, queryId: q.id });
  }

  /** Takes a legacy query task for a poller; `undefined` if the query is gone or must ride on a workflow task. */
  takeLegacy(queryId: string, run: Run): { query: temporal.api.query.v1.IWorkflowQuery; sticky: boolean } | undefined {
    const q = this.byId.get(queryId);
    if (!q || q.state !== 'legacy') return undefined;
    if (run.status === WorkflowStatus.RUNNING && run.wft.state !== 'none') {
      q.state = 'waiting';
      return undefined;
    }
    return { query: q.query, sticky: q.sticky };
  }

  /** RespondQueryTaskCompleted. Returns false for unknown ids. */
  resolveLegacy(queryId: string, req: temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest): boolean {
    const q = this.byId.get(queryId);
    if (!q) return false;
    const answered = isAnswered(req.completedType);
    this.finish(
      q,
      answered
        ? { answer: req.queryResult ?? null }
        : { failedMessage: req.errorMessage ?? '', failure: req.failure ?? null },
    );
    return true;
  }

  /** The run was deleted: its queries can never be answered. */
  onRunDeleted(run: Run): void {
    for (const q of this.forRun(run.runId))
      this.finish(q, { error: notFound(`workflow not found for ID: ${run.workflowId}`) });
  }

  failAll(message: string): void {
    for (const q of [...this.byId.values()]) this.finish(q, { error: new RpcError(status.UNAVAILABLE, message) });
  }

  private finish(q: PendingQuery, outcome: QueryOutcome): void {
    this.byId.delete(q.id);
    q.resolve(outcome);
  }
}

export function closedBeforeStart(): RpcError {
  return new RpcError(status.FAILED_PRECONDITION, 'Workflow execution closed before WorkflowTaskStarted event', {
    type: 'WorkflowNotReadyFailure',
    value: {},
  });
}
