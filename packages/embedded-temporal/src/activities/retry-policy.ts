import type { temporal } from '@temporalio/proto';
import { RetryState, TIMEOUT_TYPE_NAMES, TimeoutType } from '../proto/enums.js';
import { dur, durMs } from '../proto/time.js';
import type { RetrySpec } from '../engine/run-state.js';

type RetryPolicy = temporal.api.common.v1.IRetryPolicy;
type Failure = temporal.api.failure.v1.IFailure;

/** Fills server defaults into a retry policy (initial 1 s, coefficient 2, max 100 × initial, unlimited attempts). */
export function normalizeRetry(policy: RetryPolicy | null | undefined): RetrySpec {
  const initialMs = durMs(policy?.initialInterval) || 1000;
  return {
    initialMs,
    coefficient: policy?.backoffCoefficient || 2,
    maxIntervalMs: durMs(policy?.maximumInterval) || 100 * initialMs,
    maxAttempts: policy?.maximumAttempts || 0,
    nonRetryable: [...(policy?.nonRetryableErrorTypes ?? [])],
  };
}

/** Validation error of a user-supplied retry policy, if any. */
export function retryPolicyError(policy: RetryPolicy | null | undefined): string | undefined {
  if (!policy) return undefined;
  const coefficient = policy.backoffCoefficient;
  if (coefficient && coefficient < 1) return 'BackoffCoefficient cannot be less than 1.';
  const initial = durMs(policy.initialInterval);
  const max = durMs(policy.maximumInterval);
  if (max && initial && max < initial) return 'MaximumInterval cannot be less than InitialInterval on retry policy.';
  if ((policy.maximumAttempts ?? 0) < 0) return 'MaximumAttempts cannot be negative on retry policy.';
  return undefined;
}

/** The proto form of a normalized policy, as written into events and activity tasks. */
export function retryPolicyMsg(spec: RetrySpec): RetryPolicy {
  return {
    initialInterval: dur(spec.initialMs),
    backoffCoefficient: spec.coefficient,
    maximumInterval: dur(spec.maxIntervalMs),
    maximumAttempts: spec.maxAttempts,
    nonRetryableErrorTypes: spec.nonRetryable,
  };
}

function isNonRetryable(failure: Failure | null | undefined, spec: RetrySpec): boolean {
  if (!failure) return false;
  if (failure.terminatedFailureInfo || failure.canceledFailureInfo) return true;
  const app = failure.applicationFailureInfo;
  if (app) return !!app.nonRetryable || spec.nonRetryable.includes(app.type ?? '');
  if (failure.serverFailureInfo) return !!failure.serverFailureInfo.nonRetryable;
  const timeout = failure.timeoutFailureInfo;
  if (timeout) {
    const t = (timeout.timeoutType as number | null | undefined) ?? 0;
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
  failure: Failure | null | undefined,
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
