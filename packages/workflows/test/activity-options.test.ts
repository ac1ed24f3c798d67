// The retry and timeout policy each step really runs with, read from what the workflow sent the server (the
// ActivityTaskScheduled events of its history) with no overrides in the input, and the backoff the server
// applies with it. The README's "8 attempts with exponential backoff" rests on this file.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { FailureType, RESEARCH_WORKFLOW_TYPE, approveUpdate, stateQuery } from '@research/contracts';
import { WRITTEN, startHarness, stubActivities, waitFor } from './harness.js';
import type { Harness } from './harness.js';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
type Scheduled = NonNullable<HistoryEvent['activityTaskScheduledEventAttributes']>;

type Duration = Scheduled['startToCloseTimeout'];

const ms = (duration: Duration): number | null =>
  duration ? Number(duration.seconds?.toString() ?? 0) * 1_000 + (duration.nanos ?? 0) / 1e6 : null;

/** The options a scheduled activity carries, in milliseconds. */
function options(scheduled: Scheduled) {
  const retry = scheduled.retryPolicy;
  return {
    startToClose: ms(scheduled.startToCloseTimeout),
    heartbeat: ms(scheduled.heartbeatTimeout),
    initialInterval: ms(retry?.initialInterval),
    backoffCoefficient: retry?.backoffCoefficient,
    maximumInterval: ms(retry?.maximumInterval),
    maximumAttempts: retry?.maximumAttempts,
  };
}

describe('activity options of the research workflow', { timeout: 120_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness?.close());

  test('each step is scheduled with its documented retry policy and timeouts when the input has no overrides', async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await harness.client.workflow.start(RESEARCH_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `research-${randomUUID()}`,
        args: [{ topic: 'policies', sourceUrl: 'https://example.com/article' }],
      });
      await waitFor(
        async () => (await handle.query(stateQuery)).stage,
        (stage) => stage === 'awaiting_approval',
      );
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true, reviewer: 'ada' }] });
      await handle.result();

      const history = await handle.fetchHistory();
      const scheduled = new Map<string, Scheduled>();
      for (const event of history.events ?? []) {
        const attributes = event.activityTaskScheduledEventAttributes;
        if (attributes?.activityType?.name) scheduled.set(attributes.activityType.name, attributes);
      }
      assert.deepEqual([...scheduled.keys()], ['fetchSource', 'writeDraft', 'recordDecision', 'saveResult']);

      const summarize = scheduled.get('writeDraft')!;
      assert.deepEqual(options(summarize), {
        startToClose: 180_000,
        heartbeat: 15_000,
        initialInterval: 2_000,
        backoffCoefficient: 2,
        maximumInterval: 60_000,
        maximumAttempts: 8,
      });
      assert.ok(summarize.retryPolicy?.nonRetryableErrorTypes?.includes(FailureType.LlmAuthentication));

      const fetchSource = scheduled.get('fetchSource')!;
      assert.deepEqual(options(fetchSource), {
        startToClose: 30_000,
        heartbeat: 0,
        initialInterval: 1_000,
        backoffCoefficient: 2,
        maximumInterval: 10_000,
        maximumAttempts: 5,
      });
      assert.ok(fetchSource.retryPolicy?.nonRetryableErrorTypes?.includes(FailureType.SourceHttpClientError));

      const saveResult = scheduled.get('saveResult')!;
      assert.deepEqual(options(saveResult), {
        startToClose: 30_000,
        heartbeat: 0,
        initialInterval: 1_000,
        backoffCoefficient: 2,
        maximumInterval: 60_000,
        // 0: no attempt limit; the hour of schedule-to-close bounds the retries.
        maximumAttempts: 0,
      });
      assert.equal(ms(saveResult.scheduleToCloseTimeout), 3_600_000);
      // A receipt, like a result, must not be lost: the same policy as saveResult.
      const recordDecision = scheduled.get('recordDecision')!;
      assert.deepEqual(options(recordDecision), options(saveResult));
      assert.equal(ms(recordDecision.scheduleToCloseTimeout), 3_600_000);
    });
  });

  test('a retryable LLM failure is retried after 2 s, then 4 s: the backoff the server applies', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    const stubs = stubActivities({
      writeDraft: async () => {
        const attempt = attempts.length + 1;
        attempts.push({ attempt, at: Date.now() });
        if (attempt < 3) throw ApplicationFailure.retryable('The LLM failed with 500', FailureType.LlmUnavailable);
        return WRITTEN;
      },
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await harness.client.workflow.start(RESEARCH_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `research-${randomUUID()}`,
        args: [{ topic: 'backoff', sourceUrl: 'https://example.com/article' }],
      });
      await waitFor(
        async () => (await handle.query(stateQuery)).stage,
        (stage) => stage === 'awaiting_approval',
        30_000,
      );
      await handle.cancel();
    });
    assert.deepEqual(
      attempts.map((a) => a.attempt),
      [1, 2, 3],
    );
    const gaps = [attempts[1]!.at - attempts[0]!.at, attempts[2]!.at - attempts[1]!.at];
    // Lower bounds are the policy; the upper ones only say the next interval (8 s) was not used instead.
    assert.ok(gaps[0]! >= 1_900 && gaps[0]! < 4_000, `first retry after ${gaps[0]} ms, expected 2 s`);
    assert.ok(gaps[1]! >= 3_900 && gaps[1]! < 8_000, `second retry after ${gaps[1]} ms, expected 4 s`);
  });
});
