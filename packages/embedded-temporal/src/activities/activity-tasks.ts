import type { temporal } from '@temporalio/proto';
import { RetryState, TIMEOUT_TYPE_NAMES, TimeoutType, WorkflowStatus } from '../proto/enums.js';
import { dur, ts } from '../proto/time.js';
import type { EngineCore } from '../engine/core.js';
import type { ActivityState, Run } from '../engine/run-state.js';
import type { Tx } from '../engine/tx.js';
import { addEvent, packMsg, unpackMsg } from '../engine/history.js';
import { ensureWft, type WftCore } from '../engine/workflow-task.js';
import { dispatchActivity } from './activity-commands.js';
import { retryDecision, retryPolicyMsg } from './retry-policy.js';

type Payloads = temporal.api.common.v1.IPayloads;
type Failure = temporal.api.failure.v1.IFailure;

/** How async completion (the …ById RPCs) names an activity: by run (or current run) and activity id. */
export interface ActivityByIdRef {
  namespace?: string | null;
  workflowId?: string | null;
  runId?: string | null;
  activityId?: string | null;
}

const FAILURE = 'temporal.api.failure.v1.Failure';
const PAYLOADS = 'temporal.api.common.v1.Payloads';

/** Starts an activity attempt for a poller; `null` when the queued reference is stale. */
export function startActivity(
  engine: WftCore,
  tx: Tx,
  run: Run,
  scheduledId: number,
  attempt: number,
  poll: { identity?: string | null },
): temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse | null {
  const act = run.activities[String(scheduledId)];
  if (
    run.status !== WorkflowStatus.RUNNING ||
    !act ||
    act.state !== 'scheduled' ||
    act.attempt !== attempt ||
    act.paused
  )
    return null;
  const now = Date.now();
  act.state = 'started';
  act.startedAt = now;
  act.lastHeartbeatAt = 0;
  act.identity = poll.identity ?? '';
  act.token = engine.newToken('act', run.runId, scheduledId);
  tx.dirty.add(run);
  const scheduled = run.history.at(scheduledId - 1)?.activityTaskScheduledEventAttributes ?? {};
  return {
    taskToken: Buffer.from(act.token),
    workflowNamespace: run.namespace,
    workflowType: { name: run.workflowType },
    workflowExecution: { workflowId: run.workflowId, runId: run.runId },
    activityType: { name: act.activityType },
    activityId: act.activityId,
    header: scheduled.header,
    input: scheduled.input,
    heartbeatDetails: unpackMsg<Payloads>(PAYLOADS, act.heartbeatDetails),
    scheduledTime: ts(act.firstScheduledAt),
    currentAttemptScheduledTime: ts(act.attemptScheduledAt),
    startedTime: ts(now),
    attempt: act.attempt,
    scheduleToCloseTimeout: dur(act.timeouts.scheduleToCloseMs),
    startToCloseTimeout: dur(act.timeouts.startToCloseMs),
    heartbeatTimeout: dur(act.timeouts.heartbeatMs),
    retryPolicy: retryPolicyMsg(act.retry),
    priority: scheduled.priority,
  };
}

/** The running attempt a task token names, or `undefined` if it finished, timed out or the run closed. */
export function activityForToken(
  engine: Pick<EngineCore, 'runs'>,
  token: Uint8Array,
): { run: Run; act: ActivityState } | undefined {
  const text = Buffer.from(token).toString();
  const [kind, runId, scheduledId] = text.split(':');
  if (kind !== 'act' || !runId) return undefined;
  const run = engine.runs.get(runId);
  const act = run?.activities[scheduledId ?? ''];
  if (!run || !act || run.status !== WorkflowStatus.RUNNING || act.state !== 'started' || act.token !== text)
    return undefined;
  return { run, act };
}

/** The started attempt of activity `activityId` in the named run (async completion by id). */
export function activityById(
  engine: Pick<EngineCore, 'runs' | 'currentRun'>,
  req: ActivityByIdRef,
): { run: Run; act: ActivityState } | undefined {
  const runId = req.runId || '';
  const run = runId ? engine.runs.get(runId) : engine.currentRun(req.namespace ?? '', req.workflowId ?? '');
  if (!run || run.status !== WorkflowStatus.RUNNING || run.workflowId !== req.workflowId) return undefined;
  const act = Object.values(run.activities).find((a) => a.activityId === req.activityId && a.state === 'started');
  return act ? { run, act } : undefined;
}

/** Writes the lazily recorded ActivityTaskStarted followed by the attempt's terminal event. */
function resolve(engine: WftCore, tx: Tx, run: Run, act: ActivityState, name: string, attrs: object): void {
  if (act.state === 'started') {
    addEvent(tx, run, 'ActivityTaskStarted', {
      scheduledEventId: act.scheduledId,
      identity: act.identity,
      requestId: act.token,
      attempt: act.attempt,
      lastFailure: unpackMsg<Failure>(FAILURE, act.lastFailure),
    });
    addEvent(tx, run, name, { ...attrs, scheduledEventId: act.scheduledId }, 'startedEventId');
  } else {
    addEvent(tx, run, name, { ...attrs, scheduledEventId: act.scheduledId, startedEventId: 0 });
  }
  delete run.activities[String(act.scheduledId)];
  ensureWft(engine, tx, run);
}

export function completeActivity(
  engine: WftCore,
  tx: Tx,
  run: Run,
  act: ActivityState,
  result: Payloads | null,
  identity: string,
): void {
  resolve(engine, tx, run, act, 'ActivityTaskCompleted', { result, identity });
}

