import type { temporal } from '@temporalio/proto';
import type { HistoryPage } from '../proto/history-page.js';
import type { EventLog } from './event-log.js';

/** A decoded history event (`run.history` keeps them encoded and decodes on demand). */
export type HistoryEvent = temporal.api.history.v1.HistoryEvent;

/** Workflow-task state of a run. */
export interface WftState {
  state: 'none' | 'scheduled' | 'started';
  scheduledId: number;
  startedId: number;
  attempt: number;
  /** Queue the task is dispatched on (the normal queue, or the sticky one). */
  queue: string;
  sticky: boolean;
  scheduledAt: number;
  startedAt: number;
  /** Token of the started attempt; unique per start. */
  token: string;
  /** Start-to-close deadline when started; sticky schedule-to-start deadline when scheduled on a sticky queue. */
  deadline: number;
}

/** Normalized activity retry policy, in milliseconds. */
export interface RetrySpec {
  initialMs: number;
  coefficient: number;
  maxIntervalMs: number;
  maxAttempts: number;
  nonRetryable: string[];
}

/** Server-side state of a pending activity, keyed by its scheduled event id. */
export interface ActivityState {
  scheduledId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  state: 'scheduled' | 'started' | 'backoff';
  attempt: number;
  firstScheduledAt: number;
  attemptScheduledAt: number;
  startedAt: number;
  token: string;
  identity: string;
  timeouts: { scheduleToCloseMs: number; scheduleToStartMs: number; startToCloseMs: number; heartbeatMs: number };
  retry: RetrySpec;
  /** Base64 `Failure` of the previous attempt. */
  lastFailure?: string;
  /** Base64 `Payloads` of the latest heartbeat. */
  heartbeatDetails?: string;
  lastHeartbeatAt: number;
  nextAttemptAt: number;
  cancelRequestedId: number;
  /** Paused by PauseActivity: no new attempt is dispatched until unpaused (a running attempt is told via heartbeat). */
  paused?: { at: number; identity: string; reason: string; requestId: string };
  /** ResetActivity hit the running attempt: its heartbeats answer `activity_reset` until it ends. */
  resetRequested?: boolean;
  /** With `resetRequested`: drop the heartbeat details when the running attempt ends. */
  resetHeartbeats?: boolean;
}

/** A started user timer. */
export interface TimerState {
  startedId: number;
  fireAt: number;
}

/** A child workflow started by this run, keyed by its initiated event id. */
export interface ChildState {
  initiatedId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  runId: string;
  startedId: number;
  parentClosePolicy: number;
}

/** A workflow update in the per-run registry. */
export interface UpdateState {
  updateId: string;
  /** Base64 `temporal.api.update.v1.Request`; emptied once the update is accepted or rejected. */
  request: string;
  state: 'admitted' | 'sent' | 'accepted' | 'completed' | 'aborted';
  acceptedEventId: number;
  /** Base64 `temporal.api.update.v1.Outcome`. */
  outcome?: string;
}

/** Parent linkage of a child run. */
export interface ParentRef {
  namespace: string;
  workflowId: string;
  runId: string;
  initiatedId: number;
}

/** A buffered event: base64 `HistoryEvent`, and optionally an attribute to fill with the preceding event's id. */
export interface BufferedEvent {
  e: string;
  prev?: string;
}

/** Persisted (JSON) part of a run: everything except the history events. */
export interface RunRecord {
  seq: number;
  namespace: string;
  workflowId: string;
  runId: string;
  firstRunId: string;
  workflowType: string;
  taskQueue: string;
  status: number;
  startTime: number;
  executionTime: number;
  closeTime: number;
  taskTimeoutMs: number;
  runDeadline: number;
  executionDeadline: number;
  /** Epoch ms when a delayed first workflow task is due (start delay, retry/cron backoff); 0 when none. */
  firstWftAt: number;
  requestIds: string[];
  wft: WftState;
  lastCompletedStartedId: number;
  stickyQueue: string;
  stickyScheduleToStartMs: number;
  activities: Record<string, ActivityState>;
  timers: Record<string, TimerState>;
  children: Record<string, ChildState>;
  updates: Record<string, UpdateState>;
  /** Events (ids unassigned) waiting for the started workflow task to close. */
  buffered: BufferedEvent[];
  /** Base64 `Memo` / `SearchAttributes` as currently set. */
  memo: string;
  searchAttributes: string;
  parent: ParentRef | null;
  /** Whether the run still owes the workflow a new task (e.g. activity cancelled before start). */
  needsWft: boolean;
  /** `unversioned` plus `unversioned:<build id>` of every worker that completed a task (system `BuildIds`). */
  buildIds?: string[];
  /** Workflow-level retry attempt. */
  attempt: number;
  cancelRequested: boolean;
}

/** A run in memory: the persisted record plus its history events. */
export interface Run extends RunRecord {
  history: EventLog;
  historyBytes: number;
  /** How many history events are known durable; readers never see more. */
  durableLength: number;
}

/** The durable prefix of a run's history (what history readers may see). */
export const durableHistory = (run: Run, order?: 'oldest-first' | 'newest-first'): HistoryPage =>
  run.history.page(0, run.durableLength, order);
