import { createActivities, createHtmlExtractor, openResultStore } from '@research/activities';
import type { Tracing } from '@research/tracing';
import { ensureSearchAttributes } from '@research/config';
import { Worker } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { activityOutcomeInterceptors } from './activity-outcomes.js';
import type { Config } from './config.js';
import { connectWithRetry } from './connection.js';
import { activityTracingInterceptors, workflowSpanSinks } from './tracing.js';
import { resolveWorkflowSource } from './workflow-source.js';

/** A worker ready to `run()`, with what must be released after it stops. */
export interface ResearchWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Stops the HTML conversion threads, closes the result store and the connection; call after `worker.run()` settled. */
  close: () => Promise<void>;
}

/**
 * Builds the research worker: connects to Temporal (retrying until the server answers), loads workflow code
 * (prebuilt bundle or `@research/workflows`, see `resolveWorkflowSource`) and the activities.
 * `Runtime.install` must have been called before, if at all. With `tracing`, activities and workflows export spans
 * through it.
 *
 * @throws the connection error when the server did not answer within the connect timeout, an `AbortError` when
 *   `signal` aborts while connecting, the database error when the result store cannot be opened, an `Error`
 *   when WORKFLOW_BUNDLE_PATH does not exist, or webpack's error when workflow code does not bundle.
 */
export async function createWorker(
  config: Config,
  logger: Logger,
  signal?: AbortSignal,
  tracing?: Tracing,
): Promise<ResearchWorker> {
  const source = resolveWorkflowSource(config.workflowBundlePath);
  logger.info({ workflows: source.kind, path: source.path }, 'Loading workflow code');

  // The embedded database can take seconds to open: do it while waiting for the server.
  const [connected, opened] = await Promise.allSettled([
    connectWithRetry(config.temporal, logger, signal),
    openResultStore(config.activities.storage),
  ]);
  if (connected.status === 'rejected' || opened.status === 'rejected') {
    await Promise.allSettled([
      connected.status === 'fulfilled' ? connected.value.close() : undefined,
      opened.status === 'fulfilled' ? opened.value.close() : undefined,
    ]);
    throw connected.status === 'rejected' ? connected.reason : (opened as PromiseRejectedResult).reason;
  }
  const connection = connected.value;
  const store = opened.value;
  const htmlExtractor = createHtmlExtractor(config.activities.extract);
  const release = async (): Promise<void> => {
    await htmlExtractor.close();
    await store.close();
    await connection.close();
  };
  logger.info({ database: store.kind }, 'Result store ready');
  await ensureSearchAttributes(connection.operatorService, config.temporal.namespace, logger);
  if (config.activities.llm.apiKey === undefined) {
    logger.warn('OPENAI_API_KEY is not set: pipelines will fail at the summarize step until it is');
  }
  try {
    const activities = createActivities({ config: config.activities, store, htmlExtractor });
    const worker = await Worker.create({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.taskQueue,
      ...source.options,
      activities,
      interceptors: {
        activity: [activityOutcomeInterceptors, ...activityTracingInterceptors(tracing)],
        workflowModules: source.workflowModules,
      },
      sinks: workflowSpanSinks(tracing),
      shutdownGraceTime: config.shutdownGraceTimeMs,
      maxConcurrentActivityTaskExecutions: config.maxConcurrentActivities,
      maxConcurrentWorkflowTaskExecutions: config.maxConcurrentWorkflowTasks,
      maxCachedWorkflows: config.maxCachedWorkflows,
    });
    return {
      worker,
      connection,
      close: release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
