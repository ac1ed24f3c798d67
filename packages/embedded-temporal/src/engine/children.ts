import type { temporal } from '@temporalio/proto';
import { ParentClosePolicy, WorkflowStatus } from '../proto/enums.js';
import { durMs, int64, num } from '../proto/time.js';
import type { EngineCore } from './core.js';
import type { HistoryEvent, Run } from './run-state.js';
import type { Tx } from './tx.js';
import { addEvent, appendEvent } from './history.js';
import { ensureWft } from './workflow-task.js';
import type { CompletionContext } from './completion-context.js';
import { createRun, requestCancelRun, signalRun, terminateRun } from './lifecycle.js';
import { startedAttrs } from './run-attributes.js';

type StartChildCommand = temporal.api.command.v1.IStartChildWorkflowExecutionCommandAttributes;
type SignalExternalCommand = temporal.api.command.v1.ISignalExternalWorkflowExecutionCommandAttributes;
type CancelExternalCommand = temporal.api.command.v1.IRequestCancelExternalWorkflowExecutionCommandAttributes;

/** StartChildWorkflowExecution: Initiated now; Started (or StartFailed) right after this run's command events. */
export function startChild(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  a: StartChildCommand,
  ctx: CompletionContext,
  userMetadata?: temporal.api.sdk.v1.IUserMetadata | null,
): void {
  const namespace = a.namespace || run.namespace;
  const workflowId = a.workflowId ?? '';
  const initiated = appendEvent(
    tx,
    run,
    'StartChildWorkflowExecutionInitiated',
    {
      ...a,
      namespace,
      taskQueue: a.taskQueue?.name ? a.taskQueue : { name: run.taskQueue, kind: 1 },
      workflowTaskCompletedEventId: ctx.completedId,
    },
    userMetadata,
  );
  const initiatedId = num(initiated.eventId);
  const workflowType = a.workflowType?.name ?? '';
  run.children[String(initiatedId)] = {
    initiatedId,
    namespace,
    workflowId,
    workflowType,
    runId: '',
    startedId: 0,
    parentClosePolicy: (a.parentClosePolicy as number | null | undefined) || ParentClosePolicy.TERMINATE,
  };
  ctx.later.push(() => {
    const existing = engine.currentRun(namespace, workflowId);
    if (
      existing &&
      (existing.status === WorkflowStatus.RUNNING || reuseRejects(a.workflowIdReusePolicy, existing.status))
    ) {
      delete run.children[String(initiatedId)];
      addEvent(tx, run, 'StartChildWorkflowExecutionFailed', {
        namespace,
        workflowId,
        workflowType: a.workflowType,
        cause: 1, // WORKFLOW_ALREADY_EXISTS
        initiatedEventId: initiatedId,
        workflowTaskCompletedEventId: ctx.completedId,
      });
      ensureWft(engine, tx, run);
      return;
    }
    const root = startedAttrs(run).rootWorkflowExecution ?? { workflowId: run.workflowId, runId: run.runId };
    const child = createRun(engine, tx, {
      namespace,
      workflowId,
      workflowType,
      taskQueue: a.taskQueue?.name || run.taskQueue,
      requestId: '',
      identity: ctx.identity,
      input: a.input,
      header: a.header,
      memo: a.memo,
      searchAttributes: a.searchAttributes,
      priority: a.priority,
      retryPolicy: a.retryPolicy,
      cronSchedule: a.cronSchedule,
      executionTimeoutMs: durMs(a.workflowExecutionTimeout),
      runTimeoutMs: durMs(a.workflowRunTimeout),
      taskTimeoutMs: durMs(a.workflowTaskTimeout),
      parent: { namespace: run.namespace, workflowId: run.workflowId, runId: run.runId, initiatedId },
      rootExecution: root,
      userMetadata,
    });
    const state = run.children[String(initiatedId)];
    if (state) state.runId = child.runId;
    addEvent(tx, run, 'ChildWorkflowExecutionStarted', {
      namespace,
      initiatedEventId: initiatedId,
      workflowExecution: { workflowId: child.workflowId, runId: child.runId },
      workflowType: a.workflowType,
      header: a.header,
    });
    if (state && run.wft.state !== 'started') state.startedId = run.history.length;
    ensureWft(engine, tx, run);
  });
}

