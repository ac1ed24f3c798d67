import type { Logger } from 'pino';
import type { ResearchWorker } from './worker.js';

/** Where the worker polls, for its start-up log line. */
export interface WorkerLocation {
  taskQueue: string;
  address: string;
  namespace: string;
}

/** Builds the worker; `signal` aborts a connection still being retried. */
export type CreateWorker = (signal: AbortSignal) => Promise<Pick<ResearchWorker, 'worker' | 'close'>>;

/**
 * The worker process's life between its signal handlers and its exit code: creation, running, and the release of
 * what the worker holds. `main.ts` calls {@link stop} on SIGINT and SIGTERM, whenever they come.
 */
export class WorkerLifecycle {
  // Aborts a connection still being retried; once the worker runs, a stop shuts it down gracefully instead.
  private readonly startup = new AbortController();
  private shutdown: (() => void) | undefined;

  constructor(private readonly logger: Logger) {}

  /** Before the worker runs: stops its creation, and the worker if one gets created; then: a graceful shutdown. */
  stop(): void {
    if (this.shutdown) this.shutdown();
    else this.startup.abort();
  }

  /**
   * Creates the worker, runs it until {@link stop}, then releases it. Never throws.
   *
   * @returns false when creating or running the worker failed (logged as fatal): the process should exit 1.
   */
  async run(create: CreateWorker, location: WorkerLocation): Promise<boolean> {
    const { logger, startup } = this;
    try {
      const { worker, close } = await create(startup.signal);
      if (startup.signal.aborted) {
        // A stop arrived while the worker was being created. A created Worker holds its connection until it has
        // run and shut down (closing the connection first throws), so run it and stop at once; it has nothing to
        // hand back.
        try {
          await worker.runUntil(Promise.resolve());
        } finally {
          await close();
        }
        logger.info('Stopped before the worker started');
        return true;
      }
      this.shutdown = () => worker.shutdown();
      const running = worker.run();
      logger.info(location, 'Worker started');
      try {
        // Settles once shutdown completed: polling stopped, running activities finished or, after the grace
        // time, cancelled so the server retries them elsewhere.
        await running;
      } finally {
        await close();
      }
      logger.info('Worker stopped');
      return true;
    } catch (error) {
      if (startup.signal.aborted && (error as Error).name === 'AbortError') {
        logger.info('Stopped before the worker started');
        return true;
      }
      logger.fatal({ err: error }, 'Worker failed');
      return false;
    }
  }
}
