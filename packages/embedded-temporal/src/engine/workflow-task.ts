import type { temporal } from '@temporalio/proto';
import { TaskQueueKind, WorkflowStatus, WftFailedCause } from '../proto/enums.js';
import { dur, int64, num, ts } from '../proto/time.js';
import type { EngineCore } from './core.js';

/** What the workflow-task state machine needs of the engine: the queues, pending queries and task tokens. */
export type WftCore = Pick<EngineCore, 'queues' | 'queries' | 'dispatch' | 'newToken'>;
import type { Run } from './run-state.js';
import type { Tx } from './tx.js';
import { appendEvent, flushBuffered } from './history.js';
import { queueKey } from '../matching/task-queues.js';
import { onChildEventFlushed } from './child-events.js';
import { pendingUpdateMessages, resetSentUpdates, hasUndeliveredUpdates } from '../updates/update-delivery.js';

/** A sticky queue counts as alive while polled within this window. */
const STICKY_LIVENESS_MS = 5_000;

/** Schedules a workflow task unless one is pending, the run is closed, or its first task is still delayed. */
export function scheduleWft(engine: WftCore, tx: Tx, run: Run, attempt = 1): void {
  if (run.status !== WorkflowStatus.RUNNING || run.wft.state !== 'none' || run.firstWftAt > 0) return;
  // A sticky queue nobody polls (worker gone, or server restarted) would only cost a schedule-to-start timeout.
  if (run.stickyQueue && !engine.queues.isPolled(queueKey('wf', run.namespace, run.stickyQueue), STICKY_LIVENESS_MS)) {
    run.stickyQueue = '';
  }
  const sticky = run.stickyQueue !== '';
  const queue = sticky ? run.stickyQueue : run.taskQueue;
  const taskQueue = sticky
    ? { name: queue, kind: TaskQueueKind.STICKY, normalName: run.taskQueue }
    : { name: queue, kind: TaskQueueKind.NORMAL };
  const event = appendEvent(tx, run, 'WorkflowTaskScheduled', {
    taskQueue,
    startToCloseTimeout: dur(run.taskTimeoutMs),
    attempt,
  });
  const scheduledId = num(event.eventId);
  run.needsWft = false;
  run.wft = {
    state: 'scheduled',
    scheduledId,
    startedId: 0,
    attempt,
    queue,
    sticky,
    scheduledAt: Date.now(),
    startedAt: 0,
    token: '',
    deadline: sticky ? Date.now() + run.stickyScheduleToStartMs : 0,
  };
  // Not when the task was started in the same transaction (returned inline to the completing worker).
  tx.afterCommit(() => {
    if (run.wft.state === 'scheduled' && run.wft.scheduledId === scheduledId)
      engine.dispatch(run, { kind: 'wft', runId: run.runId, scheduledId });
  });
}

/** Makes sure the workflow will see a new task: now if idle, after the running task otherwise. */
export function ensureWft(engine: WftCore, tx: Tx, run: Run): void {
  if (run.wft.state === 'none') scheduleWft(engine, tx, run);
  else if (run.wft.state === 'started') {
    run.needsWft = true;
    tx.dirty.add(run);
  }
}

/**
 * Starts the scheduled workflow task for a poller and returns the poll response, or `null` if the task is stale.
 */
export function startWft(
  engine: WftCore,
  tx: Tx,
  run: Run,
  scheduledId: number,
  poll: { identity?: string | null; requestId?: string | null },
): temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse | null {
  if (run.status !== WorkflowStatus.RUNNING || run.wft.state !== 'scheduled' || run.wft.scheduledId !== scheduledId) {
    return null;
  }
  const started = appendEvent(tx, run, 'WorkflowTaskStarted', {
    scheduledEventId: scheduledId,
    identity: poll.identity ?? '',
    requestId: poll.requestId || engine.newToken('req', run.runId, scheduledId),
    historySizeBytes: run.historyBytes,
    suggestContinueAsNew: false,
  });
  const startedId = num(started.eventId);
  const now = Date.now();
  run.wft = {
    ...run.wft,
    state: 'started',
    startedId,
    startedAt: now,
    token: engine.newToken('wft', run.runId, scheduledId),
    deadline: now + run.taskTimeoutMs,
  };
  const partial = run.wft.sticky && run.lastCompletedStartedId > 0;
  const history = run.history.page(partial ? run.lastCompletedStartedId : 0);
  const queries = engine.queries.attachToWft(run.runId, run.wft.token);
  return {
    taskToken: Buffer.from(run.wft.token),
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    workflowType: { name: run.workflowType },
    previousStartedEventId: int64(run.lastCompletedStartedId),
    startedEventId: int64(startedId),
    attempt: run.wft.attempt,
    history,
    workflowExecutionTaskQueue: { name: run.taskQueue, kind: TaskQueueKind.NORMAL },
    scheduledTime: ts(run.wft.scheduledAt),
    startedTime: ts(now),
    queries,
    messages: pendingUpdateMessages(tx, run, startedId),
  };
}

