import {
  DRAFT_CHANGED,
  NOT_AWAITING_APPROVAL,
  RESEARCH_SEARCH_ATTRIBUTES,
  RESEARCH_TASK_QUEUE,
  REVISIONS_EXHAUSTED,
  RESEARCH_WORKFLOW_TYPE,
  SELF_APPROVAL_FORBIDDEN,
  approveUpdate,
  researchResultSchema,
  researchStateSchema,
  stateQuery,
} from '@research/contracts';
import type {
  ApprovalRequest,
  Decision,
  DecisionRequest,
  NotificationSettings,
  ResearchInput,
  ResearchRequest,
  ResearchResult,
  ResearchState,
  RetryOverrides,
} from '@research/contracts';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError as TemporalWorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type { Logger } from 'pino';
import type { WorkflowError } from '../schemas/workflow.js';
import {
  CancelForbiddenError,
  DecisionRejectedError,
  DraftChangedError,
  IdempotencyKeyReusedError,
  NotAwaitingApprovalError,
  RunningLimitError,
  RevisionsExhaustedError,
  SelfApprovalForbiddenError,
  TemporalUnavailableError,
  WorkflowClosedError,
  WorkflowNotFoundError,
  WorkflowTimeoutError,
  mapUnavailable,
} from './errors.js';
import type { ApproveOptions, ResearchGateway, StartResearchOptions, StartedResearch } from './gateway.js';
import { newWorkflowId, requestSha256, workflowIdForKey } from './idempotency.js';
import { runningPipelinesQuery } from './list-query.js';
import { initialMemo, isCompleteStatus, readReceiptsMemo, readRequestMemo, readStatusMemo } from './memo.js';
import type { ResearchWorkflowHandle, TemporalPort, WorkflowDescription } from './ports.js';
import { workflowEvents } from './workflow-events.js';
import { listResearch } from './workflow-list.js';
import { buildWorkflowView, describeFailure, reportedStage, toWorkflowStatus } from './workflow-view.js';

/** Deadlines and defaults of {@link createTemporalGateway}; the names match the config variables. */
export interface TemporalGatewayOptions {
  /** Deadline of ordinary calls (start, describe, result). */
  rpcTimeoutMs: number;
  /** Deadline of the state query; past it the memo answers. */
  queryTimeoutMs: number;
  /** Deadline of the approval update; past it the client gets 504. */
  updateTimeoutMs: number;
  /** Deadline of the readiness round trip. */
  readyTimeoutMs: number;
  /** Task queue workflows are started on; must be the one the worker polls. Defaults to `RESEARCH_TASK_QUEUE`. */
  taskQueue?: string | undefined;
  /** Approval timeout passed to workflows whose request has none; unset leaves the workflow's default. */
  approvalTimeoutDefault?: string | undefined;
  /** LLM budget (USD) passed to workflows whose request has no `maxCostUsd`; unset means no cap. */
  maxCostUsdDefault?: number | undefined;
  /** `LLM_CONTEXT_CHARS`, passed to every workflow started: longer sources get notes before the draft. */
  llmContextChars?: number | undefined;
  /** Step retry policies passed to every workflow started (the workflow's own policies when unset). */
  retryOverrides?: RetryOverrides | undefined;
  /** Webhook targets and reminder points passed to every workflow started; unset sends no webhooks. */
  notifications?: NotificationSettings | undefined;
  /**
   * Four-eyes (`REQUIRE_DISTINCT_APPROVER`, default true): a pipeline's submitter cannot decide it. Checked here and,
   * through the workflow input, by the workflow's update validator. Applies only where both are identified.
   */
  requireDistinctApprover?: boolean | undefined;
  /**
   * `MAX_RUNNING_PER_CALLER`: a caller with this many pipelines running gets {@link RunningLimitError} instead of a
   * new one. Counted in Temporal's visibility (eventually consistent), so it holds across API replicas. Unset: no cap.
   */
  maxRunningPerCaller?: number | undefined;
  logger?: Pick<Logger, 'warn' | 'debug'> | undefined;
  /** Wait of one history long-poll of an event stream while nothing is retrying. Default 60 s. */
  eventsLongPollMs?: number | undefined;
  /** How often an event stream asks for retries while an activity runs (`EVENTS_RETRY_CHECK_MS`). Default 2 s. */
  eventsRetryCheckMs?: number | undefined;
  /** Id generator for requests without an idempotency key. */
  newWorkflowId?: () => string;
}

