import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemFor, toProblem } from '../problems/problem.js';
import { PROBLEM_CONTENT_TYPE } from '../schemas/problem.js';
import type { Problem } from '../schemas/problem.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Sends `problem` as `application/problem+json`. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/**
 * Installs the one error handler and the not-found handler on the root instance, so every error, from any
 * route or from the framework, leaves as an RFC 9457 problem with a stable code.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { problem, headers, log } = toProblem(error, request);
    if (log === 'error') request.log.error({ err: error }, 'request failed unexpectedly');
    else if (log === 'warn') request.log.warn({ err: error }, `request failed: ${problem.code}`);
    if (headers) void reply.headers(headers);
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        problemFor(
          'METHOD_NOT_ALLOWED',
          request,
          `${request.method} is not supported here; use ${allowed.join(', ')}.`,
        ),
      );
    }
    return sendProblem(reply, problemFor('ROUTE_NOT_FOUND', request, `No route matches ${request.method} ${path}.`));
  });
}
