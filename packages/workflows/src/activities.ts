import { proxyActivities } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '@research/contracts';
import type { ResearchActivities } from '@research/contracts';

const nonRetryableErrorTypes = [...NON_RETRYABLE_FAILURE_TYPES];

// Each step gets its own proxy so its timeouts and retries match what the step does.

/** Network fetch: short, a few retries; 4xx, blocked addresses and unreadable content fail at once. */
export const { fetchSource } = proxyActivities<Pick<ResearchActivities, 'fetchSource'>>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 5,
    nonRetryableErrorTypes,
  },
});

/**
 * LLM call: slow, so the heartbeat timeout (not start-to-close) is what notices a crashed worker.
 * A 429's Retry-After reaches the server as the failure's `nextRetryDelay`, which overrides this backoff.
 */
export const { summarize } = proxyActivities<Pick<ResearchActivities, 'summarize'>>({
  startToCloseTimeout: '3m',
  heartbeatTimeout: '15s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 8,
    nonRetryableErrorTypes,
  },
});

/**
 * Idempotent upsert: no attempt limit, retried for up to an hour (schedule-to-close), since losing a decided
 * result is the worst outcome.
 */
export const { saveResult } = proxyActivities<Pick<ResearchActivities, 'saveResult'>>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
  },
});
