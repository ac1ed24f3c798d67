// End-to-end: outbound webhooks from the real processes (embedded Temporal, worker, API) to receivers on loopback,
// driven over HTTP. One receiver verifies every signature with the `standardwebhooks` package and answers 500 to the
// first attempt of each awaiting_approval event; another always answers 503, so its deliveries fail for good.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WebhookDeliveryRecord } from '@research/contracts';
import {
  startWebhookReceiver,
  waitFor,
  webhookSecret,
  type FakeSite,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '@research/testkit';
import { startStackWithFakes, type StackWithFakes } from '../support/stack-with-fakes.js';
import { type Stack, request, waitForWorkflow } from '../support/stack.js';

const SECRET = webhookSecret();
const PUBLIC_BASE_URL = 'https://research.example.com';

let site: FakeSite;
let stack: Stack;
let fixture: StackWithFakes | undefined;
let receiver: WebhookReceiver | undefined;
let broken: WebhookReceiver | undefined;

before(
  async () => {
    receiver = await startWebhookReceiver({
      secret: SECRET,
      respond: ({ payload, attempt }) => (payload?.type === 'research.awaiting_approval' && attempt === 1 ? 500 : 204),
    });
    broken = await startWebhookReceiver({ secret: SECRET, respond: () => 503 });
    fixture = await startStackWithFakes({
      env: {
        api: {
          WEBHOOK_URLS: `${receiver.url},${broken.url}`,
          APPROVAL_REMINDERS: '50%,90%',
          PUBLIC_BASE_URL,
          // Fast retries, so the broken receiver's deliveries fail for good within seconds.
          ACTIVITY_RETRY_OVERRIDES: JSON.stringify({
            deliverWebhook: { initialInterval: '200ms', maximumAttempts: 3 },
          }),
        },
        worker: { WEBHOOK_SECRET: SECRET },
      },
    });
    ({ site, stack } = fixture);
  },
  { timeout: 180_000 },
);
after(async () => {
  await fixture?.close();
  await Promise.all([receiver?.close(), broken?.close()]);
});

async function startResearch(topic: string, approvalTimeout: string): Promise<string> {
  const response = await request(stack.apiUrl, 'POST', '/research', {
    body: { topic, sourceUrl: `${site.url}/article`, approvalTimeout },
  });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.workflowId as string;
}

const receivedFor = (id: string): ReceivedWebhook[] =>
  receiver!.received.filter((r) => (r.payload?.data as { workflowId?: string } | undefined)?.workflowId === id);
const typesOf = (received: ReceivedWebhook[]) => received.map((r) => r.payload?.type);

describe('webhooks', { timeout: 180_000 }, () => {
  test('reach the receiver signed, retried after a 500 with the same webhook-id, then reminders and expired', async () => {
    const id = await startResearch('webhooks expiring', '6s');
    await waitForWorkflow(stack.apiUrl, id, (w) => w.status === 'COMPLETED', { timeoutMs: 60_000 });
    const received = receivedFor(id);
    assert.deepEqual(
      received.map((r) => r.verificationError),
      received.map(() => null),
      'every request verifies under the secret',
    );
    assert.deepEqual(typesOf(received), [
      'research.awaiting_approval',
      'research.awaiting_approval',
      'research.approval_reminder',
      'research.approval_reminder',
      'research.expired',
    ]);
    const [first, retry, half, late, expired] = received;
    assert.deepEqual([first?.status, first?.attempt, retry?.status, retry?.attempt], [500, 1, 204, 2]);
    assert.equal(retry?.webhookId, first?.webhookId, 'a retry carries the same webhook-id');
    assert.equal(retry?.payload?.timestamp, first?.payload?.timestamp, 'and the same event');
    assert.equal(new Set(received.map((r) => r.webhookId)).size, 4, 'each event has its own id');

    const data = first?.payload?.data as Record<string, unknown>;
    assert.equal(data.topic, 'webhooks expiring');
    assert.equal(data.inboxUrl, `${PUBLIC_BASE_URL}/#/workflows/${id}`);
    assert.match(String(data.draftExcerpt), /^Fake draft [0-9a-f]+ from 1 source/);
    const since = Date.parse(String(data.awaitingSince));
    const deadline = Date.parse(String(data.approvalDeadline));
    assert.equal(deadline - since, 6_000);

    // Reminders at 50% and 90% of the 6 s window (workflow time), while nobody has decided.
    const at = (r: ReceivedWebhook | undefined) => Date.parse(r?.payload?.timestamp ?? '') - since;
    assert.deepEqual(
      [half, late].map((r) => (r?.payload?.data as { reminder?: string }).reminder),
      ['50%', '90%'],
    );
    // Never early; how late depends on how busy the machine is, so only the order bounds it from above.
    assert.ok(at(half) >= 3_000, `50% reminder ${at(half)} ms into the window`);
    assert.ok(at(late) >= 5_400 && at(late) > at(half), `90% reminder ${at(late)} ms into the window`);
    assert.equal((expired?.payload?.data as { outcome?: string }).outcome, 'expired');
  });

  test('an approved pipeline sends completed, and a delivery failing for good shows in GET /workflows/:id', async () => {
    const id = await startResearch('webhooks approved', '1h');
    await waitForWorkflow(stack.apiUrl, id, (w) => w.stage === 'awaiting_approval', { timeoutMs: 60_000 });
    const decided = await request(stack.apiUrl, 'POST', `/workflows/${id}/approve`, {
      body: { approved: true, comment: 'Accurate.' },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const done = await waitForWorkflow<{ status: string; notifications: WebhookDeliveryRecord[] }>(
      stack.apiUrl,
      id,
      (w) => w.status === 'COMPLETED',
      { timeoutMs: 60_000 },
    );
    await waitFor(() => Promise.resolve(typesOf(receivedFor(id)).includes('research.completed')), {
      timeoutMs: 5_000,
      description: 'research.completed at the receiver',
    });
    const completed = receivedFor(id).find((r) => r.payload?.type === 'research.completed');
    assert.deepEqual(
      {
        outcome: completed?.payload?.data.outcome,
        reviewer: completed?.payload?.data.reviewer,
        comment: completed?.payload?.data.comment,
      },
      { outcome: 'approved', reviewer: 'reviewer', comment: 'Accurate.' },
    );

    const byTarget = (url: string) => done.notifications.filter((n) => n.url === url);
    assert.deepEqual(
      byTarget(receiver!.url)
        .map((n) => [n.event, n.status, n.attempts])
        .sort(),
      [
        ['research.awaiting_approval', 'delivered', 2],
        ['research.completed', 'delivered', 1],
      ],
    );
    assert.deepEqual(
      byTarget(broken!.url)
        .map((n) => [n.event, n.status, n.attempts, n.error])
        .sort(),
      ['research.awaiting_approval', 'research.completed'].map((event) => [
        event,
        'failed',
        3,
        'The receiver answered 503 Service Unavailable.',
      ]),
    );
    assert.equal(broken!.received.filter((r) => r.verificationError === null).length, broken!.received.length);
  });
});
