import {
  actorSchema,
  citationSchema,
  costSchema,
  draftPointSchema,
  groundingSchema,
  sourceOutcomeSchema,
  decisionReceiptSchema,
  decisionRequestSchema,
  decisionSchema,
  draftSchema,
  researchRequestSchema,
  researchResultSchema,
  stageSchema,
  summaryEditSchema,
  usageSchema,
  webhookDeliveryRecordSchema,
} from '@research/contracts';
import { z } from 'zod';
import { component } from './registry.js';

export const WORKFLOW_STATUSES = [
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TERMINATED',
  'TIMED_OUT',
  'CONTINUED_AS_NEW',
] as const;
export const workflowStatusSchema = z.enum(WORKFLOW_STATUSES);
export type WorkflowStatus = z.infer<typeof workflowStatusSchema>;

component('ResearchRequest', researchRequestSchema, 'A topic and its sources: exactly one of sourceUrl and sources');
component('DecisionRequest', decisionRequestSchema);
component('Decision', decisionSchema, 'A decision the workflow accepted');
component('Draft', draftSchema, 'The LLM summary, waiting for a human');
component('ResearchResult', researchResultSchema, 'What a finished pipeline returns and persists');
component('Usage', usageSchema, 'LLM token usage');
component(
  'SummaryEdit',
  summaryEditSchema,
  'The reviewer’s edit of an approved summary: both hashes and a unified diff',
);
component('Cost', costSchema, 'What a pipeline spent on the LLM, call by call, and its budget');
component('Citation', citationSchema, 'A quote backing a point, and whether it was found in its source');
component('DraftPoint', draftPointSchema, 'One point of a structured draft, with its citations');
component('Grounding', groundingSchema, 'How many of the draft’s quotes were found in their sources');
component('SourceOutcome', sourceOutcomeSchema, 'What became of one requested source');
component('DecisionReceipt', decisionReceiptSchema, 'The record of one accepted decision');
component('Actor', actorSchema, 'An authenticated caller: the id from their credentials and a display name');
component('WebhookDelivery', webhookDeliveryRecordSchema, 'The outcome of one webhook sent to one target');

/** Answer of `POST /research`. */
export const researchAcceptedSchema = component(
  'ResearchAccepted',
  z.object({
    workflowId: z.string(),
    runId: z.string(),
    status: workflowStatusSchema,
    stage: stageSchema,
  }),
);
export type ResearchAccepted = z.infer<typeof researchAcceptedSchema>;

export const workflowErrorSchema = component(
  'WorkflowError',
  z.object({
    code: z
      .string()
      .describe(
        'Failure type: an activity FailureType such as SourceHttpClientError or LlmAuthentication, ' +
          'or WorkflowTerminated, WorkflowCancelled, WorkflowTimedOut, WorkflowFailed',
      ),
    message: z.string().describe('What went wrong, for a person'),
  }),
  'Why a closed workflow did not complete',
);
export type WorkflowError = z.infer<typeof workflowErrorSchema>;

export const retrySchema = component(
  'Retry',
  z.object({
    activity: z.string().describe('The step being retried, e.g. fetchSource'),
    attempt: z.number().int().positive().describe('The attempt in progress or scheduled next'),
    maximumAttempts: z.number().int().positive().nullable().describe('null when unlimited'),
    lastFailure: z.object({ code: z.string().nullable(), message: z.string() }).nullable(),
    nextAttemptAt: z.iso.datetime().nullable(),
  }),
  'The current step is failing and being retried',
);
export type RetryInfo = z.infer<typeof retrySchema>;

/** Answer of `GET /workflows/:id`. */
export const workflowSchema = component(
  'Workflow',
  z.object({
    workflowId: z.string(),
    runId: z.string(),
    status: workflowStatusSchema,
    stage: stageSchema,
    topic: z.string().nullable(),
    sourceUrl: z.string().nullable().describe('The first (or only) source'),
    sources: z
      .array(z.string())
      .nullable()
      .describe('Every requested source, in citation order; null when the pipeline was started some other way'),
    submittedBy: actorSchema
      .nullable()
      .describe(
        'Who started the pipeline; null in open mode and for pipelines started before submitters were recorded',
      ),
    draft: draftSchema.nullable(),
    drafts: z
      .array(draftSchema)
      .nullable()
      .describe('Every draft version, oldest first (the last is `draft`); null for pipelines started before versions'),
    decision: decisionSchema.nullable(),
    result: researchResultSchema.nullable(),
    error: workflowErrorSchema.nullable(),
    retry: retrySchema.nullable(),
    usage: usageSchema.nullable(),
    cost: costSchema
      .nullable()
      .describe('LLM calls so far, their cost and the budget; null for pipelines started before costs were kept'),
    startedAt: z.iso.datetime(),
    closedAt: z.iso.datetime().nullable(),
    notifications: z
      .array(webhookDeliveryRecordSchema)
      .describe(
        'Webhooks sent (WEBHOOK_URLS) once delivered or given up, in that order; targets without query or credentials. ' +
          'Empty when none is configured',
      ),
  }),
);
export type WorkflowView = z.infer<typeof workflowSchema>;

export const workflowParamsSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(400)
    .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces')
    .describe('Workflow id as returned by POST /research'),
});
