/** What kind of mistake a {@link ListQueryError} reports, for callers that branch on it. */
export type ListQueryErrorReason =
  'syntax' | 'unknown-attribute' | 'type-mismatch' | 'unsupported-operator' | 'too-complex' | 'invalid-page-token';

/**
 * A list filter (or page token) the server cannot accept. The message follows Temporal's wording,
 * `invalid query: ...`; the gRPC layer returns it as INVALID_ARGUMENT.
 */
export class ListQueryError extends Error {
  override readonly name = 'ListQueryError';
  constructor(
    readonly reason: ListQueryErrorReason,
    detail: string,
  ) {
    super(reason === 'invalid-page-token' ? detail : `invalid query: ${detail}`);
  }
}

/** Reason for a {@link SearchAttributeError}. */
export type SearchAttributeErrorReason = 'reserved' | 'conflict' | 'invalid-name' | 'invalid-value';

/**
 * A search attribute that cannot be registered (reserved or clashing name) or a payload that cannot be
 * decoded as a search attribute value. The gRPC layer maps it to INVALID_ARGUMENT (ALREADY_EXISTS for
 * `conflict`).
 */
export class SearchAttributeError extends Error {
  override readonly name = 'SearchAttributeError';
  constructor(
    readonly reason: SearchAttributeErrorReason,
    message: string,
  ) {
    super(message);
  }
}
