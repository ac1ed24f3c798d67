import { DELIVER_WEBHOOK_ACTIVITY } from '@research/contracts';
import type { Decision, ResearchResult, ResearchState, Stage } from '@research/contracts';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
} from '@temporalio/client';
import type { WorkflowExecutionStatusName } from '@temporalio/client';
import type { RetryInfo, WorkflowError, WorkflowStatus, WorkflowView } from '../schemas/workflow.js';
import { readNotificationsMemo, readRequestMemo, readStatusMemo } from './memo.js';
import type { RequestMemo } from './memo.js';
import { timestampToIso } from './ports.js';
import type { PendingActivity, WorkflowDescription } from './ports.js';

/** Maps the SDK's status name onto the statuses the API reports; a paused workflow is still running. */
export function toWorkflowStatus(name: WorkflowExecutionStatusName): WorkflowStatus {
  switch (name) {
    case 'COMPLETED':
    case 'FAILED':
    case 'CANCELLED':
    case 'TERMINATED':
    case 'TIMED_OUT':
    case 'CONTINUED_AS_NEW':
      return name;
    default:
      return 'RUNNING';
  }
}

const FAILED_STATUSES: ReadonlySet<WorkflowStatus> = new Set(['FAILED', 'TERMINATED', 'TIMED_OUT']);

/**
 * Stage to report: closed workflows are `completed`, `cancelled` or `failed` whatever the last published stage
 * said.
 */
export function reportedStage(status: WorkflowStatus, liveStage: Stage | undefined): Stage {
  if (status === 'COMPLETED') return 'completed';
  if (status === 'CANCELLED') return 'cancelled';
  if (FAILED_STATUSES.has(status)) return 'failed';
  return liveStage ?? 'queued';
}

function* causeChain(error: unknown): Generator<Error> {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    yield current;
    current = current.cause;
  }
}

/**
 * Explains why a workflow closed without a result, from `WorkflowFailedError#cause`. The workflow already
 * fails with a readable `ApplicationFailure` whose type is the activity's `FailureType`; the other cases
 * (terminated, cancelled, timed out, an unwrapped activity failure) get a sentence here.
 */
export function describeFailure(cause: unknown, status: WorkflowStatus): WorkflowError {
  const chain = [...causeChain(cause)];
  const top = chain[0];
  if (top instanceof TerminatedFailure || status === 'TERMINATED') {
    const reason = top?.message ? `: ${top.message}` : '';
    return { code: 'WorkflowTerminated', message: `The workflow was terminated${reason}.` };
  }
  if (top instanceof CancelledFailure || status === 'CANCELLED') {
    return { code: 'WorkflowCancelled', message: 'The workflow was cancelled.' };
  }
  if (top instanceof TimeoutFailure || status === 'TIMED_OUT') {
    return { code: 'WorkflowTimedOut', message: 'The workflow did not finish within its execution timeout.' };
  }
  const application = chain.find((e): e is ApplicationFailure => e instanceof ApplicationFailure);
  const type = chain.find((e): e is ApplicationFailure => e instanceof ApplicationFailure && !!e.type)?.type;
  if (application?.message) return { code: type ?? 'WorkflowFailed', message: application.message };
  if (top instanceof ActivityFailure && top.cause instanceof TimeoutFailure) {
    return { code: 'ActivityTimedOut', message: `The ${top.activityType} step did not finish in time.` };
  }
  return { code: type ?? 'WorkflowFailed', message: top?.message || 'The workflow failed.' };
}

/**
 * The step currently being retried, from `describe().raw.pendingActivities`; null when nothing has failed. A webhook
 * being retried is not a step of the pipeline (no stage waits for it): its outcome shows under `notifications`.
 */
export function retryInfo(pending: readonly PendingActivity[] | null | undefined): RetryInfo | null {
  const retrying = pending?.find(
    (activity) =>
      activity.activityType?.name !== DELIVER_WEBHOOK_ACTIVITY &&
      ((activity.attempt ?? 1) > 1 || activity.lastFailure != null),
  );
  if (!retrying) return null;
  const failure = retrying.lastFailure;
  return {
    activity: retrying.activityType?.name ?? 'unknown',
    attempt: Math.max(1, retrying.attempt ?? 1),
    maximumAttempts: retrying.maximumAttempts ? retrying.maximumAttempts : null,
    lastFailure: failure
      ? { code: failure.applicationFailureInfo?.type || null, message: failure.message || 'unknown failure' }
      : null,
    nextAttemptAt: timestampToIso(retrying.nextAttemptScheduleTime),
  };
}

function decisionFromResult(result: ResearchResult | null): Decision | null {
  if (result === null || result.outcome === 'expired') return null;
  return {
    approved: result.outcome === 'approved',
    comment: result.comment,
    reviewer: result.reviewer,
    decidedAt: result.decidedAt,
  };
}

function sourcesOf(
  state: ResearchState | null,
  requested: RequestMemo | null,
  result: ResearchResult | null,
): string[] | null {
  if (state?.sources !== undefined) return state.sources;
  if (requested?.sources !== undefined) return requested.sources;
  const single = state?.sourceUrl ?? requested?.sourceUrl ?? result?.sourceUrl;
  return single === undefined ? null : [single];
}

export interface ViewSources {
  description: WorkflowDescription;
  /**
   * Live state from the state query; null when the memo answers (runs since the reviewer-workspace patch), no
   * worker answered, or the workflow is closed.
   */
  state: ResearchState | null;
  result: ResearchResult | null;
  error: WorkflowError | null;
}

/** Assembles the `GET /workflows/:id` answer, preferring live state, then the result, then the memo. */
export function buildWorkflowView({ description, state, result, error }: ViewSources): WorkflowView {
  const status = toWorkflowStatus(description.status.name);
  const published = readStatusMemo(description.memo);
  const requested = readRequestMemo(description.memo);
  const draft = state?.draft ?? published?.draft ?? null;
  return {
    workflowId: description.workflowId,
    runId: description.runId,
    status,
    stage: reportedStage(status, state?.stage ?? published?.stage),
    topic: state?.topic ?? requested?.topic ?? result?.topic ?? null,
    sourceUrl: state?.sourceUrl ?? requested?.sourceUrl ?? result?.sourceUrl ?? null,
    sources: sourcesOf(state, requested, result),
    submittedBy: requested?.submittedBy ?? null,
    draft,
    drafts: state?.drafts ?? published?.drafts ?? null,
    decision: state?.decision ?? published?.decision ?? decisionFromResult(result),
    // A cancelled run has no return value; the result it saved is in the memo.
    result: state?.result ?? result ?? published?.result ?? null,
    error,
    retry: status === 'RUNNING' ? retryInfo(description.raw.pendingActivities) : null,
    usage: result?.usage ?? state?.result?.usage ?? published?.result?.usage ?? draft?.usage ?? null,
    cost: state?.cost ?? published?.cost ?? result?.cost ?? published?.result?.cost ?? null,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString() ?? null,
    notifications: readNotificationsMemo(description.memo),
  };
}
