import { status } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { WorkflowStatus } from '../proto/enums.js';
import { durMs } from '../proto/time.js';
import type { EngineCore } from '../engine/core.js';
import type { ActivityState, Run } from '../engine/run-state.js';
import type { Tx } from '../engine/tx.js';
import { RpcError, invalidArgument, notFound, workflowCompleted } from '../rpc/errors.js';
import { dispatchActivity } from './activity-commands.js';

type PauseRequest = temporal.api.workflowservice.v1.IPauseActivityRequest;
type UnpauseRequest = temporal.api.workflowservice.v1.IUnpauseActivityRequest;
type ResetRequest = temporal.api.workflowservice.v1.IResetActivityRequest;

/**
 * Operator controls of pending activities (PauseActivity, UnpauseActivity, ResetActivity).
 *
 * A paused activity gets no new attempt: a queued one is refused at poll time, one in backoff waits when its
 * backoff ends. A running attempt is not interrupted by the server; its heartbeats answer `activity_paused` /
 * `activity_reset` and the worker cancels it. Completion is still accepted; a failure goes back to waiting.
 */

/** The pending activities a request names: by `id`, by `type`, or all of them (`match_all` / `unpause_all`). */
export function selectActivities(
  run: Run,
  req: PauseRequest | UnpauseRequest | ResetRequest,
  all: boolean,
): ActivityState[] {
  if (run.status !== WorkflowStatus.RUNNING) throw workflowCompleted();
  const pending = Object.values(run.activities);
  let selected: ActivityState[];
  if (req.id) selected = pending.filter((a) => a.activityId === req.id);
  else if (req.type) selected = pending.filter((a) => a.activityType === req.type);
  else if (all) selected = pending;
  else throw invalidArgument('Either activity id or activity type must be provided.');
  if (!selected.length && (req.id || req.type)) throw notFound('activity not found');
  return selected;
}

function jitterMs(req: UnpauseRequest | ResetRequest): number {
  const max = durMs(req.jitter);
  return max > 0 ? Math.floor(Math.random() * max) : 0;
}

/** Dispatches the activity's current attempt now (or after a random jitter) unless one is running. */
function scheduleNow(engine: Pick<EngineCore, 'queues'>, tx: Tx, run: Run, act: ActivityState, jitter: number): void {
  if (act.state === 'started') return;
  const now = Date.now();
  act.token = '';
  if (jitter > 0) {
    act.state = 'backoff';
    act.nextAttemptAt = now + jitter;
    return;
  }
  act.state = 'scheduled';
  act.attemptScheduledAt = now;
  act.nextAttemptAt = 0;
  dispatchActivity(engine, tx, run, act.scheduledId, act.attempt);
}

export function pauseActivities(tx: Tx, run: Run, acts: ActivityState[], req: PauseRequest): void {
  const requestId = req.requestId || '';
  for (const act of acts) {
    if (act.paused) {
      if (requestId && act.paused.requestId === requestId) continue;
      throw new RpcError(status.FAILED_PRECONDITION, 'activity is already paused');
    }
  }
  for (const act of acts) {
    if (act.paused) continue;
    act.paused = {
      at: Date.now(),
      identity: req.identity || '',
      reason: req.reason || '',
      requestId,
    };
  }
  tx.dirty.add(run);
}

export function unpauseActivities(
  engine: Pick<EngineCore, 'queues'>,
  tx: Tx,
  run: Run,
  acts: ActivityState[],
  req: UnpauseRequest,
): void {
  for (const act of acts) {
    if (!act.paused) continue;
    delete act.paused;
    if (req.resetAttempts) act.attempt = 1;
    if (req.resetHeartbeat) {
      delete act.heartbeatDetails;
      act.lastHeartbeatAt = act.state === 'started' ? Date.now() : 0;
    }
    scheduleNow(engine, tx, run, act, jitterMs(req));
  }
  tx.dirty.add(run);
}

export function resetActivities(
  engine: Pick<EngineCore, 'queues'>,
  tx: Tx,
  run: Run,
  acts: ActivityState[],
  req: ResetRequest,
): void {
  for (const act of acts) {
    act.attempt = 1;
    if (act.state === 'started') {
      // The worker learns of it through the heartbeat response; the retry after this attempt is attempt 2.
      act.resetRequested = true;
      if (req.resetHeartbeat) act.resetHeartbeats = true;
      continue;
    }
    if (act.paused && req.keepPaused) continue;
    delete act.paused;
    if (req.resetHeartbeat) {
      delete act.heartbeatDetails;
      act.lastHeartbeatAt = 0;
    }
    scheduleNow(engine, tx, run, act, jitterMs(req));
  }
  tx.dirty.add(run);
}
