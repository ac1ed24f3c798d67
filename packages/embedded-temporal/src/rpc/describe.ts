import type { temporal } from '@temporalio/proto';
import { TaskQueueKind, WorkflowStatus } from '../proto/enums.js';
import { dur, int64, ts } from '../proto/time.js';
import type { Run } from '../engine/run-state.js';
import { unpackMsg } from '../engine/history.js';
import { memoOf, searchAttributesOf, startEvent, startedAttrs } from '../engine/run-attributes.js';
import { encodeSearchAttributePayload } from '../visibility/payload.js';

/** `WorkflowExecutionInfo` of a run, as returned by describe and list. */
export function executionInfo(run: Run): temporal.api.workflow.v1.IWorkflowExecutionInfo {
  const started = startedAttrs(run);
  return {
    execution: { workflowId: run.workflowId, runId: run.runId },
    type: { name: run.workflowType },
    startTime: ts(run.startTime),
    closeTime: run.closeTime ? ts(run.closeTime) : null,
    status: run.status,
    historyLength: int64(run.history.length),
    parentExecution: run.parent ? { workflowId: run.parent.workflowId, runId: run.parent.runId } : null,
    parentNamespaceId: run.parent ? run.parent.namespace : '',
    executionTime: ts(run.executionTime),
    memo: memoOf(run) ?? { fields: {} },
    searchAttributes: withBuildIds(run),
    taskQueue: run.taskQueue,
    stateTransitionCount: int64(run.history.length),
    historySizeBytes: int64(run.historyBytes),
    executionDuration: run.closeTime ? dur(run.closeTime - run.executionTime) : null,
    rootExecution: started.rootWorkflowExecution ?? { workflowId: run.workflowId, runId: run.runId },
    firstRunId: run.firstRunId,
    priority: started.priority ?? null,
  };
}

/** The run's search attributes plus the server-derived `BuildIds` system attribute. */
function withBuildIds(run: Run): temporal.api.common.v1.ISearchAttributes {
  const sa = searchAttributesOf(run) ?? { indexedFields: {} };
  if (!run.buildIds?.length) return sa;
  return {
    ...sa,
    indexedFields: { ...(sa.indexedFields ?? {}), BuildIds: encodeSearchAttributePayload(run.buildIds, 'KeywordList') },
  };
}

const PendingState = { SCHEDULED: 1, STARTED: 2, CANCEL_REQUESTED: 3, PAUSED: 4, PAUSE_REQUESTED: 5 } as const;

function pendingState(a: Run['activities'][string]): number {
  if (a.cancelRequestedId) return PendingState.CANCEL_REQUESTED;
  if (a.state === 'started') return a.paused ? PendingState.PAUSE_REQUESTED : PendingState.STARTED;
  return a.paused ? PendingState.PAUSED : PendingState.SCHEDULED;
}

/** DescribeWorkflowExecutionResponse of a run. */
export function describeRun(run: Run): temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse {
  const started = startedAttrs(run);
  const open = run.status === WorkflowStatus.RUNNING;
  return {
    executionConfig: {
      taskQueue: { name: run.taskQueue, kind: TaskQueueKind.NORMAL },
      workflowExecutionTimeout: started.workflowExecutionTimeout ?? null,
      workflowRunTimeout: started.workflowRunTimeout ?? null,
      defaultWorkflowTaskTimeout: started.workflowTaskTimeout ?? null,
      userMetadata: startEvent(run)?.userMetadata ?? null,
    },
    workflowExecutionInfo: executionInfo(run),
    pendingActivities: open
      ? Object.values(run.activities).map((a) => ({
          activityId: a.activityId,
          activityType: { name: a.activityType },
          state: pendingState(a),
          paused: !!a.paused,
          pauseInfo: a.paused
            ? { pauseTime: ts(a.paused.at), manual: { identity: a.paused.identity, reason: a.paused.reason } }
            : null,
          heartbeatDetails: unpackMsg<temporal.api.common.v1.IPayloads>(
            'temporal.api.common.v1.Payloads',
            a.heartbeatDetails,
          ),
          lastHeartbeatTime: a.lastHeartbeatAt ? ts(a.lastHeartbeatAt) : null,
          lastStartedTime: a.startedAt ? ts(a.startedAt) : null,
          attempt: a.attempt,
          maximumAttempts: a.retry.maxAttempts,
          scheduledTime: ts(a.attemptScheduledAt),
          expirationTime: a.timeouts.scheduleToCloseMs ? ts(a.firstScheduledAt + a.timeouts.scheduleToCloseMs) : null,
          lastFailure: unpackMsg<temporal.api.failure.v1.IFailure>('temporal.api.failure.v1.Failure', a.lastFailure),
          lastWorkerIdentity: a.identity,
          nextAttemptScheduleTime: a.state === 'backoff' && !a.paused ? ts(a.nextAttemptAt) : null,
        }))
      : [],
    pendingChildren: open
      ? Object.values(run.children).map((c) => ({
          workflowId: c.workflowId,
          runId: c.runId,
          workflowTypeName: c.workflowType,
          initiatedId: int64(c.initiatedId),
          parentClosePolicy: c.parentClosePolicy,
        }))
      : [],
    pendingWorkflowTask:
      open && run.wft.state !== 'none'
        ? {
            state: run.wft.state === 'started' ? 2 : 1,
            scheduledTime: ts(run.wft.scheduledAt),
            originalScheduledTime: ts(run.wft.scheduledAt),
            startedTime: run.wft.state === 'started' ? ts(run.wft.startedAt) : null,
            attempt: run.wft.attempt,
          }
        : null,
  };
}
