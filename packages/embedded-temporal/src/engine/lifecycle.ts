import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { RetryState, TaskQueueKind, WorkflowStatus } from '../proto/enums.js';
import { dur, durMs, ts } from '../proto/time.js';
import type { EngineCore } from './core.js';
import type { HistoryEvent, ParentRef, Run } from './run-state.js';
import type { Tx } from './tx.js';
import { addEvent, appendEvent } from './history.js';
import { EventLog } from './event-log.js';
import { ensureWft, forceCloseWft, scheduleWft } from './workflow-task.js';
import {
  memoOf,
  searchAttributesOf,
  setInitialAttributes,
  startedAttrs,
  withSearchAttributeTypes,
} from './run-attributes.js';
import { normalizeRetry, retryDecision } from '../activities/retry-policy.js';

type Payloads = temporal.api.common.v1.IPayloads;
type Failure = temporal.api.failure.v1.IFailure;
type Header = temporal.api.common.v1.IHeader;
type Memo = temporal.api.common.v1.IMemo;
type SearchAttributes = temporal.api.common.v1.ISearchAttributes;
type SignalAttributes = temporal.api.history.v1.IWorkflowExecutionSignaledEventAttributes;

const DEFAULT_TASK_TIMEOUT_MS = 10_000;
const MAX_TASK_TIMEOUT_MS = 120_000;

/** Everything needed to create a run and write its WorkflowExecutionStarted event. */
export interface NewRun {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  requestId: string;
  identity: string;
  input?: Payloads | null;
  header?: Header | null;
  memo?: Memo | null;
  searchAttributes?: SearchAttributes | null;
  userMetadata?: temporal.api.sdk.v1.IUserMetadata | null;
  priority?: temporal.api.common.v1.IPriority | null;
  retryPolicy?: temporal.api.common.v1.IRetryPolicy | null;
  cronSchedule?: string | null;
  executionTimeoutMs: number;
  runTimeoutMs: number;
  taskTimeoutMs: number;
  /** Inherited from the first run of a chain; 0 = derive from executionTimeoutMs. */
  executionDeadline?: number;
  firstRunId?: string;
  attempt?: number;
  firstWftDelayMs?: number;
  parent?: ParentRef | null;
  rootExecution?: temporal.api.common.v1.IWorkflowExecution | null;
  continuedRunId?: string;
  initiator?: number;
  continuedFailure?: Failure | null;
  lastCompletionResult?: Payloads | null;
  /** SignalWithStart: the signal written between Started and the first WorkflowTaskScheduled. */
  signal?: SignalAttributes;
}

