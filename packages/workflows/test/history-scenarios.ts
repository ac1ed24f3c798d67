// The paths through the research workflow whose histories are kept as replay fixtures (test/fixtures/histories).
// Each scenario drives one run on the embedded server with stub activities and checks it took the path its name
// says, so a fixture is never silently a recording of something else.
import assert from 'node:assert/strict';
import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { FailureType, NOT_AWAITING_APPROVAL, STATUS_MEMO_KEY, approveUpdate, stateQuery } from '@research/contracts';
import type {
  ApprovalRequest,
  PublishedStatus,
  ResearchActivities,
  ResearchInput,
  ResearchResult,
  Stage,
} from '@research/contracts';
import type { research } from '../src/index.js';
import { DRAFT, SOURCE, WRITTEN, gate, stubActivities, waitFor } from './harness.js';
import type { StubActivities, TestActivities } from './harness.js';

export interface HistoryScenario {
  /** File name of the fixture, without `.json`; the recorded run's workflow id is `replay-<name>`. */
  name: string;
  input?: Partial<ResearchInput>;
  /** Stub activities for this run, with the hooks `drive` needs. */
  setUp(): { activities: TestActivities; drive: (handle: WorkflowHandle<typeof research>) => Promise<void> };
}

export const BASE_INPUT: ResearchInput = { topic: 'durable execution', sourceUrl: 'https://example.com/article' };

const waitForStage = (handle: WorkflowHandle, stage: Stage): Promise<Stage> =>
  waitFor(
    async () => (await handle.query(stateQuery)).stage,
    (current) => current === stage,
  );

async function expectOutcome(handle: WorkflowHandle<typeof research>, outcome: string): Promise<void> {
  assert.equal((await handle.result()).outcome, outcome);
}

