/**
 * `ApplicationFailure` types raised by the activities and the workflow. The workflow and the API branch on these,
 * never on message text.
 */
export const FailureType = {
  /** The source answered 4xx; retrying cannot help. */
  SourceHttpClientError: 'SourceHttpClientError',
  /** The source answered 5xx or the network failed; retried. */
  SourceUnavailable: 'SourceUnavailable',
  /** The source resolves to a loopback, private, link-local or metadata address, or uses a port not allowed. */
  SourceAddressBlocked: 'SourceAddressBlocked',
  /** The source is not something we can read (content type, too many redirects, bad URL, HTML not convertible in time). */
  SourceUnreadable: 'SourceUnreadable',
  /** The LLM rejected our credentials (401/403). */
  LlmAuthentication: 'LlmAuthentication',
  /** The LLM rejected the request itself (400/404: bad model, context too long). */
  LlmRequestRejected: 'LlmRequestRejected',
  /** The LLM is rate limiting us (429); retried, honouring Retry-After. */
  LlmRateLimited: 'LlmRateLimited',
  /** The LLM failed or timed out (5xx, network); retried. */
  LlmUnavailable: 'LlmUnavailable',
  /** The LLM answered without usable content. */
  LlmEmptyAnswer: 'LlmEmptyAnswer',
  /** The LLM's answer is unusable: longer than the output budget allows, or has control characters; retried. */
  LlmInvalidAnswer: 'LlmInvalidAnswer',
  /**
   * The LLM's structured draft was not valid JSON or did not match the draft schema, on every one of the bounded
   * attempts the activity makes; not retried further.
   */
  LlmMalformedDraft: 'LlmMalformedDraft',
  /** Raised by the workflow: none of several sources could be fetched, and they failed in different ways. */
  SourcesUnavailable: 'SourcesUnavailable',
  /** Raised by the workflow: what the pipeline spent on the LLM reached its `maxCostUsd` before another call. */
  BudgetExceeded: 'BudgetExceeded',
  /** Raised by the workflow: its input cannot be used (e.g. a malformed approval timeout). */
  InvalidResearchInput: 'InvalidResearchInput',
  /** Raised by the workflow: a step failed without a typed activity failure (e.g. it timed out). */
  ResearchStepFailed: 'ResearchStepFailed',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that no retry can fix. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureType[] = [
  FailureType.SourceHttpClientError,
  FailureType.SourceAddressBlocked,
  FailureType.SourceUnreadable,
  FailureType.LlmAuthentication,
  FailureType.LlmRequestRejected,
  FailureType.LlmMalformedDraft,
  FailureType.BudgetExceeded,
];
