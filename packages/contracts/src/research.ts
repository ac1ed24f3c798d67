import { z } from 'zod';
import { approvalTimeoutSchema } from './durations.js';
import type { RetryOverrides } from './retry-overrides.js';
import { STAGES } from './stages.js';

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .max(2048, 'must be at most 2048 characters');

/** Body of `POST /research`. */
export const researchRequestSchema = z
  .object({
    topic: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    sourceUrl: httpUrl,
    approvalTimeout: approvalTimeoutSchema.optional(),
  })
  .strict();
export type ResearchRequest = z.infer<typeof researchRequestSchema>;

/** An authenticated caller as recorded on a pipeline: the stable id from the credentials and a display name. */
export const actorSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200),
});
export type Actor = z.infer<typeof actorSchema>;

/**
 * Input of the `research` workflow: the request, plus what the API adds. `submittedBy` is absent for pipelines
 * started without authentication (and for those started before submitters were recorded); `requireDistinctApprover`
 * makes the approval validator refuse a decision by the submitter.
 */
export type ResearchInput = ResearchRequest & {
  retryOverrides?: RetryOverrides;
  submittedBy?: Actor;
  requireDistinctApprover?: boolean;
};

/** Body of `POST /workflows/:id/approve`, and the argument of the approval update. */
export const decisionRequestSchema = z
  .object({
    approved: z.boolean(),
    comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
    reviewer: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  })
  .strict();
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/**
 * Argument of the approval update: the decision, and the authenticated caller who took it. When `decidedBy` is
 * present it is the reviewer, whatever `reviewer` says; the API sets it from the credentials.
 */
export type ApprovalRequest = DecisionRequest & { decidedBy?: Actor };

/** A decision the workflow accepted. */
export const decisionSchema = z.object({
  approved: z.boolean(),
  comment: z.string().nullable(),
  reviewer: z.string().nullable(),
  decidedAt: z.iso.datetime(),
});
export type Decision = z.infer<typeof decisionSchema>;

export const usageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof usageSchema>;

/** The LLM's summary, waiting for a human. */
export const draftSchema = z.object({
  summary: z.string(),
  model: z.string(),
  usage: usageSchema,
});
export type Draft = z.infer<typeof draftSchema>;

/** How a pipeline ended; `cancelled` when a cancel request stopped it (runs started since `reviewer-workspace`). */
export const OUTCOMES = ['approved', 'rejected', 'expired', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What a finished pipeline returns and persists. */
export const researchResultSchema = z.object({
  outcome: z.enum(OUTCOMES),
  summary: z.string(),
  topic: z.string(),
  sourceUrl: z.string(),
  reviewer: z.string().nullable(),
  comment: z.string().nullable(),
  decidedAt: z.iso.datetime(),
  usage: usageSchema,
});
export type ResearchResult = z.infer<typeof researchResultSchema>;

export const stageSchema = z.enum(STAGES);

/** Live state of a pipeline, answered by the state query. */
export const researchStateSchema = z.object({
  stage: stageSchema,
  topic: z.string(),
  sourceUrl: z.string(),
  draft: draftSchema.nullable(),
  decision: decisionSchema.nullable(),
  result: researchResultSchema.nullable(),
});
export type ResearchState = z.infer<typeof researchStateSchema>;

/**
 * What the workflow publishes in its memo under `STATUS_MEMO_KEY`, so status reads need no worker. Runs started
 * before the `reviewer-workspace` patch publish only `stage` and `draft` until their next stage change; the other
 * fields are absent there, not null.
 */
export interface PublishedStatus extends Pick<ResearchState, 'stage' | 'draft'> {
  decision?: Decision | null;
  result?: ResearchResult | null;
  /** ISO time the pipeline entered `awaiting_approval`; null before. */
  awaitingSince?: string | null;
  /** ISO time the approval wait times out; null outside `awaiting_approval`'s reach. */
  approvalDeadline?: string | null;
}
