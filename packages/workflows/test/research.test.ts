import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import {
  DRAFT_CHANGED,
  FailureType,
  RECEIPTS_MEMO_KEY,
  NOT_AWAITING_APPROVAL,
  SELF_APPROVAL_FORBIDDEN,
  RESEARCH_SEARCH_ATTRIBUTES,
  STATUS_MEMO_KEY,
  approveUpdate,
  stateQuery,
} from '@research/contracts';
import type { PublishedStatus, ResearchInput, ResearchResult, ResearchState, Stage } from '@research/contracts';
import { DRAFT, SOURCE, WRITTEN, gate, groundedDraft, startHarness, stubActivities, waitFor } from './harness.js';
import type { Harness } from './harness.js';

/** Per test: a hung workflow fails its own test instead of the whole suite. */
const T = { timeout: 30_000 };

const INPUT: ResearchInput = { topic: 'durable execution', sourceUrl: 'https://example.com/article' };

describe('research workflow', { timeout: 120_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness?.close());

  const start = (taskQueue: string, input: ResearchInput = INPUT) => harness.startResearch(taskQueue, input);

  const stageOf = async (handle: WorkflowHandle): Promise<Stage> => (await handle.query(stateQuery)).stage;
  const waitForStage = (handle: WorkflowHandle, stage: Stage): Promise<Stage> =>
    waitFor(
      () => stageOf(handle),
      (current) => current === stage,
    );
  const failureOf = (handle: WorkflowHandle): Promise<unknown> =>
    handle.result().then(
      () => assert.fail('expected the workflow to fail'),
      (e: unknown) => e,
    );
  const memoOf = async (handle: WorkflowHandle): Promise<PublishedStatus | undefined> =>
    (await handle.describe()).memo?.[STATUS_MEMO_KEY] as PublishedStatus | undefined;
  const publishedStageOf = async (handle: WorkflowHandle) => {
    const memo = await memoOf(handle);
    return { stage: memo?.stage, draft: memo?.draft };
  };

  async function rejectionOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const error = await promise.then(
      () => assert.fail('expected the update to be rejected'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(error)}`);
    assert.ok(error.cause instanceof ApplicationFailure);
    return error.cause;
  }

  test('completes with outcome approved and saves the result when a reviewer approves', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      await waitForStage(handle, 'awaiting_approval');
      const decision = await handle.executeUpdate(approveUpdate, {
        args: [{ approved: true, reviewer: 'ada', comment: 'looks right' }],
      });
      assert.equal(decision.approved, true);
      assert.equal(decision.reviewer, 'ada');

      const result: ResearchResult = await handle.result();
      assert.equal(result.outcome, 'approved');
      assert.equal(result.summary, DRAFT.summary);
      assert.equal(result.reviewer, 'ada');
      assert.equal(result.comment, 'looks right');
      assert.equal(result.decidedAt, decision.decidedAt);
      assert.deepEqual(stubs.saved, [
        { workflowId: handle.workflowId, runId: (await handle.describe()).runId, result },
      ]);
      assert.equal(await stageOf(handle), 'completed');
    });
  });

  test('completes with outcome rejected when a reviewer rejects', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      await waitForStage(handle, 'awaiting_approval');
      await handle.executeUpdate(approveUpdate, { args: [{ approved: false, comment: 'wrong source' }] });

      const result = await handle.result();
      assert.equal(result.outcome, 'rejected');
      assert.equal(result.reviewer, null);
      assert.equal(result.comment, 'wrong source');
      assert.equal(stubs.saved.length, 1);
    });
  });

  test('completes with outcome expired and saves it when nobody decides before the approval timeout', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, { ...INPUT, approvalTimeout: '1s' });
      const result = await handle.result();
      assert.equal(result.outcome, 'expired');
      assert.equal(result.reviewer, null);
      assert.deepEqual(stubs.saved, [
        { workflowId: handle.workflowId, runId: (await handle.describe()).runId, result },
      ]);
    });
  });

  test('rejects an approval with NotAwaitingApproval before the draft exists and after a decision', T, async () => {
    const fetched = gate();
    // Holding the save keeps the workflow open: an update racing its completion is aborted, not rejected.
    const saving = gate();
    const base = stubActivities();
    const stubs = stubActivities({
      fetchSource: async (input) => (await fetched.promise, base.activities.fetchSource(input)),
      saveResult: async (input) => (await saving.promise, base.activities.saveResult(input)),
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      await waitForStage(handle, 'fetching');
      const early = await rejectionOf(handle.executeUpdate(approveUpdate, { args: [{ approved: true }] }));
      assert.equal(early.type, NOT_AWAITING_APPROVAL);

      fetched.open();
      await waitForStage(handle, 'awaiting_approval');
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true }] });
      const late = await rejectionOf(handle.executeUpdate(approveUpdate, { args: [{ approved: false }] }));
      assert.equal(late.type, NOT_AWAITING_APPROVAL);
      saving.open();
      assert.equal((await handle.result()).outcome, 'approved');
    });
  });

  test(
    'four-eyes: rejects a decision by the submitter with SelfApprovalForbidden and accepts another reviewer',
    T,
    async () => {
      const stubs = stubActivities();
      await harness.withWorker(stubs.activities, async (taskQueue) => {
        const ana = { id: 'ana', name: 'Ana' };
        const handle = await start(taskQueue, { ...INPUT, submittedBy: ana, requireDistinctApprover: true });
        await waitForStage(handle, 'awaiting_approval');
        const own = await rejectionOf(
          handle.executeUpdate(approveUpdate, { args: [{ approved: true, decidedBy: ana }] }),
        );
        assert.equal(own.type, SELF_APPROVAL_FORBIDDEN);
        assert.equal((await handle.query(stateQuery)).decision, null);

        const decision = await handle.executeUpdate(approveUpdate, {
          args: [{ approved: true, reviewer: 'ignored', decidedBy: { id: 'ben', name: 'Ben' } }],
        });
        assert.equal(decision.reviewer, 'ben', 'the authenticated decider is the reviewer');
        assert.equal((await handle.result()).reviewer, 'ben');
      });
    },
  );

  test('lets the submitter decide when four-eyes is off or the pipeline has no submitter', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const ana = { id: 'ana', name: 'Ana' };
      for (const input of [{ ...INPUT, submittedBy: ana, requireDistinctApprover: false }, INPUT]) {
        const handle = await start(taskQueue, input);
        await waitForStage(handle, 'awaiting_approval');
        const decision = await handle.executeUpdate(approveUpdate, { args: [{ approved: true, decidedBy: ana }] });
        assert.equal(decision.reviewer, 'ana');
        assert.equal((await handle.result()).outcome, 'approved');
      }
    });
  });

  test('accepts exactly one of two concurrent approvals', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      await waitForStage(handle, 'awaiting_approval');
      const outcomes = await Promise.allSettled([
        handle.executeUpdate(approveUpdate, { args: [{ approved: true, reviewer: 'ada' }] }),
        handle.executeUpdate(approveUpdate, { args: [{ approved: false, reviewer: 'grace' }] }),
      ]);
      const accepted = outcomes.filter((o) => o.status === 'fulfilled');
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      assert.equal(accepted.length, 1);
      assert.equal(rejected.length, 1);
      const loser = await rejectionOf(
        Promise.resolve().then(() => {
          throw rejected[0]?.reason;
        }),
      );
      assert.equal(loser.type, NOT_AWAITING_APPROVAL);

      const result = await handle.result();
      assert.equal(result.reviewer, accepted[0]?.value.reviewer);
      assert.equal(stubs.saved.length, 1);
    });
  });

  test('reports each stage through the state query and the memo as the pipeline moves', T, async () => {
    const fetched = gate();
    const summarized = gate();
    const saved = gate();
    const base = stubActivities();
    const stubs = stubActivities({
      fetchSource: async (input) => (await fetched.promise, base.activities.fetchSource(input)),
      writeDraft: async (input) => (await summarized.promise, base.activities.writeDraft(input)),
      saveResult: async (input) => (await saved.promise, base.activities.saveResult(input)),
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      const expectStage = async (stage: Stage, draft: ResearchState['draft']) => {
        await waitForStage(handle, stage);
        assert.deepEqual(await publishedStageOf(handle), { stage, draft });
      };
      await expectStage('fetching', null);
      fetched.open();
      await expectStage('summarizing', null);
      summarized.open();
      const draft = groundedDraft();
      await expectStage('awaiting_approval', draft);
      assert.deepEqual((await handle.query(stateQuery)).draft, draft);
      const awaiting = await memoOf(handle);
      assert.ok(awaiting?.awaitingSince && awaiting.approvalDeadline, JSON.stringify(awaiting));
      assert.equal(Date.parse(awaiting.approvalDeadline) - Date.parse(awaiting.awaitingSince), 24 * 3_600_000);
      const attributes = (await handle.describe()).typedSearchAttributes;
      assert.equal(attributes.get(RESEARCH_SEARCH_ATTRIBUTES.stage), 'awaiting_approval');
      assert.equal(attributes.get(RESEARCH_SEARCH_ATTRIBUTES.awaitingSince)?.toISOString(), awaiting.awaitingSince);
      const decision = await handle.executeUpdate(approveUpdate, { args: [{ approved: true }] });
      await expectStage('saving', draft);
      // Everything GET /workflows/:id shows is in the memo, so it needs no query.
      assert.deepEqual((await memoOf(handle))?.decision, decision);
      saved.open();
      const result = await handle.result();
      assert.deepEqual(await publishedStageOf(handle), { stage: 'completed', draft: draft });
      assert.deepEqual((await memoOf(handle))?.result, result);
      assert.deepEqual((await handle.query(stateQuery)).result, result);
    });
  });

  for (const stage of ['fetching', 'summarizing', 'awaiting_approval', 'saving'] as const) {
    test(
      `a cancel request in ${stage} saves a cancelled result, sets stage cancelled and closes as CANCELLED`,
      T,
      async () => {
        const held = gate();
        const base = stubActivities();
        let saves = 0;
        const stubs = stubActivities({
          fetchSource: async (input) => (
            stage === 'fetching' && (await held.promise),
            base.activities.fetchSource(input)
          ),
          writeDraft: async (input) => (
            stage === 'summarizing' && (await held.promise),
            base.activities.writeDraft(input)
          ),
          saveResult: async (input) => {
            if (stage === 'saving' && saves++ === 0) await held.promise;
            return base.activities.saveResult(input);
          },
        });
        await harness.withWorker(stubs.activities, async (taskQueue) => {
          const handle = await start(taskQueue, stage === 'saving' ? { ...INPUT, approvalTimeout: '1s' } : INPUT);
          await waitForStage(handle, stage);
          if (stage === 'saving')
            await waitFor(
              async () => saves,
              (n) => n > 0,
            );
          await handle.cancel();
          held.open();
          const error = await handle.result().then(
            () => assert.fail('expected the workflow to be cancelled'),
            (e: unknown) => e,
          );
          assert.ok(error instanceof WorkflowFailedError, String(error));
          assert.equal((await handle.describe()).status.name, 'CANCELLED');
          const memo = await memoOf(handle);
          assert.equal(memo?.stage, 'cancelled');
          assert.equal(memo?.result?.outcome, 'cancelled');
          // The cancelled result is the last write, after a save that was in flight.
          assert.equal(base.saved.at(-1)?.result.outcome, 'cancelled');
          assert.equal(base.saved.length, stage === 'saving' ? 2 : 1);
        });
      },
    );
  }

  test(
    'fails with a readable message, the activity failure type and stage failed when the source cannot be fetched',
    T,
    async () => {
      const stubs = stubActivities({
        fetchSource: async () => {
          throw ApplicationFailure.nonRetryable(
            'The source answered 404 Not Found.',
            FailureType.SourceHttpClientError,
          );
        },
      });
      await harness.withWorker(stubs.activities, async (taskQueue) => {
        const handle = await start(taskQueue);
        const error = await failureOf(handle);
        assert.ok(error instanceof WorkflowFailedError);
        assert.ok(error.cause instanceof ApplicationFailure);
        assert.equal(error.cause.message, 'Could not fetch the source: The source answered 404 Not Found.');
        assert.equal(error.cause.type, FailureType.SourceHttpClientError);
        assert.equal(await stageOf(handle), 'failed');
        assert.deepEqual(await publishedStageOf(handle), { stage: 'failed', draft: null });
        assert.equal(stubs.saved.length, 0);
      });
    },
  );

  test('fails with a readable message when the draft cannot be written', T, async () => {
    const stubs = stubActivities({
      writeDraft: async () => {
        throw ApplicationFailure.nonRetryable('The model rejected the API key.', FailureType.LlmAuthentication);
      },
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      const error = await failureOf(handle);
      assert.ok(error instanceof WorkflowFailedError);
      assert.equal(error.cause?.message, 'Could not summarize the source: The model rejected the API key.');
      assert.deepEqual(await publishedStageOf(handle), { stage: 'failed', draft: null });
    });
  });

  test('fails with InvalidResearchInput and stage failed when the approval timeout is not a duration', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, { ...INPUT, approvalTimeout: 'tomorrow' });
      const error = await failureOf(handle);
      assert.ok(error instanceof WorkflowFailedError);
      assert.ok(error.cause instanceof ApplicationFailure);
      assert.equal(error.cause.type, FailureType.InvalidResearchInput);
      assert.match(error.cause.message, /approval timeout "tomorrow"/);
      assert.deepEqual(await publishedStageOf(handle), { stage: 'failed', draft: null });
    });
  });

  test(
    'refuses a decision naming another draft with DraftChanged and accepts one naming the current draft',
    T,
    async () => {
      const stubs = stubActivities();
      await harness.withWorker(stubs.activities, async (taskQueue) => {
        const handle = await start(taskQueue);
        await waitForStage(handle, 'awaiting_approval');
        const stale = await rejectionOf(
          handle.executeUpdate(approveUpdate, { args: [{ approved: true, draftSha256: 'e'.repeat(64) }] }),
        );
        assert.equal(stale.type, DRAFT_CHANGED);
        assert.equal((await handle.query(stateQuery)).decision, null);
        await handle.executeUpdate(approveUpdate, { args: [{ approved: true, draftSha256: DRAFT.sha256 }] });
        assert.equal((await handle.result()).outcome, 'approved');
      });
    },
  );

  test('refuses a decision naming a draft when the draft has no hash, and accepts one naming none', T, async () => {
    // As the draft of a pipeline started before drafts were hashed: the payload carries no sha256.
    const unhashed = { ...WRITTEN, sha256: undefined } as unknown as typeof WRITTEN;
    const stubs = stubActivities({ writeDraft: async () => unhashed });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      await waitForStage(handle, 'awaiting_approval');
      const named = await rejectionOf(
        handle.executeUpdate(approveUpdate, { args: [{ approved: true, draftSha256: DRAFT.sha256 }] }),
      );
      assert.equal(named.type, DRAFT_CHANGED);
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true }] });
      assert.equal((await handle.result()).outcome, 'approved');
      assert.equal(stubs.receipts[0]?.draftSha256, null);
    });
  });

  test('records one receipt of the accepted decision, in the database and the memo', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const ben = { id: 'ben', name: 'Ben' };
      const handle = await start(taskQueue, { ...INPUT, submittedBy: { id: 'ana', name: 'Ana' } });
      await waitForStage(handle, 'awaiting_approval');
      const decision = await handle.executeUpdate(approveUpdate, {
        args: [{ approved: false, comment: 'no', decidedBy: ben, via: { method: 'oidc', requestId: 'req-1' } }],
      });
      await handle.result();
      const { runId } = await handle.describe();
      assert.equal(stubs.receipts.length, 1);
      const receipt = stubs.receipts[0];
      assert.ok(receipt);
      assert.match(receipt.decisionId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(receipt, {
        decisionId: receipt.decisionId,
        workflowId: handle.workflowId,
        runId,
        decidedBy: { id: 'ben', name: 'Ben', method: 'oidc' },
        reviewer: 'ben',
        decidedAt: decision.decidedAt,
        approved: false,
        comment: 'no',
        draftSha256: DRAFT.sha256,
        sourceSha256: SOURCE.sha256,
        requestId: 'req-1',
      });
      assert.deepEqual((await handle.describe()).memo?.[RECEIPTS_MEMO_KEY], [receipt]);
    });
  });

  test('records no receipt when the approval timeout passes without a decision', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, { ...INPUT, approvalTimeout: '1s' });
      assert.equal((await handle.result()).outcome, 'expired');
      assert.deepEqual(stubs.receipts, []);
      assert.equal((await handle.describe()).memo?.[RECEIPTS_MEMO_KEY], undefined);
    });
  });
});
