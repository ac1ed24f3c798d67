import { status } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { WorkflowStatus } from '../proto/enums.js';
import { durMs } from '../proto/time.js';
import { RpcError, invalidArgument } from '../rpc/errors.js';
import type { EngineCore } from './core.js';
import type { Run } from './run-state.js';
import type { Tx } from './tx.js';
import { createRun, terminateRun } from './lifecycle.js';
import { retryPolicyError } from '../activities/retry-policy.js';

/** The real server's default `limit.maxIDLength`. */
const MAX_ID_LENGTH = 1000;
const Reuse = {
  ALLOW_DUPLICATE: 1,
  ALLOW_DUPLICATE_FAILED_ONLY: 2,
  REJECT_DUPLICATE: 3,
  TERMINATE_IF_RUNNING: 4,
} as const;
const Conflict = { FAIL: 1, USE_EXISTING: 2, TERMINATE_EXISTING: 3 } as const;

type StartRequest = temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest;

/** Request validation shared by StartWorkflowExecution and SignalWithStart. */
export function validateStart(
  req: Pick<StartRequest, 'workflowId' | 'workflowType' | 'taskQueue' | 'retryPolicy'> & {
    workflowIdReusePolicy?: number | null;
    workflowIdConflictPolicy?: number | null;
  },
): void {
  if (!req.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (req.workflowId.length > MAX_ID_LENGTH) throw invalidArgument('WorkflowId length exceeds limit.');
  if (!req.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (!req.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  const policyError = retryPolicyError(req.retryPolicy);
  if (policyError) throw invalidArgument(policyError);
  const conflict = req.workflowIdConflictPolicy || 0;
  if (req.workflowIdReusePolicy === Reuse.TERMINATE_IF_RUNNING && conflict && conflict !== Conflict.FAIL) {
    throw invalidArgument(
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy.',
    );
  }
}

function alreadyStarted(existing: Run, message: string): RpcError {
  return new RpcError(status.ALREADY_EXISTS, message, {
    type: 'WorkflowExecutionAlreadyStartedFailure',
    value: { startRequestId: existing.requestIds[0] ?? '', runId: existing.runId },
  });
}

/**
 * Applies request-id idempotency and the id reuse/conflict policies, then creates the run.
 * Throws before mutating anything when the start is rejected.
 */
export function startWorkflow(
  engine: EngineCore,
  tx: Tx,
  req: StartRequest,
  signal?: temporal.api.history.v1.IWorkflowExecutionSignaledEventAttributes,
): { runId: string; started: boolean } {
  const namespace = req.namespace ?? '';
  const workflowId = req.workflowId ?? '';
  const existing = engine.currentRun(namespace, workflowId);
  if (existing && req.requestId && existing.requestIds.includes(req.requestId)) {
    return { runId: existing.runId, started: true };
  }
  const reuse = (req.workflowIdReusePolicy as number | null | undefined) || Reuse.ALLOW_DUPLICATE;
  let conflict = (req.workflowIdConflictPolicy as number | null | undefined) || Conflict.FAIL;
  if (reuse === Reuse.TERMINATE_IF_RUNNING) conflict = Conflict.TERMINATE_EXISTING;
  if (existing && existing.status === WorkflowStatus.RUNNING) {
    if (conflict === Conflict.USE_EXISTING) {
      if (req.requestId) existing.requestIds.push(req.requestId);
      tx.dirty.add(existing);
      return { runId: existing.runId, started: false };
    }
    if (conflict !== Conflict.TERMINATE_EXISTING) {
      throw alreadyStarted(
        existing,
        `Workflow execution is already running. WorkflowId: ${existing.workflowId}, RunId: ${existing.runId}.`,
      );
    }
    terminateRun(engine, tx, existing, 'TerminateIfRunning WorkflowIdReusePolicy Policy', null, req.identity ?? '');
  } else if (existing) {
    const failedLike = existing.status !== WorkflowStatus.COMPLETED;
    if (reuse === Reuse.REJECT_DUPLICATE || (reuse === Reuse.ALLOW_DUPLICATE_FAILED_ONLY && !failedLike)) {
      throw alreadyStarted(
        existing,
        `Workflow execution already finished and WorkflowIdReusePolicy is ${reuse === Reuse.REJECT_DUPLICATE ? 'REJECT_DUPLICATE' : 'ALLOW_DUPLICATE_FAILED_ONLY'}. WorkflowId: ${existing.workflowId}, RunId: ${existing.runId}.`,
      );
    }
  }
  const run = createRun(engine, tx, {
    namespace,
    workflowId,
    workflowType: req.workflowType?.name ?? '',
    taskQueue: req.taskQueue?.name ?? '',
    requestId: req.requestId ?? '',
    identity: req.identity ?? '',
    input: req.input,
    header: req.header,
    memo: req.memo,
    searchAttributes: req.searchAttributes,
    userMetadata: req.userMetadata,
    priority: req.priority,
    retryPolicy: req.retryPolicy,
    cronSchedule: req.cronSchedule,
    executionTimeoutMs: durMs(req.workflowExecutionTimeout),
    runTimeoutMs: durMs(req.workflowRunTimeout),
    taskTimeoutMs: durMs(req.workflowTaskTimeout),
    firstWftDelayMs: durMs(req.workflowStartDelay),
    continuedFailure: req.continuedFailure,
    lastCompletionResult: req.lastCompletionResult,
    signal,
  });
  return { runId: run.runId, started: true };
}