/** Creates a run with `[WorkflowExecutionStarted, (Signaled), WorkflowTaskScheduled]` (or a delayed first task). */
export function createRun(engine: EngineCore, tx: Tx, spec: NewRun): Run {
  const now = Date.now();
  const runId = randomUUID();
  const executionDeadline = spec.executionDeadline || (spec.executionTimeoutMs ? now + spec.executionTimeoutMs : 0);
  let runTimeoutMs = spec.runTimeoutMs;
  if (spec.executionTimeoutMs && (!runTimeoutMs || runTimeoutMs > spec.executionTimeoutMs))
    runTimeoutMs = spec.executionTimeoutMs;
  let taskTimeoutMs = Math.min(spec.taskTimeoutMs || DEFAULT_TASK_TIMEOUT_MS, MAX_TASK_TIMEOUT_MS);
  if (runTimeoutMs) taskTimeoutMs = Math.min(taskTimeoutMs, runTimeoutMs);
  const delay = spec.firstWftDelayMs ?? 0;
  spec = {
    ...spec,
    searchAttributes: withSearchAttributeTypes(
      spec.searchAttributes,
      engine.namespace(spec.namespace).searchAttributes,
    ),
  };
  const run: Run = {
    seq: engine.nextSeq(),
    namespace: spec.namespace,
    workflowId: spec.workflowId,
    runId,
    firstRunId: spec.firstRunId || runId,
    workflowType: spec.workflowType,
    taskQueue: spec.taskQueue,
    status: WorkflowStatus.RUNNING,
    startTime: now,
    executionTime: now + delay,
    closeTime: 0,
    taskTimeoutMs,
    runDeadline: runTimeoutMs ? now + runTimeoutMs : 0,
    executionDeadline,
    firstWftAt: delay > 0 ? now + delay : 0,
    requestIds: spec.requestId ? [spec.requestId] : [],
    wft: {
      state: 'none',
      scheduledId: 0,
      startedId: 0,
      attempt: 1,
      queue: '',
      sticky: false,
      scheduledAt: 0,
      startedAt: 0,
      token: '',
      deadline: 0,
    },
    lastCompletedStartedId: 0,
    stickyQueue: '',
    stickyScheduleToStartMs: 0,
    activities: {},
    timers: {},
    children: {},
    updates: {},
    buffered: [],
    memo: '',
    searchAttributes: '',
    parent: spec.parent ?? null,
    needsWft: false,
    attempt: spec.attempt ?? 1,
    cancelRequested: false,
    history: new EventLog(),
    historyBytes: 0,
    durableLength: 0,
  };
  setInitialAttributes(run, spec.memo, spec.searchAttributes);
  const parent = spec.parent;
  appendEvent(
    tx,
    run,
    'WorkflowExecutionStarted',
    {
      workflowType: { name: spec.workflowType },
      taskQueue: { name: spec.taskQueue, kind: TaskQueueKind.NORMAL },
      input: spec.input ?? null,
      header: spec.header ?? null,
      identity: spec.identity,
      workflowExecutionTimeout: spec.executionTimeoutMs ? dur(spec.executionTimeoutMs) : null,
      workflowRunTimeout: runTimeoutMs ? dur(runTimeoutMs) : null,
      workflowTaskTimeout: dur(taskTimeoutMs),
      workflowExecutionExpirationTime: executionDeadline ? ts(executionDeadline) : null,
      originalExecutionRunId: runId,
      firstExecutionRunId: run.firstRunId,
      attempt: run.attempt,
      continuedExecutionRunId: spec.continuedRunId ?? '',
      initiator: spec.initiator ?? 0,
      continuedFailure: spec.continuedFailure ?? null,
      lastCompletionResult: spec.lastCompletionResult ?? null,
      retryPolicy: spec.retryPolicy ?? null,
      cronSchedule: spec.cronSchedule ?? '',
      firstWorkflowTaskBackoff: delay > 0 ? dur(delay) : null,
      memo: spec.memo ?? null,
      searchAttributes: spec.searchAttributes ?? null,
      priority: spec.priority ?? null,
      parentWorkflowNamespace: parent?.namespace ?? '',
      parentWorkflowExecution: parent ? { workflowId: parent.workflowId, runId: parent.runId } : null,
      parentInitiatedEventId: parent?.initiatedId ?? 0,
      // Only children carry a root: the SDK reports `workflowInfo().root` as absent for a top-level workflow.
      rootWorkflowExecution: spec.rootExecution ?? null,
      workflowId: spec.workflowId,
    },
    spec.userMetadata,
  );
  if (spec.signal) appendEvent(tx, run, 'WorkflowExecutionSignaled', spec.signal);
  engine.addRun(run);
  scheduleWft(engine, tx, run);
  return run;
}

function closeRun(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  status: number,
  eventName: string,
  attrs: object,
): HistoryEvent {
  const event = appendEvent(tx, run, eventName, attrs);
  run.status = status;
  run.closeTime = Date.now();
  run.wft = { ...run.wft, state: 'none', token: '' };
  run.timers = {};
  run.activities = {};
  run.firstWftAt = 0;
  // Updates, children and queries react through the hooks they registered (see create-engine.ts).
  for (const hook of engine.hooks.runClosed) hook(tx, run, event);
  return event;
}

export function completeRun(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  attrs: temporal.api.command.v1.ICompleteWorkflowExecutionCommandAttributes,
  wtc: number,
): void {
  closeRun(engine, tx, run, WorkflowStatus.COMPLETED, 'WorkflowExecutionCompleted', {
    result: attrs.result,
    workflowTaskCompletedEventId: wtc,
  });
}

export function cancelRun(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  details: Payloads | null | undefined,
  wtc: number,
): void {
  closeRun(engine, tx, run, WorkflowStatus.CANCELED, 'WorkflowExecutionCanceled', {
    details,
    workflowTaskCompletedEventId: wtc,
  });
}

/** Fails the run, starting the next attempt when the workflow's retry policy allows it. */
export function failRun(engine: EngineCore, tx: Tx, run: Run, failure: Failure | null | undefined, wtc: number): void {
  const started = startedAttrs(run);
  let retryState: number = RetryState.RETRY_POLICY_NOT_SET;
  let backoffMs = -1;
  if (started.retryPolicy) {
    const decision = retryDecision(normalizeRetry(started.retryPolicy), run.attempt, failure, run.executionDeadline);
    if ('backoffMs' in decision) backoffMs = decision.backoffMs;
    else retryState = decision.retryState;
  }
  if (backoffMs < 0) {
    closeRun(engine, tx, run, WorkflowStatus.FAILED, 'WorkflowExecutionFailed', {
      failure,
      retryState,
      workflowTaskCompletedEventId: wtc,
    });
    return;
  }
  const next = createRun(engine, tx, {
    ...inherit(run),
    input: started.input,
    attempt: run.attempt + 1,
    firstWftDelayMs: backoffMs,
    initiator: 2,
    continuedRunId: run.runId,
    continuedFailure: failure,
    retryPolicy: started.retryPolicy,
  });
  closeRun(engine, tx, run, WorkflowStatus.FAILED, 'WorkflowExecutionFailed', {
    failure,
    retryState: RetryState.IN_PROGRESS,
    workflowTaskCompletedEventId: wtc,
    newExecutionRunId: next.runId,
  });
  engine.addRun(next);
}