export function cancelActivity(
  engine: WftCore,
  tx: Tx,
  run: Run,
  act: ActivityState,
  details: Payloads | null,
  identity: string,
): void {
  resolve(engine, tx, run, act, 'ActivityTaskCanceled', {
    details,
    latestCancelRequestedEventId: act.cancelRequestedId,
    identity,
  });
}

/** Records a heartbeat; the answer tells the worker whether to cancel the attempt (cancel request, pause, reset). */
export function recordHeartbeat(
  tx: Tx,
  run: Run,
  act: ActivityState,
  details: Payloads | null,
): temporal.api.workflowservice.v1.IRecordActivityTaskHeartbeatResponse {
  if (details) act.heartbeatDetails = packMsg(PAYLOADS, details);
  act.lastHeartbeatAt = Date.now();
  tx.dirty.add(run);
  return {
    cancelRequested: act.cancelRequestedId > 0,
    activityPaused: !!act.paused,
    activityReset: !!act.resetRequested,
  };
}

/** A failed or timed-out attempt: retry after backoff, or record the final failure. */
export function failActivityAttempt(
  engine: WftCore,
  tx: Tx,
  run: Run,
  act: ActivityState,
  failure: Failure,
  opts: { identity?: string; heartbeatDetails?: Payloads | null; timeoutType?: number },
): void {
  if (opts.heartbeatDetails) act.heartbeatDetails = packMsg(PAYLOADS, opts.heartbeatDetails);
  const expiration = act.timeouts.scheduleToCloseMs ? act.firstScheduledAt + act.timeouts.scheduleToCloseMs : 0;
  const decision = act.cancelRequestedId
    ? { retryState: RetryState.CANCEL_REQUESTED }
    : retryDecision(act.retry, act.attempt, failure, expiration);
  if ('backoffMs' in decision) {
    // A reset that reached the running attempt takes effect now (the attempt was already set back to 1).
    if (act.resetHeartbeats) delete act.heartbeatDetails;
    delete act.resetRequested;
    delete act.resetHeartbeats;
    act.state = 'backoff';
    act.attempt += 1;
    act.lastFailure = packMsg(FAILURE, failure);
    act.token = '';
    act.nextAttemptAt = Date.now() + decision.backoffMs;
    tx.dirty.add(run);
    return;
  }
  if (opts.timeoutType) {
    resolve(engine, tx, run, act, 'ActivityTaskTimedOut', { failure, retryState: decision.retryState });
  } else {
    resolve(engine, tx, run, act, 'ActivityTaskFailed', {
      failure,
      retryState: decision.retryState,
      identity: opts.identity ?? '',
    });
  }
}

function timeoutFailure(act: ActivityState, timeoutType: number): Failure {
  return {
    message: `activity ${TIMEOUT_TYPE_NAMES[timeoutType] ?? ''} timeout`,
    source: 'Server',
    cause: unpackMsg<Failure>(FAILURE, act.lastFailure),
    timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: unpackMsg<Payloads>(PAYLOADS, act.heartbeatDetails) },
  };
}

/** The earliest deadline of an activity (schedule-to-close, schedule-to-start, start-to-close, heartbeat, backoff). */
export function activityDeadline(a: ActivityState): number {
  let at = a.timeouts.scheduleToCloseMs ? a.firstScheduledAt + a.timeouts.scheduleToCloseMs : Infinity;
  if (a.state === 'scheduled' && !a.paused && a.timeouts.scheduleToStartMs)
    at = Math.min(at, a.attemptScheduledAt + a.timeouts.scheduleToStartMs);
  if (a.state === 'started') {
    at = Math.min(at, a.startedAt + a.timeouts.startToCloseMs);
    if (a.timeouts.heartbeatMs) at = Math.min(at, Math.max(a.startedAt, a.lastHeartbeatAt) + a.timeouts.heartbeatMs);
  }
  if (a.state === 'backoff') at = Math.min(at, a.nextAttemptAt);
  return at;
}

/** Handles whichever of the activity's deadlines have passed. */
export function processActivityDeadline(engine: WftCore, tx: Tx, run: Run, a: ActivityState, now: number): void {
  const terminal = (type: number): void =>
    resolve(engine, tx, run, a, 'ActivityTaskTimedOut', {
      failure: timeoutFailure(a, type),
      retryState: RetryState.TIMEOUT,
    });
  if (a.timeouts.scheduleToCloseMs && a.firstScheduledAt + a.timeouts.scheduleToCloseMs <= now) {
    terminal(TimeoutType.SCHEDULE_TO_CLOSE);
  } else if (
    a.state === 'scheduled' &&
    !a.paused &&
    a.timeouts.scheduleToStartMs &&
    a.attemptScheduledAt + a.timeouts.scheduleToStartMs <= now
  ) {
    terminal(TimeoutType.SCHEDULE_TO_START);
  } else if (a.state === 'started') {
    const type =
      a.startedAt + a.timeouts.startToCloseMs <= now
        ? TimeoutType.START_TO_CLOSE
        : a.timeouts.heartbeatMs && Math.max(a.startedAt, a.lastHeartbeatAt) + a.timeouts.heartbeatMs <= now
          ? TimeoutType.HEARTBEAT
          : 0;
    if (type) failActivityAttempt(engine, tx, run, a, timeoutFailure(a, type), { timeoutType: type });
  } else if (a.state === 'backoff' && a.nextAttemptAt <= now) {
    a.state = 'scheduled';
    a.attemptScheduledAt = now;
    a.nextAttemptAt = 0;
    tx.dirty.add(run);
    // A paused activity waits (state PAUSED) until UnpauseActivity / ResetActivity dispatches it.
    if (!a.paused) dispatchActivity(engine, tx, run, a.scheduledId, a.attempt);
  }
}
