import type { FastifyInstance } from 'fastify';
import { problemFor } from '../problems/problem.js';
import { sendProblem } from './error-handler.js';

/**
 * Once `close()` begins, answers new requests with a 503 `SHUTTING_DOWN` problem (and `Connection: close`, which
 * Fastify adds while closing) instead of serving them. Fastify's own `return503OnClosing` answers with a fixed
 * non-problem body, so the app turns it off and installs this first, before rate limits and authentication.
 * Requests already in flight are not affected: they finish within the shutdown grace period.
 */
export function installShutdownGate(app: FastifyInstance): void {
  let closing = false;
  // Fastify runs preClose right after it stops routing new connections, in the same tick.
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    const problem = problemFor('SHUTTING_DOWN', request, 'This API process is shutting down; retry the request.');
    return sendProblem(reply.header('retry-after', '1'), problem);
  });
}
