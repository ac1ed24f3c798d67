import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import {
  DEFAULT_APPROVAL_TIMEOUT,
  FailureType,
  NOT_AWAITING_APPROVAL,
  REVISIONS_EXHAUSTED,
  SELF_APPROVAL_FORBIDDEN,
  approveUpdate,
  parseDurationMs,
} from '@research/contracts';
import type { ApprovalRequest, Decision, ResearchInput, ResearchState } from '@research/contracts';
import { checkDraftBinding } from './decision-receipts.js';

/** What decides whether a revision or an edit may be asked for. */
export interface RevisionRules {
  /** Whether the run is on the research-depth path, the only one whose drafts can be revised or edited. */
  depth: boolean;
  maxRevisions: number;
  /** How many times the draft was sent back so far. */
  revisions: () => number;
}

/** The decision the approval update accepted, as the pipeline reads it. */
export interface Approvals {
  /** The accepted update's argument: the receipt needs who decided and through which request. */
  readonly accepted: ApprovalRequest | undefined;
  /** After a revision: the next draft waits for a decision of its own. */
  reopen(): void;
}

/**
 * Registers the {@link approveUpdate} handler of a pipeline; call it before the first await, so updates never see an
 * uninitialised pipeline. An accepted decision is written to `state.decision`. Refused (in the validator, with a
 * non-retryable `ApplicationFailure`): a decision by the submitter under `requireDistinctApprover`
 * ({@link SELF_APPROVAL_FORBIDDEN}), one outside `awaiting_approval` or after a decision ({@link NOT_AWAITING_APPROVAL}),
 * one naming another draft (`DraftChanged`), and a revision or edit that {@link RevisionRules} do not allow.
 */
export function acceptApprovals(input: ResearchInput, state: ResearchState, rules: RevisionRules): Approvals {
  let accepted: ApprovalRequest | undefined;
  setHandler(
    approveUpdate,
    // Synchronous on purpose: the decision is recorded before any other update's validator runs,
    // so of two concurrent approvals exactly one is accepted.
    (request: ApprovalRequest): Decision => {
      const decision = toDecision(request);
      state.decision = decision;
      accepted = request;
      return decision;
    },
    {
      // Validators are not replayed, so changing what they refuse is safe for recorded histories.
      validator: (request: ApprovalRequest) => {
        // Four-eyes is enforced here as well as in the API, so it holds whichever API replica delivers the decision.
        if (
          input.requireDistinctApprover === true &&
          input.submittedBy !== undefined &&
          request.decidedBy?.id === input.submittedBy.id
        ) {
          throw ApplicationFailure.nonRetryable(
            'The submitter of a pipeline cannot decide it; another reviewer must.',
            SELF_APPROVAL_FORBIDDEN,
          );
        }
        if (state.stage !== 'awaiting_approval') {
          throw ApplicationFailure.nonRetryable(
            `The pipeline is not awaiting approval (its stage is ${state.stage}).`,
            NOT_AWAITING_APPROVAL,
          );
        }
        if (state.decision !== null) {
          throw ApplicationFailure.nonRetryable(
            'A decision was already taken for this pipeline.',
            NOT_AWAITING_APPROVAL,
          );
        }
        checkDraftBinding(request, state.draft);
        checkRevisionOrEdit(request, rules);
      },
    },
  );
  return {
    get accepted() {
      return accepted;
    },
    reopen() {
      state.decision = null;
      accepted = undefined;
    },
  };
}

/** Revisions and edits exist only on the research-depth path, and revisions only up to `maxRevisions`. */
function checkRevisionOrEdit(request: ApprovalRequest, { depth, maxRevisions, revisions }: RevisionRules): void {
  if (request.revise !== true && request.editedSummary === undefined) return;
  if (!depth) {
    throw ApplicationFailure.nonRetryable(
      'This pipeline was started before drafts could be revised or edited; approve or reject its draft as it is.',
      'RevisionUnsupported',
    );
  }
  const done = revisions();
  if (request.revise === true && done >= maxRevisions) {
    throw ApplicationFailure.nonRetryable(
      `The draft was already revised ${done} time${done === 1 ? '' : 's'}, the most this pipeline ` +
        `allows (maxRevisions ${maxRevisions}); approve or reject it.`,
      REVISIONS_EXHAUSTED,
    );
  }
}

function toDecision(request: ApprovalRequest): Decision {
  return {
    approved: request.approved,
    comment: request.comment ?? null,
    // Histories recorded before `decidedBy` existed lack it, so they replay to the same decision.
    reviewer: request.decidedBy?.id ?? request.reviewer ?? null,
    ...(request.revise === true ? { revise: true } : {}),
    ...(request.editedSummary !== undefined ? { edited: true } : {}),
    // Workflow time: deterministic on replay.
    decidedAt: new Date().toISOString(),
  };
}

/**
 * The approval window of `input.approvalTimeout` (default {@link DEFAULT_APPROVAL_TIMEOUT}) in milliseconds.
 *
 * @throws ApplicationFailure of type `InvalidResearchInput` (non-retryable) when it is not a duration, after
 *   calling `onInvalid`.
 */
export function parseApprovalTimeout(text: string | undefined, onInvalid: () => void): number {
  const value = text ?? DEFAULT_APPROVAL_TIMEOUT;
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    onInvalid();
    throw ApplicationFailure.create({
      message: `The approval timeout "${value}" is not a duration such as "90s", "15m" or "24h".`,
      type: FailureType.InvalidResearchInput,
      nonRetryable: true,
    });
  }
  return ms;
}
