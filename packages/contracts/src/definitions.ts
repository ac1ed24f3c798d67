import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Decision, DecisionRequest, ResearchState } from './research.js';

/** Reads the pipeline's live state. */
export const stateQuery = defineQuery<ResearchState>('state');

/**
 * Delivers a human decision. Its validator rejects the update unless the pipeline is awaiting
 * approval, so a caller always learns whether the decision was taken.
 */
export const approveUpdate = defineUpdate<Decision, [DecisionRequest]>('approve');

/** `ApplicationFailure` type of the validator rejection when no decision is awaited; the API maps it to 409. */
export const NOT_AWAITING_APPROVAL = 'NotAwaitingApproval';
