import { LOG_REDACT_CENSOR } from '@research/config';
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

// An approval link's token is the whole credential of its reviewer, and it travels in the path.
const LINK_TOKEN_SEGMENT = /(\/approval-links\/)[^/?#]+/;
// No route takes credentials in the query, but a caller may still send one there.
const SECRET_QUERY_PARAMETER = /([?&](?:token|access_token|api_key|apikey|key|password|secret)=)[^&#]*/gi;

/** `url` as it may be logged: an approval link's token and credential-named query parameters replaced. */
export function loggableUrl(url: string): string {
  let safe = url.includes('/approval-links/') ? url.replace(LINK_TOKEN_SEGMENT, `$1${LOG_REDACT_CENSOR}`) : url;
  if (safe.includes('?')) safe = safe.replace(SECRET_QUERY_PARAMETER, `$1${LOG_REDACT_CENSOR}`);
  return safe;
}

/**
 * Fastify's request log lines, one per request at `info`: Fastify's own controller writes an "incoming request"
 * and a "request completed" line, each with nested `req`/`res` objects, and logging was the largest avoidable
 * cost of a request (README "Performance"). The incoming line stays, at `debug`, as the sign that a request
 * reached the server; the completed line is flat and carries what an operator filters on: method, url, route,
 * status, response time, the caller when authenticated, plus the request's bindings (`reqId`, and `workflowId`
 * where a route adds it). A route's `logLevel` (the probes' `warn`) silences both, as before.
 */
export class AccessLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ method: request.method, url: loggableUrl(request.url) }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const caller = request.caller;
    const line = {
      method: request.method,
      url: loggableUrl(request.url),
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
      remoteAddress: request.ip,
      caller: caller && caller.method !== 'open' ? caller.id : undefined,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
