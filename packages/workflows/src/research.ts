import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DEFAULT_APPROVAL_TIMEOUT,
  DEFAULT_MAX_REVISIONS,
  FailureType,
  NOT_AWAITING_APPROVAL,
  REVISIONS_EXHAUSTED,
  SELF_APPROVAL_FORBIDDEN,
  STATUS_MEMO_KEY,
  approveUpdate,
  parseDurationMs,
  requestedSources,
  stateQuery,
} from '@research/contracts';
import type {
  ApprovalRequest,
  Decision,
  Draft,
  DraftSource,
  PublishedStatus,
  ResearchInput,
  ResearchResult,
  ResearchState,
  SourceNotes,
  Stage,
  TakeNotesInput,
  WriteDraftInput,
  WrittenDraft,
} from '@research/contracts';
import { researchActivities } from './activities.js';
import { checkDraftBinding, recordReceipt } from './decision-receipts.js';
import { toStepFailure } from './failures.js';
import { startNotifier } from './notifications.js';
import type { ResearchStep } from './failures.js';
import { CostLedger } from './cost-ledger.js';
import {
  RESEARCH_DEPTH_PATCH,
  RESEARCH_NOTES_PATCH,
  gatherSources,
  needsNotes,
  notedSources,
  uncheckedPoints,
  writeGroundedDraft,
} from './research-depth.js';
import type { GatheredSources } from './research-depth.js';
import { WORKSPACE_PATCH, cancelledResult, publishSearchAttributes } from './workspace.js';

