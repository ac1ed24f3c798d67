import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  /** Give up after this long; default 5000 ms. */
  timeoutMs?: number;
  /** Poll interval; default 10 ms. */
  intervalMs?: number;
  /** Named in the timeout error. */
  description?: string;
  /**
   * Treat a throwing probe as "not yet" instead of failing at once; the last error is named on timeout.
   * For probes that talk to a process which is restarting.
   */
  retryOnError?: boolean;
}

type Pending = false | null | undefined;

/**
 * Polls `probe` with a deadline until it returns something other than `false`, `null` or `undefined`, and
 * returns that value — so tests wait for a condition instead of sleeping. Rejects with a descriptive error
 * when the deadline passes.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 10, description = 'condition', retryOnError = false }: WaitForOptions = {},
): Promise<Exclude<T, Pending>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== false && value !== null && value !== undefined) return value as Exclude<T, Pending>;
    } catch (error) {
      if (!retryOnError) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
    }
    await delay(intervalMs);
  }
}
