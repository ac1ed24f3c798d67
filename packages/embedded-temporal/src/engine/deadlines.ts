import { TimeoutType, WorkflowStatus } from '../proto/enums.js';
import type { EngineCore } from './core.js';
import type { Run } from './run-state.js';
import type { Tx } from './tx.js';
import { addEvent } from './history.js';
import { abandonSticky, ensureWft, failWft, scheduleWft } from './workflow-task.js';
import { timeoutRun } from './lifecycle.js';
import { deleteRun, retentionDeadline } from './deletion.js';
import { activityDeadline, processActivityDeadline } from '../activities/activity-tasks.js';

/**
 * The earliest moment something time-driven must happen to this run (Infinity when nothing is armed); for a
 * closed run, the end of its namespace's retention.
 */
export function nextDeadline(run: Run, retentionMs: number): number {
  if (run.status !== WorkflowStatus.RUNNING) return retentionDeadline(run, retentionMs);
  let at = Infinity;
  if (run.runDeadline) at = Math.min(at, run.runDeadline);
  if (run.executionDeadline) at = Math.min(at, run.executionDeadline);
  if (run.firstWftAt) at = Math.min(at, run.firstWftAt);
  if (run.wft.state === 'started' || (run.wft.state === 'scheduled' && run.wft.sticky))
    at = Math.min(at, run.wft.deadline);
  for (const t of Object.values(run.timers)) at = Math.min(at, t.fireAt);
  for (const a of Object.values(run.activities)) at = Math.min(at, activityDeadline(a));
  return at;
}

/**
 * Applies every deadline of the run that has passed: the retention of a closed run (which deletes it), workflow
 * timeouts, delayed first task, workflow-task timeouts, user timers (in start order) and activity
 * timeouts/backoffs. Also used after a restart, where deadlines that passed while the server was down fire at once.
 */
export function processDeadlines(engine: EngineCore, tx: Tx, run: Run): void {
  const now = Date.now();
  if (run.status !== WorkflowStatus.RUNNING) {
    if (retentionDeadline(run, engine.retentionMs(run)) <= now) deleteRun(engine, tx, run);
    return;
  }
  tx.dirty.add(run);
  if ((run.runDeadline && run.runDeadline <= now) || (run.executionDeadline && run.executionDeadline <= now)) {
    timeoutRun(engine, tx, run);
    return;
  }
  if (run.firstWftAt && run.firstWftAt <= now) {
    run.firstWftAt = 0;
    scheduleWft(engine, tx, run);
  }
  if (run.wft.deadline && run.wft.deadline <= now) {
    if (run.wft.state === 'started') failWft(engine, tx, run, { timeout: TimeoutType.START_TO_CLOSE });
    else if (run.wft.state === 'scheduled' && run.wft.sticky) abandonSticky(engine, tx, run);
  }
  const due = Object.entries(run.timers)
    .filter(([, t]) => t.fireAt <= now)
    .sort(([, a], [, b]) => a.fireAt - b.fireAt || a.startedId - b.startedId);
  for (const [timerId, t] of due) {
    delete run.timers[timerId];
    addEvent(tx, run, 'TimerFired', { timerId, startedEventId: t.startedId });
    ensureWft(engine, tx, run);
  }
  for (const a of Object.values(run.activities)) {
    if (activityDeadline(a) <= now) processActivityDeadline(engine, tx, run, a, now);
  }
}
