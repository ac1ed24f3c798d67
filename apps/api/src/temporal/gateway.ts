import type {
  Actor,
  ApprovalRequest,
  Decision,
  DecisionReceipt,
  DecisionRequest,
  ResearchRequest,
} from '@research/contracts';
import type { WorkflowList, WorkflowListQuery } from '../schemas/workflow-list.js';
import type { ResearchAccepted, WorkflowView } from '../schemas/workflow.js';
import type { EventPosition, WorkflowEvent } from './history-events.js';

export interface StartResearchOptions {
  /** Client-chosen key: the same key and body start at most one workflow, ever (within namespace retention). */
  idempotencyKey?: string | undefined;
  /**
   * The authenticated caller, recorded as the submitter (workflow input and memo). It also scopes the idempotency
   * key: the same key from two callers names two workflows. Undefined in open mode, where keys keep their old ids.
   */
  submittedBy?: Actor | undefined;
}

export interface ApproveOptions {
  /** The authenticated caller taking the decision; they become the reviewer. Undefined in open mode. */
  decidedBy?: Actor | undefined;
  /** How the caller was identified and the request id, for the decision receipt. */
  via?: ApprovalRequest['via'];
}

export interface CancelOptions {
  /** The authenticated caller; undefined in open mode, where anyone may cancel. */
  cancelledBy?: Actor | undefined;
  /** Whether the caller has research:admin, which may cancel any pipeline. */
  admin?: boolean;
}

export interface EventsOptions {
  /** Only events after this position (the client's `Last-Event-ID`). */
  after?: EventPosition | undefined;
  /** Aborts the stream (client gone, server closing). */
  signal: AbortSignal;
}

export interface StartedResearch extends ResearchAccepted {
  /** False when an earlier request with the same idempotency key had already started the workflow. */
  created: boolean;
}

/**
 * What the HTTP routes need from Temporal, in domain terms. Implemented by {@link createTemporalGateway};
 * route tests stub it. Every method throws the errors from `./errors.ts` (never a raw Temporal or gRPC error)
 * for outcomes a client must see: not found, conflicts, unavailability.
 */
export interface ResearchGateway {
  /**
   * Starts a research pipeline.
   * @throws IdempotencyKeyReusedError when the key was used with a different body.
   * @throws TemporalUnavailableError when Temporal cannot be reached in time.
   */
  startResearch(request: ResearchRequest, options?: StartResearchOptions): Promise<StartedResearch>;
  /**
   * Reads a pipeline's status; works with no worker running (falls back to the memo).
   * @throws WorkflowNotFoundError (also for a workflow of another type), TemporalUnavailableError
   */
  getWorkflow(workflowId: string): Promise<WorkflowView>;
  /**
   * Delivers a human decision through the approval update.
   * @throws WorkflowNotFoundError (also for a workflow of another type), SelfApprovalForbiddenError,
   *   NotAwaitingApprovalError, DraftChangedError, DecisionRejectedError, WorkflowTimeoutError,
   *   TemporalUnavailableError
   */
  approve(workflowId: string, decision: DecisionRequest, options?: ApproveOptions): Promise<Decision>;
  /**
   * One page of research pipelines matching the filters, newest first.
   * @throws InvalidCursorError, TemporalUnavailableError
   */
  listWorkflows(query: WorkflowListQuery): Promise<WorkflowList>;
  /**
   * Requests cancellation of a running pipeline; the workflow then saves a `cancelled` result and closes.
   * @throws WorkflowNotFoundError, CancelForbiddenError, WorkflowClosedError, TemporalUnavailableError
   */
  cancel(workflowId: string, options?: CancelOptions): Promise<ResearchAccepted>;
  /**
   * The live events of a pipeline (stage, retry, draft, decision, final), from after `options.after` until it
   * closes. Resolves once the workflow is known to exist, so a 404 can still be answered as a problem.
   * @throws WorkflowNotFoundError, TemporalUnavailableError (and the iterator: TemporalUnavailableError)
   */
  openEvents(workflowId: string, options: EventsOptions): Promise<AsyncIterable<WorkflowEvent>>;
  /**
   * The receipts of a pipeline's accepted decisions, from its memo (works with no worker and after it closed).
   * @throws WorkflowNotFoundError (also for a workflow of another type), TemporalUnavailableError
   */
  getReceipts(workflowId: string): Promise<DecisionReceipt[]>;
  /** Resolves when Temporal answers within the readiness deadline. @throws TemporalUnavailableError */
  ready(): Promise<void>;
}
