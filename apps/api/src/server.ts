import { startTracing, tracingSettingsFromEnv } from '@research/tracing';
import { buildApp } from './app.js';
import { ensureSearchAttributes } from '@research/config';
import { ConfigError, loadConfig, notificationSettings } from './config.js';
import { createApiMetrics } from './metrics/api-metrics.js';
import { instrumentPort } from './metrics/instrumented-port.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { createTemporalConnection, temporalPort } from './temporal/connection.js';
import { createTemporalGateway } from './temporal/temporal-gateway.js';

// The API process: config, logger, tracing (when OTEL_* asks for it), a lazy Temporal connection, server timeouts,
// listen, graceful close.

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger(config.LOG_LEVEL);

process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled rejection');
  process.exit(1);
});

const tracingSettings = tracingSettingsFromEnv(config, 'research-api');
const tracing = tracingSettings && startTracing(tracingSettings, logger);
if (tracing) logger.info(tracing.settings, 'tracing on');
const tracer = tracing?.tracer('@research/api');

const metrics = createApiMetrics();
const connection = createTemporalConnection(config);
const port = temporalPort(connection, config.TEMPORAL_NAMESPACE, tracer);
const gateway = createTemporalGateway(instrumentPort(port, metrics), {
  taskQueue: config.TASK_QUEUE,
  rpcTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
  queryTimeoutMs: config.TEMPORAL_QUERY_TIMEOUT_MS,
  updateTimeoutMs: config.TEMPORAL_UPDATE_TIMEOUT_MS,
  readyTimeoutMs: config.TEMPORAL_READY_TIMEOUT_MS,
  approvalTimeoutDefault: config.APPROVAL_TIMEOUT_DEFAULT,
  maxCostUsdDefault: config.MAX_COST_USD_DEFAULT,
  llmContextChars: config.LLM_CONTEXT_CHARS,
  retryOverrides: config.ACTIVITY_RETRY_OVERRIDES,
  notifications: notificationSettings(config),
  requireDistinctApprover: config.REQUIRE_DISTINCT_APPROVER,
  maxRunningPerCaller: config.MAX_RUNNING_PER_CALLER,
  eventsRetryCheckMs: config.EVENTS_RETRY_CHECK_MS,
  logger,
});
const app = buildApp(
  { config, temporal: gateway, logger, metrics, tracer },
  { requestTimeout: config.REQUEST_TIMEOUT_MS, keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS },
);
app.addHook('onClose', async () => {
  await connection.close();
  // Last, so the spans of the requests that just finished are exported.
  await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'could not export the last spans'));
});

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    // In-flight requests get SHUTDOWN_TIMEOUT_MS to finish; new ones get 503 meanwhile.
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

try {
  if (config.METRICS_PORT !== undefined) {
    const { server, port } = await startMetricsServer(metrics.registry, config.METRICS_HOST, config.METRICS_PORT);
    app.addHook('onClose', (_instance, done) => void server.close(() => done()));
    logger.info({ host: config.METRICS_HOST, port }, 'metrics listening');
  }
  await app.listen({ host: config.HOST, port: config.PORT });
  // In the background: the API serves (and answers 503) while Temporal is still down.
  void ensureSearchAttributes(connection.operatorService, config.TEMPORAL_NAMESPACE, logger);
  logger.info({ temporalAddress: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE }, 'api ready');
} catch (error) {
  logger.fatal({ err: error }, 'could not start listening');
  process.exit(1);
}
