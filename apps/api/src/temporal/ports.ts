import type { ApprovalRequest, Decision, ResearchState, approveUpdate, stateQuery } from '@research/contracts';
import type { WorkflowExecutionStatusName, WorkflowStartOptions } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/*
 * The slice of the Temporal client the gateway uses. `Client#workflow` satisfies it structurally, and a
 * test can hand the gateway an in-memory fake that throws the SDK's own error classes.
 */

interface TimestampLike {
  seconds?: number | { toNumber(): number } | null;
  nanos?: number | null;
}

/** A `temporal.api.failure.v1.Failure` as found in `describe().raw`. */
export interface RawFailure {
  message?: string | null;
  applicationFailureInfo?: { type?: string | null } | null;
  cause?: RawFailure | null;
}

/** A `PendingActivityInfo` from `describe().raw.pendingActivities`. */
export interface PendingActivity {
  activityType?: { name?: string | null } | null;
  attempt?: number | null;
  maximumAttempts?: number | null;
  lastFailure?: RawFailure | null;
  nextAttemptScheduleTime?: TimestampLike | null;
}

/** The fields of `WorkflowHandle#describe()` the gateway reads. */
export interface WorkflowDescription {
  workflowId: string;
  runId: string;
  /** The workflow type; the API serves only `RESEARCH_WORKFLOW_TYPE`. */
  type: string;
  status: { name: WorkflowExecutionStatusName };
  memo?: Record<string, unknown> | undefined;
  startTime: Date;
  closeTime?: Date | undefined;
  raw: { pendingActivities?: PendingActivity[] | null };
}

export interface ResearchWorkflowHandle {
  describe(): Promise<WorkflowDescription>;
  query(query: typeof stateQuery): Promise<ResearchState>;
  result(): Promise<unknown>;
  executeUpdate(update: typeof approveUpdate, options: { args: [ApprovalRequest] }): Promise<Decision>;
  /** Requests cancellation (`RequestCancelWorkflowExecution`); a no-op success on a closed run. */
  cancel(): Promise<unknown>;
}

export type ListResponse = temporal.api.workflowservice.v1.IListWorkflowExecutionsResponse;
export type HistoryResponse = temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse;

/** One page of a history long-poll (`GetWorkflowExecutionHistory` with `waitNewEvent`, all events). */
export interface HistoryPollRequest {
  workflowId: string;
  runId: string;
  nextPageToken?: Uint8Array | null | undefined;
}

export interface WorkflowClientPort {
  start(workflowType: string, options: WorkflowStartOptions): Promise<{ firstExecutionRunId: string }>;
  getHandle(workflowId: string, runId?: string, options?: { followRuns?: boolean }): ResearchWorkflowHandle;
}

/** Everything the gateway needs from Temporal. Built from a real `Connection` by `temporalPort()`. */
export interface TemporalPort {
  workflow: WorkflowClientPort;
  /** Runs `fn` with a gRPC deadline on every call it makes (`Connection#withDeadline`). */
  withDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T>;
  /** A cheap round trip to the server (`GetSystemInfo`). */
  systemInfo(): Promise<unknown>;
  /** One page of `ListWorkflowExecutions` in the port's namespace. */
  listWorkflows(request: {
    query: string;
    pageSize: number;
    nextPageToken?: Uint8Array | undefined;
  }): Promise<ListResponse>;
  /** `CountWorkflowExecutions` in the port's namespace. */
  countWorkflows(query: string): Promise<number>;
  /** Long-polls a run's history for events past the page token; `signal` aborts the call. */
  pollHistory(
    request: HistoryPollRequest,
    options: { deadline: number; signal: AbortSignal },
  ): Promise<HistoryResponse>;
}

/** Converts a protobuf timestamp to an ISO string; null when absent. */
export function timestampToIso(timestamp: TimestampLike | null | undefined): string | null {
  if (timestamp?.seconds == null) return null;
  const seconds = typeof timestamp.seconds === 'number' ? timestamp.seconds : timestamp.seconds.toNumber();
  return new Date(seconds * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6)).toISOString();
}