async function expectFailure(handle: WorkflowHandle, type: string, message: RegExp): Promise<void> {
  const error = await handle.result().then(
    () => assert.fail('expected the workflow to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
  assert.equal(error.cause.type, type);
  assert.match(error.cause.message, message);
}

async function expectRefused(update: Promise<unknown>): Promise<void> {
  const error = await update.then(
    () => assert.fail('expected the approval to be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure, String(error));
  assert.equal(error.cause.type, NOT_AWAITING_APPROVAL);
}

const decided = (approved: boolean, outcome: string): HistoryScenario['setUp'] => {
  return () => ({
    activities: stubActivities().activities,
    async drive(handle) {
      await waitForStage(handle, 'awaiting_approval');
      await handle.executeUpdate(approveUpdate, {
        args: [{ approved, reviewer: 'ada', comment: approved ? 'looks right' : 'wrong source' }],
      });
      await expectOutcome(handle, outcome);
    },
  });
};

const failingAt = (
  step: keyof ResearchActivities,
  error: () => Error,
  expected: { type: string; message: RegExp },
): HistoryScenario['setUp'] => {
  return () => ({
    activities: stubActivities({
      [step]: async () => {
        throw error();
      },
    }).activities,
    drive: (handle) => expectFailure(handle, expected.type, expected.message),
  });
};

/**
 * Cancelled while `stage` runs (the gated step blocks until the cancel request is in): since the
 * `reviewer-workspace` patch the run saves a `cancelled` result and then closes as CANCELLED.
 */
const cancelledIn = (stage: Stage, blocked?: keyof ResearchActivities): HistoryScenario['setUp'] => {
  return () => {
    const held = gate();
    const base = stubActivities();
    let calls = 0;
    const hold =
      <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        if (calls++ === 0) await held.promise;
        return run(...args);
      };
    const activities: ResearchActivities = { ...base.activities };
    if (blocked === 'fetchSource') activities.fetchSource = hold(base.activities.fetchSource);
    if (blocked === 'summarize') activities.summarize = hold(base.activities.summarize);
    if (blocked === 'saveResult') activities.saveResult = hold(base.activities.saveResult);
    return {
      activities,
      async drive(handle) {
        await waitForStage(handle, stage);
        if (stage === 'saving')
          await waitFor(
            async () => calls,
            (n) => n > 0,
          );
        await handle.cancel();
        held.open();
        await handle.result().then(
          () => assert.fail('expected the workflow to be cancelled'),
          (e: unknown) => assert.ok(e instanceof WorkflowFailedError, String(e)),
        );
        assert.equal((await handle.describe()).status.name, 'CANCELLED');
        const last = base.saved.at(-1);
        assert.equal(last?.result.outcome, 'cancelled');
      },
    };
  };
};

/**
 * Approves the draft awaiting a decision as Ben (`decidedBy`, so the run records a receipt), with the rest of
 * `request`, and checks that the run completed approved with that one receipt.
 */
async function approveAsBen(
  handle: WorkflowHandle<typeof research>,
  stubs: StubActivities,
  request: Omit<ApprovalRequest, 'approved' | 'decidedBy'> = {},
): Promise<ResearchResult> {
  await handle.executeUpdate(approveUpdate, {
    args: [{ approved: true, ...request, decidedBy: { id: 'ben', name: 'Ben' } }],
  });
  const result = await handle.result();
  assert.equal(result.outcome, 'approved');
  assert.equal(stubs.receipts.length, 1);
  return result;
}

/** Approves with a full decision request (draft hash, caller, request id): a receipt is recorded. */
const approvedWithReceipt: HistoryScenario['setUp'] = () => {
  const stubs = stubActivities();
  return {
    activities: stubs.activities,
    async drive(handle) {
      await waitForStage(handle, 'awaiting_approval');
      await approveAsBen(handle, stubs, {
        comment: 'looks right',
        draftSha256: DRAFT.sha256,
        via: { method: 'api-key', requestId: 'req-1' },
      });
    },
  };
};

const DEPTH_SOURCES = ['https://a.example/1', 'https://b.example/2', 'https://c.example/3'];

/**
 * Since the research-depth patch: three sources fetched in parallel, the second failing for good; the first draft's
 * quotes are not found, so it is written again; then approved with a receipt.
 */
const depthApproved: HistoryScenario['setUp'] = () => {
  const stubs = stubActivities();
  let drafts = 0;
  const ungrounded = {
    ...WRITTEN,
    points: WRITTEN.points.map((p) => ({ ...p, citations: [{ source: 1, quote: 'not in the source' }] })),
  };
  return {
    activities: {
      ...stubs.activities,
      fetchSource: async ({ url }) => {
        if (url === DEPTH_SOURCES[1]) {
          throw ApplicationFailure.nonRetryable('Source answered 404 Not Found', FailureType.SourceHttpClientError);
        }
        return { ...SOURCE, finalUrl: url };
      },
      writeDraft: async () => (drafts++ === 0 ? ungrounded : WRITTEN),
    },
    async drive(handle) {
      const state = await waitFor(
        () => handle.query(stateQuery),
        (current) => current.stage === 'awaiting_approval',
      );
      assert.equal(state.draft?.grounding?.regenerated, true);
      assert.equal(state.draft?.sources?.[1]?.failure?.type, FailureType.SourceHttpClientError);
      await approveAsBen(handle, stubs, { draftSha256: WRITTEN.sha256 });
    },
  };
};

/** Every recorded path; `npm run record-histories -w @research/workflows` writes the ones without a fixture. */
export const HISTORY_SCENARIOS: readonly HistoryScenario[] = [
  { name: 'approved', setUp: decided(true, 'approved') },
  { name: 'rejected', setUp: decided(false, 'rejected') },
  {
    name: 'expired',
    input: { approvalTimeout: '1s' },
    setUp: () => ({
      activities: stubActivities().activities,
      drive: (handle) => expectOutcome(handle, 'expired'),
    }),
  },
  {
    // A refused approval costs a workflow task of its own on a server without speculative workflow tasks.
    name: 'approved-after-refused-approval',
    setUp: () => {
      const fetched = gate();
      const base = stubActivities();
      return {
        activities: {
          ...base.activities,
          fetchSource: async (input) => (await fetched.promise, base.activities.fetchSource(input)),
        },
        async drive(handle) {
          await waitForStage(handle, 'fetching');
          await expectRefused(handle.executeUpdate(approveUpdate, { args: [{ approved: true }] }));
          fetched.open();
          await waitForStage(handle, 'awaiting_approval');
          await handle.executeUpdate(approveUpdate, { args: [{ approved: true, reviewer: 'ada' }] });
          await expectOutcome(handle, 'approved');
        },
      };
    },
  },
  {
    name: 'concurrent-approvals',
    setUp: () => ({
      activities: stubActivities().activities,
      async drive(handle) {
        await waitForStage(handle, 'awaiting_approval');
        const outcomes = await Promise.allSettled([
          handle.executeUpdate(approveUpdate, { args: [{ approved: true, reviewer: 'ada' }] }),
          handle.executeUpdate(approveUpdate, { args: [{ approved: false, reviewer: 'grace' }] }),
        ]);
        assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
        await handle.result();
      },
    }),
  },
  {
    // Since the decision-receipts patch: the receipt is published in the memo and appended by recordDecision.
    name: 'approved-with-receipt',
    setUp: approvedWithReceipt,
  },
  {
    // The receipt activity failing for good fails the pipeline before the result is saved.
    name: 'record-decision-failed',
    setUp: () => ({
      activities: stubActivities({
        recordDecision: async () => {
          throw ApplicationFailure.nonRetryable('No decision log is configured on this worker.', 'DecisionLogMissing');
        },
      }).activities,
      async drive(handle) {
        await waitForStage(handle, 'awaiting_approval');
        await handle.executeUpdate(approveUpdate, { args: [{ approved: false, reviewer: 'ada' }] });
        await expectFailure(handle, 'DecisionLogMissing', /^Could not record the decision receipt/);
      },
    }),
  },
  {
    name: 'fetch-failed',
    setUp: failingAt(
      'fetchSource',
      () => ApplicationFailure.nonRetryable('The source answered 404 Not Found.', FailureType.SourceHttpClientError),
      { type: FailureType.SourceHttpClientError, message: /^Could not fetch the source/ },
    ),
  },
  {
    // A retryable failure on the last attempt the operator's override allows.
    name: 'summarize-failed',
    input: { retryOverrides: { summarize: { maximumAttempts: 1 } } },
    setUp: failingAt(
      'summarize',
      () => ApplicationFailure.retryable('The model answered 503.', FailureType.LlmUnavailable),
      { type: FailureType.LlmUnavailable, message: /^Could not summarize the source/ },
    ),
  },
  {
    // An untyped error (a database outage) on the last allowed attempt; its class name becomes the failure type.
    name: 'save-failed',
    input: { approvalTimeout: '1s', retryOverrides: { saveResult: { maximumAttempts: 1 } } },
    setUp: failingAt('saveResult', () => new Error('connection refused'), {
      type: 'Error',
      message: /^Could not save the result: connection refused/,
    }),
  },
  {
    name: 'invalid-approval-timeout',
    input: { approvalTimeout: 'tomorrow' },
    setUp: () => ({
      activities: stubActivities().activities,
      drive: (handle) => expectFailure(handle, FailureType.InvalidResearchInput, /approval timeout "tomorrow"/),
    }),
  },
  {
    name: 'cancelled-awaiting-approval',
    setUp: () => ({
      activities: stubActivities().activities,
      async drive(handle) {
        await waitForStage(handle, 'awaiting_approval');
        await handle.cancel();
        await handle.result().then(
          () => assert.fail('expected the workflow to be cancelled'),
          (e: unknown) => assert.ok(e instanceof WorkflowFailedError, String(e)),
        );
        assert.equal((await handle.describe()).status.name, 'CANCELLED');
      },
    }),
  },
  // Since the reviewer-workspace patch: search attributes at every stage, and cancellation that saves a result.
  { name: 'approved-workspace', input: { submittedBy: { id: 'sam', name: 'Sam' } }, setUp: decided(true, 'approved') },
  // Both patches (reviewer-workspace, decision-receipts): the path every new pipeline takes since both landed.
  {
    name: 'approved-with-receipt-workspace',
    input: { submittedBy: { id: 'sam', name: 'Sam' } },
    setUp: approvedWithReceipt,
  },
  { name: 'cancelled-fetching-workspace', setUp: cancelledIn('fetching', 'fetchSource') },
  { name: 'cancelled-summarizing-workspace', setUp: cancelledIn('summarizing', 'summarize') },
  { name: 'cancelled-awaiting-approval-workspace', setUp: cancelledIn('awaiting_approval') },
  { name: 'cancelled-saving-workspace', input: { approvalTimeout: '1s' }, setUp: cancelledIn('saving', 'saveResult') },
  // Since the webhook-notifications patch, for runs whose input names webhook targets: events sent as activities no
  // stage waits for, reminders as timers in the approval wait, delivery outcomes in the memo.
  {
    name: 'approved-webhooks',
    input: {
      submittedBy: { id: 'sam', name: 'Sam' },
      notifications: {
        webhookUrls: ['https://hooks.example.com/a', 'https://hooks.example.com/b'],
        approvalReminders: [0.5],
        publicBaseUrl: 'https://research.example.com',
      },
    },
    setUp: approvedWithReceipt,
  },
  {
    name: 'expired-webhook-reminders',
    input: {
      approvalTimeout: '2s',
      retryOverrides: { deliverWebhook: { maximumAttempts: 1 } },
      notifications: {
        webhookUrls: ['https://hooks.example.com/a'],
        approvalReminders: [0.25, 0.5],
        publicBaseUrl: null,
      },
    },
    setUp: () => {
      const stubs = stubActivities();
      const deliver = stubs.activities.deliverWebhook;
      return {
        activities: {
          ...stubs.activities,
          // The second reminder fails for good: its outcome is recorded, and the pipeline goes on.
          deliverWebhook: async (delivery) => {
            if (delivery.webhookId.endsWith(':approval_reminder.2')) {
              throw ApplicationFailure.retryable(
                'The receiver answered 500 Internal Server Error.',
                'WebhookRejected',
                {
                  attempt: 1,
                },
              );
            }
            return deliver(delivery);
          },
        },
        async drive(handle) {
          await expectOutcome(handle, 'expired');
          assert.deepEqual(
            stubs.webhooks.map((d) => d.type),
            ['research.awaiting_approval', 'research.approval_reminder', 'research.expired'],
          );
        },
      };
    },
  },
  // Since the research-depth patch (with both earlier patches): several sources, structured grounded drafts.
  {
    name: 'depth-approved-three-sources',
    input: { sourceUrl: undefined, sources: DEPTH_SOURCES, submittedBy: { id: 'sam', name: 'Sam' } },
    setUp: depthApproved,
  },
  // Every patch at once: the path a new pipeline takes where the operator set webhook targets.
  {
    name: 'depth-approved-webhooks',
    input: {
      sourceUrl: undefined,
      sources: DEPTH_SOURCES,
      submittedBy: { id: 'sam', name: 'Sam' },
      notifications: {
        webhookUrls: ['https://hooks.example.com/a'],
        approvalReminders: [0.5],
        publicBaseUrl: 'https://research.example.com',
      },
    },
    setUp: depthApproved,
  },
  {
    name: 'depth-all-sources-failed',
    input: { sourceUrl: undefined, sources: DEPTH_SOURCES.slice(0, 2) },
    setUp: failingAt(
      'fetchSource',
      () => ApplicationFailure.nonRetryable('Source answered 404 Not Found', FailureType.SourceHttpClientError),
      { type: FailureType.SourceHttpClientError, message: /^Could not fetch any of the 2 sources/ },
    ),
  },
  {
    name: 'depth-draft-failed',
    setUp: failingAt(
      'writeDraft',
      () => ApplicationFailure.nonRetryable('The draft was unusable 3 times in a row', FailureType.LlmMalformedDraft),
      { type: FailureType.LlmMalformedDraft, message: /^Could not summarize the source/ },
    ),
  },
  {
    // Sent back once with a comment, then approved with an edited summary.
    name: 'depth-revised-then-edited',
    setUp: () => {
      const stubs = stubActivities();
      return {
        activities: stubs.activities,
        async drive(handle) {
          const versionAwaited = (version: number) =>
            waitFor(
              () => handle.query(stateQuery),
              (state) => state.stage === 'awaiting_approval' && state.draft?.version === version,
            );
          await versionAwaited(1);
          await handle.executeUpdate(approveUpdate, { args: [{ approved: false, revise: true, comment: 'Shorter.' }] });
          await versionAwaited(2);
          await handle.executeUpdate(approveUpdate, { args: [{ approved: true, editedSummary: 'Edited.' }] });
          const result = await handle.result();
          assert.equal(result.summary, 'Edited.');
          assert.equal(result.draftVersions, 2);
        },
      };
    },
  },
  {
    // Since the research-notes patch: two sources longer than llmContextChars together (69 characters each, limit
    // 50), so two notes calls per source (one per chunk), then the synthesis; approved.
    name: 'depth-notes-approved',
    input: { sourceUrl: undefined, sources: DEPTH_SOURCES.slice(0, 2), llmContextChars: 50 },
    setUp: () => {
      const stubs = stubActivities();
      return {
        activities: stubs.activities,
        async drive(handle) {
          await waitForStage(handle, 'awaiting_approval');
          const result = await approveAsBen(handle, stubs);
          assert.deepEqual(
            result.cost?.calls.map((c) => c.step),
            ['takeNotes', 'takeNotes', 'takeNotes', 'takeNotes', 'writeDraft'],
          );
        },
      };
    },
  },
  {
    // Still open: the state every pipeline waiting for a reviewer is in when a new worker version is deployed.
    name: 'awaiting-approval',
    setUp: () => ({
      activities: stubActivities().activities,
      // The memo, unlike the query, changes only once the workflow task that entered the stage is in history.
      drive: async (handle) =>
        void (await waitFor(
          async () => ((await handle.describe()).memo?.[STATUS_MEMO_KEY] as PublishedStatus | undefined)?.stage,
          (stage) => stage === 'awaiting_approval',
        )),
    }),
  },
];
