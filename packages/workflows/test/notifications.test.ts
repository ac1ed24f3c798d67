// The research workflow's webhooks on the embedded server, with stub activities: which events go to which targets,
// reminders at the configured points of the approval window, deliveries that never hold a stage back, and a delivery
// failing for good recorded in the memo.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { FailureType, NOTIFICATIONS_MEMO_KEY, approveUpdate, stateQuery } from '@research/contracts';
import type {
  NotificationSettings,
  ResearchInput,
  Stage,
  WebhookDelivery,
  WebhookDeliveryRecord,
} from '@research/contracts';
import { WEBHOOK_NOTIFICATIONS_PATCH } from '../src/notifications.js';
import { gate, startHarness, stubActivities, waitFor } from './harness.js';
import type { Harness } from './harness.js';

const T = { timeout: 30_000 };

const TARGETS = ['https://hooks.example.com/research', 'http://10.0.0.5:8080/chat'];

const notifications = (overrides: Partial<NotificationSettings> = {}): NotificationSettings => ({
  webhookUrls: TARGETS,
  approvalReminders: [],
  publicBaseUrl: 'https://research.example.com',
  ...overrides,
});

const input = (overrides: Partial<ResearchInput> = {}): ResearchInput => ({
  topic: 'durable execution',
  sourceUrl: 'https://example.com/article',
  notifications: notifications(),
  ...overrides,
});

const typesOf = (deliveries: WebhookDelivery[]) => deliveries.map((d) => d.type);