/** Fields a follow-up run (continue-as-new, retry) inherits from `run`. */
function inherit(run: Run): NewRun {
  const started = startedAttrs(run);
  return {
    namespace: run.namespace,
    workflowId: run.workflowId,
    workflowType: run.workflowType,
    taskQueue: run.taskQueue,
    requestId: '',
    identity: started.identity ?? '',
    header: started.header,
    memo: memoOf(run),
    searchAttributes: searchAttributesOf(run),
    priority: started.priority,
    executionTimeoutMs: durMs(started.workflowExecutionTimeout),
    runTimeoutMs: durMs(started.workflowRunTimeout),
    taskTimeoutMs: run.taskTimeoutMs,
    executionDeadline: run.executionDeadline,
    firstRunId: run.firstRunId,
    parent: run.parent,
    rootExecution: started.rootWorkflowExecution,
  };
}

export function continueAsNew(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  a: temporal.api.command.v1.IContinueAsNewWorkflowExecutionCommandAttributes,
  wtc: number,
): void {
  const base = inherit(run);
  const initiator = (a.initiator as number | null | undefined) || 1;
  const next = createRun(engine, tx, {
    ...base,
    workflowType: a.workflowType?.name || run.workflowType,
    taskQueue: a.taskQueue?.name || run.taskQueue,
    input: a.input,
    header: a.header ?? base.header,
    memo: a.memo ?? base.memo,
    searchAttributes: a.searchAttributes ?? base.searchAttributes,
    runTimeoutMs: durMs(a.workflowRunTimeout) || base.runTimeoutMs,
    taskTimeoutMs: durMs(a.workflowTaskTimeout) || base.taskTimeoutMs,
    retryPolicy: a.retryPolicy ?? startedAttrs(run).retryPolicy,
    firstWftDelayMs: durMs(a.backoffStartInterval),
    continuedRunId: run.runId,
    initiator,
    lastCompletionResult: a.lastCompletionResult,
    continuedFailure: a.failure,
  });
  closeRun(engine, tx, run, WorkflowStatus.CONTINUED_AS_NEW, 'WorkflowExecutionContinuedAsNew', {
    newExecutionRunId: next.runId,
    workflowType: { name: next.workflowType },
    taskQueue: { name: next.taskQueue, kind: TaskQueueKind.NORMAL },
    input: a.input,
    workflowRunTimeout: a.workflowRunTimeout,
    workflowTaskTimeout: dur(next.taskTimeoutMs),
    backoffStartInterval: a.backoffStartInterval,
    initiator,
    header: a.header,
    memo: a.memo,
    searchAttributes: a.searchAttributes,
    lastCompletionResult: a.lastCompletionResult,
    failure: a.failure,
    workflowTaskCompletedEventId: wtc,
  });
  engine.addRun(next);
}

/** Terminates a running run immediately (a started task is force-closed first). */
export function terminateRun(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  reason: string,
  details: Payloads | null | undefined,
  identity: string,
): void {
  forceCloseWft(tx, run);
  closeRun(engine, tx, run, WorkflowStatus.TERMINATED, 'WorkflowExecutionTerminated', { reason, details, identity });
}

/** Run or execution timeout: closes the run at once, even mid-task. */
export function timeoutRun(engine: EngineCore, tx: Tx, run: Run): void {
  const retryState = startedAttrs(run).retryPolicy ? RetryState.TIMEOUT : RetryState.RETRY_POLICY_NOT_SET;
  forceCloseWft(tx, run);
  closeRun(engine, tx, run, WorkflowStatus.TIMED_OUT, 'WorkflowExecutionTimedOut', { retryState });
}

/** Delivers a signal event and makes sure the workflow gets a task for it. */
export function signalRun(engine: EngineCore, tx: Tx, run: Run, attrs: SignalAttributes, requestId?: string): void {
  if (requestId) {
    if (run.requestIds.includes(requestId)) return;
    run.requestIds.push(requestId);
  }
  addEvent(tx, run, 'WorkflowExecutionSignaled', attrs);
  ensureWft(engine, tx, run);
}

/** Writes WorkflowExecutionCancelRequested once; repeated requests are successful no-ops. */
export function requestCancelRun(
  engine: EngineCore,
  tx: Tx,
  run: Run,
  attrs: temporal.api.history.v1.IWorkflowExecutionCancelRequestedEventAttributes,
): void {
  if (run.cancelRequested) return;
  run.cancelRequested = true;
  addEvent(tx, run, 'WorkflowExecutionCancelRequested', attrs);
  ensureWft(engine, tx, run);
}
