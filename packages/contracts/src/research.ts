import { z } from 'zod';
import { MAX_SOURCES, draftPointSchema, groundingSchema, sourceOutcomeSchema } from './citations.js';
import { costSchema, usageSchema } from './cost.js';
import { approvalTimeoutSchema } from './durations.js';
import type { NotificationSettings } from './notifications.js';
import type { RetryOverrides } from './retry-overrides.js';
import { STAGES } from './stages.js';

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .max(2048, 'must be at most 2048 characters');

/** How many times a draft may be sent back by default, and at most. */
export const DEFAULT_MAX_REVISIONS = 3;
export const MAX_REVISIONS_LIMIT = 10;

/** Body of `POST /research`: one source as `sourceUrl`, or 1 to 5 as `sources` (exactly one of the two). */
export const researchRequestSchema = z
  .object({
    topic: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    sourceUrl: httpUrl.optional().describe('One source to research; send this or `sources`, not both'),
    sources: z
      .array(httpUrl)
      .min(1, 'must list at least one URL')
      .max(MAX_SOURCES, `must list at most ${MAX_SOURCES} URLs`)
      .refine((urls) => new Set(urls).size === urls.length, 'must not list a URL twice')
      .optional()
      .describe('1 to 5 sources, fetched in parallel; citations number them from 1 in this order'),
    approvalTimeout: approvalTimeoutSchema.optional(),
    maxRevisions: z
      .number()
      .int()
      .min(0)
      .max(MAX_REVISIONS_LIMIT)
      .optional()
      .describe(`Times a reviewer may send the draft back with feedback (default ${DEFAULT_MAX_REVISIONS})`),
    maxCostUsd: z
      .number()
      .positive('must be more than 0')
      .max(100_000, 'must be at most 100000')
      .optional()
      .describe('Most this pipeline may spend on the LLM, in USD (default MAX_COST_USD_DEFAULT; unset: no cap)'),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.sourceUrl === undefined && request.sources === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'is required (or send sourceUrl)' });
    } else if (request.sourceUrl !== undefined && request.sources !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'cannot be sent together with sourceUrl' });
    }
  });
export type ResearchRequest = z.infer<typeof researchRequestSchema>;

/** The URLs a request names, in citation order: `sources`, or the single `sourceUrl`. */
export function requestedSources(request: Pick<ResearchRequest, 'sourceUrl' | 'sources'>): string[] {
  return request.sources ?? (request.sourceUrl === undefined ? [] : [request.sourceUrl]);
}

/** An authenticated caller as recorded on a pipeline: the stable id from the credentials and a display name. */
export const actorSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200),
});
export type Actor = z.infer<typeof actorSchema>;

/**
 * Input of the `research` workflow: the request, plus what the API adds. `submittedBy` is absent for pipelines
 * started without authentication (and for those started before submitters were recorded); `requireDistinctApprover`
 * makes the approval validator refuse a decision by the submitter. `notifications` is absent when no webhook target
 * is configured (and on pipelines started before webhooks existed): such runs send nothing.
 */
export type ResearchInput = ResearchRequest & {
  retryOverrides?: RetryOverrides;
  submittedBy?: Actor;
  requireDistinctApprover?: boolean;
  notifications?: NotificationSettings;
  /**
   * `LLM_CONTEXT_CHARS` of the API that started the run: when the fetched sources' text is longer, notes are taken
   * per source (or per chunk of at most this many characters) before a synthesis call writes the draft. Absent: one
   * call with the full texts (and on runs started before it existed).
   */
  llmContextChars?: number;
};

/** Lower-case hex sha256, as drafts and receipts carry it. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256');

/**
 * Body of `POST /workflows/:id/approve`, and the argument of the approval update. `revise` (with `approved: false`
 * and a `comment`) sends the draft back to the LLM with the comment; `editedSummary` (with `approved: true`) approves
 * the reviewer's text instead of the LLM's summary. Both need a pipeline started since `research-depth`.
 */
export const decisionRequestSchema = z
  .object({
    approved: z.boolean(),
    comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
    revise: z
      .boolean()
      .optional()
      .describe('With approved false and a comment: write a new draft version from the comment instead of rejecting'),
    editedSummary: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(10_000, 'must be at most 10000 characters')
      .optional()
      .describe('With approved true: the summary as the reviewer edited it; saved instead of the LLM summary'),
    reviewer: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    draftSha256: sha256HexSchema
      .optional()
      .describe(
        'The draft this decision is about (the ETag of GET /workflows/{id}); another draft is refused with 412',
      ),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.revise === true && request.approved) {
      ctx.addIssue({ code: 'custom', path: ['revise'], message: 'needs approved false' });
    }
    if (request.revise === true && (request.comment ?? '').trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'is required with revise: it is what the LLM gets' });
    }
    if (request.editedSummary !== undefined && !request.approved) {
      ctx.addIssue({ code: 'custom', path: ['editedSummary'], message: 'needs approved true' });
    }
  });
export type DecisionRequest = z.infer<typeof decisionRequestSchema>;

/**
 * How the decider was identified: the API's auth methods, a signed approval link, or `unknown` for a decision
 * delivered by an API version that did not say (during a rolling deploy).
 */
export const DECISION_METHODS = ['api-key', 'oidc', 'open', 'link', 'unknown'] as const;
export type DecisionMethod = (typeof DECISION_METHODS)[number];

