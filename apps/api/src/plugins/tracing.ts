import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { FastifyPluginAsync, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';

export interface TracingPluginOptions {
  tracer: Tracer;
}

interface RequestTrace {
  span: Span;
  /** The span's context; route handlers run in it, so what they call (the Temporal client) becomes its child. */
  context: Context;
}

/**
 * One SERVER span per request, named `<METHOD> <route template>` (HTTP semantic conventions), continuing the
 * caller's W3C `traceparent` when one is sent. Hand-rolled rather than `@opentelemetry/instrumentation-http`,
 * which under ESM needs loader hooks; this works the same under tsx, `node dist/` and in tests. Register it before
 * the routes: only routes added after its `onRoute` hook run inside the span's context.
 */
const tracingPlugin: FastifyPluginAsync<TracingPluginOptions> = async (app, { tracer }) => {
  const traces = new WeakMap<FastifyRequest, RequestTrace>();

  const end = (request: FastifyRequest, statusCode: number | undefined): void => {
    const traced = traces.get(request);
    if (traced === undefined) return;
    traces.delete(request);
    if (statusCode === undefined) {
      traced.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection' });
    } else {
      traced.span.setAttribute('http.response.status_code', statusCode);
      // Server spans count only 5xx as errors: a 4xx is the client's mistake, answered correctly.
      if (statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    traced.span.end();
  };

  app.addHook('onRequest', async (request) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url;
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.url.split('?', 1)[0],
          'url.scheme': request.protocol,
          ...(route === undefined ? {} : { 'http.route': route }),
          ...(request.headers['user-agent'] === undefined
            ? {}
            : { 'user_agent.original': request.headers['user-agent'] }),
          'research.request_id': request.id,
        },
      },
      parent,
    );
    traces.set(request, { span, context: trace.setSpan(parent, span) });
  });

  app.addHook('onError', async (request, reply, error) => {
    const span = traces.get(request)?.span;
    if (span !== undefined && (error.statusCode ?? 500) >= 500) span.recordException(error);
  });
  app.addHook('onResponse', async (request, reply) => end(request, reply.statusCode));
  app.addHook('onRequestAbort', async (request) => end(request, undefined));

  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    const traced: RouteHandlerMethod = function (request, reply) {
      const requestTrace = traces.get(request);
      return requestTrace === undefined
        ? handler.call(this, request, reply)
        : context.with(requestTrace.context, handler, this, request, reply);
    };
    route.handler = traced;
  });
};

export default fp(tracingPlugin, { name: 'tracing' });
