import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { RESEARCH_SEARCH_ATTRIBUTES, requestedSources } from '@research/contracts';
import type { Decision, Draft, ResearchInput, ResearchResult, Stage } from '@research/contracts';

/**
 * Patch id of the reviewer workspace: search attribute upserts at every stage change and the cancellation that
 * saves a `cancelled` result. Histories recorded before it replay through the old path (no upsert, cancellation
 * closes the run at once).
 */
export const WORKSPACE_PATCH = 'reviewer-workspace';

export interface PublishedAttributes {
  stage: Stage;
  submitter: string | undefined;
  awaitingSince: Date | null;
  approvalDeadline: Date | null;
}

/** Upserts the research search attributes the API lists and filters on; only behind {@link WORKSPACE_PATCH}. */
export function publishSearchAttributes({ stage, submitter, awaitingSince, approvalDeadline }: PublishedAttributes) {
  const {
    stage: stageKey,
    submitter: submitterKey,
    awaitingSince: sinceKey,
    approvalDeadline: deadlineKey,
  } = RESEARCH_SEARCH_ATTRIBUTES;
  const pairs: SearchAttributeUpdatePair[] = [{ key: stageKey, value: stage }];
  if (submitter !== undefined) pairs.push({ key: submitterKey, value: submitter });
  if (awaitingSince !== null) pairs.push({ key: sinceKey, value: awaitingSince });
  if (approvalDeadline !== null) pairs.push({ key: deadlineKey, value: approvalDeadline });
  upsertSearchAttributes(pairs);
}

const NO_USAGE = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

/** The result saved when a cancel request stops the pipeline: what is known so far, outcome `cancelled`. */
export function cancelledResult(input: ResearchInput, draft: Draft | null, decision: Decision | null): ResearchResult {
  return {
    outcome: 'cancelled',
    summary: draft?.summary ?? '',
    topic: input.topic,
    sourceUrl: requestedSources(input)[0] ?? '',
    reviewer: decision?.reviewer ?? null,
    comment: decision?.comment ?? null,
    // Workflow time: deterministic on replay.
    decidedAt: new Date().toISOString(),
    usage: draft?.usage ?? NO_USAGE,
  };
}
