import { decisionRequestSchema, decisionSchema } from '@research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorOf } from '../auth/caller.js';
import { callerOf } from '../plugins/auth.js';
import { sendProblem } from '../plugins/error-handler.js';
import { problemFor } from '../problems/problem.js';
import { problemResponses } from '../schemas/problem.js';
import { securedBy } from '../schemas/security.js';
import { workflowParamsSchema, workflowSchema } from '../schemas/workflow.js';
import type { ResearchGateway } from '../temporal/gateway.js';

/** `GET /workflows/:id` and `POST /workflows/:id/approve`. */
export const workflowRoutes: FastifyPluginAsyncZod<{ gateway: ResearchGateway }> = async (app, { gateway }) => {
  app.get(
    '/workflows/:id',
    {
      schema: {
        tags: ['research'],
        summary: 'Read a pipeline: status, stage, submitter, draft, result, failure and retries',
        description: 'Only research pipelines: any other workflow id is 404. Needs research:read.',
        security: securedBy('research:read'),
        params: workflowParamsSchema,
        response: { 200: workflowSchema, ...problemResponses(400, 401, 403, 404, 429, 500, 503) },
      },
      config: { scope: 'research:read' },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      return gateway.getWorkflow(request.params.id);
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
          '(403 SELF_APPROVAL_FORBIDDEN). In open mode `reviewer` is free text. Needs research:approve.',
        security: securedBy('research:approve'),
        params: workflowParamsSchema,
        body: decisionRequestSchema,
        response: {
          200: decisionSchema,
          ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429, 500, 503, 504),
        },
      },
      config: { scope: 'research:approve' },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      const decidedBy = actorOf(callerOf(request));
      if (decidedBy !== undefined && request.body.reviewer !== undefined) {
        const message = 'is taken from your credentials; remove it';
        const detail = 'The reviewer comes from the credentials of the request, not from the body: remove `reviewer`.';
        return sendProblem(
          reply,
          problemFor('VALIDATION_FAILED', request, detail, { errors: [{ pointer: '/reviewer', in: 'body', message }] }),
        );
      }
      const decision = await gateway.approve(request.params.id, request.body, { decidedBy });
      request.log.info({ approved: decision.approved, reviewer: decision.reviewer }, 'decision accepted');
      return decision;
    },
  );
};
