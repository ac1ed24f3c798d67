import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { FailureType, STATUS_MEMO_KEY, approveUpdate, stateQuery } from '@research/contracts';
import type { PublishedStatus, ResearchInput, WriteDraftInput, WrittenDraft } from '@research/contracts';
import { SOURCE, WRITTEN, startHarness, stubActivities, waitFor } from './harness.js';
import type { Harness } from './harness.js';

const T = { timeout: 30_000 };
const URLS = ['https://a.example/1', 'https://b.example/2', 'https://c.example/3'];
const INPUT: ResearchInput = { topic: 'durable execution', sources: URLS };

const notFound = (url: string) =>
  ApplicationFailure.nonRetryable(`Source answered 404 Not Found for ${url}`, FailureType.SourceHttpClientError);

/** A draft whose quotes are not in {@link SOURCE}: none of its three citations can be verified. */
const UNGROUNDED: WrittenDraft = {
  ...WRITTEN,
  sha256: 'e'.repeat(64),
  points: WRITTEN.points.map((p, i) => ({ ...p, citations: [{ source: 1, quote: `invented quote ${i}` }] })),
};

describe('research workflow: several sources and grounded drafts', { timeout: 120_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness?.close());

  const start = (taskQueue: string, input: ResearchInput = INPUT) => harness.startResearch(taskQueue, input);
  const awaiting = (handle: WorkflowHandle) =>
    waitFor(
      () => handle.query(stateQuery),
      (state) => state.stage === 'awaiting_approval',
    );
  const failureOf = async (handle: WorkflowHandle): Promise<ApplicationFailure> => {
    const error = await handle.result().then(
      () => assert.fail('expected the workflow to fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
    return error.cause;
  };

  test('fetches every source at once, records the one that fails and drafts from the others', T, async () => {
    const started: string[] = [];
    const drafted: WriteDraftInput[] = [];
    const stubs = stubActivities({
      fetchSource: async ({ url }) => {
        started.push(url);
        // Each fetch waits for all three to have started: they only complete if they run in parallel.
        await waitFor(
          async () => started.length,
          (n) => n === URLS.length,
        );
        if (url === URLS[1]) throw notFound(url);
        return { ...SOURCE, finalUrl: url };
      },
      writeDraft: async (input) => (drafted.push(input), WRITTEN),
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      const { draft, sources, sourceUrl } = await awaiting(handle);
      assert.deepEqual(sources, URLS);
      assert.equal(sourceUrl, URLS[0]);
      assert.deepEqual(
        drafted[0]?.sources.map((s) => [s.index, s.url]),
        [
          [1, URLS[0]],
          [3, URLS[2]],
        ],
      );
      assert.deepEqual(
        draft?.sources?.map((s) => [s.index, s.fetched, s.failure]),
        [
          [1, true, null],
          [
            2,
            false,
            { type: FailureType.SourceHttpClientError, message: `Source answered 404 Not Found for ${URLS[1]}` },
          ],
          [3, true, null],
        ],
      );
      assert.deepEqual(draft?.grounding, { verified: 3, unverified: 0, regenerated: false, warning: null });
      assert.equal(draft?.version, 1);
      const memo = (await handle.describe()).memo?.[STATUS_MEMO_KEY] as PublishedStatus | undefined;
      assert.deepEqual(memo?.draft, draft);

      await handle.executeUpdate(approveUpdate, { args: [{ approved: true, decidedBy: { id: 'ben', name: 'Ben' } }] });
      const result = await handle.result();
      assert.equal(result.sourceUrl, URLS[0]);
      assert.deepEqual(result.sources, draft?.sources);
      assert.deepEqual(result.points, draft?.points);
      assert.equal(result.draftVersions, 1);
      assert.deepEqual(stubs.saved[0]?.result, result);
      // With several sources the receipt names their combined hash, as the draft activity computed it.
      assert.equal(stubs.receipts[0]?.sourceSha256, WRITTEN.sourcesSha256);
    });
  });

  test('fails with SourcesUnavailable naming each source when none could be fetched in different ways', T, async () => {
    const stubs = stubActivities({
      fetchSource: async ({ url }) => {
        if (url === URLS[0]) throw notFound(url);
        throw ApplicationFailure.nonRetryable('The source address is not allowed', FailureType.SourceAddressBlocked);
      },
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue);
      const failure = await failureOf(handle);
      assert.equal(failure.type, FailureType.SourcesUnavailable);
      assert.equal(
        failure.message,
        `Could not fetch any of the 3 sources: [1] ${URLS[0]}: Source answered 404 Not Found for ${URLS[0]}; ` +
          `[2] ${URLS[1]}: The source address is not allowed; [3] ${URLS[2]}: The source address is not allowed`,
      );
      assert.equal((await handle.query(stateQuery)).stage, 'failed');
      assert.equal(stubs.saved.length, 0);
    });
  });

  test('fails with the failure type the sources share when they all fail alike', T, async () => {
    const stubs = stubActivities({
      fetchSource: async ({ url }) => {
        throw notFound(url);
      },
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const failure = await failureOf(await start(taskQueue, { topic: 'x', sources: URLS.slice(0, 2) }));
      assert.equal(failure.type, FailureType.SourceHttpClientError);
      assert.match(failure.message, /^Could not fetch any of the 2 sources: \[1\] /);
    });
  });

  test(
    'a single sourceUrl that cannot be fetched fails exactly as before: its type, "Could not fetch the source"',
    T,
    async () => {
      const stubs = stubActivities({
        fetchSource: async ({ url }) => {
          throw notFound(url);
        },
      });
      await harness.withWorker(stubs.activities, async (taskQueue) => {
        const failure = await failureOf(await start(taskQueue, { topic: 'x', sourceUrl: URLS[0] ?? '' }));
        assert.equal(failure.type, FailureType.SourceHttpClientError);
        assert.equal(failure.message, `Could not fetch the source: Source answered 404 Not Found for ${URLS[0]}`);
      });
    },
  );

  test('writes the draft again with feedback when most quotes are not found, and shows the second', T, async () => {
    const drafted: WriteDraftInput[] = [];
    const stubs = stubActivities({
      writeDraft: async (input) => (drafted.push(input), drafted.length === 1 ? UNGROUNDED : WRITTEN),
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const { draft } = await awaiting(await start(taskQueue, { topic: 'x', sourceUrl: URLS[0] ?? '' }));
      assert.equal(drafted.length, 2);
      assert.equal(drafted[0]?.feedback, undefined);
      assert.match(drafted[1]?.feedback?.reason ?? '', /^3 of 3 quotes do not occur .*\[1\] "invented quote 0"/);
      assert.deepEqual(drafted[1]?.feedback?.previous, { summary: UNGROUNDED.summary, points: UNGROUNDED.points });
      assert.deepEqual(draft?.grounding, { verified: 3, unverified: 0, regenerated: true, warning: null });
      assert.equal(draft?.sha256, WRITTEN.sha256);
      assert.equal(draft?.usage.totalTokens, 2 * WRITTEN.usage.totalTokens);
    });
  });

  test(
    'shows a draft still poorly grounded after the second writing with a warning, marking each quote',
    T,
    async () => {
      let calls = 0;
      const stubs = stubActivities({ writeDraft: async () => (calls++, UNGROUNDED) });
      await harness.withWorker(stubs.activities, async (taskQueue) => {
        const { draft } = await awaiting(await start(taskQueue, { topic: 'x', sourceUrl: URLS[0] ?? '' }));
        assert.equal(calls, 2, 'written once more, not again and again');
        assert.equal(draft?.grounding?.verified, 0);
        assert.equal(draft?.grounding?.unverified, 3);
        assert.match(draft?.grounding?.warning ?? '', /^3 of 3 quotes were not found/);
        assert.ok(draft?.points?.every((p) => p.citations.every((c) => !c.verified)));
      });
    },
  );
  test('shows what each LLM call cost and the total in the state, the memo and the result', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, { topic: 'x', sourceUrl: URLS[0] ?? '', maxCostUsd: 1 });
      const { cost, draft } = await awaiting(handle);
      const expected = {
        totalUsd: WRITTEN.costUsd,
        budgetUsd: 1,
        calls: [{ step: 'writeDraft', model: WRITTEN.model, usage: WRITTEN.usage, usd: WRITTEN.costUsd }],
      };
      assert.deepEqual(cost, expected);
      assert.equal(draft?.cost, WRITTEN.costUsd);
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true }] });
      const result = await handle.result();
      assert.deepEqual(result.cost, expected);
      assert.deepEqual(((await handle.describe()).memo?.[STATUS_MEMO_KEY] as PublishedStatus).cost, expected);
    });
  });

  test('fails with BudgetExceeded, naming the amounts, when the budget is spent between two LLM calls', T, async () => {
    let calls = 0;
    const stubs = stubActivities({ writeDraft: async () => (calls++, { ...UNGROUNDED, costUsd: 0.0012 }) });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, { topic: 'x', sourceUrl: URLS[0] ?? '', maxCostUsd: 0.001 });
      const failure = await failureOf(handle);
      assert.equal(failure.type, FailureType.BudgetExceeded);
      assert.equal(failure.nonRetryable, true);
      assert.equal(
        failure.message,
        'The LLM budget is spent: this pipeline has spent $0.0012 of its $0.001 (maxCostUsd), so it makes no ' +
          'further LLM call (writeDraft).',
      );
      assert.equal(calls, 1, 'the second call (the regeneration) is never made');
      const state = await handle.query(stateQuery);
      assert.equal(state.stage, 'failed');
      assert.equal(state.cost?.totalUsd, 0.0012);
      assert.equal(stubs.saved.length, 0);
    });
  });

  test('reports the cost as unknown and enforces no budget when the model has no price', T, async () => {
    let calls = 0;
    const stubs = stubActivities({ writeDraft: async () => (calls++, { ...UNGROUNDED, costUsd: null }) });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const { cost, draft } = await awaiting(
        await start(taskQueue, { topic: 'x', sourceUrl: URLS[0] ?? '', maxCostUsd: 0.0001 }),
      );
      assert.equal(calls, 2);
      assert.equal(cost?.totalUsd, null);
      assert.deepEqual(
        cost?.calls.map((c) => c.usd),
        [null, null],
      );
      assert.equal(draft?.cost, null);
    });
  });
});
