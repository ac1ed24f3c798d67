import { decisionReceiptSchema, decisionRequestSchema, decisionSchema } from '@research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../auth/caller.js';
import { callerOf } from '../plugins/auth.js';
import { sendProblem } from '../plugins/error-handler.js';
import { problemFor } from '../problems/problem.js';
import { problemResponses } from '../schemas/problem.js';
import { securedBy } from '../schemas/security.js';
import { workflowParamsSchema, workflowSchema } from '../schemas/workflow.js';
import { DraftChangedError } from '../temporal/errors.js';
import type { ResearchGateway } from '../temporal/gateway.js';
import { draftEtag, draftPrecondition, ifMatchHeaderSchema } from './draft-precondition.js';

const auditSchema = z.object({
  workflowId: z.string(),
  receipts: z.array(decisionReceiptSchema),
});

/** `GET /workflows/:id`, `POST /workflows/:id/approve` and `GET /workflows/:id/audit`. */
export const workflowRoutes: FastifyPluginAsyncZod<{ gateway: ResearchGateway }> = async (app, { gateway }) => {
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
        summary: 'Approve or reject the draft of a pipeline awaiting approval',
        description:
          'With authentication on, the reviewer is the authenticated caller (a `reviewer` field is refused with 400) ' +
          'and, unless REQUIRE_DISTINCT_APPROVER=false, the submitter cannot decide their own pipeline ' +
          '(403 SELF_APPROVAL_FORBIDDEN). In open mode `reviewer` is free text. With `If-Match` (or `draftSha256`) ' +
          'the decision is taken only on that draft: another draft, or a draft without a hash, is 412 ' +
          'DRAFT_CHANGED. Each accepted decision leaves a receipt (GET /workflows/{id}/audit). Needs research:approve.',
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
