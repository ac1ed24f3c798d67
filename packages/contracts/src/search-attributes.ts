import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes the research workflow upserts (runs started since the `reviewer-workspace` patch) and
 * the API lists and filters on. Both apps register them at start-up (`ensureSearchAttributes` in
 * `@research/config`); on a real cluster docker-compose's admin-tools job registers them too. Prefixed, so they do
 * not clash with other applications' attributes in a shared namespace.
 */
export const RESEARCH_SEARCH_ATTRIBUTES = {
  /** The pipeline's stage, as published in the status memo. */
  stage: defineSearchAttributeKey('ResearchStage', SearchAttributeType.KEYWORD),
  /** Id of the authenticated caller who started it; absent in open mode. */
  submitter: defineSearchAttributeKey('ResearchSubmitter', SearchAttributeType.KEYWORD),
  /** When the pipeline started awaiting approval. */
  awaitingSince: defineSearchAttributeKey('ResearchAwaitingSince', SearchAttributeType.DATETIME),
  /** When the approval wait times out (outcome `expired`). */
  approvalDeadline: defineSearchAttributeKey('ResearchApprovalDeadline', SearchAttributeType.DATETIME),
} as const;

/** Every research search attribute, for registration. */
export const RESEARCH_SEARCH_ATTRIBUTE_KEYS = Object.values(RESEARCH_SEARCH_ATTRIBUTES);
