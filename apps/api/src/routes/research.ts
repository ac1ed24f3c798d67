import { researchRequestSchema } from '@research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../auth/caller.js';
import { callerOf } from '../plugins/auth.js';
import { problemResponses } from '../schemas/problem.js';
import { securedBy } from '../schemas/security.js';
import { researchAcceptedSchema } from '../schemas/workflow.js';
import type { ResearchGateway } from '../temporal/gateway.js';

/** Where a workflow's status is read. */
export const workflowLocation = (workflowId: string): string => `/workflows/${encodeURIComponent(workflowId)}`;

const headersSchema = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x20-\x7E]{1,200}$/, 'must be 1 to 200 printable ASCII characters')
    .describe(
      'Makes the request safe to retry: the same key and body start one workflow (202, then 200 with the same ' +
        'workflow); the same key with another body is refused (422). Keys are per caller: two callers sending ' +
        'the same key start two workflows.',
    )
    .optional(),
});

/** `POST /research`: starts a pipeline. */
export const researchRoutes: FastifyPluginAsyncZod<{ gateway: ResearchGateway }> = async (app, { gateway }) => {
  app.post(
    '/research',
    {
      schema: {
        tags: ['research'],
        summary: 'Start a research pipeline',
        description: 'Records the authenticated caller as the submitter. Needs research:submit.',
        security: securedBy('research:submit'),
        headers: headersSchema,
        body: researchRequestSchema,
        response: {
          200: {
            description: 'Already started by an earlier request with this Idempotency-Key; Location names it',
            content: { 'application/json': { schema: researchAcceptedSchema } },
          },
          202: {
            description: 'Started; poll the URL in the Location header (/workflows/{id}) for status',
            content: { 'application/json': { schema: researchAcceptedSchema } },
          },
          ...problemResponses(400, 401, 403, 413, 415, 422, 429, 500, 503),
          429: {
            ...problemResponses(429)[429],
            description:
              'Too many requests from this caller (RATE_LIMITED), or MAX_RUNNING_PER_CALLER of its pipelines are ' +
              'running (RUNNING_LIMIT_REACHED); see Retry-After',
          },
        },
      },
      config: { scope: 'research:submit' },
    },
    async (request, reply) => {
      const { created, ...accepted } = await gateway.startResearch(request.body, {
        idempotencyKey: request.headers['idempotency-key'],
        submittedBy: actorOf(callerOf(request)),
      });
      request.log = reply.log = request.log.child({ workflowId: accepted.workflowId });
      // At debug: the request's one info line (plugins/access-log.ts) carries the workflowId, and its status tells
      // a new workflow (202) from one the key had already started (200).
      request.log.debug({ created }, created ? 'research workflow started' : 'research workflow already started');
      return reply
        .code(created ? 202 : 200)
        .header('location', workflowLocation(accepted.workflowId))
        .send(accepted);
    },
  );
};
