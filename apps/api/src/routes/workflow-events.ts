import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../schemas/problem.js';
import { securedBy } from '../schemas/security.js';
import { workflowParamsSchema } from '../schemas/workflow.js';
import type { ResearchGateway } from '../temporal/gateway.js';
import { WORKFLOW_EVENT_TYPES, formatEventPosition, parseEventPosition } from '../temporal/history-events.js';
import type { WorkflowEvent } from '../temporal/history-events.js';

export interface WorkflowEventRoutesOptions {
  gateway: ResearchGateway;
  /** Interval of the comment lines that keep proxies from closing an idle stream (`EVENTS_HEARTBEAT_MS`). */
  heartbeatMs: number;
}

const headersSchema = z.looseObject({
  'last-event-id': z
    .string()
    .regex(/^\d{1,15}(\.\d{1,6})?$/, 'must be the id of an event this stream sent')
    .optional()
    .describe('Resume after this event: the events missed since, no gap and no duplicate'),
});

const frame = (event: WorkflowEvent): string =>
  `id: ${formatEventPosition(event.position)}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;

/**
 * `GET /workflows/:id/events`: Server-Sent Events from the workflow's history (long-polled, nothing kept in the
 * API), ending when the workflow closes. Open streams end when the server closes.
 */
export const workflowEventRoutes: FastifyPluginAsyncZod<WorkflowEventRoutesOptions> = async (
  app,
  { gateway, heartbeatMs },
) => {
  const open = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const controller of open) controller.abort();
  });

  app.get(
    '/workflows/:id/events',
    {
      schema: {
        tags: ['research'],
        summary: 'Follow a pipeline live (Server-Sent Events)',
        description:
          `Events: ${WORKFLOW_EVENT_TYPES.join(', ')}; the last of them (completed, failed, cancelled or expired) ` +
          'ends the stream. Each has an `id`; reconnect with `Last-Event-ID` to get exactly the events missed. ' +
          'A comment line every EVENTS_HEARTBEAT_MS (15 s) keeps proxies from closing an idle stream. ' +
          '`retry` reports the latest failed attempt of the running step (Temporal keeps only the last attempt, ' +
          'so attempts that failed while no client was connected are summed up by the next one). Needs research:read.',
        security: securedBy('research:read'),
        params: workflowParamsSchema,
        headers: headersSchema,
        response: {
          200: {
            description: 'An event stream',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...problemResponses(400, 401, 403, 404, 429, 500, 503),
        },
      },
      config: { scope: 'research:read' },
    },
    async (request, reply) => {
      request.log = reply.log = request.log.child({ workflowId: request.params.id });
      const lastEventId = request.headers['last-event-id'];
      const after = lastEventId === undefined ? undefined : parseEventPosition(lastEventId);
      const controller = new AbortController();
      // Unknown workflows and an unavailable Temporal are still answered as problems, before the stream starts.
      const events = await gateway.openEvents(request.params.id, { after, signal: controller.signal });

      reply.hijack();
      const raw = reply.raw;
      open.add(controller);
      raw.on('close', () => controller.abort());
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      raw.write(': stream open\n\n');
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs);
      try {
        for await (const event of events) raw.write(frame(event));
      } catch (error) {
        if (!controller.signal.aborted) {
          request.log.warn({ err: error }, 'event stream ended by an error');
          raw.write(`event: error\ndata: ${JSON.stringify({ message: 'The workflow service is unavailable.' })}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        open.delete(controller);
        raw.end();
      }
    },
  );
};
