import { NamespaceNotFoundError, isGrpcServiceError } from '@temporalio/client';
import type { ProblemCode } from '../problems/catalogue.js';

/**
 * A gateway outcome the client must see. `message` is written for the client and never carries
 * internal details; `cause` keeps the original error for the log.
 */
export abstract class GatewayError extends Error {
  abstract readonly code: ProblemCode;
}

/** The workflow id is unknown in the namespace. */
export class WorkflowNotFoundError extends GatewayError {
  override readonly name = 'WorkflowNotFoundError';
  readonly code = 'WORKFLOW_NOT_FOUND';
  constructor(readonly workflowId: string) {
    super(`No workflow with id "${workflowId}" exists.`);
  }
}

/** The approval update was refused: wrong stage, a decision already taken, or the workflow closed. */
export class NotAwaitingApprovalError extends GatewayError {
  override readonly name = 'NotAwaitingApprovalError';
  readonly code = 'NOT_AWAITING_APPROVAL';
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** Four-eyes: the caller submitted the pipeline, so another reviewer must decide it. */
export class SelfApprovalForbiddenError extends GatewayError {
  override readonly name = 'SelfApprovalForbiddenError';
  readonly code = 'SELF_APPROVAL_FORBIDDEN';
  constructor(readonly workflowId: string) {
    super('You submitted this pipeline, so you cannot decide it: another reviewer must.');
  }
}

/** A cancel request for a run that is already closed. */
export class WorkflowClosedError extends GatewayError {
  override readonly name = 'WorkflowClosedError';
  readonly code = 'WORKFLOW_CLOSED';
  constructor(
    readonly workflowId: string,
    status: string,
  ) {
    super(`The workflow is already closed (${status}); there is nothing to cancel.`);
  }
}

/** With authentication on, a caller who neither submitted the pipeline nor has research:admin tried to cancel it. */
export class CancelForbiddenError extends GatewayError {
  override readonly name = 'CancelForbiddenError';
  readonly code = 'CANCEL_FORBIDDEN';
  constructor(readonly workflowId: string) {
    super('Only the submitter of this pipeline or a caller with research:admin can cancel it.');
  }
}

/** A list cursor that this API did not issue, or issued for other filters. */
export class InvalidCursorError extends GatewayError {
  override readonly name = 'InvalidCursorError';
  readonly code = 'INVALID_CURSOR';
  constructor(options?: { cause: unknown }) {
    super('The cursor is not one this API returned for these filters: repeat the first request without it.', options);
  }
}

/** The decision named a draft (If-Match or `draftSha256`) that is not the pipeline's current draft. */
export class DraftChangedError extends GatewayError {
  override readonly name = 'DraftChangedError';
  readonly code = 'DRAFT_CHANGED';
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The approval update handler failed for a reason other than the stage check. */
/** A revision asked for after the pipeline's `maxRevisions`; the reason says how many there were. */
export class RevisionsExhaustedError extends GatewayError {
  override readonly name = 'RevisionsExhaustedError';
  readonly code = 'REVISIONS_EXHAUSTED';
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
  }
}

export class DecisionRejectedError extends GatewayError {
  override readonly name = 'DecisionRejectedError';
  readonly code = 'DECISION_REJECTED';
  constructor(
    readonly workflowId: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The idempotency key already started a workflow for a different request body. */
export class IdempotencyKeyReusedError extends GatewayError {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(readonly workflowId: string) {
    super(`This Idempotency-Key was already used for a different request (workflow "${workflowId}").`);
  }
}

/** The caller already has `MAX_RUNNING_PER_CALLER` pipelines running; one must close before another starts. */
export class RunningLimitError extends GatewayError {
  override readonly name = 'RunningLimitError';
  readonly code = 'RUNNING_LIMIT_REACHED';
  /** No pipeline closes on a schedule (a decision may take hours), so the hint is a fixed polling interval. */
  readonly retryAfterSeconds = 60;
  constructor(
    readonly running: number,
    readonly max: number,
  ) {
    super(
      `${running} of your pipelines are running and at most ${max} may run at once: ` +
        'start another when one has been decided, cancelled or has finished.',
    );
  }
}

/** The workflow did not handle the update before the deadline, typically because no worker is running. */
export class WorkflowTimeoutError extends GatewayError {
  override readonly name = 'WorkflowTimeoutError';
  readonly code = 'WORKFLOW_TIMEOUT';
  constructor(
    readonly workflowId: string,
    options?: { cause: unknown },
  ) {
    super(
      `Workflow "${workflowId}" did not handle the decision in time; no worker may be running. ` +
        'The decision may still be applied later: check GET /workflows/{id} before retrying.',
      options,
    );
  }
}

/** Temporal is unreachable, timing out, or refusing our credentials or namespace. */
export class TemporalUnavailableError extends GatewayError {
  override readonly name = 'TemporalUnavailableError';
  readonly code = 'TEMPORAL_UNAVAILABLE';
  constructor(options?: { cause: unknown }) {
    super('The workflow service is unavailable. Retry later.', options);
  }
}

// gRPC status codes (fixed by the gRPC spec); @grpc/grpc-js is not a direct dependency of the API.
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNAUTHENTICATED = 16;

const UNAVAILABLE_GRPC_CODES: ReadonlySet<number> = new Set([
  GRPC_UNAVAILABLE,
  GRPC_DEADLINE_EXCEEDED,
  GRPC_RESOURCE_EXHAUSTED,
  GRPC_UNAUTHENTICATED,
  GRPC_PERMISSION_DENIED,
]);

const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether `error` (or anything in its cause chain) means Temporal cannot serve us right now:
 * a gRPC status such as UNAVAILABLE or DEADLINE_EXCEEDED, a socket-level connection error, or an unknown namespace.
 */
export function isTemporalUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current != null && depth < 8; depth++) {
    if (current instanceof NamespaceNotFoundError) return true;
    if (isGrpcServiceError(current)) return UNAVAILABLE_GRPC_CODES.has(current.code);
    if (current instanceof Error && 'code' in current && typeof current.code === 'string') {
      if (CONNECTION_ERROR_CODES.has(current.code)) return true;
    }
    if (!(current instanceof Error)) return false;
    // The SDK's ServiceError wraps the gRPC error; other errors may wrap a connection error.
    current = current.cause;
  }
  return false;
}

/** Whether `error` (or its cause chain) is a gRPC DEADLINE_EXCEEDED: a long-poll that ended without news. */
export function isDeadlineExceeded(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (isGrpcServiceError(current)) return (current.code as number) === GRPC_DEADLINE_EXCEEDED;
    current = current.cause;
  }
  return false;
}

/** Whether `error` (or its cause chain) is a gRPC INVALID_ARGUMENT, e.g. a page token the server refuses. */
export function isInvalidArgument(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (isGrpcServiceError(current)) return (current.code as number) === GRPC_INVALID_ARGUMENT;
    current = current.cause;
  }
  return false;
}

/** Rethrows `error` as {@link TemporalUnavailableError} when it means Temporal is unavailable, else unchanged. */
export function mapUnavailable(error: unknown): never {
  if (error instanceof GatewayError) throw error;
  if (isTemporalUnavailable(error)) throw new TemporalUnavailableError({ cause: error });
  throw error;
}