describe('research workflow webhooks', { timeout: 120_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await startHarness();
  });
  after(() => harness?.close());

  const start = (taskQueue: string, input: ResearchInput) => harness.startResearch(taskQueue, input);
  const waitForStage = (handle: WorkflowHandle, stage: Stage) =>
    waitFor(
      async () => (await handle.query(stateQuery)).stage,
      (current) => current === stage,
    );
  const recordsOf = async (handle: WorkflowHandle): Promise<WebhookDeliveryRecord[]> =>
    ((await handle.describe()).memo?.[NOTIFICATIONS_MEMO_KEY] as WebhookDeliveryRecord[] | undefined) ?? [];

  test('sends awaiting_approval and completed to every target, one webhook id per event', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, input());
      await waitFor(
        async () => stubs.webhooks.length,
        (n) => n === 2,
      );
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true, reviewer: 'ada', comment: 'fine' }] });
      assert.equal((await handle.result()).outcome, 'approved');

      const { runId } = await handle.describe();
      assert.deepEqual(typesOf(stubs.webhooks), [
        'research.awaiting_approval',
        'research.awaiting_approval',
        'research.completed',
        'research.completed',
      ]);
      // The targets of one event are sent concurrently, in no particular order.
      for (const type of ['research.awaiting_approval', 'research.completed']) {
        const urls = stubs.webhooks.filter((d) => d.type === type).map((d) => d.url);
        assert.deepEqual(urls.sort(), [...TARGETS].sort(), type);
      }
      const [awaiting, awaitingOther, completed] = stubs.webhooks;
      assert.equal(awaiting?.webhookId, `${handle.workflowId}:${runId}:awaiting_approval`);
      assert.equal(awaitingOther?.webhookId, awaiting?.webhookId);
      assert.notEqual(completed?.webhookId, awaiting?.webhookId);
      assert.equal(awaiting?.data.topic, 'durable execution');
      assert.equal(awaiting?.data.inboxUrl, `https://research.example.com/#/workflows/${handle.workflowId}`);
      assert.equal(awaiting?.data.draftExcerpt, 'Durable execution survives crashes.');
      assert.match(awaiting?.data.approvalDeadline ?? '', /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual(
        { outcome: completed?.data.outcome, reviewer: completed?.data.reviewer, comment: completed?.data.comment },
        { outcome: 'approved', reviewer: 'ada', comment: 'fine' },
      );
      const records = await recordsOf(handle);
      assert.equal(records.length, 4);
      assert.ok(records.every((r) => r.status === 'delivered' && r.attempts === 1 && r.error === null));
    });
  });

  test('reminds at each configured point of the approval window, then sends expired', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const settings = notifications({ webhookUrls: [TARGETS[0]!], approvalReminders: [0.25, 0.5] });
      const handle = await start(taskQueue, input({ approvalTimeout: '2s', notifications: settings }));
      assert.equal((await handle.result()).outcome, 'expired');
      assert.deepEqual(typesOf(stubs.webhooks), [
        'research.awaiting_approval',
        'research.approval_reminder',
        'research.approval_reminder',
        'research.expired',
      ]);
      const [awaiting, first, second] = stubs.webhooks;
      assert.deepEqual([first?.data.reminder, second?.data.reminder], ['25%', '50%']);
      assert.deepEqual(
        [first?.webhookId.endsWith(':approval_reminder.1'), second?.webhookId.endsWith(':approval_reminder.2')],
        [true, true],
      );
      // Workflow time: each reminder goes out at its point of the window, not before.
      const since = Date.parse(awaiting?.timestamp ?? '');
      assert.ok(Date.parse(first?.timestamp ?? '') - since >= 500, 'first reminder at 25% of 2s');
      assert.ok(Date.parse(second?.timestamp ?? '') - since >= 1000, 'second reminder at 50% of 2s');
    });
  });

  test('sends no reminder once a decision was taken', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      // The first reminder after 1 s, the second not before 18 s: the decision comes between them.
      const settings = notifications({ webhookUrls: [TARGETS[0]!], approvalReminders: [0.05, 0.9] });
      const handle = await start(taskQueue, input({ approvalTimeout: '20s', notifications: settings }));
      await waitFor(
        async () => typesOf(stubs.webhooks),
        (types) => types.includes('research.approval_reminder'),
      );
      await handle.executeUpdate(approveUpdate, { args: [{ approved: false, reviewer: 'ada' }] });
      assert.equal((await handle.result()).outcome, 'rejected');
      assert.deepEqual(typesOf(stubs.webhooks), [
        'research.awaiting_approval',
        'research.approval_reminder',
        'research.completed',
      ]);
    });
  });

  test('never holds a stage back, and closes only once its deliveries are settled', T, async () => {
    const held = gate();
    const stubs = stubActivities();
    const deliver = stubs.activities.deliverWebhook;
    stubs.activities.deliverWebhook = async (delivery) => (await held.promise, deliver(delivery));
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, input({ notifications: notifications({ webhookUrls: [TARGETS[0]!] }) }));
      await waitForStage(handle, 'awaiting_approval');
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true, reviewer: 'ada' }] });
      await waitForStage(handle, 'completed');
      assert.equal(stubs.saved.length, 1, 'the result is saved while the webhooks are still held');
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'the run waits for its deliveries');
      held.open();
      assert.equal((await handle.result()).outcome, 'approved');
      assert.deepEqual(typesOf(stubs.webhooks), ['research.awaiting_approval', 'research.completed']);
    });
  });

  test('records a delivery that fails for good, with its attempts and error, and still completes', T, async () => {
    const stubs = stubActivities();
    const deliver = stubs.activities.deliverWebhook;
    stubs.activities.deliverWebhook = async (delivery) => {
      if (delivery.url !== TARGETS[1]) return deliver(delivery);
      throw ApplicationFailure.create({
        type: 'WebhookRejected',
        message: 'The receiver answered 500 Internal Server Error.',
        details: [{ attempt: 2 }],
      });
    };
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(
        taskQueue,
        input({ retryOverrides: { deliverWebhook: { maximumAttempts: 2, initialInterval: '100ms' } } }),
      );
      await waitForStage(handle, 'awaiting_approval');
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true, reviewer: 'ada' }] });
      assert.equal((await handle.result()).outcome, 'approved');
      const failed = (await recordsOf(handle)).filter((r) => r.status === 'failed');
      assert.deepEqual(
        failed.map((r) => ({ event: r.event, url: r.url, attempts: r.attempts, error: r.error })),
        ['research.awaiting_approval', 'research.completed'].map((event) => ({
          event,
          url: TARGETS[1],
          attempts: 2,
          error: 'The receiver answered 500 Internal Server Error.',
        })),
      );
    });
  });

  test('sends research.failed with the failure when a step fails for good', T, async () => {
    const stubs = stubActivities({
      fetchSource: async () => {
        throw ApplicationFailure.nonRetryable('The source answered 404 Not Found.', FailureType.SourceHttpClientError);
      },
    });
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, input({ notifications: notifications({ webhookUrls: [TARGETS[0]!] }) }));
      await assert.rejects(handle.result(), WorkflowFailedError);
      assert.deepEqual(typesOf(stubs.webhooks), ['research.failed']);
      assert.equal(stubs.webhooks[0]?.data.error?.code, FailureType.SourceHttpClientError);
      assert.match(stubs.webhooks[0]?.data.error?.message ?? '', /^Could not fetch the source/);
    });
  });

  test('sends research.cancelled when a waiting pipeline is cancelled', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, input({ notifications: notifications({ webhookUrls: [TARGETS[0]!] }) }));
      await waitForStage(handle, 'awaiting_approval');
      await handle.cancel();
      await assert.rejects(handle.result(), WorkflowFailedError);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      assert.deepEqual(typesOf(stubs.webhooks), ['research.awaiting_approval', 'research.cancelled']);
      assert.deepEqual(
        (await recordsOf(handle)).map((r) => r.status),
        ['delivered', 'delivered'],
      );
    });
  });

  test('a run without targets schedules no webhook and records no patch marker', T, async () => {
    const stubs = stubActivities();
    await harness.withWorker(stubs.activities, async (taskQueue) => {
      const handle = await start(taskQueue, input({ notifications: undefined, approvalTimeout: '1s' }));
      assert.equal((await handle.result()).outcome, 'expired');
      assert.deepEqual(stubs.webhooks, []);
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
      assert.ok(scheduled.length > 0 && !scheduled.includes('deliverWebhook'), scheduled.join());
      const patches = events
        .flatMap((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? [])
        .map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
      assert.ok(patches.length > 0 && !patches.some((p) => p.includes(WEBHOOK_NOTIFICATIONS_PATCH)), patches.join());
    });
  });
});
