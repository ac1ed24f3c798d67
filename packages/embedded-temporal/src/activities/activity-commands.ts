import type { temporal } from '@temporalio/proto';
import { dur, durMs, num } from '../proto/time.js';
import { queueKey } from '../matching/task-queues.js';
import type { EngineCore } from '../engine/core.js';
import type { ActivityState, HistoryEvent, Run } from '../engine/run-state.js';
import type { Tx } from '../engine/tx.js';
import { appendEvent, bufferedEvents } from '../engine/history.js';
import { normalizeRetry, retryPolicyError, retryPolicyMsg } from './retry-policy.js';

type ScheduleActivityCommand = temporal.api.command.v1.IScheduleActivityTaskCommandAttributes;

interface Normalized {
  error?: string;
  timeouts: ActivityState['timeouts'];
}

/** Timeout normalization of ScheduleActivityTask, as the real server's attribute validator does it. */
export function normalizeActivity(run: Run, a: ScheduleActivityCommand): Normalized {
  const timeouts = { scheduleToCloseMs: 0, scheduleToStartMs: 0, startToCloseMs: 0, heartbeatMs: 0 };
  if (!a.activityId) return { error: 'ActivityId is not set on ScheduleActivityTask command.', timeouts };
  if (!a.activityType?.name) return { error: 'ActivityType is not set on ScheduleActivityTask command.', timeouts };
  const policyError = retryPolicyError(a.retryPolicy);
  if (policyError) return { error: policyError, timeouts };
  const runTimeout = run.runDeadline ? Math.max(1, run.runDeadline - run.startTime) : 0;
  let s2c = durMs(a.scheduleToCloseTimeout);
  let s2s = durMs(a.scheduleToStartTimeout);
  let st2c = durMs(a.startToCloseTimeout);
  if (s2c > 0) {
    s2s = s2s > 0 ? Math.min(s2s, s2c) : s2c;
    st2c = st2c > 0 ? Math.min(st2c, s2c) : s2c;
  } else if (st2c > 0) {
    s2c = runTimeout;
    if (!s2s) s2s = runTimeout;
  } else {
    return {
      error: 'A valid StartToCloseTimeout or ScheduleToCloseTimeout must be set on ScheduleActivityTask command.',
      timeouts,
    };
  }
  if (runTimeout > 0) {
    s2c = Math.min(s2c || runTimeout, runTimeout);
    s2s = Math.min(s2s || runTimeout, runTimeout);
    st2c = Math.min(st2c, runTimeout);
  }
  const hb = Math.min(durMs(a.heartbeatTimeout), st2c);
  return { timeouts: { scheduleToCloseMs: s2c, scheduleToStartMs: s2s, startToCloseMs: st2c, heartbeatMs: hb } };
}

/**
 * Whether a ScheduleActivityTask command is to be started at once and handed back in the completion's response
 * (eager execution): the server allows it, the worker asked for it (having reserved a slot), and the activity's
 * task queue is the workflow's, which that worker polls. Saves the activity poll round trip.
 */
export function wantsEagerStart(engine: Pick<EngineCore, 'opts'>, run: Run, a: ScheduleActivityCommand): boolean {
  return (
    engine.opts.eagerActivities && !!a.requestEagerExecution && (a.taskQueue?.name || run.taskQueue) === run.taskQueue
  );
}

/**
 * Writes ActivityTaskScheduled and, unless `dispatch` is false (eager start), queues the first attempt.
 * Returns the scheduled event id.
 */