/**
 * The research pipeline: fetch the source, summarize it with an LLM, wait for a human decision
 * (or the approval timeout), then persist the result.
 *
 * Answers {@link stateQuery} at any time and publishes a {@link PublishedStatus} (stage, draft, decision, result,
 * approval times) in its memo under {@link STATUS_MEMO_KEY} at every stage change, and, since the
 * {@link WORKSPACE_PATCH} patch, the research search attributes too. Accepts {@link approveUpdate} only while awaiting
 * approval and before a decision was taken; otherwise the update is rejected with an
 * `ApplicationFailure` of type {@link NOT_AWAITING_APPROVAL}. With `input.requireDistinctApprover`, a decision
 * by the submitter is rejected with type {@link SELF_APPROVAL_FORBIDDEN}, and one naming another draft
 * (`draftSha256`) with type `DraftChanged` (see `decision-receipts.ts`). An accepted decision's receipt is published
 * in the memo and appended to the decision log (`recordDecision`) before the result is saved.
 *
 * Since {@link RESEARCH_DEPTH_PATCH} (decided once at the start; older histories keep the single-source path): every
 * source is fetched by its own activity in parallel, the draft is structured with citations checked against the
 * sources (`research-depth.ts`), each LLM call is priced and checked against `maxCostUsd` (`cost-ledger.ts`), a
 * decision with `revise` sends the draft back for version n+1 (at most `maxRevisions`, else {@link REVISIONS_EXHAUSTED}),
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
  let revisions = 0;
  let gathered: GatheredSources | undefined;
  // What the LLM drafts from when the sources were too long for one call: notes per source (else the full texts).
  let draftSources: DraftSource[] | undefined;
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
  // The accepted update's argument: the receipt needs who decided and through which request.
  let accepted: ApprovalRequest | undefined;

  // Registered before the first await, so queries and updates never see an uninitialised pipeline.
  setHandler(stateQuery, () => state);
  setHandler(
    approveUpdate,
    // Synchronous on purpose: the decision is recorded before any other update's validator runs,
    // so of two concurrent approvals exactly one is accepted.
    (request: ApprovalRequest): Decision => {
      const decision = toDecision(request);
      state.decision = decision;
      accepted = request;
      return decision;
    },
    {
      // Validators are not replayed, so changing what they refuse is safe for recorded histories.
      validator: (request: ApprovalRequest) => {
        // Four-eyes is enforced here as well as in the API, so it holds whichever API replica delivers the decision.
        if (
          input.requireDistinctApprover === true &&
          input.submittedBy !== undefined &&
          request.decidedBy?.id === input.submittedBy.id
        ) {
          throw ApplicationFailure.nonRetryable(
            'The submitter of a pipeline cannot decide it; another reviewer must.',
            SELF_APPROVAL_FORBIDDEN,
          );
        }
        if (state.stage !== 'awaiting_approval') {
          throw ApplicationFailure.nonRetryable(
            `The pipeline is not awaiting approval (its stage is ${state.stage}).`,
            NOT_AWAITING_APPROVAL,
          );
        }
        if (state.decision !== null) {
          throw ApplicationFailure.nonRetryable(
            'A decision was already taken for this pipeline.',
            NOT_AWAITING_APPROVAL,
          );
        }
        checkDraftBinding(request, state.draft);
        checkRevisionOrEdit(request);
      },
    },
  );

  /** Revisions and edits exist only on the research-depth path, and revisions only up to `maxRevisions`. */
  function checkRevisionOrEdit(request: ApprovalRequest): void {
    if (request.revise !== true && request.editedSummary === undefined) return;
    if (!depth) {
      throw ApplicationFailure.nonRetryable(
        'This pipeline was started before drafts could be revised or edited; approve or reject its draft as it is.',
        'RevisionUnsupported',
      );
    }
    if (request.revise === true && revisions >= maxRevisions) {
      throw ApplicationFailure.nonRetryable(
        `The draft was already revised ${revisions} time${revisions === 1 ? '' : 's'}, the most this pipeline ` +
          `allows (maxRevisions ${maxRevisions}); approve or reject it.`,
        REVISIONS_EXHAUSTED,
      );
    }
  }

  let awaitingSince: Date | null = null;
  let approvalDeadline: Date | null = null;

  function enter(stage: Stage): void {
    state.stage = stage;
    // sdk-core matches a recorded memo upsert by command type only, so its content may grow without a patch.
    const status: PublishedStatus = {
      stage,
      draft: state.draft,
      ...(state.drafts === undefined ? {} : { drafts: state.drafts }),
      ...(state.cost === undefined ? {} : { cost: ledger.snapshot() }),
      decision: state.decision,
      result: state.result,
      awaitingSince: awaitingSince?.toISOString() ?? null,
      approvalDeadline: approvalDeadline?.toISOString() ?? null,
    };
    upsertMemo({ [STATUS_MEMO_KEY]: status });
    if (patched(WORKSPACE_PATCH)) {
      publishSearchAttributes({ stage, submitter: input.submittedBy?.id, awaitingSince, approvalDeadline });
    }
    notifier.stageEntered({ stage, state, awaitingSince, approvalDeadline });
    log.info('Research stage changed', { stage });
  }

  async function step<T>(name: ResearchStep, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      // Only a failed activity fails the pipeline; cancellation and bugs propagate unchanged.
      if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
      enter('failed');
      throw toStepFailure(name, error);
    }
  }

  const approvalTimeoutMs = parseApprovalTimeout(input.approvalTimeout, () => enter('failed'));

  /** The path of runs recorded before {@link RESEARCH_DEPTH_PATCH}: one source, one plain summary. */
  async function singleSourceDraft(): Promise<{ draft: Draft; sourceSha256: string | null }> {
    const source = await step('fetchSource', () => fetchSource({ url: sources[0] ?? '' }));

    enter('summarizing');
    const summarized = await step('summarize', () =>
      summarize({ topic: input.topic, sourceUrl: source.finalUrl, title: source.title, text: source.text }),
    );
    // Version 1: the hash comes from the activity (no crypto in the sandbox).
    return { draft: { ...summarized, version: 1 }, sourceSha256: source.sha256 ?? null };
  }

  /** Runs workflow code that fails the pipeline with an `ApplicationFailure` of its own (not an activity's). */
  async function failing<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      // A failed activity was already reported by step().
      if (error instanceof ApplicationFailure && state.stage !== 'failed') enter('failed');
      throw error;
    }
  }

  /** `writeDraft` within the budget: checked before each call, each call's cost recorded. */
  async function budgetedWriteDraft(draftInput: WriteDraftInput): Promise<WrittenDraft> {
    ledger.checkBefore('writeDraft');
    const written = await writeDraft(draftInput);
    ledger.record('writeDraft', written);
    return written;
  }

  /** `takeNotes` within the budget, like {@link budgetedWriteDraft}. */
  async function budgetedTakeNotes(notesInput: TakeNotesInput): Promise<SourceNotes> {
    ledger.checkBefore('takeNotes');
    const notes = await takeNotes(notesInput);
    ledger.record('takeNotes', notes);
    return notes;
  }

  /**
   * Since {@link RESEARCH_DEPTH_PATCH}: every source in parallel, then a structured draft with checked citations.
   * Sources longer than `llmContextChars` together get notes first (since {@link RESEARCH_NOTES_PATCH}); the draft
   * is then synthesised from the notes.
   */
  async function groundedDraft(): Promise<{ draft: Draft; sourceSha256: string | null }> {
    const fetched = await failing(() => gatherSources(sources, fetchSource));
    gathered = fetched;

    enter('summarizing');
    const limit = input.llmContextChars;
    // Decided from the fetch results in history and the input; the marker is written only when notes are taken.
    if (limit !== undefined && needsNotes(fetched, limit) && patched(RESEARCH_NOTES_PATCH)) {
      draftSources = await failing(() =>
        step('takeNotes', () => notedSources(input.topic, fetched, limit, budgetedTakeNotes)),
      );
    }
    const { sourcesSha256, ...grounded } = await failing(() =>
      step('writeDraft', () => writeGroundedDraft(input.topic, fetched, budgetedWriteDraft, undefined, draftSources)),
    );
    return { draft: { ...grounded, version: 1 }, sourceSha256: sourcesSha256 };
  }

  /** A reviewer sent `previous` back with `comment`: the next version, from the same sources. */
  async function revisedDraft(previous: Draft, comment: string): Promise<Draft> {
    const from = gathered;
    if (from === undefined) throw new Error('revisedDraft before the sources were gathered');
    revisions += 1;
    enter('summarizing');
    const feedback = {
      reason: `The reviewer sent the draft back with this comment: ${comment}`,
      previous: { summary: previous.summary, points: uncheckedPoints(previous.points) },
    };
    const { sourcesSha256: _same, ...grounded } = await failing(() =>
      step('writeDraft', () => writeGroundedDraft(input.topic, from, budgetedWriteDraft, feedback, draftSources)),
    );
    return { ...grounded, version: (previous.version ?? 1) + 1, feedback: comment };
  }

  /** The saved result of an approval with `editedSummary`: the edited text, with both hashes and the diff. */
  async function withEdit(result: ResearchResult, draft: Draft, editedSummary: string): Promise<ResearchResult> {
    const edit = await failing(() =>
      step('diffSummary', () =>
        diffSummary({ draftSummary: draft.summary, draftSha256: draft.sha256 ?? null, editedSummary }),
      ),
    );
    return { ...result, summary: editedSummary, edit };
  }

  async function pipeline(): Promise<ResearchResult> {
    enter('fetching');
    const first = depth ? await groundedDraft() : await singleSourceDraft();
    const { sourceSha256 } = first;
    let draft = first.draft;
    state.draft = draft;
    if (depth) state.drafts = [draft];

    // Runs before research-depth leave this loop after the first wait: the commands they recorded.
    for (;;) {
      awaitingSince = new Date();
      approvalDeadline = new Date(awaitingSince.getTime() + approvalTimeoutMs);
      enter('awaiting_approval');
      await notifier.awaitDecision(() => state.decision !== null, approvalTimeoutMs);
      if (!depth || state.decision?.revise !== true) break;
      draft = await revisedDraft(draft, state.decision.comment ?? '');
      state.draft = draft;
      state.drafts?.push(draft);
      state.decision = null;
      accepted = undefined;
    }
    // Read the decision rather than condition's result: an update accepted in the same activation as the
    // timer firing still counts.
    const decided = { ...toResult(input, draft, state.decision), ...(depth ? { cost: ledger.snapshot() } : {}) };
    const editedSummary = state.decision?.approved === true ? accepted?.editedSummary : undefined;
    const result = depth && editedSummary !== undefined ? await withEdit(decided, draft, editedSummary) : decided;
    if (state.decision !== null && accepted !== undefined) {
      const [request, decision] = [accepted, state.decision];
      await step('recordDecision', () => recordReceipt(request, decision, draft, sourceSha256, recordDecision));
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

function parseApprovalTimeout(text: string | undefined, onInvalid: () => void): number {
  const value = text ?? DEFAULT_APPROVAL_TIMEOUT;
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    onInvalid();
    throw ApplicationFailure.create({
      message: `The approval timeout "${value}" is not a duration such as "90s", "15m" or "24h".`,
      type: FailureType.InvalidResearchInput,
      nonRetryable: true,
    });
  }
  return ms;
}

function toDecision(request: ApprovalRequest): Decision {
  return {
    approved: request.approved,
    comment: request.comment ?? null,
    // Histories recorded before `decidedBy` existed lack it, so they replay to the same decision.
    reviewer: request.decidedBy?.id ?? request.reviewer ?? null,
    ...(request.revise === true ? { revise: true } : {}),
    ...(request.editedSummary !== undefined ? { edited: true } : {}),
    // Workflow time: deterministic on replay.
    decidedAt: new Date().toISOString(),
  };
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
