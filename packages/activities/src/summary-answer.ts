import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '@research/contracts';

// A token is about four characters of English; twice that bounds any answer that respected max_tokens.
const MAX_CHARS_PER_TOKEN = 8;

// C0 and C1 controls other than tab and line breaks, DEL, and the bidirectional embeddings, overrides and isolates
// that can make a summary display differently from what it says.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** Longest summary accepted for a `max_tokens` budget. */
export const maxSummaryChars = (maxOutputTokens: number): number => maxOutputTokens * MAX_CHARS_PER_TOKEN;

/**
 * Checks the model's answer before it becomes a draft a person approves: no longer than the output budget allows
 * (a server that ignores `max_tokens` cannot hand us megabytes), and free of control characters. Called by
 * `summarize` with the trimmed, non-empty answer.
 *
 * @throws ApplicationFailure of type `LlmInvalidAnswer` (retryable: another sample may be fine).
 */
export function checkSummary(summary: string, maxOutputTokens: number): void {
  const limit = maxSummaryChars(maxOutputTokens);
  const problem =
    summary.length > limit
      ? `is ${summary.length} characters long, more than ${limit} (OPENAI_MAX_OUTPUT_TOKENS ${maxOutputTokens})`
      : FORBIDDEN.test(summary)
        ? 'contains control characters'
        : undefined;
  if (problem === undefined) return;
  throw ApplicationFailure.create({
    type: FailureType.LlmInvalidAnswer,
    message: `The LLM's answer ${problem}`,
    nonRetryable: false,
  });
}