/** Whether the id reuse policy forbids a new run after a closed one (REJECT_DUPLICATE, ALLOW_DUPLICATE_FAILED_ONLY). */
function reuseRejects(policy: number | null | undefined, closedStatus: number): boolean {
  if (policy === 3 /* REJECT_DUPLICATE */) return true;
  return policy === 2 /* ALLOW_DUPLICATE_FAILED_ONLY */ && closedStatus === WorkflowStatus.COMPLETED;
}

const closeEventToChildEvent: Record<number, string> = {
  [WorkflowStatus.COMPLETED]: 'ChildWorkflowExecutionCompleted',
  [WorkflowStatus.FAILED]: 'ChildWorkflowExecutionFailed',
  [WorkflowStatus.CANCELED]: 'ChildWorkflowExecutionCanceled',
  [WorkflowStatus.TERMINATED]: 'ChildWorkflowExecutionTerminated',
  [WorkflowStatus.TIMED_OUT]: 'ChildWorkflowExecutionTimedOut',
};

/** Reports a closed child run (end of its chain) to its parent. */
export function notifyParent(engine: EngineCore, tx: Tx, child: Run, closeEvent: HistoryEvent): void {
  const ref = child.parent;
  if (!ref) return;
  const parent = engine.runs.get(ref.runId);
  if (!parent || parent.status !== WorkflowStatus.RUNNING) return;
  const state = parent.children[String(ref.initiatedId)];
  if (!state) return;
  const completed = closeEvent.workflowExecutionCompletedEventAttributes;
  const failed = closeEvent.workflowExecutionFailedEventAttributes;
  const timedOut = closeEvent.workflowExecutionTimedOutEventAttributes;
  const continued = closeEvent.workflowExecutionContinuedAsNewEventAttributes;
  // The chain continues in a retry (or cron, or continued) run.
  if ((completed ?? failed ?? timedOut ?? continued)?.newExecutionRunId) return;
  const name = closeEventToChildEvent[child.status];
  if (!name) return;
  const attrs = {
    namespace: child.namespace,
    workflowExecution: { workflowId: child.workflowId, runId: state.runId || child.runId },
    workflowType: { name: state.workflowType },
    initiatedEventId: ref.initiatedId,
    startedEventId: state.startedId,
    ...(child.status === WorkflowStatus.COMPLETED && { result: completed?.result }),
    ...(child.status === WorkflowStatus.FAILED && { failure: failed?.failure, retryState: failed?.retryState }),
    ...(child.status === WorkflowStatus.CANCELED && {
      details: closeEvent.workflowExecutionCanceledEventAttributes?.details,
    }),
    ...(child.status === WorkflowStatus.TIMED_OUT && { retryState: timedOut?.retryState }),
  };
  delete parent.children[String(ref.initiatedId)];
  if (parent.wft.state === 'started' && state.startedId === 0) {
    // Started is still buffered; it is written right before this event.
    addEvent(tx, parent, name, attrs, 'startedEventId');
  } else addEvent(tx, parent, name, attrs);
  ensureWft(engine, tx, parent);
}

/** Run-closed hook: applies the closing run's parent-close policies and reports its close to its own parent. */
export function onRunClosed(engine: EngineCore, tx: Tx, run: Run, closeEvent: HistoryEvent): void {
  applyParentClosePolicy(engine, tx, run);
  // A continued run's chain goes on: the parent hears of the last run's close.
  if (run.status !== WorkflowStatus.CONTINUED_AS_NEW) notifyParent(engine, tx, run, closeEvent);
}

