import { ApplicationFailure, patched, upsertMemo, uuid4, workflowInfo } from '@temporalio/workflow';
import { DRAFT_CHANGED, RECEIPTS_MEMO_KEY } from '@research/contracts';
import type { ApprovalRequest, Decision, DecisionReceipt, Draft } from '@research/contracts';

/** Patch id of the receipt step; histories recorded before it take no receipt on replay. */
export const DECISION_RECEIPTS_PATCH = 'decision-receipts';

/**
 * Update-validator check that a decision naming a draft (`draftSha256`) names the current one. A draft without a
 * hash (pipelines started before drafts were hashed) matches no named draft: the caller cannot prove what they
 * saw, so they must decide without naming it. Validators are not replayed, so this is safe for recorded histories.
 *
 * @throws ApplicationFailure of type {@link DRAFT_CHANGED} on a mismatch.
 */
export function checkDraftBinding(request: ApprovalRequest, draft: Draft | null): void {
  if (request.draftSha256 === undefined || request.draftSha256 === draft?.sha256) return;
  throw ApplicationFailure.nonRetryable(
    draft?.sha256 === undefined
      ? 'The decision names a draft, but this pipeline’s draft has no hash; decide without naming it.'
      : 'The decision names a draft other than the current one; read the pipeline again and decide on its draft.',
    DRAFT_CHANGED,
  );
}

/** The receipt of an accepted decision; the decision id is a workflow uuid4, deterministic on replay. */
function buildReceipt(
  request: ApprovalRequest,
  decision: Decision,
  draft: Draft,
  sourceSha256: string | null,
): DecisionReceipt {
  const { workflowId, runId } = workflowInfo();
  return {
    decisionId: uuid4(),
    workflowId,
    runId,
    decidedBy: {
      id: request.decidedBy?.id ?? null,
      name: request.decidedBy?.name ?? null,
      method: request.via?.method ?? 'unknown',
    },
    reviewer: decision.reviewer,
    decidedAt: decision.decidedAt,
    approved: decision.approved,
    comment: decision.comment,
    draftSha256: draft.sha256 ?? null,
    sourceSha256,
    requestId: request.via?.requestId ?? null,
  };
}

/**
 * After a decision was accepted: publishes its receipt in the memo (so `GET /workflows/:id/audit` reads it with no
 * worker and after the run closed) and appends it to the database chain through `record`. Both are new commands,
 * so runs whose history predates them (no `decision-receipts` marker) skip them on replay.
 *
 * @returns the receipt, or null on the old path.
 * @throws what `record` throws (the caller turns an activity failure into the pipeline's failure).
 */
export async function recordReceipt(
  request: ApprovalRequest,
  decision: Decision,
  draft: Draft,
  /** Of the fetched source text; with several sources, their combined hash (`WrittenDraft.sourcesSha256`). */
  sourceSha256: string | null,
  record: (receipt: DecisionReceipt) => Promise<void>,
): Promise<DecisionReceipt | null> {
  if (!patched(DECISION_RECEIPTS_PATCH)) return null;
  const receipt = buildReceipt(request, decision, draft, sourceSha256);
  upsertMemo({ [RECEIPTS_MEMO_KEY]: [receipt] });
  await record(receipt);
  return receipt;
}
