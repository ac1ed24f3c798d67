import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { NON_RETRYABLE_FAILURE_TYPES } from '@research/contracts';
import type {
  NotificationActivities,
  ResearchActivities,
  RetryOverrides,
  StepRetryOverride,
} from '@research/contracts';

const nonRetryableErrorTypes = [...NON_RETRYABLE_FAILURE_TYPES];

// Each step gets its own proxy so its timeouts and retries match what the step does.

/** Network fetch: short, a few retries; 4xx, blocked addresses and unreadable content fail at once. */
const FETCH_SOURCE: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 5,
    nonRetryableErrorTypes,
  },
};

/**
 * LLM call: slow, so the heartbeat timeout (not start-to-close) is what notices a crashed worker.
 * A 429's Retry-After reaches the server as the failure's `nextRetryDelay`, which overrides this backoff.
 */
const SUMMARIZE: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '15s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 8,
    nonRetryableErrorTypes,
  },
};

/**
 * Idempotent write: no attempt limit, retried for up to an hour (schedule-to-close), since losing a decided
 * result is the worst outcome.
 */
const SAVE_RESULT: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
  },
};

/** Appending a receipt is idempotent (unique decision id), so it is retried like the result write. */
const RECORD_DECISION: ActivityOptions = SAVE_RESULT;

function withRetry(options: ActivityOptions, override: StepRetryOverride | undefined): ActivityOptions {
  if (override === undefined) return options;
  const retry: RetryPolicy = { ...options.retry, ...override };
  return { ...options, retry };
}

/**
 * The activity proxies of one pipeline run, with the step policies above and any operator overrides from the
 * workflow input applied on top (non-retryable failure types and timeouts are never overridden). With
 * `abandonOnCancel` a cancelled pipeline stops waiting for fetch and summarize at once without asking the server to
 * cancel them (their results are not wanted, and the run closes right after saving its cancelled result).
 */
export function researchActivities(
  overrides: RetryOverrides = {},
  { abandonOnCancel = false }: { abandonOnCancel?: boolean } = {},
): ResearchActivities {
  const onCancel: ActivityOptions = abandonOnCancel ? { cancellationType: ActivityCancellationType.ABANDON } : {};
  const { fetchSource } = proxyActivities<Pick<ResearchActivities, 'fetchSource'>>({
    ...withRetry(FETCH_SOURCE, overrides.fetchSource),
    ...onCancel,
  });
  // writeDraft and takeNotes are LLM calls like summarize, so they share its policy and the operator's override.
  const { summarize, writeDraft, takeNotes } = proxyActivities<
    Pick<ResearchActivities, 'summarize' | 'writeDraft' | 'takeNotes'>
  >({
    ...withRetry(SUMMARIZE, overrides.summarize),
    ...onCancel,
  });
  const { saveResult } = proxyActivities<Pick<ResearchActivities, 'saveResult'>>(
    withRetry(SAVE_RESULT, overrides.saveResult),
  );
  const { recordDecision } = proxyActivities<Pick<ResearchActivities, 'recordDecision'>>(RECORD_DECISION);
  // A pure computation on the worker (hash and diff of an edit): retried like the writes it precedes.
  const { diffSummary } = proxyActivities<Pick<ResearchActivities, 'diffSummary'>>(RECORD_DECISION);
  return { fetchSource, summarize, writeDraft, takeNotes, diffSummary, saveResult, recordDecision };
}

/**
 * One webhook to one target: an attempt gets 15 s (the activity's own HTTP deadline is 10 s), and the delivery is
 * retried with backoff for up to 5 minutes or 8 attempts, whichever comes first (about 2 minutes of backoff). Short
 * enough that a closed run does not stay open long for an absent receiver; long enough for a receiver's restart.
 */
const DELIVER_WEBHOOK: ActivityOptions = {
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '5m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 8,
  },
};

/** The webhook proxy of one pipeline run, with any operator override of its retry policy (`deliverWebhook`). */
export function notificationActivities(overrides: RetryOverrides = {}): NotificationActivities {
  return proxyActivities<NotificationActivities>(withRetry(DELIVER_WEBHOOK, overrides.deliverWebhook));
}