/** The run whose started workflow task `token` names; `undefined` when the token is stale. */
export function runForWftToken(engine: Pick<EngineCore, 'runs'>, token: Uint8Array): Run | undefined {
  const text = Buffer.from(token).toString();
  const runId = text.split(':')[1] ?? '';
  const run = engine.runs.get(runId);
  if (!run || run.status !== WorkflowStatus.RUNNING || run.wft.state !== 'started' || run.wft.token !== text)
    return undefined;
  return run;
}

/**
 * Closes the started workflow task as failed (`WorkflowTaskFailed`) or timed out, flushes buffered events and
 * retries on the normal queue.
 */
export function failWft(
  engine: WftCore,
  tx: Tx,
  run: Run,
  how:
    | { cause: number; failure?: temporal.api.failure.v1.IFailure | null; identity?: string | null }
    | { timeout: number },
): void {
  const { scheduledId, startedId, sticky } = run.wft;
  const wasStarted = run.wft.state === 'started';
  if ('timeout' in how) {
    appendEvent(tx, run, 'WorkflowTaskTimedOut', {
      scheduledEventId: scheduledId,
      startedEventId: wasStarted ? startedId : 0,
      timeoutType: how.timeout,
    });
  } else {
    appendEvent(tx, run, 'WorkflowTaskFailed', {
      scheduledEventId: scheduledId,
      startedEventId: startedId,
      cause: how.cause,
      failure: how.failure ?? null,
      identity: how.identity ?? '',
    });
  }
  // A sticky failure does not count as an attempt (the retry on the normal queue starts from full history).
  const nextAttempt = sticky ? run.wft.attempt : run.wft.attempt + 1;
  run.wft = { ...run.wft, state: 'none', token: '' };
  run.stickyQueue = '';
  engine.queries.detachFromWft(run.runId);
  resetSentUpdates(run);
  const flushed = flushBuffered(tx, run, (e) => onChildEventFlushed(run, e));
  if (run.status === WorkflowStatus.RUNNING) scheduleWft(engine, tx, run, flushed > 0 ? 1 : nextAttempt);
}

/** Terminate mid-task: the started task is closed with FORCE_CLOSE_COMMAND before the close event. */
export function forceCloseWft(tx: Tx, run: Run): void {
  if (run.wft.state === 'started') {
    appendEvent(tx, run, 'WorkflowTaskFailed', {
      scheduledEventId: run.wft.scheduledId,
      startedEventId: run.wft.startedId,
      cause: WftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
    });
    run.wft = { ...run.wft, state: 'none', token: '' };
    flushBuffered(tx, run, (e) => onChildEventFlushed(run, e));
  }
}

/** Whether the workflow has news it has not seen: completing it now must be rejected as UnhandledCommand. */
export function hasUnhandledNews(run: Run): boolean {
  return run.buffered.length > 0 || hasUndeliveredUpdates(run);
}

/** Moves a run off a sticky queue (schedule-to-start timeout, or the sticky worker shut down). */
export function abandonSticky(engine: WftCore, tx: Tx, run: Run): void {
  // The stale sticky queue entry is skipped when taken: its scheduled id no longer matches.
  if (run.wft.state === 'scheduled' && run.wft.sticky) {
    failWft(engine, tx, run, { timeout: 2 /* SCHEDULE_TO_START */ });
  }
  run.stickyQueue = '';
  tx.dirty.add(run);
}
