import { setTimeout as delay } from 'node:timers/promises';
import { temporalConnectionOptions } from '@research/config';
import { NativeConnection } from '@temporalio/worker';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { TemporalConfig } from './config.js';

/** Backoff between connection attempts: 250ms doubling, capped at 5s. */
const retryDelayMs = (attempt: number): number => Math.min(250 * 2 ** attempt, 5_000);

/**
 * Connects to the Temporal server, retrying with backoff until it answers: the worker may start before the server.
 *
 * @throws the last connection error once `config.connectTimeoutMs` has passed, or an `AbortError` when
 *   `signal` aborts (shutdown requested while waiting).
 */
export async function connectWithRetry(
  config: TemporalConfig,
  logger: Logger,
  signal?: AbortSignal,
): Promise<NativeConnection> {
  const options: NativeConnectionOptions = temporalConnectionOptions(config);
  const deadline = Date.now() + config.connectTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await NativeConnection.connect(options);
    } catch (error) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw error;
      const wait = Math.min(retryDelayMs(attempt), remaining);
      logger.warn(
        { address: config.address, attempt: attempt + 1, retryInMs: wait, reason: (error as Error).message },
        'Temporal server not reachable yet',
      );
      await delay(wait, undefined, { signal });
    }
  }
}