/** Applies each open child's parent-close policy when the parent closes. */
export function applyParentClosePolicy(engine: EngineCore, tx: Tx, parent: Run): void {
  for (const child of Object.values(parent.children)) {
    if (!child.runId || child.parentClosePolicy === ParentClosePolicy.ABANDON) continue;
    const run = engine.currentRun(child.namespace, child.workflowId);
    if (!run || run.status !== WorkflowStatus.RUNNING) continue;
    if (child.parentClosePolicy === ParentClosePolicy.REQUEST_CANCEL) {
      requestCancelRun(engine, tx, run, { cause: 'by parent close policy', identity: 'history-service' });
    } else {
      terminateRun(engine, tx, run, 'by parent close policy', null, 'history-service');
    }
  }
  parent.children = {};
}

/** SignalExternalWorkflowExecution: Initiated now, outcome and target signal right after. */
export function signalExternal(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  a: SignalExternalCommand,
  ctx: CompletionContext,
): void {
  const namespace = a.namespace || run.namespace;
  const ev = appendEvent(tx, run, 'SignalExternalWorkflowExecutionInitiated', {
    ...a,
    namespace,
    workflowTaskCompletedEventId: ctx.completedId,
  });
  const initiatedId = num(ev.eventId);
  ctx.later.push(() => {
    const target = findTarget(engine, namespace, a.execution);
    const exec = a.execution;
    if (!target) {
      addEvent(tx, run, 'SignalExternalWorkflowExecutionFailed', {
        namespace,
        workflowExecution: exec,
        initiatedEventId: initiatedId,
        cause: 1, // EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND
        control: a.control ?? '',
        workflowTaskCompletedEventId: ctx.completedId,
      });
    } else {
      signalRun(engine, tx, target, {
        signalName: a.signalName ?? '',
        input: a.input,
        header: a.header,
        identity: ctx.identity,
        externalWorkflowExecution: { workflowId: run.workflowId, runId: run.runId },
      });
      addEvent(tx, run, 'ExternalWorkflowExecutionSignaled', {
        namespace,
        workflowExecution: { workflowId: target.workflowId, runId: exec?.runId ?? '' },
        initiatedEventId: initiatedId,
        control: a.control ?? '',
      });
    }
    ensureWft(engine, tx, run);
  });
}

/** RequestCancelExternalWorkflowExecution: Initiated now, outcome and target cancel request right after. */
export function cancelExternal(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  a: CancelExternalCommand,
  ctx: CompletionContext,
): void {
  const namespace = a.namespace || run.namespace;
  const exec = { workflowId: a.workflowId, runId: a.runId ?? '' };
  const ev = appendEvent(tx, run, 'RequestCancelExternalWorkflowExecutionInitiated', {
    ...a,
    namespace,
    workflowExecution: exec,
    workflowTaskCompletedEventId: ctx.completedId,
  });
  const initiatedId = num(ev.eventId);
  ctx.later.push(() => {
    const target = findTarget(engine, namespace, exec);
    if (!target) {
      addEvent(tx, run, 'RequestCancelExternalWorkflowExecutionFailed', {
        namespace,
        workflowExecution: exec,
        initiatedEventId: initiatedId,
        cause: 1,
        control: a.control ?? '',
        workflowTaskCompletedEventId: ctx.completedId,
      });
    } else {
      requestCancelRun(engine, tx, target, {
        cause: a.reason ?? '',
        externalInitiatedEventId: int64(initiatedId),
        externalWorkflowExecution: { workflowId: run.workflowId, runId: run.runId },
        identity: ctx.identity,
      });
      addEvent(tx, run, 'ExternalWorkflowExecutionCancelRequested', {
        namespace,
        workflowExecution: exec,
        initiatedEventId: initiatedId,
      });
    }
    ensureWft(engine, tx, run);
  });
}

function findTarget(
  engine: EngineCore,
  namespace: string,
  exec: temporal.api.common.v1.IWorkflowExecution | null | undefined,
): Run | undefined {
  const runId = exec?.runId || '';
  const run = runId ? engine.runs.get(runId) : engine.currentRun(namespace, exec?.workflowId ?? '');
  return run && run.status === WorkflowStatus.RUNNING && run.workflowId === exec?.workflowId ? run : undefined;
}
