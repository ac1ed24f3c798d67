// The worker process: configuration, logging, tracing, Temporal runtime, signals, exit code.
import { priceFor } from '@research/activities';
import { startTracing } from '@research/tracing';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';
import { WorkerLifecycle } from './lifecycle.js';
import { createLogger, temporalLogger } from './logger.js';
import { telemetryOptions } from './telemetry.js';
import { createWorker } from './worker.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
Runtime.install({ logger: temporalLogger(logger), telemetryOptions: telemetryOptions(config) });
if (config.metrics) logger.info(config.metrics, 'Metrics listening');
const { model, prices } = config.activities.llm;
if (priceFor(model, prices) === undefined) {
  logger.warn(
    { model },
    `LLM_PRICES has no price for the model ${model}: LLM costs are reported as unknown and maxCostUsd budgets ` +
      'cannot be enforced',
  );
}
const tracing = config.tracing && startTracing(config.tracing, logger);
if (tracing) logger.info(tracing.settings, 'Tracing on');

const lifecycle = new WorkerLifecycle(logger);
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (signalled) {
      logger.warn({ signal }, 'Second signal: exiting without waiting for running activities');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'Shutting down');
    lifecycle.stop();
  });
}

const ran = await lifecycle.run((signal) => createWorker(config, logger, signal, tracing), {
  taskQueue: config.taskQueue,
  address: config.temporal.address,
  namespace: config.temporal.namespace,
});
if (!ran) process.exitCode = 1;

// After the worker stopped: the spans of its last activities and workflow tasks are exported before the exit.
await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'Could not export the last spans'));
