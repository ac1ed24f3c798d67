import { log, patched, upsertMemo } from '@temporalio/workflow';
import { STATUS_MEMO_KEY } from '@research/contracts';
import type { PublishedStatus, ResearchInput, ResearchState, Stage } from '@research/contracts';
import type { CostLedger } from './cost-ledger.js';
import type { Notifier } from './notifications.js';
import { WORKSPACE_PATCH, publishSearchAttributes } from './workspace.js';

/**
 * Publishes each stage change of a pipeline: the status memo, the search attributes (since {@link WORKSPACE_PATCH}),
 * the notifier's event and a log line. Keeps the window of the latest approval wait, which all of them show.
 */
export class StagePublisher {
  private awaitingSince: Date | null = null;
  private approvalDeadline: Date | null = null;

  constructor(
    private readonly input: ResearchInput,
    private readonly state: ResearchState,
    private readonly ledger: CostLedger,
    private readonly notifier: Notifier,
  ) {}

  /** Enters `awaiting_approval` with a window of `timeoutMs` from now (workflow time: deterministic on replay). */
  awaitApproval(timeoutMs: number): void {
    const since = new Date();
    this.awaitingSince = since;
    this.approvalDeadline = new Date(since.getTime() + timeoutMs);
    this.enter('awaiting_approval');
  }

  enter(stage: Stage): void {
    const { input, state, ledger, notifier, awaitingSince, approvalDeadline } = this;
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
}
