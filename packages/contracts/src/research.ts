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

/** Input of the `research` workflow: the request, plus retry overrides the API's operator configured. */
export type ResearchInput = ResearchRequest & { retryOverrides?: RetryOverrides };

/** Body of `POST /workflows/:id/approve`, and the argument of the approval update. */
export const decisionRequestSchema = z
  .object({
    approved: z.boolean(),
    comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
    reviewer: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  })
  .strict();
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

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

export const OUTCOMES = ['approved', 'rejected', 'expired'] as const;
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

/** The subset of state the workflow publishes in its memo, so status reads work with no worker running. */
export type PublishedStatus = Pick<ResearchState, 'stage' | 'draft'>;
