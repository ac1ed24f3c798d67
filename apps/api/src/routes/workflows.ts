import { decisionReceiptSchema, decisionRequestSchema, decisionSchema } from '@research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../auth/caller.js';
import { ADMIN_SCOPE, allows } from '../auth/scopes.js';
import { callerOf } from '../plugins/auth.js';
import { sendProblem } from '../plugins/error-handler.js';
import { problemFor } from '../problems/problem.js';
import { problemResponses } from '../schemas/problem.js';
import { securedBy } from '../schemas/security.js';
import { workflowListQuerySchema, workflowListSchema } from '../schemas/workflow-list.js';
import { researchAcceptedSchema, workflowParamsSchema, workflowSchema } from '../schemas/workflow.js';
import { DraftChangedError } from '../temporal/errors.js';
import type { ResearchGateway } from '../temporal/gateway.js';
import { draftEtag, draftPrecondition, ifMatchHeaderSchema } from './draft-precondition.js';

const auditSchema = z.object({
  workflowId: z.string(),
  receipts: z.array(decisionReceiptSchema),
});

/**
 * `GET /workflows`, `GET /workflows/:id`, `POST /workflows/:id/approve`, `POST /workflows/:id/cancel` and
 * `GET /workflows/:id/audit`.
 */
export const workflowRoutes: FastifyPluginAsyncZod<{ gateway: ResearchGateway }> = async (app, { gateway }) => {
  app.get(
    '/workflows',
    {
      schema: {
        tags: ['research'],
        summary: 'List pipelines, newest first, by stage, status, submitter and start time',
        description:
          'Backed by Temporal visibility: any number of API processes give the same pages. Pass `nextCursor` ' +
          'back as `cursor` with the same filters for the next page. With stage=awaiting_approval the answer ' +
          'also carries `total`. Pipelines started before the research search attributes existed match only ' +
          'the filters on status, start time and closed stages. Needs research:read.',
        security: securedBy('research:read'),
        querystring: workflowListQuerySchema,
        response: { 200: workflowListSchema, ...problemResponses(400, 401, 403, 429, 500, 503) },
      },
      config: { scope: 'research:read' },
    },
    async (request) => gateway.listWorkflows(request.query),
  );

  app.get(
    '/workflows/:id',
    {
      schema: {
        tags: ['research'],
        summary: 'Read a pipeline: status, stage, submitter, draft, result, failure and retries',
        description:
          'Only research pipelines: any other workflow id is 404. When the draft has a hash, the `ETag` header ' +
          'carries it; send it back as `If-Match` on the decision. Needs research:read.',
        security: securedBy('research:read'),
        params: workflowParamsSchema,
        response: { 200: workflowSchema, ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
      },
      config: { scope: 'research:read' },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      const view = await gateway.getWorkflow(request.params.id);
      // Drafts of pipelines started before drafts were hashed have none, and then no ETag.
      if (view.draft?.sha256 !== undefined) void reply.header('etag', draftEtag(view.draft.sha256));
      return view;
    },
  );

  app.post(
    '/workflows/:id/approve',
    {
      schema: {
        tags: ['research'],
        summary: 'Approve, reject, revise or edit the draft of a pipeline awaiting approval',
        description:
          'With authentication on, the reviewer is the authenticated caller (a `reviewer` field is refused with 400) ' +
          'and, unless REQUIRE_DISTINCT_APPROVER=false, the submitter cannot decide their own pipeline ' +
          '(403 SELF_APPROVAL_FORBIDDEN). In open mode `reviewer` is free text. With `If-Match` (or `draftSha256`) ' +
          'the decision is taken only on that draft: another draft, or a draft without a hash, is 412 ' +
          'DRAFT_CHANGED. Each accepted decision leaves a receipt (GET /workflows/{id}/audit). ' +
          '`{"approved":false,"revise":true,"comment":"…"}` sends the comment and the draft back to the LLM: the ' +
          'pipeline returns to awaiting_approval with the next draft version; past the pipeline’s maxRevisions it is ' +
          '409 REVISIONS_EXHAUSTED. `{"approved":true,"editedSummary":"…"}` approves the reviewer’s text: the result ' +
          'saves it with the draft’s sha256, the edited text’s sha256 and a unified diff. Revise and edit need a ' +
          'pipeline started since several sources existed (409 DECISION_REJECTED otherwise). Needs research:approve.',
        security: securedBy('research:approve'),
        params: workflowParamsSchema,
        headers: z.looseObject({ 'if-match': ifMatchHeaderSchema.optional() }),
        body: decisionRequestSchema,
        response: {
          200: decisionSchema,
          ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 429, 500, 503, 504),
        },
      },
      config: { scope: 'research:approve' },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      const caller = callerOf(request);
      const decidedBy = actorOf(caller);
      if (decidedBy !== undefined && request.body.reviewer !== undefined) {
        const message = 'is taken from your credentials; remove it';
        const detail = 'The reviewer comes from the credentials of the request, not from the body: remove `reviewer`.';
        return sendProblem(
          reply,
          problemFor('VALIDATION_FAILED', request, detail, { errors: [{ pointer: '/reviewer', in: 'body', message }] }),
        );
      }
      const precondition = draftPrecondition(request.headers['if-match'], request.body.draftSha256);
      if (precondition.kind === 'invalid') {
        const { pointer, message } = precondition;
        const detail = `Invalid ${precondition.in}: ${pointer} ${message}.`;
        return sendProblem(
          reply,
          problemFor('VALIDATION_FAILED', request, detail, { errors: [{ pointer, in: precondition.in, message }] }),
        );
      }
      if (precondition.kind === 'stale') {
        throw new DraftChangedError(
          request.params.id,
          'If-Match names no draft of this API (a strong ETag is needed).',
        );
      }
      const { draftSha256: _named, ...rest } = request.body;
      const body = precondition.kind === 'draft' ? { ...rest, draftSha256: precondition.sha256 } : rest;
      const decision = await gateway.approve(request.params.id, body, {
        decidedBy,
        via: { method: caller.method, requestId: request.id },
      });
      request.log.info({ approved: decision.approved, reviewer: decision.reviewer }, 'decision accepted');
      return decision;
    },
  );

  app.post(
    '/workflows/:id/cancel',
    {
      schema: {
        tags: ['research'],
        summary: 'Cancel a running pipeline',
        description:
          'The workflow stops at whatever stage it is in (a save in flight finishes first), sets stage ' +
          '`cancelled`, saves a result with outcome `cancelled` and closes as CANCELLED. With authentication on, ' +
          'only the submitter or a caller with research:admin may cancel (403 CANCEL_FORBIDDEN); pipelines ' +
          'without a recorded submitter only an admin. 409 WORKFLOW_CLOSED when it is already closed. Needs ' +
          'research:submit.',
        security: securedBy('research:submit'),
        params: workflowParamsSchema,
        response: {
          202: {
            description: 'Cancellation requested; follow GET /workflows/{id} or its events until it is CANCELLED',
            content: { 'application/json': { schema: researchAcceptedSchema } },
          },
          ...problemResponses(400, 401, 403, 404, 409, 429, 500, 503),
        },
      },
      config: { scope: 'research:submit' },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      const caller = callerOf(request);
      const accepted = await gateway.cancel(request.params.id, {
        cancelledBy: actorOf(caller),
        admin: allows(caller.scopes, ADMIN_SCOPE),
      });
      request.log.info({ cancelledBy: caller.id }, 'cancellation requested');
      return reply.code(202).send(accepted);
    },
  );

  app.get(
    '/workflows/:id/audit',
    {
      schema: {
        tags: ['research'],
        summary: 'Read the receipts of the decisions taken on a pipeline',
        description:
          'From the workflow (works with no worker and after it closed); the same receipts are appended to the ' +
          'hash-chained research_decisions table, which `npm run audit:verify` checks. Empty for a pipeline ' +
          'nobody decided and for pipelines started before receipts existed. Needs research:read.',
        security: securedBy('research:read'),
        params: workflowParamsSchema,
        response: { 200: auditSchema, ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
      },
      config: { scope: 'research:read' },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      return { workflowId: request.params.id, receipts: await gateway.getReceipts(request.params.id) };
    },
  );
};