export function scheduleActivity(
  engine: Pick<EngineCore, 'queues'>,
  tx: Tx,
  run: Run,
  a: ScheduleActivityCommand,
  wtc: number,
  userMetadata: temporal.api.sdk.v1.IUserMetadata | null | undefined,
  { dispatch }: { dispatch: boolean },
): number {
  const { timeouts } = normalizeActivity(run, a);
  const retry = normalizeRetry(a.retryPolicy);
  const taskQueue = a.taskQueue?.name || run.taskQueue;
  const ev = appendEvent(
    tx,
    run,
    'ActivityTaskScheduled',
    {
      activityId: a.activityId,
      activityType: a.activityType,
      taskQueue: { name: taskQueue, kind: 1 },
      header: a.header,
      input: a.input,
      scheduleToCloseTimeout: dur(timeouts.scheduleToCloseMs),
      scheduleToStartTimeout: dur(timeouts.scheduleToStartMs),
      startToCloseTimeout: dur(timeouts.startToCloseMs),
      heartbeatTimeout: dur(timeouts.heartbeatMs),
      workflowTaskCompletedEventId: wtc,
      retryPolicy: retryPolicyMsg(retry),
      useWorkflowBuildId: a.useWorkflowBuildId ?? false,
      priority: a.priority,
    },
    userMetadata,
  );
  const scheduledId = num(ev.eventId);
  const now = Date.now();
  run.activities[String(scheduledId)] = {
    scheduledId,
    activityId: a.activityId ?? '',
    activityType: a.activityType?.name ?? '',
    taskQueue,
    state: 'scheduled',
    attempt: 1,
    firstScheduledAt: now,
    attemptScheduledAt: now,
    startedAt: 0,
    token: '',
    identity: '',
    timeouts,
    retry,
    lastHeartbeatAt: 0,
    nextAttemptAt: 0,
    cancelRequestedId: 0,
  };
  if (dispatch) dispatchActivity(engine, tx, run, scheduledId, 1);
  return scheduledId;
}

export function dispatchActivity(
  engine: Pick<EngineCore, 'queues'>,
  tx: Tx,
  run: Run,
  scheduledId: number,
  attempt: number,
): void {
  const act = run.activities[String(scheduledId)];
  if (!act) return;
  tx.afterCommit(() =>
    engine.queues.add(queueKey('act', run.namespace, act.taskQueue), {
      kind: 'act',
      runId: run.runId,
      scheduledId,
      attempt,
    }),
  );
}

type CancelActivityCommand = temporal.api.command.v1.IRequestCancelActivityTaskCommandAttributes;

/**
 * Why a RequestCancelActivityTask command cannot be applied, if it cannot, as Temporal's mutable state decides
 * (AddActivityTaskCancelRequestedEvent): the activity must be pending and not yet asked to cancel, or have just
 * finished, its outcome still buffered behind the workflow task that sends the command. That last case is a
 * race every worker can lose (the activity completes while the task that cancels it runs) and is not an error.
 */
export function cancelActivityError(run: Run, a: CancelActivityCommand): string | undefined {
  const scheduledId = num(a.scheduledEventId);
  const act = run.activities[String(scheduledId)];
  if (act) return act.cancelRequestedId ? `activity ${scheduledId} is already cancel requested` : undefined;
  if (bufferedEvents(run).some((e) => outcomeScheduledId(e) === scheduledId)) return undefined;
  return `invalid history builder state for action: ActivityTaskCancelRequested, ScheduledEventID: ${scheduledId}`;
}

/** The scheduled event id an activity outcome event (completed, failed, timed out, canceled) belongs to; else 0. */
function outcomeScheduledId(event: HistoryEvent): number {
  const outcome =
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes;
  return outcome ? num(outcome.scheduledEventId) : 0;
}

/**
 * RequestCancelActivityTask (checked by {@link cancelActivityError}): ActivityTaskCancelRequested, then the
 * activity is cancelled at once unless an attempt is running (that attempt learns of it through its heartbeat).
 * An activity whose outcome is buffered gets the request only; the outcome follows it when the buffer is
 * flushed, and sdk-core's activity state machine expects exactly that order (cancel requested, started, outcome).
 */
export function requestCancelActivity(
  _engine: EngineCore,
  tx: Tx,
  run: Run,
  a: CancelActivityCommand,
  wtc: number,
): void {
  const scheduledId = num(a.scheduledEventId);
  const ev = appendEvent(tx, run, 'ActivityTaskCancelRequested', {
    scheduledEventId: scheduledId,
    workflowTaskCompletedEventId: wtc,
  });
  const act = run.activities[String(scheduledId)];
  if (!act) return;
  act.cancelRequestedId = num(ev.eventId);
  if (act.state !== 'started') {
    appendEvent(tx, run, 'ActivityTaskCanceled', {
      scheduledEventId: scheduledId,
      startedEventId: 0,
      latestCancelRequestedEventId: act.cancelRequestedId,
      identity: '',
    });
    delete run.activities[String(scheduledId)];
    // Called mid-completion: the new task is scheduled after all command events are written.
    run.needsWft = true;
  }
}
