import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Tracer } from '@opentelemetry/api';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { authSettings } from './auth/auth-config.js';
import type { Config } from './config.js';
import { createApiMetrics } from './metrics/api-metrics.js';
import type { ApiMetrics } from './metrics/api-metrics.js';
import { instrumentGateway } from './metrics/instrumented-gateway.js';
import metricsPlugin from './plugins/metrics.js';
import { AccessLogController } from './plugins/access-log.js';
import { authPlugin } from './plugins/auth.js';
import { createLogger } from './logger.js';
import { installErrorHandling } from './plugins/error-handler.js';
import { rateLimitOptions } from './plugins/rate-limit.js';
import { installOversizedBodyDrain } from './plugins/oversized-body.js';
import { installShutdownGate } from './plugins/shutdown-gate.js';
import { installRequestIdEcho, requestIdFor } from './plugins/request-id.js';
import { swaggerOptions, swaggerUiOptions } from './plugins/swagger.js';
import tracingPlugin from './plugins/tracing.js';
import { approvalLinkRoutes } from './routes/approval-links.js';
import { healthRoutes } from './routes/health.js';
import { inboxRoutes } from './routes/inbox.js';
import { researchRoutes } from './routes/research.js';
import { workflowEventRoutes } from './routes/workflow-events.js';
import { workflowRoutes } from './routes/workflows.js';
import type { ResearchGateway } from './temporal/gateway.js';

export interface AppDeps {
  config: Config;
  /** The Temporal side; {@link createTemporalGateway} in production, a stub in route tests. */
  temporal: ResearchGateway;
  /** Defaults to {@link createLogger} at `config.LOG_LEVEL`. */
  logger?: FastifyBaseLogger;
  /** Defaults to a fresh set; `server.ts` passes the one its Temporal port is instrumented with. */
  metrics?: ApiMetrics;
  /** When tracing is on (`OTEL_*`): every request gets a server span, and route handlers run in its context. */
  tracer?: Tracer;
}

/** HTTP server timeouts; `server.ts` sets them from the config. Fastify's defaults apply when omitted. */
export interface ServerTimeouts {
  requestTimeout?: number;
  keepAliveTimeout?: number;
  connectionTimeout?: number;
}

/** At least `warn`, so probes do not log every request, but never below the configured level. */
function probeLogLevel(level: Config['LOG_LEVEL']): Config['LOG_LEVEL'] {
  return level === 'trace' || level === 'debug' || level === 'info' ? 'warn' : level;
}

/**
 * Builds the API: routes, validation and serialization from the zod schemas, OpenAPI document and Swagger UI,
 * problem+json errors, request ids and the reviewer inbox at `/`. Does not listen; tests use `app.inject`, `server.ts` listens.
 * The caller owns the instance and must `close()` it.
 */
export function buildApp(deps: AppDeps, timeouts: ServerTimeouts = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger ?? createLogger(deps.config.LOG_LEVEL),
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    // One flat "request completed" line per request at info instead of Fastify's two (plugins/access-log.ts).
    logController: new AccessLogController(),
    // Approval link tokens carry their signed claims in the path; every other parameter has a tighter schema limit.
    routerOptions: { maxParamLength: 2048 },
    // Fastify's closing answer is not problem+json; installShutdownGate answers instead.
    return503OnClosing: false,
    ...timeouts,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a text/plain body gets 415 rather than a confusing validation error.
  app.removeContentTypeParser('text/plain');

  installRequestIdEcho(app);
  installShutdownGate(app);
  installErrorHandling(app);
  const metrics = deps.metrics ?? createApiMetrics();
  const gateway = instrumentGateway(deps.temporal, metrics);
  installOversizedBodyDrain(app, deps.config.BODY_LIMIT_BYTES);

  // First, so its onRoute hook sees every route and its span covers the other plugins' hooks.
  if (deps.tracer !== undefined) void app.register(tracingPlugin, { tracer: deps.tracer });
  // Rate limit before auth: each appends a hook to every route added later, and the limit must run first, so
  // requests with bad credentials are limited too (see plugins/rate-limit.ts).
  void app.register(
    rateLimit,
    rateLimitOptions({ max: deps.config.RATE_LIMIT_MAX, windowMs: deps.config.RATE_LIMIT_WINDOW_MS }),
  );
  void app.register(authPlugin, { settings: authSettings(deps.config), host: deps.config.HOST });
  // On the root instance (both are fastify-plugin wrapped), before the routes, so every route is documented.
  void app.register(swagger, swaggerOptions);
  void app.register(swaggerUi, swaggerUiOptions);
  void app.register(metricsPlugin, { metrics, exposeRoute: deps.config.METRICS_PORT === undefined });
  void app.register(healthRoutes, { gateway, logLevel: probeLogLevel(deps.config.LOG_LEVEL) });
  void app.register(researchRoutes, { gateway });
  void app.register(workflowRoutes, { gateway });
  void app.register(workflowEventRoutes, { gateway, heartbeatMs: deps.config.EVENTS_HEARTBEAT_MS });
  void app.register(approvalLinkRoutes, {
    gateway,
    secret: deps.config.APPROVAL_LINK_SECRET,
    ttl: deps.config.APPROVAL_LINK_TTL,
    publicBaseUrl: deps.config.PUBLIC_BASE_URL,
    requireDistinctApprover: deps.config.REQUIRE_DISTINCT_APPROVER,
  });
  void app.register(inboxRoutes);
  return app;
}
