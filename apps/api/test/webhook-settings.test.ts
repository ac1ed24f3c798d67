import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NOTIFICATIONS_MEMO_KEY, STATUS_MEMO_KEY } from '@research/contracts';
import type { WebhookDeliveryRecord } from '@research/contracts';
import { loadConfig, notificationSettings } from '../src/config.js';
import { createTemporalGateway } from '../src/temporal/temporal-gateway.js';
import protos from '@temporalio/proto';
import { eventsOf, newFold } from '../src/temporal/history-events.js';
import { FakeTemporal } from './fake-temporal.js';
import { GATEWAY_TEST_TIMEOUTS, VALID_REQUEST } from './support.js';

const TARGET = 'https://hooks.example.com/research?token=s3cret';

function setup(env: Record<string, string>) {
  const temporal = new FakeTemporal();
  const gateway = createTemporalGateway(temporal, {
    ...GATEWAY_TEST_TIMEOUTS,
    newWorkflowId: () => 'research-1',
    notifications: notificationSettings(loadConfig(env)),
  });
  return { temporal, gateway };
}

describe('webhook settings in the API', () => {
  test('carries the targets, reminder points and public origin in every new workflow input', async () => {
    const { temporal, gateway } = setup({
      WEBHOOK_URLS: TARGET,
      APPROVAL_REMINDERS: '90%,50%',
      PUBLIC_BASE_URL: 'https://research.example.com/',
    });
    await gateway.startResearch(VALID_REQUEST);
    assert.deepEqual(temporal.starts[0]?.options.args, [
      {
        ...VALID_REQUEST,
        notifications: {
          webhookUrls: [TARGET],
          approvalReminders: [0.5, 0.9],
          publicBaseUrl: 'https://research.example.com',
        },
      },
    ]);
  });

  test('carries nothing when no target is configured, reminders or not', async () => {
    const { temporal, gateway } = setup({ APPROVAL_REMINDERS: '50%' });
    await gateway.startResearch(VALID_REQUEST);
    assert.deepEqual(temporal.starts[0]?.options.args, [VALID_REQUEST]);
  });

  test('GET shows the deliveries from the memo, targets without query or credentials, and no webhook as a retry', async () => {
    const { temporal, gateway } = setup({ WEBHOOK_URLS: TARGET });
    await gateway.startResearch(VALID_REQUEST);
    const execution = temporal.executions.get('research-1')!;
    const failed: WebhookDeliveryRecord = {
      event: 'research.awaiting_approval',
      url: 'https://user:pass@hooks.example.com/research?token=s3cret',
      webhookId: 'research-1:run-1:awaiting_approval',
      status: 'failed',
      attempts: 8,
      error: 'The receiver answered 503 Service Unavailable.',
    };
    execution.memo[STATUS_MEMO_KEY] = {
      stage: 'awaiting_approval',
      draft: null,
      decision: null,
      result: null,
      awaitingSince: null,
      approvalDeadline: null,
    };
    execution.memo[NOTIFICATIONS_MEMO_KEY] = [failed];
    execution.pendingActivities = [
      { activityType: { name: 'deliverWebhook' }, attempt: 4, lastFailure: { message: 'The receiver answered 503' } },
    ];
    const view = await gateway.getWorkflow('research-1');
    assert.deepEqual(view.notifications, [{ ...failed, url: 'https://hooks.example.com/research' }]);
    assert.equal(view.retry, null);
  });
});

describe('event streams beside webhooks', () => {
  const { EventType } = protos.temporal.api.enums.v1;
  const scheduled = (eventId: number, name: string) => ({
    eventId: eventId as never,
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    activityTaskScheduledEventAttributes: { activityType: { name } },
  });
  const completed = (eventId: number, scheduledEventId: number) => ({
    eventId: eventId as never,
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    activityTaskCompletedEventAttributes: { scheduledEventId: scheduledEventId as never },
  });

  test('keep watching the pipeline step for retries while webhook deliveries start and finish beside it', () => {
    const fold = newFold();
    eventsOf(scheduled(6, 'saveResult'), fold);
    eventsOf(scheduled(7, 'deliverWebhook'), fold);
    eventsOf(completed(9, 7), fold);
    assert.equal(fold.pendingActivity, 6);
    eventsOf(completed(10, 6), fold);
    assert.equal(fold.pendingActivity, null);
  });
});