/**
 * Implements {@link ResearchGateway} over Temporal. Stateless: idempotency rests on deterministic workflow ids
 * and Temporal's id uniqueness (conflict policy FAIL, reuse policy REJECT_DUPLICATE), with the request hash in
 * the memo, so any number of API processes can serve the same keys and restart at any time.
 */
export function createTemporalGateway(port: TemporalPort, options: TemporalGatewayOptions): ResearchGateway {
  const { logger } = options;
  const generateId = options.newWorkflowId ?? newWorkflowId;
  const requireDistinctApprover = options.requireDistinctApprover ?? true;
  const within = <T>(ms: number, fn: () => Promise<T>): Promise<T> => port.withDeadline(Date.now() + ms, fn);

  /** Describes a research workflow; any other workflow in the namespace is not the API's to show or decide. */
  async function describe(handle: ResearchWorkflowHandle, workflowId: string): Promise<WorkflowDescription> {
    let description: WorkflowDescription;
    try {
      description = await within(options.rpcTimeoutMs, () => handle.describe());
    } catch (error) {
      if (error instanceof TemporalWorkflowNotFoundError) throw new WorkflowNotFoundError(workflowId);
      return mapUnavailable(error);
    }
    if (description.type !== RESEARCH_WORKFLOW_TYPE) throw new WorkflowNotFoundError(workflowId);
    return description;
  }

  async function liveState(handle: ResearchWorkflowHandle, workflowId: string): Promise<ResearchState | null> {
    try {
      const state = await within(options.queryTimeoutMs, () => handle.query(stateQuery));
      const parsed = researchStateSchema.safeParse(state);
      if (parsed.success) return parsed.data;
      logger?.warn({ workflowId, issues: parsed.error.issues }, 'state query answer does not match the contract');
    } catch (error) {
      // No worker, a worker too busy, or Temporal briefly away: the memo still answers.
      logger?.debug({ workflowId, err: error }, 'state query unanswered; reading the memo');
    }
    return null;
  }

  async function closedOutcome(
    description: WorkflowDescription,
  ): Promise<{ result: ResearchResult | null; error: WorkflowError | null }> {
    const status = toWorkflowStatus(description.status.name);
    const run = port.workflow.getHandle(description.workflowId, description.runId, { followRuns: false });
    try {
      const value = await within(options.rpcTimeoutMs, () => run.result());
      const parsed = researchResultSchema.safeParse(value);
      if (!parsed.success) {
        logger?.warn({ workflowId: description.workflowId }, 'workflow result does not match the contract');
      }
      return { result: parsed.success ? parsed.data : null, error: null };
    } catch (error) {
      if (error instanceof WorkflowFailedError) return { result: null, error: describeFailure(error.cause, status) };
      if (status === 'CONTINUED_AS_NEW') return { result: null, error: null };
      return mapUnavailable(error);
    }
  }

  async function existingStart(workflowId: string, sha256: string): Promise<StartedResearch> {
    const description = await describe(port.workflow.getHandle(workflowId), workflowId);
    if (readRequestMemo(description.memo)?.requestSha256 !== sha256) throw new IdempotencyKeyReusedError(workflowId);
    const status = toWorkflowStatus(description.status.name);
    const stage = reportedStage(status, readStatusMemo(description.memo)?.stage);
    return { created: false, workflowId, runId: description.runId, status, stage };
  }

  /**
   * Refuses a start while the caller has `maxRunningPerCaller` pipelines running. A repeated `Idempotency-Key` whose
   * pipeline exists already is not a new pipeline, so it is answered as ever (200, or 422 for another body).
   */
  async function checkRunningCap(
    submitterId: string | undefined,
    retry: { workflowId: string; sha256: string } | undefined,
  ): Promise<StartedResearch | undefined> {
    const max = options.maxRunningPerCaller;
    if (max === undefined) return undefined;
    let running: number;
    try {
      running = await within(options.rpcTimeoutMs, () => port.countWorkflows(runningPipelinesQuery(submitterId)));
    } catch (error) {
      return mapUnavailable(error);
    }
    if (running < max) return undefined;
    if (retry !== undefined) {
      try {
        return await existingStart(retry.workflowId, retry.sha256);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    throw new RunningLimitError(running, max);
  }

  return {
    async startResearch(request: ResearchRequest, { idempotencyKey, submittedBy }: StartResearchOptions = {}) {
      const sha256 = requestSha256(request);
      const workflowId =
        idempotencyKey === undefined ? generateId() : workflowIdForKey(idempotencyKey, submittedBy?.id);
      const approvalTimeout = request.approvalTimeout ?? options.approvalTimeoutDefault;
      const maxCostUsd = request.maxCostUsd ?? options.maxCostUsdDefault;
      const input: ResearchInput = {
        ...request,
        ...(approvalTimeout === undefined ? {} : { approvalTimeout }),
        ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
        ...(options.llmContextChars === undefined ? {} : { llmContextChars: options.llmContextChars }),
        ...(options.retryOverrides === undefined ? {} : { retryOverrides: options.retryOverrides }),
        ...(options.notifications === undefined ? {} : { notifications: options.notifications }),
        ...(submittedBy === undefined ? {} : { submittedBy, requireDistinctApprover }),
      };
      const retried = await checkRunningCap(
        submittedBy?.id,
        idempotencyKey === undefined ? undefined : { workflowId, sha256 },
      );
      if (retried !== undefined) return retried;
      try {
        const handle = await within(options.rpcTimeoutMs, () =>
          port.workflow.start(RESEARCH_WORKFLOW_TYPE, {
            taskQueue: options.taskQueue ?? RESEARCH_TASK_QUEUE,
            workflowId,
            args: [input],
            memo: initialMemo(request, sha256, submittedBy),
            // Set at start (the workflow upserts the same value), so the running cap counts a pipeline no worker
            // has picked up yet. Only with a cap: a cluster where the attributes could not be registered then still
            // starts pipelines (their upserts fail later, as before).
            ...(submittedBy === undefined || options.maxRunningPerCaller === undefined
              ? {}
              : { typedSearchAttributes: [{ key: RESEARCH_SEARCH_ATTRIBUTES.submitter, value: submittedBy.id }] }),
            // A key names one workflow forever: never a second run, whether the first is running or closed.
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        );
        return { created: true, workflowId, runId: handle.firstExecutionRunId, status: 'RUNNING', stage: 'queued' };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError && idempotencyKey !== undefined) {
          return existingStart(workflowId, sha256);
        }
        return mapUnavailable(error);
      }
    },

    async getWorkflow(workflowId: string) {
      const handle = port.workflow.getHandle(workflowId);
      const description = await describe(handle, workflowId);
      const status = toWorkflowStatus(description.status.name);
      if (status === 'RUNNING') {
        // Runs since the reviewer-workspace patch publish all GET needs in the memo: no round trip to a worker.
        const complete = isCompleteStatus(readStatusMemo(description.memo));
        const state = complete ? null : await liveState(handle, workflowId);
        return buildWorkflowView({ description, state, result: null, error: null });
      }
      const { result, error } = await closedOutcome(description);
      return buildWorkflowView({ description, state: null, result, error });
    },

    async approve(
      workflowId: string,
      decision: DecisionRequest,
      { decidedBy, via }: ApproveOptions = {},
    ): Promise<Decision> {
      const handle = port.workflow.getHandle(workflowId);
      const description = await describe(handle, workflowId);
      const submitter = readRequestMemo(description.memo)?.submittedBy;
      if (requireDistinctApprover && decidedBy !== undefined && submitter?.id === decidedBy.id) {
        throw new SelfApprovalForbiddenError(workflowId);
      }
      const status = toWorkflowStatus(description.status.name);
      if (status !== 'RUNNING') {
        throw new NotAwaitingApprovalError(workflowId, `The workflow is closed (${status}); it takes no decision.`);
      }
      const request: ApprovalRequest = {
        ...decision,
        ...(decidedBy === undefined ? {} : { decidedBy }),
        ...(via === undefined ? {} : { via }),
      };
      try {
        return await within(options.updateTimeoutMs, () => handle.executeUpdate(approveUpdate, { args: [request] }));
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          const cause = error.cause;
          const reason =
            cause instanceof ApplicationFailure && cause.message ? cause.message : 'The decision was refused.';
          if (cause instanceof ApplicationFailure && cause.type === NOT_AWAITING_APPROVAL) {
            throw new NotAwaitingApprovalError(workflowId, reason);
          }
          if (cause instanceof ApplicationFailure && cause.type === SELF_APPROVAL_FORBIDDEN) {
            throw new SelfApprovalForbiddenError(workflowId);
          }
          if (cause instanceof ApplicationFailure && cause.type === DRAFT_CHANGED) {
            throw new DraftChangedError(workflowId, reason);
          }
          if (cause instanceof ApplicationFailure && cause.type === REVISIONS_EXHAUSTED) {
            throw new RevisionsExhaustedError(workflowId, reason);
          }
          throw new DecisionRejectedError(workflowId, reason);
        }
        // The run closed between describe and update.
        if (error instanceof TemporalWorkflowNotFoundError) {
          throw new NotAwaitingApprovalError(workflowId, 'The workflow closed before the decision arrived.');
        }
        if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError)
          throw new WorkflowTimeoutError(workflowId, { cause: error });
        return mapUnavailable(error);
      }
    },

    listWorkflows: (query) => listResearch(port, (fn) => within(options.rpcTimeoutMs, fn), query),

    async cancel(workflowId, { cancelledBy, admin = false } = {}) {
      const handle = port.workflow.getHandle(workflowId);
      const description = await describe(handle, workflowId);
      const submitter = readRequestMemo(description.memo)?.submittedBy;
      if (cancelledBy !== undefined && !admin && submitter?.id !== cancelledBy.id) {
        throw new CancelForbiddenError(workflowId);
      }
      const status = toWorkflowStatus(description.status.name);
      if (status !== 'RUNNING') throw new WorkflowClosedError(workflowId, status);
      try {
        await within(options.rpcTimeoutMs, () => handle.cancel());
      } catch (error) {
        if (error instanceof TemporalWorkflowNotFoundError) throw new WorkflowClosedError(workflowId, 'closed');
        return mapUnavailable(error);
      }
      const stage = reportedStage(status, readStatusMemo(description.memo)?.stage);
      return { workflowId, runId: description.runId, status, stage };
    },

    async openEvents(workflowId, { after, signal }) {
      const description = await describe(port.workflow.getHandle(workflowId), workflowId);
      const run = port.workflow.getHandle(workflowId, description.runId, { followRuns: false });
      return workflowEvents(port, {
        workflowId,
        runId: description.runId,
        after,
        signal,
        longPollMs: options.eventsLongPollMs ?? 60_000,
        retryCheckMs: options.eventsRetryCheckMs ?? 2_000,
        pendingActivities: async () => {
          try {
            return (await within(options.rpcTimeoutMs, () => run.describe())).raw.pendingActivities ?? [];
          } catch (error) {
            return mapUnavailable(error);
          }
        },
      });
    },

    async getReceipts(workflowId: string) {
      const description = await describe(port.workflow.getHandle(workflowId), workflowId);
      return readReceiptsMemo(description.memo);
    },

    async ready() {
      try {
        await within(options.readyTimeoutMs, () => port.systemInfo());
      } catch (error) {
        throw new TemporalUnavailableError({ cause: error });
      }
    },
  };
}
