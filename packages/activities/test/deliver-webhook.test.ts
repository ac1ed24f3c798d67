import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WebhookFailureType } from '@research/contracts';
import type { WebhookDelivery } from '@research/contracts';
import { startWebhookReceiver, webhookSecret, type WebhookReceiver } from '@research/testkit';
import { Webhook } from 'standardwebhooks';
import { createDeliverWebhook, signWebhook, webhookPayload } from '../src/deliver-webhook.js';
import { closedPort, mockEnvironment } from './helpers.js';

const SECRET = webhookSecret();

const delivery = (url: string, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  webhookId: 'research-1:run-1:awaiting_approval',
  url,
  type: 'research.awaiting_approval',
  timestamp: '2026-12-03T07:00:00.000Z',
  data: {
    workflowId: 'research-1',
    runId: 'run-1',
    topic: 'durable execution',
    sourceUrl: 'https://example.com/article',
    stage: 'awaiting_approval',
    inboxUrl: 'https://research.example.com/#/workflows/research-1',
    draftExcerpt: 'Durable execution survives crashes.',
  },
  ...overrides,
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => assert.fail('expected the delivery to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ApplicationFailure, String(error));
  return error;
}

describe('webhook payload and signature', () => {
  test('is the Standard Webhooks body {type, timestamp, data}', () => {
    const { type, timestamp, data } = delivery('https://hooks.example.com');
    assert.deepEqual(JSON.parse(webhookPayload({ type, timestamp, data })), { type, timestamp, data });
  });

  test('verifies with standardwebhooks Webhook.verify and returns the payload', () => {
    const body = webhookPayload(delivery('https://hooks.example.com'));
    const headers = signWebhook(SECRET, 'msg-1', body, new Date());
    assert.equal(headers['webhook-id'], 'msg-1');
    assert.match(headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(new Webhook(SECRET).verify(body, headers), JSON.parse(body));
  });

  test('does not verify under another secret or with an altered body', () => {
    const body = webhookPayload(delivery('https://hooks.example.com'));
    const headers = signWebhook(SECRET, 'msg-1', body, new Date());
    assert.throws(() => new Webhook(webhookSecret()).verify(body, headers), /No matching signature/);
    assert.throws(() => new Webhook(SECRET).verify(body.replace('durable', 'Durable'), headers), /No matching/);
  });
});

describe('deliverWebhook', () => {
  let receiver: WebhookReceiver;
  let answer = 204;
  before(async () => {
    receiver = await startWebhookReceiver({
      secret: SECRET,
      respond: () => answer,
    });
  });
  after(() => receiver?.close());

  const deliverWebhook = createDeliverWebhook({ config: { secret: SECRET } });

  test('posts a signed event the receiver verifies, and reports the attempt that delivered it', async () => {
    answer = 204;
    const sent = delivery(receiver.url);
    const result = await mockEnvironment({ attempt: 3 }).run(deliverWebhook, sent);
    assert.deepEqual(result, { attempts: 3, status: 204 });
    const got = receiver.received.at(-1);
    assert.equal(got?.verificationError, null);
    assert.equal(got?.webhookId, sent.webhookId);
    assert.deepEqual(got?.payload, { type: sent.type, timestamp: sent.timestamp, data: sent.data });
  });

  test('fails the attempt, retryably and with its number, when the receiver answers 500', async () => {
    answer = 500;
    const failure = await failureOf(mockEnvironment({ attempt: 2 }).run(deliverWebhook, delivery(receiver.url)));
    assert.equal(failure.type, WebhookFailureType.WebhookRejected);
    assert.equal(failure.nonRetryable, false);
    assert.match(failure.message, /answered 500 Internal Server Error/);
    assert.deepEqual(failure.details, [{ attempt: 2 }]);
  });

  test('does not follow a redirect', async () => {
    answer = 307;
    const failure = await failureOf(mockEnvironment().run(deliverWebhook, delivery(receiver.url)));
    assert.equal(failure.type, WebhookFailureType.WebhookRejected);
    assert.match(failure.message, /answered 307/);
  });

  test('fails retryably when the receiver cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hooks`;
    const failure = await failureOf(mockEnvironment().run(deliverWebhook, delivery(url)));
    assert.equal(failure.type, WebhookFailureType.WebhookUnreachable);
    assert.equal(failure.nonRetryable, false);
  });

  test('fails for good, without connecting, when the target resolves to a metadata address', async () => {
    const guarded = createDeliverWebhook({
      config: { secret: SECRET },
      resolveHost: async () => [{ address: '169.254.169.254', family: 4 }],
    });
    const failure = await failureOf(mockEnvironment().run(guarded, delivery('http://hooks.internal/x')));
    assert.equal(failure.type, WebhookFailureType.WebhookAddressBlocked);
    assert.equal(failure.nonRetryable, true);
  });

  test('fails for good, sending nothing, when the worker has no secret', async () => {
    const before = receiver.received.length;
    const unsigned = createDeliverWebhook({ config: { secret: undefined } });
    const failure = await failureOf(mockEnvironment().run(unsigned, delivery(receiver.url)));
    assert.equal(failure.type, WebhookFailureType.WebhookSecretMissing);
    assert.equal(failure.nonRetryable, true);
    assert.equal(receiver.received.length, before);
  });
});
