import { STAGES, actorSchema, stageSchema } from '@research/contracts';
import { z } from 'zod';
import { component } from './registry.js';
import { WORKFLOW_STATUSES, workflowStatusSchema } from './workflow.js';

export const MAX_LIST_LIMIT = 100;
export const DEFAULT_LIST_LIMIT = 20;

/** Query of `GET /workflows`. */
export const workflowListQuerySchema = z.object({
  stage: z.enum(STAGES).optional().describe('Only pipelines in this stage'),
  status: z.enum(WORKFLOW_STATUSES).optional().describe('Only workflows with this status'),
  submittedBy: z.string().min(1).max(200).optional().describe('Only pipelines started by this caller id'),
  startedAfter: z.iso.datetime().optional().describe('Only pipelines started after this instant'),
  startedBefore: z.iso.datetime().optional().describe('Only pipelines started before this instant'),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT).describe('Page size'),
  cursor: z
    .string()
    .min(1)
    .max(8192)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by an earlier page')
    .optional()
    .describe('`nextCursor` of the previous page, with the same filters'),
});
export type WorkflowListQuery = z.infer<typeof workflowListQuerySchema>;

export const workflowSummarySchema = component(
  'WorkflowSummary',
  z.object({
    workflowId: z.string(),
    runId: z.string(),
    topic: z.string().nullable(),
    stage: stageSchema,
    status: workflowStatusSchema,
    submittedBy: actorSchema.nullable(),
    startedAt: z.iso.datetime(),
    awaitingSince: z.iso.datetime().nullable().describe('When it started awaiting approval'),
    approvalDeadline: z.iso.datetime().nullable().describe('When the approval wait times out'),
    draftExcerpt: z.string().nullable().describe('The first 280 characters of the draft summary'),
  }),
  'A pipeline in a list',
);
export type WorkflowSummary = z.infer<typeof workflowSummarySchema>;

/** Answer of `GET /workflows`. */
export const workflowListSchema = component(
  'WorkflowList',
  z.object({
    items: z.array(workflowSummarySchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
    total: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Only with stage=awaiting_approval: how many pipelines await approval in all'),
  }),
);
export type WorkflowList = z.infer<typeof workflowListSchema>;
