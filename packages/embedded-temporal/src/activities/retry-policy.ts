import type { Msg } from '../proto/root.js';
import { RetryState, TIMEOUT_TYPE_NAMES, TimeoutType } from '../proto/enums.js';
import { dur, durMs } from '../proto/time.js';
import type { RetrySpec } from '../engine/run-state.js';

/** Fills server defaults into a retry policy (initial 1 s, coefficient 2, max 100 × initial, unlimited attempts). */
export function normalizeRetry(policy: Msg | null | undefined): RetrySpec {
  const initialMs = durMs(policy?.initialInterval) || 1000;
  return {
    initialMs,
    coefficient: (policy?.backoffCoefficient as number) || 2,
    maxIntervalMs: durMs(policy?.maximumInterval) || 100 * initialMs,
    maxAttempts: (policy?.maximumAttempts as number) || 0,
    nonRetryable: [...((policy?.nonRetryableErrorTypes as string[] | undefined) ?? [])],
  };
}

/** Validation error of a user-supplied retry policy, if any. */
export function retryPolicyError(policy: Msg | null | undefined): string | undefined {
  if (!policy) return undefined;
  const coefficient = policy.backoffCoefficient as number;
  if (coefficient && coefficient < 1) return 'BackoffCoefficient cannot be less than 1.';
  const initial = durMs(policy.initialInterval);
  const max = durMs(policy.maximumInterval);
  if (max && initial && max < initial) return 'MaximumInterval cannot be less than InitialInterval on retry policy.';
  if ((policy.maximumAttempts as number) < 0) return 'MaximumAttempts cannot be negative on retry policy.';
  return undefined;
}

/** The proto form of a normalized policy, as written into events and activity tasks. */
export function retryPolicyMsg(spec: RetrySpec): Msg {
  return {
    initialInterval: dur(spec.initialMs),
    backoffCoefficient: spec.coefficient,
    maximumInterval: dur(spec.maxIntervalMs),
    maximumAttempts: spec.maxAttempts,
    nonRetryableErrorTypes: spec.nonRetryable,
  };
}

function isNonRetryable(failure: Msg | null | undefined, spec: RetrySpec): boolean {
  if (!failure) return false;
  if (failure.terminatedFailureInfo || failure.canceledFailureInfo) return true;
  const app = failure.applicationFailureInfo;
  if (app) return !!app.nonRetryable || spec.nonRetryable.includes(app.type as string);
  if (failure.serverFailureInfo) return !!failure.serverFailureInfo.nonRetryable;
  const timeout = failure.timeoutFailureInfo;
  if (timeout) {
    const t = timeout.timeoutType as number;
    if (t !== TimeoutType.START_TO_CLOSE && t !== TimeoutType.HEARTBEAT) return true;
    return spec.nonRetryable.includes(`TemporalTimeout:${TIMEOUT_TYPE_NAMES[t] ?? ''}`);
  }
  return false;
}

/**
 * The server's retry decision: either a backoff before the next attempt or the terminal retry state.
 * `expirationAt` is 0 when unlimited.
 */
export function retryDecision(
  spec: RetrySpec,
  attempt: number,
  failure: Msg | null | undefined,
  expirationAt: number,
  now = Date.now(),
): { backoffMs: number } | { retryState: number } {
  if (isNonRetryable(failure, spec)) return { retryState: RetryState.NON_RETRYABLE_FAILURE };
  if (spec.maxAttempts > 0 && attempt >= spec.maxAttempts) return { retryState: RetryState.MAXIMUM_ATTEMPTS_REACHED };
  const explicit = failure?.applicationFailureInfo?.nextRetryDelay;
  const backoffMs = explicit
    ? durMs(explicit)
    : Math.min(spec.initialMs * spec.coefficient ** (attempt - 1), spec.maxIntervalMs);
  if (expirationAt > 0 && now + backoffMs >= expirationAt) return { retryState: RetryState.TIMEOUT };
  return { backoffMs };
}