/**
 * Argument of the approval update: the decision, and the authenticated caller who took it. When `decidedBy` is
 * present it is the reviewer, whatever `reviewer` says; the API sets it from the credentials. `via` is what the
 * receipt needs and only the API knows (absent in histories recorded before receipts).
 */
export type ApprovalRequest = DecisionRequest & {
  decidedBy?: Actor;
  via?: { method: DecisionMethod; requestId: string | null };
};

/** A decision the workflow accepted. */
export const decisionSchema = z.object({
  approved: z.boolean(),
  comment: z.string().nullable(),
  reviewer: z.string().nullable(),
  decidedAt: z.iso.datetime(),
  /** True when the draft was sent back for another version; the pipeline then awaits approval again. */
  revise: z.boolean().optional(),
  /** True when the reviewer approved an edited summary. */
  edited: z.boolean().optional(),
});

/**
 * The reviewer's edit of an approved draft: the LLM draft's sha256, the sha256 of the edited summary (UTF-8) and a
 * unified diff from the draft's summary to the edited one.
 */
export const summaryEditSchema = z.object({
  draftSha256: sha256HexSchema.nullable(),
  editedSha256: sha256HexSchema,
  diff: z.string(),
});
export type SummaryEdit = z.infer<typeof summaryEditSchema>;
export type Decision = z.infer<typeof decisionSchema>;

/**
 * The LLM's summary, waiting for a human. `sha256` is of what the reviewer decides on: the summary text (UTF-8) for
 * drafts without points, the canonical JSON of summary and points for structured drafts; `version` numbers the
 * drafts of a pipeline from 1. Both are absent on drafts of pipelines started before drafts were hashed. `points`,
 * `grounding` and `sources` are present on drafts of pipelines started since the `research-depth` patch.
 */
export const draftSchema = z.object({
  summary: z.string(),
  model: z.string(),
  usage: usageSchema,
  version: z.number().int().positive().optional(),
  sha256: sha256HexSchema.optional(),
  points: z.array(draftPointSchema).optional().describe('3 to 5 points, each with the quotes that back it'),
  grounding: groundingSchema.optional(),
  sources: z.array(sourceOutcomeSchema).optional().describe('Every requested source: fetched, or why not'),
  cost: z
    .number()
    .nonnegative()
    .nullable()
    .optional()
    .describe('USD of the LLM calls that wrote this draft; null when the model has no price'),
  feedback: z.string().optional().describe('The reviewer comment this version was written from (versions 2 and up)'),
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
  /** Since `research-depth`: the sources, the approved draft's points and how many draft versions there were. */
  sources: z.array(sourceOutcomeSchema).optional(),
  points: z.array(draftPointSchema).optional(),
  draftVersions: z.number().int().nonnegative().optional(),
  cost: costSchema.optional(),
  /** Present when the reviewer approved an edited summary (`summary` is then the edited text). */
  edit: summaryEditSchema.optional(),
});
export type ResearchResult = z.infer<typeof researchResultSchema>;

export const stageSchema = z.enum(STAGES);

/**
 * The record of one accepted decision: who (and how they were identified), what, when, about which draft and
 * source text, through which request. Written to the `research_decisions` hash chain by `recordDecision` and kept
 * in the workflow's memo under `RECEIPTS_MEMO_KEY`.
 */
export const decisionReceiptSchema = z.object({
  decisionId: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  decidedBy: z
    .object({ id: z.string().nullable(), name: z.string().nullable(), method: z.enum(DECISION_METHODS) })
    .describe('id and name are null in open mode (nobody is identified); `reviewer` then holds the free text'),
  reviewer: z.string().nullable(),
  decidedAt: z.iso.datetime(),
  approved: z.boolean(),
  comment: z.string().nullable(),
  draftSha256: sha256HexSchema.nullable(),
  sourceSha256: sha256HexSchema.nullable(),
  requestId: z.string().nullable(),
});
export type DecisionReceipt = z.infer<typeof decisionReceiptSchema>;

/** Live state of a pipeline, answered by the state query. */
export const researchStateSchema = z.object({
  stage: stageSchema,
  topic: z.string(),
  /** The first source (the only one of a `sourceUrl` request). */
  sourceUrl: z.string(),
  sources: z.array(z.string()).optional(),
  draft: draftSchema.nullable(),
  /** Since `research-depth`: every draft version, oldest first (the last is `draft`). */
  drafts: z.array(draftSchema).optional(),
  /** Since `research-depth`: the LLM calls so far, what they cost and the budget. */
  cost: costSchema.optional(),
  decision: decisionSchema.nullable(),
  result: researchResultSchema.nullable(),
});
export type ResearchState = z.infer<typeof researchStateSchema>;

/**
 * What the workflow publishes in its memo under `STATUS_MEMO_KEY`, so status reads need no worker. Runs started
 * before the `reviewer-workspace` patch publish only `stage` and `draft` until their next stage change; the other
 * fields are absent there, not null.
 */
export interface PublishedStatus extends Pick<ResearchState, 'stage' | 'draft' | 'drafts' | 'cost'> {
  decision?: Decision | null;
  result?: ResearchResult | null;
  /** ISO time the pipeline entered `awaiting_approval`; null before. */
  awaitingSince?: string | null;
  /** ISO time the approval wait times out; null outside `awaiting_approval`'s reach. */
  approvalDeadline?: string | null;
}
