import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalRequest, Decision, ResearchState } from './research.js';

/** Reads the pipeline's live state. */
export const stateQuery = defineQuery<ResearchState>('state');

/**
 * Delivers a human decision. Its validator rejects the update unless the pipeline is awaiting
 * approval (and, with four-eyes on, unless the decider is someone other than the submitter), so a caller
 * always learns whether the decision was taken.
 */
export const approveUpdate = defineUpdate<Decision, [ApprovalRequest]>('approve');

/** `ApplicationFailure` type of the validator rejection when no decision is awaited; the API maps it to 409. */
export const NOT_AWAITING_APPROVAL = 'NotAwaitingApproval';

/** `ApplicationFailure` type of the validator rejection when the submitter decides their own pipeline; the API maps it to 403. */
export const SELF_APPROVAL_FORBIDDEN = 'SelfApprovalForbidden';

/**
 * `ApplicationFailure` type of the validator rejection when the decision names a draft (`draftSha256`) other than the
 * current one, or the current draft has no hash; the API maps it to 412.
 */
export const DRAFT_CHANGED = 'DraftChanged';

/** `ApplicationFailure` type of the validator rejection of a revision past `maxRevisions`; the API maps it to 409. */
export const REVISIONS_EXHAUSTED = 'RevisionsExhausted';
