import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '@research/contracts';
import OpenAI from 'openai';
import { parseRetryAfterMs } from './retry-after.js';

/** The message the server put in its error body, else the SDK's message. */
function serverMessage(error: InstanceType<typeof OpenAI.APIError>): string {
  const body: unknown = error.error;
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') {
    return body.message;
  }
  return error.message;
}

// `instanceof` alone narrows to APIError<any, any, any>; this keeps the SDK's declared field types.
function isApiError(error: unknown): error is InstanceType<typeof OpenAI.APIError> {
  return error instanceof OpenAI.APIError;
}

/**
 * Maps what the OpenAI SDK threw onto an `ApplicationFailure` whose type is one of the `Llm*` failure types.
 * Branches on the SDK's error classes and HTTP status only. An `ApplicationFailure` passes through unchanged.
 */
export function toLlmFailure(error: unknown, now: number = Date.now()): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const cause = error instanceof Error ? error : undefined;
  const retryable = (message: string, type: string = FailureType.LlmUnavailable): ApplicationFailure =>
    ApplicationFailure.create({ type, message, nonRetryable: false, cause });
  const fatal = (type: string, message: string): ApplicationFailure =>
    ApplicationFailure.create({ type, message, nonRetryable: true, cause });

  if (error instanceof OpenAI.APIConnectionTimeoutError) return retryable('The LLM did not answer in time');
  if (error instanceof OpenAI.APIConnectionError) return retryable(`Could not reach the LLM: ${error.message}`);
  if (error instanceof OpenAI.APIUserAbortError) return retryable('The LLM request was aborted');
  if (!isApiError(error) || error.status === undefined) {
    return retryable(`The LLM call failed: ${cause?.message ?? String(error)}`);
  }
  const { status } = error;
  if (status === 429) {
    const nextRetryDelay = parseRetryAfterMs(error.headers, now);
    return ApplicationFailure.create({
      type: FailureType.LlmRateLimited,
      message: `The LLM is rate limiting requests (429)${nextRetryDelay === undefined ? '' : `; retry after ${nextRetryDelay} ms`}`,
      nonRetryable: false,
      cause,
      ...(nextRetryDelay === undefined ? {} : { nextRetryDelay }),
    });
  }
  if (status === 401 || status === 403) {
    return fatal(FailureType.LlmAuthentication, `LLM authentication failed (${status}): check OPENAI_API_KEY`);
  }
  if (status === 408 || status === 409 || status >= 500) {
    return retryable(`The LLM failed with ${status}: ${serverMessage(error)}`);
  }
  return fatal(FailureType.LlmRequestRejected, `The LLM rejected the request (${status}): ${serverMessage(error)}`);
}
