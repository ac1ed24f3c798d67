import {
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { DEFAULT_MAX_REVISIONS, requestedSources, stateQuery } from '@research/contracts';
import type { Decision, Draft, ResearchInput, ResearchResult, ResearchState, Stage } from '@research/contracts';
import { researchActivities } from './activities.js';
import { acceptApprovals, parseApprovalTimeout } from './approvals.js';
import { CostLedger } from './cost-ledger.js';
import { recordReceipt } from './decision-receipts.js';
import { drafting } from './drafting.js';
import { pipelineSteps } from './failures.js';
import { startNotifier } from './notifications.js';
import { RESEARCH_DEPTH_PATCH } from './research-depth.js';
import { StagePublisher } from './stage-publisher.js';
import { WORKSPACE_PATCH, cancelledResult } from './workspace.js';

/**
 * The research pipeline: fetch the source, summarize it with an LLM, wait for a human decision
 * (or the approval timeout), then persist the result.
 *
 * Answers {@link stateQuery} at any time and publishes a `PublishedStatus` (stage, draft, decision, result,
 * approval times) in its memo under `STATUS_MEMO_KEY` at every stage change, and, since the
 * {@link WORKSPACE_PATCH} patch, the research search attributes too. Accepts `approveUpdate` only while awaiting
 * approval and before a decision was taken; otherwise the update is rejected with an
 * `ApplicationFailure` of type `NOT_AWAITING_APPROVAL`. With `input.requireDistinctApprover`, a decision
 * by the submitter is rejected with type `SELF_APPROVAL_FORBIDDEN`, and one naming another draft
 * (`draftSha256`) with type `DraftChanged` (see `approvals.ts` and `decision-receipts.ts`). An accepted decision's
 * receipt is published in the memo and appended to the decision log (`recordDecision`) before the result is saved.
 *
 * Since {@link RESEARCH_DEPTH_PATCH} (decided once at the start; older histories keep the single-source path): every
 * source is fetched by its own activity in parallel, the draft is structured with citations checked against the
 * sources (`research-depth.ts`), each LLM call is priced and checked against `maxCostUsd` (`cost-ledger.ts`), a
 * decision with `revise` sends the draft back for version n+1 (at most `maxRevisions`, else `REVISIONS_EXHAUSTED`),
 * and an approval with `editedSummary` saves the reviewer's text with its hash and diff.
 *
 * A cancel request (since {@link WORKSPACE_PATCH}) sets stage `cancelled`, saves a result with outcome `cancelled`
 * whatever the stage, and then ends the run as CANCELLED, as Temporal users expect of a cancelled workflow.
 *
 * With webhook targets in `input.notifications` (since the `webhook-notifications` patch, see `notifications.ts`) it
 * sends `research.*` events as activities that no stage waits for, reminds at the configured points of the approval
 * window, publishes each delivery's outcome in its memo, and closes only once its deliveries are settled.
 *
 * @throws ApplicationFailure when a step fails for good: stage `failed`, message a readable sentence
 *   ("Could not fetch the source: ..."), type the activity's failure type, cause the activity failure.
 * @throws CancelledFailure when cancelled.
 */
export async function research(input: ResearchInput): Promise<ResearchResult> {
  // Decided before the first command: runs recorded before the patch keep the cancellation they recorded.
  const { fetchSource, summarize, writeDraft, takeNotes, diffSummary, saveResult, recordDecision } = researchActivities(
    input.retryOverrides,
    {
      abandonOnCancel: patched(WORKSPACE_PATCH),
    },
  );
  // Webhooks (notifications.ts): a no-op for runs whose input names no target.
  const notifier = startNotifier(input);
  // Decided once, before the first activity: runs recorded before it take the single-source path to the end.
  const depth = patched(RESEARCH_DEPTH_PATCH);
  const sources = requestedSources(input);
  const ledger = new CostLedger(input.maxCostUsd);
  const maxRevisions = input.maxRevisions ?? DEFAULT_MAX_REVISIONS;
  const state: ResearchState = {
    stage: 'queued',
    topic: input.topic,
    sourceUrl: sources[0] ?? '',
    sources,
    draft: null,
    decision: null,
    result: null,
    ...(depth ? { cost: ledger.cost } : {}),
  };
  const stages = new StagePublisher(input, state, ledger, notifier);
  const enter = (stage: Stage) => stages.enter(stage);
  const steps = pipelineSteps(state, enter);
  const { step } = steps;
  const drafts = drafting({
    input,
    sources,
    activities: { fetchSource, summarize, writeDraft, takeNotes, diffSummary },
    ledger,
    enter,
    steps,
  });

  // Registered before the first await, so queries and updates never see an uninitialised pipeline.
  setHandler(stateQuery, () => state);
  const approvals = acceptApprovals(input, state, { depth, maxRevisions, revisions: () => drafts.revisions });

  const approvalTimeoutMs = parseApprovalTimeout(input.approvalTimeout, () => enter('failed'));

  async function pipeline(): Promise<ResearchResult> {
    enter('fetching');
    const first = depth ? await drafts.groundedDraft() : await drafts.singleSourceDraft();
    const { sourceSha256 } = first;
    let draft = first.draft;
    state.draft = draft;
    if (depth) state.drafts = [draft];

    // Runs before research-depth leave this loop after the first wait: the commands they recorded.
    for (;;) {
      stages.awaitApproval(approvalTimeoutMs);
      await notifier.awaitDecision(() => state.decision !== null, approvalTimeoutMs);
      if (!depth || state.decision?.revise !== true) break;
      draft = await drafts.revisedDraft(draft, state.decision.comment ?? '');
      state.draft = draft;
      state.drafts?.push(draft);
      approvals.reopen();
    }
    // Read the decision rather than condition's result: an update accepted in the same activation as the
    // timer firing still counts.
    const decided = { ...toResult(input, draft, state.decision), ...(depth ? { cost: ledger.snapshot() } : {}) };
    const { accepted } = approvals;
    const editedSummary = state.decision?.approved === true ? accepted?.editedSummary : undefined;
    const result =
      depth && editedSummary !== undefined ? await drafts.withEdit(decided, draft, editedSummary) : decided;
    if (state.decision !== null && accepted !== undefined) {
      const decision = state.decision;
      await step('recordDecision', () => recordReceipt(accepted, decision, draft, sourceSha256, recordDecision));
    }

    enter('saving');
    // runId in the input changes no command (activity inputs are not compared on replay), so no patch is needed.
    const { workflowId, runId } = workflowInfo();
    const save = () => step('saveResult', () => saveResult({ workflowId, runId, result }));
    if (patched(WORKSPACE_PATCH)) {
      // A cancel request waits for the save in flight, so the cancelled result saved after it is the last write.
      await CancellationScope.nonCancellable(save);
      if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('Workflow cancelled');
    } else {
      await save();
    }
    state.result = result;

    enter('completed');
    await condition(allHandlersFinished);
    return result;
  }

  try {
    return await pipeline();
  } catch (error) {
    if (state.stage === 'failed') notifier.runFailed(error);
    // Histories recorded before the patch closed as CANCELLED right away; so do runs past saving their result.
    if (!isCancellation(error) || state.stage === 'completed' || state.stage === 'failed') throw error;
    if (!patched(WORKSPACE_PATCH)) throw error;
    await CancellationScope.nonCancellable(async () => {
      const result = cancelledResult(input, state.draft, state.decision);
      state.result = result;
      enter('cancelled');
      await step('saveResult', () => saveResult({ workflowId: workflowInfo().workflowId, result }));
    });
    throw error;
  } finally {
    if (notifier.enabled) await notifier.settled();
  }
}

function toResult(input: ResearchInput, draft: Draft, decision: Decision | null): ResearchResult {
  return {
    outcome: decision === null ? 'expired' : decision.approved ? 'approved' : 'rejected',
    summary: draft.summary,
    topic: input.topic,
    sourceUrl: requestedSources(input)[0] ?? '',
    reviewer: decision?.reviewer ?? null,
    comment: decision?.comment ?? null,
    decidedAt: decision?.decidedAt ?? new Date().toISOString(),
    usage: draft.usage,
    // Structured drafts only (runs since research-depth); results of older runs keep their shape.
    ...(draft.points === undefined
      ? {}
      : { sources: draft.sources ?? [], points: draft.points, draftVersions: draft.version ?? 1 }),
  };
}
