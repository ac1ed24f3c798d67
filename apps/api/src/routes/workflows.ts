import { decisionRequestSchema, decisionSchema } from '@research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../schemas/problem.js';
import { workflowParamsSchema, workflowSchema } from '../schemas/workflow.js';
import type { ResearchGateway } from '../temporal/gateway.js';

/** `GET /workflows/:id` and `POST /workflows/:id/approve`. */
export const workflowRoutes: FastifyPluginAsyncZod<{ gateway: ResearchGateway }> = async (app, { gateway }) => {
  app.get(
    '/workflows/:id',
    {
      schema: {
        tags: ['research'],
        summary: 'Read a pipeline: status, stage, draft, result, failure and retries',
        params: workflowParamsSchema,
        response: { 200: workflowSchema, ...problemResponses(400, 404, 500, 503) },
      },
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
        params: workflowParamsSchema,
        body: decisionRequestSchema,
        response: { 200: decisionSchema, ...problemResponses(400, 404, 409, 413, 415, 500, 503, 504) },
      },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      const decision = await gateway.approve(request.params.id, request.body);
      request.log.info({ approved: decision.approved }, 'decision accepted');
      return decision;
    },
  );
};
