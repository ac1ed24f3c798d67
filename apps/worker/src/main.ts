// The worker process: configuration, logging, tracing, Temporal runtime, signals, exit code.
import { priceFor } from '@research/activities';
import { startTracing } from '@research/tracing';
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';
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

// Aborts a connection still being retried; once the worker runs, a signal shuts it down gracefully instead.
const startup = new AbortController();
let shutdown: (() => void) | undefined;
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (signalled) {
      logger.warn({ signal }, 'Second signal: exiting without waiting for running activities');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'Shutting down');
    if (shutdown) shutdown();
    else startup.abort();
  });
}

try {
  const { worker, close } = await createWorker(config, logger, startup.signal, tracing);
  if (startup.signal.aborted) {
    // A signal arrived while the worker was being created. A created Worker holds its connection until it has run
    // and shut down (closing the connection first throws), so run it and stop at once; it has nothing to hand back.
    try {
      await worker.runUntil(Promise.resolve());
    } finally {
      await close();
    }
    logger.info('Stopped before the worker started');
  } else {
    shutdown = () => worker.shutdown();
    const running = worker.run();
    logger.info(
      { taskQueue: config.taskQueue, address: config.temporal.address, namespace: config.temporal.namespace },
      'Worker started',
    );
    try {
      // Settles once shutdown completed: polling stopped, running activities finished or, after the grace
      // time, cancelled so the server retries them elsewhere.
      await running;
    } finally {
      await close();
    }
    logger.info('Worker stopped');
  }
} catch (error) {
  if (startup.signal.aborted && (error as Error).name === 'AbortError') {
    logger.info('Stopped before the worker started');
  } else {
    logger.fatal({ err: error }, 'Worker failed');
    process.exitCode = 1;
  }
}
// After the worker stopped: the spans of its last activities and workflow tasks are exported before the exit.
await tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'Could not export the last spans'));
